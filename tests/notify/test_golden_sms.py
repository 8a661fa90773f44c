"""Golden SMS: every flow through the real handlers, for members who read English, Hindi and Urdu,
compared word for word with the text that reached the local SNS.

Each flow enters as a channel sends it (Amazon's notification on the order-events queue, a Haat
outlet's signed webhook, a photo PUT into the uploads bucket, the scheduled sweep), and the test
reads what moto's SNS accepted for the member's phone. The strings below were reviewed by reading
them as an artisan would; the README's SMS section shows the same texts.

Orders here are dated 2019 so that the sweeps fired here see no other test's orders.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.notify import outbox
from chalicelib.notify.models import Template
from chalicelib.notify.outbox import notification_key
from chalicelib.notify.sender import deliver_pending
from chalicelib.notify.templates import matches_template, sms_length
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Language, Member, MemberRole, Product
from haat_tools.local import runner, stack
from tests import photo_corpus
from tests.orders.helpers import ORDERS, amazon_change, enqueue_raw, post_signed, sms_sent, view

PHOTOS = runner.binding("on_photo_uploaded")
LANGUAGES = [Language.ENGLISH, Language.HINDI, Language.URDU]
SHG_NAMES = {"en": "Chinar Mahila SHG", "hi": "Tawi Mahila Mandal", "ur": "Wular Crafts SHG"}
TRAY = {"en": "Walnut wood tray", "hi": "अखरोट की लकड़ी की ट्रे", "ur": "اخروٹ کی لکڑی کی ٹرے"}
BOX = {"en": "Papier-mache jewellery box", "hi": "पेपर माशी गहनों का डिब्बा", "ur": "پیپر ماشی زیورات کا ڈبہ"}
README = Path(__file__).resolve().parents[2] / "README.md"

G = Template
GOLDEN: dict[tuple[Template, str], str] = {
    (G.NEW_ORDER, "en"): "Haat: New Amazon order 408-2019110-6538723: Walnut wood tray, qty 2, Rs 8,400. "
    "Please pack and dispatch by 22/11 23:59.",
    (G.NEW_ORDER, "hi"): "हाट: नया Amazon ऑर्डर 408-2019111-6538723: अखरोट की लकड़ी की ट्रे, 2 नग, 8,400 रुपये। "
    "22/11 23:59 तक पैक करके भेजें।",
    (G.NEW_ORDER, "ur"): "ہاٹ: نیا Amazon آرڈر 408-2019112-6538723: اخروٹ کی لکڑی کی ٹرے، 2 عدد، 8,400 روپے۔ "
    "22/11 23:59 تک پیک کر کے بھیجیں۔",
    (G.CANCELLATION, "en"): "Haat: Amazon order 408-2019110-6538723 (Walnut wood tray, qty 2) is cancelled. "
    "Do not dispatch it.",
    (G.CANCELLATION, "hi"): "हाट: Amazon ऑर्डर 408-2019111-6538723 (अखरोट की लकड़ी की ट्रे, 2 नग) रद्द हो गया है। "
    "इसे न भेजें।",
    (
        G.CANCELLATION,
        "ur",
    ): "ہاٹ: Amazon آرڈر 408-2019112-6538723 (اخروٹ کی لکڑی کی ٹرے، 2 عدد) منسوخ ہو گیا ہے۔ اسے نہ بھیجیں۔",
    (G.RETURN, "en"): "Haat: Haat order HAAT-SGR-01-2019-000450 (Walnut wood tray, qty 1) is being returned. "
    "Check the item when it arrives.",
    (G.RETURN, "hi"): "हाट: Haat ऑर्डर HAAT-SGR-01-2019-000451 (अखरोट की लकड़ी की ट्रे, 1 नग) वापस आ रहा है। "
    "सामान आने पर जाँचें।",
    (G.RETURN, "ur"): "ہاٹ: Haat آرڈر HAAT-SGR-01-2019-000452 (اخروٹ کی لکڑی کی ٹرے، 1 عدد) واپس آ رہا ہے۔ "
    "سامان آنے پر جانچیں۔",
    (
        G.DISPATCH_REMINDER,
        "en",
    ): "Haat: Reminder - Amazon order 408-2019120-6538723 (Walnut wood tray, qty 1) "
    "must be dispatched by 10/01 18:00.",
    (G.DISPATCH_REMINDER, "hi"): "हाट: याद रखें - Amazon ऑर्डर 408-2019121-6538723 (अखरोट की लकड़ी की ट्रे, 1 नग) "
    "11/01 18:00 तक भेजना है।",
    (
        G.DISPATCH_REMINDER,
        "ur",
    ): "ہاٹ: یاد دہانی - Amazon آرڈر 408-2019122-6538723 (اخروٹ کی لکڑی کی ٹرے، 1 عدد) "
    "12/01 18:00 تک بھیجنا ہے۔",
    (
        G.DISPATCH_ESCALATION,
        "en",
    ): "Haat: Amazon order 408-2019120-6538723 of Chinar Mahila SHG missed its dispatch "
    "time 10/01 18:00. Please follow up.",
    (
        G.DISPATCH_ESCALATION,
        "hi",
    ): "हाट: Amazon ऑर्डर 408-2019121-6538723, समूह Tawi Mahila Mandal, 11/01 18:00 तक नहीं भेजा गया। कृपया देखें।",
    (G.DISPATCH_ESCALATION, "ur"): "ہاٹ: Amazon آرڈر 408-2019122-6538723، گروپ Wular Crafts SHG، 12/01 18:00 "
    "تک نہیں بھیجا گیا۔ براہ کرم دیکھیں۔",
    (G.PHOTO_REJECTED, "en"): "Haat: Photo IMG_20191120_101512.jpg of Walnut wood tray was not accepted. "
    "Too dark: use daylight.",
    (G.PHOTO_REJECTED, "hi"): "हाट: फ़ोटो IMG_20191120_101512.jpg (अखरोट की लकड़ी की ट्रे) स्वीकार नहीं हुई। "
    "अंधेरी: दिन की रोशनी में लें।",
    (G.PHOTO_REJECTED, "ur"): "ہاٹ: تصویر IMG_20191120_101512.jpg (اخروٹ کی لکڑی کی ٹرے) قبول نہیں ہوئی۔ "
    "اندھیری: دن کی روشنی میں لیں۔",
    (G.OVERSELL_ALERT, "en"): "Haat: Stock short for Papier-mache jewellery box on Amazon order "
    "408-2019130-6538723: ordered 3, in stock 1. Please check.",
    (G.OVERSELL_ALERT, "hi"): "हाट: Amazon ऑर्डर 408-2019131-6538723 में स्टॉक कम - पेपर माशी गहनों का डिब्बा: "
    "ऑर्डर 3, स्टॉक में 1। कृपया जाँचें।",
    (G.OVERSELL_ALERT, "ur"): "ہاٹ: Amazon آرڈر 408-2019132-6538723 میں اسٹاک کم - پیپر ماشی زیورات کا ڈبہ: "
    "آرڈر 3، اسٹاک میں 1۔ براہ کرم جانچیں۔",
}


def _id(language: str, role: str) -> str:
    return f"GOLD-{language.upper()}-{role}"


def _phone(language: str, role: str) -> str:
    return f"+9170{LANGUAGES.index(Language(language))}{'ABRC'.index(role)}0{len(language)}4242"


def _seed(language: str) -> None:
    shg_id = f"GOLD-{language.upper()}"
    registry.put_shg(
        SHG(
            shg_id=shg_id,
            name=SHG_NAMES[language],
            district="Budgam",
            block="Khansahib",
            village="Raithan",
            coordinator_member_id=_id(language, "C"),
        )
    )
    roles = {
        "A": MemberRole.ARTISAN,
        "B": MemberRole.ARTISAN,
        "R": MemberRole.RESOURCE_PERSON,
        "C": MemberRole.COORDINATOR,
    }
    for role, member_role in roles.items():
        registry.put_member(
            Member(
                member_id=_id(language, role),
                shg_id=shg_id,
                name="Golden member",
                phone=_phone(language, role),
                language=Language(language),
                role=member_role,
            )
        )
    shg = registry.get_shg(shg_id)
    assert shg is not None
    for kind, title, short_name, stock, makers in [
        ("TRAY", "Walnut wood carved serving tray", TRAY, 100, [_id(language, "A")]),
        ("BOX", "Papier-mache jewellery box, chinar motif", BOX, 1, [_id(language, "A")]),
        ("RUG", "Hand-felted namda rug, 3x5 ft", {}, 100, []),
    ]:
        registry.put_product(
            Product(
                product_id=f"P-{shg_id}-{kind}",
                shg_id=shg_id,
                sku=f"{shg_id}-{kind}",
                craft="walnut_wood_carving",
                title=title,
                price_paise=420000,
                stock=stock,
                maker_member_ids=makers,
                short_name=short_name,
                listings=[
                    {"channel": "amazon", "channel_sku": f"AMZ-{shg_id}-{kind}"},
                    {"channel": "haat", "channel_sku": f"{shg_id}-{kind}"},
                ],
            ),
            shg,
        )


@pytest.fixture(scope="module")
def golden_registry(local_aws: stack.LocalAws) -> None:
    for language in LANGUAGES:
        _seed(language.value)


class Phones:
    """What each member's phone received during one test."""

    def __init__(self, local_aws: stack.LocalAws) -> None:
        self.local_aws = local_aws
        self.seen = len(sms_sent(local_aws))

    def texts(self, phone: str) -> list[str]:
        return [
            sms["message"] for sms in sms_sent(self.local_aws)[self.seen :] if sms["phone_number"] == phone
        ]


@pytest.fixture
def phones(local_aws: stack.LocalAws, golden_registry: None) -> Phones:
    return Phones(local_aws)


def _amazon(
    order_id: str,
    sku: str,
    status: str,
    at: str,
    *,
    deadline: str = "2019-11-22T18:29:59Z",
    quantity: int = 1,
) -> None:
    change = amazon_change(order_id, status, notification=f"{status}-{at}", at=at, sku=sku)
    summary = change["Payload"]["OrderChangeNotification"]["Summary"]
    summary["LatestShipDate"] = deadline
    summary["OrderItems"][0]["Quantity"] = quantity
    enqueue_raw(json.dumps(change))


def _haat(bill_no: str, sku: str, status: str, at: str) -> dict[str, Any]:
    return {
        "event_id": f"{bill_no}-{status}",
        "outlet_id": "HAAT-SGR-01",
        "bill_no": bill_no,
        "status": status,
        "occurred_at": at,
        "dispatch_by": "2019-11-22T18:00:00+05:30",
        "items": [{"sku": sku, "qty": 1, "unit_price": "4200.00"}],
    }


def _drain(app: Chalice) -> None:
    assert runner.drain(app, ORDERS).failed == 0


def _check(template: Template, language: str, text: str) -> None:
    """The text is the reviewed one, is an instance of its DLT template and fits two parts."""
    assert text == GOLDEN[(template, language)]
    assert matches_template(text, template, Language(language))
    assert sms_length(text).segments <= 2
    assert "…" not in text


def _amazon_id(flow: int, language: str) -> str:
    """The tail of an Amazon order id (408-nnnnnnn-nnnnnnn), one per flow and language."""
    return f"20191{flow}{LANGUAGES.index(Language(language))}-6538723"


@pytest.mark.parametrize("language", ["en", "hi", "ur"])
def test_new_order_then_cancellation(app: Chalice, phones: Phones, language: str) -> None:
    order_id, sku = _amazon_id(1, language), f"AMZ-GOLD-{language.upper()}-TRAY"
    _amazon(order_id, sku, "Unshipped", "2019-11-20T06:15:13Z", quantity=2)
    _drain(app)
    _amazon(order_id, sku, "Canceled", "2019-11-20T09:00:00Z", quantity=2)
    _drain(app)
    new_order, cancellation = phones.texts(_phone(language, "A"))
    _check(Template.NEW_ORDER, language, new_order)
    _check(Template.CANCELLATION, language, cancellation)


@pytest.mark.parametrize("language", ["en", "hi", "ur"])
def test_return_of_a_delivered_outlet_order(
    app: Chalice, api_url: str, phones: Phones, language: str
) -> None:
    bill, sku = f"2019-00045{LANGUAGES.index(Language(language))}", f"GOLD-{language.upper()}-TRAY"
    for status, at in [
        ("placed", "2019-11-20T11:02:00+05:30"),
        ("shipped", "2019-11-21T10:00:00+05:30"),
        ("delivered", "2019-11-23T16:00:00+05:30"),
        ("returned", "2019-11-27T12:00:00+05:30"),
    ]:
        assert post_signed(api_url, "haat", _haat(bill, sku, status, at))[0] == 202
        _drain(app)
    new_order, returned = phones.texts(_phone(language, "A"))
    assert new_order.count(f"HAAT-SGR-01-{bill}") == 1
    _check(Template.RETURN, language, returned)


@pytest.mark.parametrize("language", ["en", "hi", "ur"])
def test_dispatch_reminder_then_escalation(app: Chalice, phones: Phones, language: str) -> None:
    index = LANGUAGES.index(Language(language))
    deadline = datetime.fromisoformat(f"2019-01-1{index}T12:30:00+00:00")  # 18:00 IST, a day per language
    order_id = _amazon_id(2, language)
    _amazon(
        order_id,
        f"AMZ-GOLD-{language.upper()}-TRAY",
        "Unshipped",
        f"2019-01-0{index + 1}T06:00:00Z",
        deadline=deadline.isoformat(),
    )
    _drain(app)
    runner.fire(app, "dispatch_sweep", deadline - timedelta(hours=2))
    runner.fire(app, "deliver_notifications")
    runner.fire(app, "dispatch_sweep", deadline + timedelta(hours=1))
    runner.fire(app, "deliver_notifications")
    _, reminder, escalation = phones.texts(_phone(language, "A"))
    _check(Template.DISPATCH_REMINDER, language, reminder)
    _check(Template.DISPATCH_ESCALATION, language, escalation)
    assert phones.texts(_phone(language, "C")) == [escalation]


@pytest.mark.parametrize("language", ["en", "hi", "ur"])
def test_photo_rejected(app: Chalice, phones: Phones, language: str) -> None:
    dark = photo_corpus.encode(photo_corpus.product_photo().point(lambda v: v // 9))
    key = f"uploads/GOLD-{language.upper()}/P-GOLD-{language.upper()}-TRAY/IMG_20191120_101512.jpg"
    aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=dark)
    assert runner.drain(app, PHOTOS).failed == 0
    runner.fire(app, "deliver_notifications")
    [rejected] = phones.texts(_phone(language, "R"))
    _check(Template.PHOTO_REJECTED, language, rejected)


@pytest.mark.parametrize("language", ["en", "hi", "ur"])
def test_oversell_alert(app: Chalice, phones: Phones, language: str) -> None:
    order_id = _amazon_id(3, language)
    _amazon(
        order_id,
        f"AMZ-GOLD-{language.upper()}-BOX",
        "Unshipped",
        "2019-11-20T06:15:13Z",
        quantity=3,
    )
    _drain(app)
    [alert] = phones.texts(_phone(language, "C"))
    _check(Template.OVERSELL_ALERT, language, alert)
    assert len(phones.texts(_phone(language, "A"))) == 1, "the maker is told of the order"


def _seed_lone_shg(shg_id: str, members: dict[str, MemberRole]) -> None:
    """An SHG with the given members (no artisans among them, say) and a product with no makers."""
    shg = SHG(
        shg_id=shg_id,
        name=f"{shg_id} SHG",
        district="Kupwara",
        block="Trehgam",
        village="Trehgam",
        coordinator_member_id=next((m for m, r in members.items() if r is MemberRole.COORDINATOR), ""),
    )
    registry.put_shg(shg)
    for number, (member_id, role) in enumerate(members.items()):
        registry.put_member(
            Member(
                member_id=member_id,
                shg_id=shg_id,
                name="Lone member",
                phone=f"+917{len(shg_id):02d}{number}4242{len(members)}",
                language=Language.URDU,
                role=role,
            )
        )
    registry.put_product(
        Product(
            product_id=f"P-{shg_id}",
            shg_id=shg_id,
            sku=f"{shg_id}-RUG",
            craft="namda",
            title="Hand-felted namda rug, 3x5 ft",
            price_paise=420000,
            stock=10,
            listings=[{"channel": "amazon", "channel_sku": f"AMZ-{shg_id}-RUG"}],
        ),
        shg,
    )


def test_an_order_of_a_product_without_makers_reaches_the_shgs_artisans(app: Chalice, phones: Phones) -> None:
    order_id = _amazon_id(4, "hi")
    _amazon(order_id, "AMZ-GOLD-HI-RUG", "Unshipped", "2019-11-20T06:15:13Z")
    _drain(app)
    order = view("amazon", f"408-{order_id}")
    [line] = order["order"]["lines"]
    artisans = [_id("hi", "A"), _id("hi", "B")]
    assert (line["told_as"], line["told_member_ids"]) == ("shg_artisans", artisans)
    assert [(n["member_id"], n["state"]) for n in order["notifications"]] == [(a, "sent") for a in artisans]
    for role in "AB":  # no short name registered: the title, cut between words, names it
        assert phones.texts(_phone("hi", role)) == [
            f"हाट: नया Amazon ऑर्डर 408-{order_id}: Hand-felted namda rug, 3x5 ft, 1 नग, 4,200 रुपये। "
            "22/11 23:59 तक पैक करके भेजें।"
        ]
    _amazon(order_id, "AMZ-GOLD-HI-RUG", "Canceled", "2019-11-20T09:00:00Z")
    _drain(app)
    for role in "AB":
        assert "रद्द" in phones.texts(_phone("hi", role))[-1], "the same artisans hear of the cancellation"


def test_without_artisans_the_coordinator_is_told_and_without_members_the_record_says_nobody(
    app: Chalice, phones: Phones
) -> None:
    _seed_lone_shg(
        "GOLD-NOART", {"GOLD-NOART-R": MemberRole.RESOURCE_PERSON, "GOLD-NOART-C": MemberRole.COORDINATOR}
    )
    _seed_lone_shg("GOLD-EMPTY", {})
    _amazon(_amazon_id(5, "ur"), "AMZ-GOLD-NOART-RUG", "Unshipped", "2019-11-20T06:15:13Z")
    _amazon(_amazon_id(6, "ur"), "AMZ-GOLD-EMPTY-RUG", "Unshipped", "2019-11-20T06:15:13Z")
    _drain(app)
    coordinated = view("amazon", f"408-{_amazon_id(5, 'ur')}")
    [line] = coordinated["order"]["lines"]
    assert (line["told_as"], line["told_member_ids"]) == ("coordinator", ["GOLD-NOART-C"])
    assert [n["member_id"] for n in coordinated["notifications"]] == ["GOLD-NOART-C"]
    nobody = view("amazon", f"408-{_amazon_id(6, 'ur')}")
    assert nobody["order"]["status"] == "accepted"
    [line] = nobody["order"]["lines"]
    assert (line["told_as"], line["told_member_ids"]) == ("nobody", [])


def test_the_readme_shows_each_golden_sms() -> None:
    readme = README.read_text(encoding="utf-8")
    assert [key for key, text in GOLDEN.items() if text not in readme] == []


def test_an_entry_queued_with_variables_its_template_no_longer_takes_is_undeliverable(
    golden_registry: None, phones: Phones
) -> None:
    """An outbox entry written before a template's variables changed is never sent half-filled."""
    notification_id = "cancellation:amazon:408-2019199-6538723:GOLD-EN-A"
    aws.table(settings().OUTBOX_TABLE).put_item(
        Item={
            **notification_key(notification_id),
            "notification_id": notification_id,
            "template": "cancellation",
            "member_id": _id("en", "A"),
            "shg_id": "GOLD-EN",
            "variables": {
                "channel": "Amazon",
                "order_id": "408-2019199-6538723",
                "items": "BDG-WWC-TRAY-01 x1",
            },
            "state": "pending",
            "attempts": 0,
        }
    )
    [result] = deliver_pending([notification_id])
    assert result.state == "undeliverable"
    entry = outbox.get(notification_id)
    assert entry is not None
    assert str(entry["reason"]).startswith("variables do not fit the template")
    assert phones.texts(_phone("en", "A")) == []
