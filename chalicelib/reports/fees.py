"""Channel fee rules with effective dates: the one place the commission of each channel is set.

Plain pydantic, no AWS. Rates are basis points of the line value (1500 = 15%); money stays integer
paise. The rates below are placeholders for the mission to confirm with each channel's rate card;
a stage overrides the whole list with the CHANNEL_FEE_RULES environment variable (a JSON list of
rules in this shape), so a change of rate is a configuration change with an effective date, never
an edit of past figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from chalicelib.calendar import add_months
from chalicelib.registry.models import Channel


class FeeRule(BaseModel):
    """From `effective_from` on, `channel` keeps `commission_bps` of the order value, except during
    the first `waiver_months` after the SHG's onboarding (e.g. Flipkart Samarth's zero commission)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel
    effective_from: date
    commission_bps: int = Field(ge=0, le=10_000)
    waiver_months: int = Field(default=0, ge=0)


DEFAULT_FEE_RULES: tuple[FeeRule, ...] = (
    FeeRule(channel=Channel.FLIPKART, effective_from=date(2024, 1, 1), commission_bps=1200, waiver_months=6),
    FeeRule(channel=Channel.AMAZON, effective_from=date(2024, 1, 1), commission_bps=1500),
    FeeRule(channel=Channel.MEESHO, effective_from=date(2024, 1, 1), commission_bps=0),
    FeeRule(channel=Channel.ONDC, effective_from=date(2024, 1, 1), commission_bps=300),
    FeeRule(channel=Channel.HAAT, effective_from=date(2024, 1, 1), commission_bps=0),
)

FEE_RULES_ADAPTER = TypeAdapter(list[FeeRule])


def rule_for(rules: Sequence[FeeRule], channel: Channel, on: date) -> FeeRule | None:
    """The rule of `channel` in force on `on`: the latest one whose effective date has come."""
    in_force = [r for r in rules if r.channel == channel and r.effective_from <= on]
    return max(in_force, key=lambda r: r.effective_from, default=None)


def expected_fee(
    rules: Sequence[FeeRule], channel: Channel, amount_paise: int, ordered_on: date, onboarded_on: date | None
) -> int:
    """The commission the channel should keep on `amount_paise` sold on `ordered_on` (IST date).

    No rule means no fee (and the digest lists the channel's rule as missing). Rounds half up.
    """
    rule = rule_for(rules, channel, ordered_on)
    if rule is None:
        return 0
    if rule.waiver_months and onboarded_on and ordered_on < add_months(onboarded_on, rule.waiver_months):
        return 0
    return (amount_paise * rule.commission_bps + 5_000) // 10_000
