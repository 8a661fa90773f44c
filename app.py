"""Haat's map of Lambdas: routes and event wiring only; every rule lives in chalicelib/.

Chalice gives every function this one module, so each function imports its capability when it
first runs: a cold start loads only the path it serves (README "Cold start")."""

from __future__ import annotations

import os
from typing import Any

from chalice import AuthResponse, Chalice, Response
from chalice.app import AuthRequest, CloudWatchEvent, SQSEvent

from chalicelib import api, wiring
from chalicelib.observability import invocation_middleware

# Bound to the real queue ARNs by infra/resources.yaml (Fn::GetAtt) when packaged.
PHOTO_UPLOADS_QUEUE_ARN = "arn:aws:sqs:ap-south-1:000000000000:photo-uploads"
ORDER_EVENTS_QUEUE_ARN = "arn:aws:sqs:ap-south-1:000000000000:order-events"
REGISTRY_IMPORTS_QUEUE_ARN = "arn:aws:sqs:ap-south-1:000000000000:registry-imports"
# Read when the app is packaged (`POLL_CHANNELS_SCHEDULE=... make package`): the rule is fixed per deploy.
POLL_CHANNELS_SCHEDULE = os.environ.get("POLL_CHANNELS_SCHEDULE", "rate(5 minutes)")

wiring.connect_order_hooks()
app = Chalice(app_name="haat")
app.register_middleware(invocation_middleware, "all")


@app.authorizer()
def bearer_token(auth_request: AuthRequest) -> AuthResponse:
    return api.authorize(auth_request)


@app.on_sqs_message(queue_arn=PHOTO_UPLOADS_QUEUE_ARN, batch_size=5)
def on_photo_uploaded(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.catalogue import handler as catalogue

    return catalogue.handle_batch(event.to_dict())


@app.on_sqs_message(queue_arn=ORDER_EVENTS_QUEUE_ARN, batch_size=10)
def on_order_events(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.connectors import order_events

    return order_events.handle_batch(event.to_dict())


@app.on_sqs_message(queue_arn=REGISTRY_IMPORTS_QUEUE_ARN, batch_size=1)
def on_registry_import(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.registry.imports import handler as registry_imports

    return registry_imports.handle_batch(event.to_dict())


@app.schedule("rate(15 minutes)")
def dispatch_sweep(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.reports import handlers as reports

    return reports.dispatch_sweep(event.to_dict())


@app.schedule("cron(30 2 * * ? *)")
def daily_digest(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.reports import handlers as reports

    return reports.daily_digest(event.to_dict())


@app.schedule("rate(1 minute)")
def deliver_notifications(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.notify import sender as notify_sender

    return notify_sender.deliver_due(event.to_dict())


@app.schedule(POLL_CHANNELS_SCHEDULE)
def poll_channels(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.connectors import handlers as connectors

    return connectors.poll_channels(event.to_dict())


@app.route("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/whoami", authorizer=bearer_token)
def whoami() -> dict[str, Any]:
    return api.whoami(api.principal_of(app))


@app.route("/webhooks/{channel}", methods=["POST"], content_types=["application/json"])
def order_webhook(channel: str) -> Response:
    from chalicelib.orders import api as orders_api

    return orders_api.webhook(app, channel)


@app.route("/orders/{channel}/{order_id}", authorizer=bearer_token)
def get_order(channel: str, order_id: str) -> Response:
    from chalicelib.orders import api as orders_api

    return orders_api.order(channel, order_id, api.principal_of(app))


@app.route("/orders/quarantine", authorizer=bearer_token)
def quarantined_order_messages() -> dict[str, Any]:
    from chalicelib.orders import api as orders_api

    return orders_api.quarantine(api.principal_of(app))


@app.route("/products/{product_id}/photos", authorizer=bearer_token)
def product_photos(product_id: str) -> dict[str, Any]:
    from chalicelib.catalogue import views as catalogue_views

    return catalogue_views.product_photos(product_id, api.principal_of(app), api.query_param(app, "key"))


@app.route(
    "/imports/orders/meesho",
    methods=["POST"],
    authorizer=bearer_token,
    content_types=["text/csv", "application/json"],
)
def import_meesho_orders() -> Response:
    from chalicelib.connectors import api as connectors_api

    return connectors_api.import_meesho(app)


@app.route("/imports/orders/meesho/uploads", methods=["POST"], authorizer=bearer_token)
def meesho_upload_url() -> Response:
    from chalicelib.connectors import api as connectors_api

    return connectors_api.meesho_upload_target(app)


@app.route(
    "/imports/settlements/{report}",
    methods=["POST"],
    authorizer=bearer_token,
    content_types=["text/csv", "text/plain", "text/tab-separated-values", "application/json"],
)
def import_settlements(report: str) -> Response:
    from chalicelib.connectors.settlements import api as settlements_api

    return settlements_api.import_report(app, report)


@app.route("/imports/settlements/{report}/uploads", methods=["POST"], authorizer=bearer_token)
def settlement_upload_url(report: str) -> Response:
    from chalicelib.connectors.settlements import api as settlements_api

    return settlements_api.upload_target(app, report)


@app.route("/listings/{channel}/exports", methods=["POST"], authorizer=bearer_token)
def export_listings(channel: str) -> Response:
    from chalicelib.listings import api as listings_api

    return listings_api.export(app, channel)


@app.route("/listings/{channel}", authorizer=bearer_token)
def listing_states(channel: str) -> Response:
    from chalicelib.listings import api as listings_api

    return listings_api.listing_states(app, channel)


@app.route(
    "/listings/{channel}/status",
    methods=["POST"],
    authorizer=bearer_token,
    content_types=["text/csv", "text/plain", "text/tab-separated-values", "application/json"],
)
def listing_status_report(channel: str) -> Response:
    from chalicelib.listings import api as listings_api

    return listings_api.status_report(app, channel)


@app.route("/listings/{channel}/status/uploads", methods=["POST"], authorizer=bearer_token)
def listing_status_upload_url(channel: str) -> Response:
    from chalicelib.listings import api as listings_api

    return listings_api.upload_target(app, channel)


@app.route("/upload")
def upload_page() -> Response:
    from chalicelib.catalogue import page as catalogue_page

    return catalogue_page.upload_page()


@app.route("/upload/{asset}")
def upload_page_asset(asset: str) -> Response:
    from chalicelib.catalogue import page as catalogue_page

    return catalogue_page.upload_asset(asset, api.query_param(app, "v"))


@app.route("/uploads", methods=["POST"], authorizer=bearer_token)
def create_upload() -> Response:
    from chalicelib.catalogue import views as catalogue_views

    return catalogue_views.create_upload(api.raw_body(app), api.principal_of(app))


@app.route("/shgs", authorizer=bearer_token)
def list_shgs() -> dict[str, Any]:
    from chalicelib.catalogue import views as catalogue_views

    return catalogue_views.shgs(api.principal_of(app), api.query_param(app, "district"))


@app.route("/shgs/{shg_id}/products", authorizer=bearer_token)
def shg_products(shg_id: str) -> dict[str, Any]:
    from chalicelib.catalogue import views as catalogue_views

    return catalogue_views.shg_products(shg_id, api.principal_of(app))


@app.route("/dashboard")
def dashboard_page() -> Response:
    from chalicelib.dashboard import api as dashboard

    return dashboard.page()


@app.route("/dashboard/view", authorizer=bearer_token)
def dashboard_view() -> Response:
    from chalicelib.dashboard import api as dashboard

    return dashboard.fragment(api.principal_of(app), api.query_params(app))


@app.route("/dashboard/{asset}")
def dashboard_asset(asset: str) -> Response:
    from chalicelib.dashboard import api as dashboard

    return dashboard.asset(asset, api.query_param(app, "v"))


@app.route("/digest/subscriptions", methods=["GET", "POST", "DELETE"], authorizer=bearer_token)
def digest_subscriptions() -> Response:
    from chalicelib.mail import api as mail_api

    request = app.current_request
    method = request.method if request else "GET"
    return mail_api.subscriptions(method, api.principal_of(app), api.raw_body(app), api.query_params(app))


@app.route("/imports/registry/uploads", methods=["POST"], authorizer=bearer_token)
def registry_upload_url() -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.upload_target(app)


@app.route(
    "/imports/registry",
    methods=["POST"],
    authorizer=bearer_token,
    content_types=["application/json", "text/csv"],
)
def import_registry() -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.start_import(app)


@app.route("/imports/registry", authorizer=bearer_token)
def registry_imports_list() -> dict[str, Any]:
    from chalicelib.registry import api as registry_api

    return registry_api.imports(app)


@app.route("/imports/registry/{import_id}", authorizer=bearer_token)
def registry_import_report(import_id: str) -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.import_report(app, import_id)


@app.route("/imports/registry/{import_id}/report.csv", authorizer=bearer_token)
def registry_import_report_csv(import_id: str) -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.import_report_csv(app, import_id)


@app.route("/members/{member_id}", methods=["PATCH"], authorizer=bearer_token)
def edit_member(member_id: str) -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.edit_member(app, member_id)


@app.route("/members/{member_id}/history", authorizer=bearer_token)
def member_history(member_id: str) -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.history(app, "MEMBER", member_id)


@app.route("/products/{product_id}", methods=["PATCH"], authorizer=bearer_token)
def edit_product(product_id: str) -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.edit_product(app, product_id)


@app.route("/products/{product_id}/restock", methods=["POST"], authorizer=bearer_token)
def restock_product(product_id: str) -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.restock(app, product_id)


@app.route("/products/{product_id}/history", authorizer=bearer_token)
def product_history(product_id: str) -> Response:
    from chalicelib.registry import api as registry_api

    return registry_api.history(app, "PRODUCT", product_id)
