"""Haat's tooling: the operator CLI, the local stack, the demo and deploy. Never shipped to Lambda."""
