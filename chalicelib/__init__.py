"""Haat: the operations backbone that gets SHG handicrafts onto e-commerce."""
