"""Listings: ready products taken to the channels (Meesho, Flipkart, Amazon, ONDC) as the files they
take, and what each channel then said, per product (exported, live, rejected)."""
