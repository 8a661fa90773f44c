"""One adapter per channel: the channel's real payload (pydantic models of its shape) in,
canonical `OrderEvent`s out. Each module exposes `to_order_events(payload) -> list[OrderEvent]`."""
