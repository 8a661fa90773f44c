"""A notification waiting in the outbox, and the typed variables of each SMS template.

Each template declares a model of its variables: a `Notification` validates its variables against
its template's model when it is built, so a missing, misnamed or over-long variable is an error at
enqueue time and never a "-" or a cut word on a phone. Plain pydantic; no AWS here.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    StringConstraints,
    field_validator,
    model_validator,
)

from chalicelib.registry.models import Language

MAX_VARIABLE_CHARS = 30  # TRAI DLT caps a {#var#} at 30 characters


class Template(StrEnum):
    NEW_ORDER = "new_order"
    CANCELLATION = "cancellation"
    RETURN = "return"
    DISPATCH_REMINDER = "dispatch_reminder"
    DISPATCH_ESCALATION = "dispatch_escalation"
    PHOTO_REJECTED = "photo_rejected"
    OVERSELL_ALERT = "oversell_alert"


def _one_line(value: str) -> str:
    return " ".join(value.split())


TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


def plain_latin(value: str) -> str:
    """English text in plain Latin letters ('Papier-mâché' -> 'Papier-mache'): one accent or curly
    quote would switch the whole SMS to UCS-2 and halve what each part carries."""
    decomposed = unicodedata.normalize("NFKD", value.translate(TYPOGRAPHY))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded if folded.isascii() else value


Slot = Annotated[str, StringConstraints(min_length=1, max_length=MAX_VARIABLE_CHARS)]
ChannelName = Literal["Haat", "ONDC", "Amazon", "Flipkart", "Meesho"]
Rupees = Annotated[str, StringConstraints(pattern=r"^\d{1,3}(,\d\d)*(,\d{3})?(\.\d\d)?$", max_length=15)]
Deadline = Annotated[str, StringConstraints(pattern=r"^\d\d/\d\d \d\d:\d\d$")]
Count = Annotated[int, Field(ge=0, le=99_999)]


class Variables(BaseModel):
    """The values of one template's slots; every text is one line of at most 30 characters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _single_line(cls, value: Any) -> Any:
        return _one_line(value) if isinstance(value, str) else value

    def slot(self, name: str, language: Language) -> str:
        """What slot `name` reads in `language`."""
        value = getattr(self, name)
        return value.said_in(language) if isinstance(value, Words) else str(value)


class Words(Variables):
    """A value said differently in each language (a product's name, a reason, a quantity)."""

    en: Slot
    hi: Slot
    ur: Slot

    @field_validator("en")
    @classmethod
    def _english_in_plain_latin(cls, value: str) -> str:
        return plain_latin(value)

    def said_in(self, language: Language) -> str:
        return str(getattr(self, language.value))


class OrderVariables(Variables):
    """One line of an order as its maker reads it: which order, what to pack, how many."""

    channel: ChannelName
    order_id: Slot
    product: Words
    quantity: Count


class NewOrderVariables(OrderVariables):
    amount: Rupees
    dispatch_by: Deadline


class ReminderVariables(OrderVariables):
    dispatch_by: Deadline


class EscalationVariables(Variables):
    channel: ChannelName
    order_id: Slot
    shg: Slot
    dispatch_by: Deadline


class PhotoRejectedVariables(Variables):
    photo: Slot
    product: Words
    reason: Words


class OversellVariables(Variables):
    channel: ChannelName
    order_id: Slot
    product: Words
    ordered: Count
    in_stock: Count


VARIABLES: dict[Template, type[Variables]] = {
    Template.NEW_ORDER: NewOrderVariables,
    Template.CANCELLATION: OrderVariables,
    Template.RETURN: OrderVariables,
    Template.DISPATCH_REMINDER: ReminderVariables,
    Template.DISPATCH_ESCALATION: EscalationVariables,
    Template.PHOTO_REJECTED: PhotoRejectedVariables,
    Template.OVERSELL_ALERT: OversellVariables,
}


def variables_of(template: Template, variables: Variables | dict[str, Any]) -> Variables:
    """`variables` as `template`'s model; a ValueError (ValidationError) if they do not fit it."""
    model = VARIABLES[template]
    if isinstance(variables, Variables):
        if type(variables) is not model:
            raise ValueError(f"{template.value} takes {model.__name__}, not {type(variables).__name__}")
        return variables
    return model.model_validate(variables)


class Notification(BaseModel):
    """One message to one member. `notification_id` is deterministic (e.g.
    "dispatch_reminder:amazon:408-123:M01") so that enqueueing it twice is a no-op and a resend
    after a crash never reaches the phone twice. `variables` must be its template's model (stored
    as plain data, read back through the same model)."""

    model_config = ConfigDict(frozen=True)

    notification_id: str = Field(min_length=1, max_length=300)
    template: Template
    member_id: str
    shg_id: str
    variables: SerializeAsAny[Variables]

    @model_validator(mode="before")
    @classmethod
    def _variables_fit_the_template(cls, data: Any) -> Any:
        if isinstance(data, dict) and "template" in data and "variables" in data:
            data = {**data, "variables": variables_of(Template(data["template"]), data["variables"])}
        return data
