"""`/digest/subscriptions`: list, add and remove digest subscriptions within the caller's area.

A coordinator subscribes officials to her own district or block (never wider); mission admins to
any scope, the whole mission included. Listing shows only the subscriptions inside her area.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import BadRequestError, Response
from pydantic import ValidationError

from chalicelib import access
from chalicelib.auth import Principal
from chalicelib.mail.subscriptions import Subscription, all_subscriptions, subscribe, unsubscribe


def _resource(subscription: Subscription) -> access.Resource:
    scope = subscription.scope
    return access.MISSION if scope.is_mission else access.Resource.of(scope.district, scope.block)


def _parse(values: Any) -> Subscription:
    try:
        subscription = Subscription.model_validate(values)
        subscription.scope  # noqa: B018 - a block without its district is a 400
    except (ValidationError, ValueError) as error:
        raise BadRequestError(f"not a subscription: {error}".splitlines()[0][:300]) from None
    return subscription


def subscriptions(method: str, principal: Principal, body: bytes, params: dict[str, str]) -> Response:
    access.require(principal, "digest:subscribe")
    if method == "GET":
        visible = [
            s.model_dump()
            for s in all_subscriptions()
            if access.may(principal, "digest:subscribe", _resource(s))
        ]
        return Response(body={"subscriptions": visible})
    if method == "POST":
        try:
            values = json.loads(body or b"{}")
        except ValueError:
            raise BadRequestError("the body must be JSON: {email, district, block}") from None
        subscription = _parse(values)
        access.require(principal, "digest:subscribe", _resource(subscription))
        subscribe(subscription)
        return Response(body=subscription.model_dump(), status_code=201)
    subscription = _parse({k: params.get(k, "") for k in ("email", "district", "block")})
    access.require(principal, "digest:subscribe", _resource(subscription))
    if not unsubscribe(subscription):
        return Response(body={"error": "not_found", "message": "no such subscription"}, status_code=404)
    return Response(body=subscription.model_dump())
