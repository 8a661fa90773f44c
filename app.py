"""Haat's map of Lambdas: routes and event wiring only; every rule lives in chalicelib/."""

from __future__ import annotations

from typing import Any

from chalice import AuthResponse, Chalice, Response
from chalice.app import AuthRequest, CloudWatchEvent, SQSEvent

from chalicelib import api
from chalicelib.catalogue import handler as catalogue
from chalicelib.observability import invocation_middleware
from chalicelib.orders import api as orders_api
from chalicelib.orders import handler as orders
from chalicelib.reports import handlers as reports

# Bound to the real queue ARNs by infra/resources.yaml (Fn::GetAtt) when packaged.
PHOTO_UPLOADS_QUEUE_ARN = "arn:aws:sqs:ap-south-1:000000000000:photo-uploads"
ORDER_EVENTS_QUEUE_ARN = "arn:aws:sqs:ap-south-1:000000000000:order-events"

app = Chalice(app_name="haat")
app.register_middleware(invocation_middleware, "all")


@app.authorizer()
def bearer_token(auth_request: AuthRequest) -> AuthResponse:
    return api.authorize(auth_request)


@app.on_sqs_message(queue_arn=PHOTO_UPLOADS_QUEUE_ARN, batch_size=5)
def on_photo_uploaded(event: SQSEvent) -> dict[str, Any]:
    return catalogue.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue_arn=ORDER_EVENTS_QUEUE_ARN, batch_size=10)
def on_order_events(event: SQSEvent) -> dict[str, Any]:
    return orders.handle_batch(event.to_dict(), event.context)


@app.schedule("rate(15 minutes)")
def dispatch_sweep(event: CloudWatchEvent) -> dict[str, Any]:
    return reports.dispatch_sweep(event.to_dict())


@app.schedule("cron(30 2 * * ? *)")
def daily_digest(event: CloudWatchEvent) -> dict[str, Any]:
    return reports.daily_digest(event.to_dict())


@app.schedule("rate(1 minute)")
def deliver_notifications(event: CloudWatchEvent) -> dict[str, Any]:
    return orders_api.deliver_due()


@app.route("/webhooks/{channel}", methods=["POST"], content_types=["application/json"])
def order_webhook(channel: str) -> Response:
    return orders_api.webhook(app, channel)


@app.route("/orders/quarantine", authorizer=bearer_token)
def quarantined_order_messages() -> dict[str, Any]:
    return orders_api.quarantine()


@app.route("/orders/{channel}/{order_id}", authorizer=bearer_token)
def get_order(channel: str, order_id: str) -> Response:
    return orders_api.order(channel, order_id)


@app.route("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/whoami", authorizer=bearer_token)
def whoami() -> dict[str, Any]:
    return api.principal_of(app).model_dump()
