"""Settings of the scheduled reports, read from the environment once per container."""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.reports.fees import DEFAULT_FEE_RULES, FEE_RULES_ADAPTER, FeeRule


class ReportSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    DISPATCH_REMINDER_WINDOW_HOURS: float = Field(default=6, gt=0, le=72)
    UNPAID_AFTER_DAYS: int = Field(default=14, ge=1)
    LAKHPATI_THRESHOLD_PAISE: int = Field(default=100_000_00, gt=0)
    LAKHPATI_NEAR_PERCENT: int = Field(default=75, gt=0, lt=100)
    DIGEST_REVISION_DAYS: int = Field(default=31, ge=0, le=92)
    CHANNEL_FEE_RULES: tuple[FeeRule, ...] = DEFAULT_FEE_RULES

    @field_validator("CHANNEL_FEE_RULES", mode="before")
    @classmethod
    def _parse_rules(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(FEE_RULES_ADAPTER.validate_json(value))
        return value


@functools.cache
def report_settings() -> ReportSettings:
    return ReportSettings.model_validate(dict(os.environ))
