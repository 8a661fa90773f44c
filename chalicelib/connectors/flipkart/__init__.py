"""Flipkart Seller API v3: OAuth2 client-credentials client, shipment search, raw models."""
