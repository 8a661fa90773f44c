"""Digest subscriptions: an official's address and the part of the mission she follows.

Stored in REPORTS_TABLE under one partition (pk=SUBSCRIPTION, sk="{email}#{district}#{block}"):
the morning run reads them all with one Query; the list is officials, never members, so it stays
small. An address may follow several scopes (each its own e-mail).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import plain, query_all
from chalicelib.reports.digest import Scope

PARTITION = "SUBSCRIPTION"
EMAIL_PATTERN = r"^[^@\s<>,;\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"


class Subscription(BaseModel):
    """One official following the digest of the mission, a district or a block."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    district: str = Field(default="", max_length=80)
    block: str = Field(default="", max_length=80)

    @field_validator("email", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def scope(self) -> Scope:
        return Scope(district=self.district, block=self.block)

    @property
    def sk(self) -> str:
        return f"{self.email}#{self.district}#{self.block}"


def _table() -> Any:
    return aws.table(settings().REPORTS_TABLE)


def subscribe(subscription: Subscription) -> None:
    subscription.scope  # noqa: B018 - a block without its district is refused before storing
    _table().put_item(Item={"pk": PARTITION, "sk": subscription.sk, **subscription.model_dump()})


def unsubscribe(subscription: Subscription) -> bool:
    """Remove one subscription; False when there was none."""
    response = _table().delete_item(Key={"pk": PARTITION, "sk": subscription.sk}, ReturnValues="ALL_OLD")
    return "Attributes" in response


def all_subscriptions() -> Iterator[Subscription]:
    for item in query_all(_table(), Key("pk").eq(PARTITION)):
        values = plain(item)
        yield Subscription(email=values["email"], district=values["district"], block=values["block"])
