"""The channel side of orders: each channel's payloads mapped to canonical OrderEvents (`adapters/`),
the order-events queue consumer that feeds them to the orders service (`order_events.py`), and
connectors that pull orders from channels that do not push them (Flipkart, Meesho) onto that queue."""
