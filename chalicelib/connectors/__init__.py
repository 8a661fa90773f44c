"""Channel connectors: pull orders from channels that do not push them (Flipkart, Meesho) and put
them on the order-events queue in the channel's own shape, for the channel adapters to map."""
