"""Meesho supplier-panel order export (CSV) import."""
