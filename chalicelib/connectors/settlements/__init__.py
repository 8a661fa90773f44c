"""Settlement imports: the channels' own payment reports turned into payout events, applied once per order."""
