"""Registry imports: the mission's MIS exports and district sheets into the registry (see service.py)."""
