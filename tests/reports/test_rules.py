"""Domain rules without AWS: fee rules with effective dates and waivers, income shares, IST dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.calendar import add_months, business_date, trailing_months
from chalicelib.registry.models import Channel, Member
from chalicelib.reports.fees import DEFAULT_FEE_RULES, FeeRule, expected_fee
from chalicelib.reports.settings import ReportSettings
from chalicelib.reports.tally import split_by_share, spread


def test_flipkart_waiver_covers_six_calendar_months_from_onboarding() -> None:
    onboarded = date(2026, 5, 10)
    assert expected_fee(DEFAULT_FEE_RULES, Channel.FLIPKART, 10_000_00, date(2026, 11, 9), onboarded) == 0
    assert (
        expected_fee(DEFAULT_FEE_RULES, Channel.FLIPKART, 10_000_00, date(2026, 11, 10), onboarded)
        == 1_200_00
    )
    assert (
        expected_fee(DEFAULT_FEE_RULES, Channel.AMAZON, 10_000_00, date(2026, 11, 9), onboarded) == 1_500_00
    )


def test_a_new_rate_applies_from_its_effective_date_only() -> None:
    rules = (
        FeeRule(channel=Channel.ONDC, effective_from=date(2024, 1, 1), commission_bps=300),
        FeeRule(channel=Channel.ONDC, effective_from=date(2027, 4, 1), commission_bps=500),
    )
    assert expected_fee(rules, Channel.ONDC, 999, date(2027, 3, 31), None) == 30  # 29.97 rounds half up
    assert expected_fee(rules, Channel.ONDC, 999, date(2027, 4, 1), None) == 50
    assert expected_fee(rules, Channel.MEESHO, 999, date(2027, 4, 1), None) == 0  # no rule, no fee


def test_fee_rules_come_from_the_environment_as_json() -> None:
    rules = '[{"channel": "amazon", "effective_from": "2025-01-01", "commission_bps": 800}]'
    config = ReportSettings.model_validate({"CHANNEL_FEE_RULES": rules})
    expected = FeeRule(channel=Channel.AMAZON, effective_from=date(2025, 1, 1), commission_bps=800)
    assert (expected,) == config.CHANNEL_FEE_RULES


def test_income_is_split_by_share_and_never_loses_a_paisa() -> None:
    members = {
        m: Member(member_id=m, shg_id="S-1", name="x", phone="+919000000001", income_share=share)
        for m, share in (("M-1", 0.5), ("M-2", 0.25), ("M-3", 0.25), ("M-4", 0.0))
    }
    assert split_by_share(1_001, ["M-1", "M-2", "M-3"], members) == {"M-1": 501, "M-2": 250, "M-3": 250}
    assert split_by_share(-1_001, ["M-1", "M-2", "M-3"], members) == {"M-1": -501, "M-2": -250, "M-3": -250}
    assert split_by_share(100, [], members) == {"M-1": 50, "M-2": 25, "M-3": 25}
    assert split_by_share(100, ["M-4"], members) == {}
    assert sum(spread(10, {"a": 1, "b": 1, "c": 1}).values()) == 10


def test_ist_dates_and_months() -> None:
    assert business_date(datetime(2026, 3, 31, 18, 29, 59, tzinfo=UTC)) == date(2026, 3, 31)
    assert business_date(datetime(2026, 3, 31, 18, 30, tzinfo=UTC)) == date(2026, 4, 1)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert trailing_months(date(2026, 2, 3), 12)[0] == "2025-03"
