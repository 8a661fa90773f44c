"""Catalogue photos: every uploaded phone photo becomes marketplace-ready renditions or a reason."""
