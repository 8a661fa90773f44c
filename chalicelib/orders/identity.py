"""Channel identity: a signed sender may only speak for itself.

The webhook verifies who signed a request (an outlet's HMAC secret, an ONDC participant's key) and
passes that identity on as a message attribute. The identity the payload claims (the bill's
`outlet_id`, the callback's `context.bap_id`) must be that verified one - checked at the webhook
(403) and again by the consumer (quarantine), so a message put on the queue some other way cannot
borrow an identity either. The account is then fixed on the order when it is created, and an
event from any other account never changes it (orders/state.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Channel -> the message attribute the webhook sets to the verified sender.
VERIFIED_ATTRIBUTE: dict[str, str] = {"haat": "outlet_id", "ondc": "subscriber_id"}
# Channel -> where its payload names its sender.
CLAIM_FIELD: dict[str, str] = {"haat": "outlet_id", "ondc": "context.bap_id"}


def verified_attribute(channel: str) -> str:
    """The message attribute holding the channel's verified sender ('' for unsigned channels)."""
    return VERIFIED_ATTRIBUTE.get(channel, "")


def message_attributes(channel: str, account: str, received_at: str) -> dict[str, str]:
    """The attributes the webhook puts on a verified request's queue message (anything that enqueues
    a signed channel's order as if it came through the webhook - a bench, a test - uses these)."""
    attributes = {"channel": channel, "received_at": received_at}
    if channel in VERIFIED_ATTRIBUTE:
        attributes[VERIFIED_ATTRIBUTE[channel]] = account
    return attributes


class NotTheSender(Exception):
    """The payload claims an identity other than the one that signed it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def claimed_account(channel: str, payload: Any) -> str:
    """The account the payload says it comes from ('' if it says none or is not an object)."""
    if not isinstance(payload, Mapping):
        return ""
    if channel == "haat":
        return str(payload.get("outlet_id") or "")
    if channel == "ondc":
        context = payload.get("context")
        return str(context.get("bap_id") or "") if isinstance(context, Mapping) else ""
    return ""


def account_of(channel: str, payload: Any, verified: str) -> str:
    """The verified account of a signed channel's payload (NotTheSender if the payload claims
    another, or none was verified); '' for channels that sign nothing (Haat pulls them itself)."""
    if channel not in VERIFIED_ATTRIBUTE:
        return ""
    what = "outlet" if channel == "haat" else "ONDC subscriber"
    if not verified:
        raise NotTheSender(
            f"{channel} message without a verified {what}: it did not come through the webhook"
        )
    claimed = claimed_account(channel, payload)
    if claimed != verified:
        raise NotTheSender(f"signed by {what} {verified!r} but {CLAIM_FIELD[channel]} is {claimed[:80]!r}")
    return verified
