"""Routes for alerts: the inbox, one alert with why it was raised, and marking an alert read or
dismissing it; for whoever manages alerts (alert.manage) the rules (add, change, enable, disable,
remove) and the notification channels (add, change, send a test, remove), audited under their name
as the /admin/alerts page's changes are. The routes call caunoi.service (service_of) and never the
store; a refusal rises as caunoi.alerts' own error and errors.DOMAIN_ERRORS answers it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from caunoi.app.api.errors import NOT_FOUND, found
from caunoi.app.api.limits import Reader, csrf
from caunoi.app.api.schemas import (
    AlertDetailOut,
    AlertOut,
    ChannelChange,
    ChannelIn,
    ChannelOut,
    DeliveryOut,
    ErrorOut,
    Id,
    RuleChange,
    RuleIn,
    RuleOut,
)
from caunoi.app.auth import require, service_of

router = APIRouter()


@router.get("/alerts", response_model=list[AlertOut], tags=["alerts"])
def list_alerts(
    request: Request,
    user: Reader,
    state: Literal["new", "read", "dismissed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """The alerts inbox, newest first, with the notices of packs sent (a mission officer sees those
    telling their own mission)."""
    return service_of(request).alerts.inbox(state, limit, reader=user)


@router.get("/alerts/{alert_id}", response_model=AlertDetailOut, responses=NOT_FOUND, tags=["alerts"])
def get_alert(request: Request, alert_id: Id, user: Reader) -> dict[str, Any]:
    """One alert with why it was raised: its figures (`why`: baseline, counts, z, threshold, ratio;
    `series` for a sparkline), the articles of its spike and their stories, who read or dismissed it."""
    return found(service_of(request).alerts.detail(alert_id, reader=user), "alert", alert_id).flat()


Manager = Annotated[dict[str, Any], Depends(require("alert.manage"))]


def _marking(state: str) -> Callable[..., dict[str, Any]]:
    """The route that marks an alert `state` under the user's name (audited)."""

    def mark(request: Request, alert_id: Id, user: Manager) -> dict[str, Any]:
        alerts = service_of(request).alerts
        found(alerts.get(alert_id, reader=user), "alert", alert_id)
        alerts.mark(alert_id, state, by=user["username"])
        return alerts.get(alert_id)

    return mark


for action, state, said in (
    ("read", "read", "Mark an alert read (audited)."),
    ("dismiss", "dismissed", "Dismiss an alert: no longer new, nor counted unread (audited)."),
):
    router.post(
        f"/alerts/{{alert_id}}/{action}",
        response_model=AlertOut,
        responses=NOT_FOUND,
        dependencies=[Depends(csrf)],
        tags=["alerts"],
        name=f"{action}_alert",
        description=said,
    )(_marking(state))


# -- rules and channels (alert.manage), each change audited under the caller's name -------------------

RULE = {"response_model": RuleOut, "dependencies": [Depends(csrf)], "tags": ["alert rules"]}
CHANNEL = {"response_model": ChannelOut, "dependencies": [Depends(csrf)], "tags": ["alert rules"]}
REFUSED = {422: {"model": ErrorOut, "description": "Refused: the message says why and what to do."}}


def _definition(body: RuleChange) -> dict[str, Any]:
    """A rule's body as RuleBook takes it (what was left out is no part of it)."""
    return {
        "kind": body.kind, "scope": body.scope.model_dump(exclude_none=True),
        "params": body.params.model_dump(exclude_none=True), "channel_names": body.channels,
        "severity": body.severity,
    }  # fmt: skip


@router.get("/rules", response_model=list[RuleOut], tags=["alert rules"])
def list_rules(request: Request, _user: Manager) -> list[dict[str, Any]]:
    """The alert rules, with how their last run went."""
    return service_of(request).alerts.rules()


@router.post("/rules", status_code=201, responses=REFUSED, **RULE)
def add_rule(request: Request, body: RuleIn, user: Manager) -> dict[str, Any]:
    """Add a rule (201), as `caunoi alerts rule-add` does."""
    alerts = service_of(request).alerts
    return alerts.rule(alerts.add_rule(body.name, **_definition(body), by=user["username"]))


@router.put("/rules/{rule_id}", responses={**NOT_FOUND, **REFUSED}, **RULE)
def change_rule(request: Request, rule_id: Id, body: RuleChange, user: Manager) -> dict[str, Any]:
    """Change what a rule watches and whom it tells (its alerts stay)."""
    alerts = service_of(request).alerts
    alerts.edit_rule(alerts.rule(rule_id)["name"], **_definition(body), by=user["username"])
    return alerts.rule(rule_id)


def _switching(enabled: bool) -> Callable[..., dict[str, Any]]:
    def switch(request: Request, rule_id: Id, user: Manager) -> dict[str, Any]:
        alerts = service_of(request).alerts
        alerts.set_rule(alerts.rule(rule_id)["name"], enabled=enabled, by=user["username"])
        return alerts.rule(rule_id)

    return switch


for action, enabled in (("enable", True), ("disable", False)):
    router.post(
        f"/rules/{{rule_id}}/{action}", responses=NOT_FOUND, name=f"{action}_rule",
        description=f"{action.capitalize()} a rule (audited).", **RULE,
    )(_switching(enabled))  # fmt: skip


@router.delete(
    "/rules/{rule_id}",
    status_code=204,
    responses=NOT_FOUND,
    dependencies=[Depends(csrf)],
    tags=["alert rules"],
)
def remove_rule(request: Request, rule_id: Id, user: Manager) -> Response:
    """Remove a rule and its alerts."""
    alerts = service_of(request).alerts
    alerts.set_rule(alerts.rule(rule_id)["name"], remove=True, by=user["username"])
    return Response(status_code=204)


@router.get("/channels", response_model=list[ChannelOut], tags=["alert rules"])
def list_channels(request: Request, _user: Manager) -> list[dict[str, Any]]:
    """The notification channels; a webhook's secret is never shown back."""
    return service_of(request).alerts.channels()


@router.post("/channels", status_code=201, responses=REFUSED, **CHANNEL)
def add_channel(request: Request, body: ChannelIn, user: Manager) -> dict[str, Any]:
    """Add an e-mail or a signed webhook channel (201); a webhook at an address the SSRF guard refuses
    (private, loopback, cloud metadata) is refused, unless `allow_private` (never metadata)."""
    alerts = service_of(request).alerts
    channel_id = alerts.add_channel(
        body.name, body.kind, body.target, body.secret, body.allow_private, by=user["username"]
    )
    return alerts.channel(channel_id)


@router.put("/channels/{channel_id}", responses={**NOT_FOUND, **REFUSED}, **CHANNEL)
def change_channel(request: Request, channel_id: Id, body: ChannelChange, user: Manager) -> dict[str, Any]:
    """Change where a channel sends, checked as when added; a webhook keeps its secret when none is
    given."""
    alerts = service_of(request).alerts
    alerts.edit_channel(
        alerts.channel(channel_id)["name"], body.target, body.secret, body.allow_private,
        enabled=body.enabled, by=user["username"],
    )  # fmt: skip
    return alerts.channel(channel_id)


@router.post(
    "/channels/{channel_id}/test",
    response_model=DeliveryOut,
    responses=NOT_FOUND,
    dependencies=[Depends(csrf)],
    tags=["alert rules"],
)
def test_channel(request: Request, channel_id: Id, user: Manager) -> Any:
    """Send a test notification now and say what became of it (audited)."""
    alerts = service_of(request).alerts
    return alerts.test_channel(alerts.channel(channel_id)["name"], by=user["username"])


@router.delete(
    "/channels/{channel_id}",
    status_code=204,
    responses={**NOT_FOUND, **REFUSED},
    dependencies=[Depends(csrf)],
    tags=["alert rules"],
)
def remove_channel(request: Request, channel_id: Id, user: Manager) -> Response:
    """Remove a channel no rule names."""
    alerts = service_of(request).alerts
    alerts.remove_channel(alerts.channel(channel_id)["name"], by=user["username"])
    return Response(status_code=204)
