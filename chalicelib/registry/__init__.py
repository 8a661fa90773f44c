"""The SHG registry: self-help groups, their members and their products."""
