"""The embedded local AWS: a moto server, the resources of infra/resources.yaml deployed into it,
and a runner that feeds the real Chalice handlers the events AWS would send them.

Local-only: nothing in the Lambda path imports this package."""
