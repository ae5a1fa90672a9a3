"""Alert rules and notification channels from the browser (/admin/alerts), for whoever manages
alerts (alert.manage: administrators and analysts): add, edit, switch on or off and remove a rule;
add, edit, send a test to and remove a channel. Each change is the RuleBook call `caunoi alerts …`
makes, audited there under the logged-in user's name; a webhook at an address the SSRF guard
refuses is refused when it is added, as from the CLI and the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from caunoi.alerts import KINDS, SEVERITIES, AlertError, AlertNotFound
from caunoi.app.auth import service_of
from caunoi.app.ui.access import PageError, need, page_user, posted, row_id
from caunoi.app.ui.render import _render

router = APIRouter(include_in_schema=False)
PAGE = "/admin/alerts"
SCOPE = ("query", "saved", "story", "topic", "entity", "country", "doc_ref", "lang", "source", "origin",
         "outlet_country")  # fmt: skip
LISTS = ("outlets", "topics")  # typed comma-separated
NUMBERS = {"z": float, "min_count": int, "min_articles": int, "window_hours": int, "baseline_weeks": int,
           "baseline_days": int, "tone_below": float}  # fmt: skip


def definition(form: dict[str, str], channels: list[str]) -> dict[str, Any]:
    """A rule form as RuleBook.add_rule and edit_rule take it: kind, scope, params, channels,
    severity; a number that is not one is refused naming its field."""
    scope: dict[str, Any] = {key: (form.get(key) or "").strip() for key in SCOPE}
    if scope["story"]:
        scope["story"] = _number("story", scope["story"], int)
    params: dict[str, Any] = {
        key: [v.strip() for v in (form.get(key) or "").split(",") if v.strip()] for key in LISTS
    }
    for key, kind in NUMBERS.items():
        text = (form.get(key) or "").strip()
        params[key] = _number(key, text, kind) if text else None
    params["reprints"] = True if form.get("reprints") else None
    return {
        "kind": form.get("kind") or "", "scope": scope, "params": params,
        "channel_names": [c for c in channels if form.get(f"channel:{c}")],
        "severity": form.get("severity") or "medium",
    }  # fmt: skip


def _number(field: str, text: str, kind: type) -> int | float:
    try:
        return kind(text.replace(",", ".") if kind is float else text)
    except ValueError:
        raise AlertError(
            "rule_bad_number", "{field}: {value!r} is not a number", field=field, value=text
        ) from None


def _shown(rule: dict[str, Any]) -> dict[str, str]:
    """A rule as its edit form shows it."""
    form = {key: str(rule["scope"].get(key) or "") for key in SCOPE}
    form |= {key: ", ".join(rule["params"].get(key) or []) for key in LISTS}
    form |= {key: str(rule["params"][key]) for key in NUMBERS if rule["params"].get(key) is not None}
    form |= {"name": rule["name"], "kind": rule["kind"], "severity": rule["severity"]}
    form |= {f"channel:{c}": "1" for c in rule["channels"]}
    if rule["params"].get("reprints"):
        form["reprints"] = "1"
    return form


def _page(
    request: Request,
    user: dict[str, Any],
    status: int = 200,
    *,
    rule_form: dict[str, str] | None = None,
    channel_form: dict[str, str] | None = None,
    error: AlertError | None = None,
    tested: Any = None,
) -> Response:
    """Rules and channels with their forms (as filled in, with the refusal said); `tested`: what
    became of a test notification."""
    alerts = service_of(request).alerts
    return _render(
        request, user, "admin_alerts.html.j2", 400 if error else status, rules=alerts.rules(),
        channels=alerts.channels(), kinds=KINDS, severities=SEVERITIES, scope_keys=SCOPE,
        number_keys=tuple(NUMBERS), rule_form=rule_form or {"severity": "medium"},
        channel_form=channel_form or {"kind": "email"}, error=error, tested=tested,
    )  # fmt: skip


@router.get(PAGE)
def rules_and_channels(request: Request) -> Response:
    user = page_user(request)
    need(user, "alert.manage")
    return _page(request, user)


@router.post(f"{PAGE}/rules")
async def rule_add(request: Request) -> Response:
    user, form = await posted(request)
    need(user, "alert.manage")
    alerts = service_of(request).alerts
    try:
        names = [c["name"] for c in alerts.channels()]
        alerts.add_rule((form.get("name") or "").strip(), **definition(form, names), by=user["username"])
    except AlertError as exc:
        return _page(request, user, rule_form=form, error=exc)
    return RedirectResponse(PAGE, status_code=303)


def _rule(request: Request, rule_id: int) -> dict[str, Any]:
    try:
        return service_of(request).alerts.rule(row_id(rule_id))
    except AlertNotFound:
        raise PageError(404) from None


@router.get(f"{PAGE}/rules/{{rule_id}}")
def rule_page(request: Request, rule_id: int) -> Response:
    user = page_user(request)
    need(user, "alert.manage")
    return _rule_page(request, user, _rule(request, rule_id))


def _rule_page(
    request: Request, user: dict[str, Any], rule: dict[str, Any], form: dict[str, str] | None = None,
    error: AlertError | None = None,
) -> Response:  # fmt: skip
    alerts = service_of(request).alerts
    return _render(
        request, user, "admin_rule.html.j2", 400 if error else 200, rule=rule,
        rule_form=form or _shown(rule), channels=alerts.channels(), kinds=KINDS, severities=SEVERITIES,
        scope_keys=SCOPE, number_keys=tuple(NUMBERS), error=error,
    )  # fmt: skip


@router.post(f"{PAGE}/rules/{{rule_id}}")
async def rule_edit(request: Request, rule_id: int) -> Response:
    user, form = await posted(request)
    need(user, "alert.manage")
    rule = _rule(request, rule_id)
    alerts = service_of(request).alerts
    try:
        names = [c["name"] for c in alerts.channels()]
        alerts.edit_rule(rule["name"], **definition(form, names), by=user["username"])
    except AlertError as exc:
        return _rule_page(request, user, rule, {**form, "name": rule["name"]}, exc)
    return RedirectResponse(PAGE, status_code=303)


@router.post(f"{PAGE}/rules/{{rule_id}}/{{action}}")
async def rule_switch(request: Request, rule_id: int, action: str) -> Response:
    """Switch a rule on or off, or remove it (with its alerts)."""
    user, _form = await posted(request)
    need(user, "alert.manage")
    change = {"enable": {"enabled": True}, "disable": {"enabled": False}, "remove": {"remove": True}}
    if action not in change:
        raise PageError(404)
    rule = _rule(request, rule_id)
    service_of(request).alerts.set_rule(rule["name"], **change[action], by=user["username"])
    return RedirectResponse(PAGE, status_code=303)


# -- channels ---------------------------------------------------------------------------------------


def _target(form: dict[str, str]) -> tuple[str, str | None, bool]:
    """A channel form's target, secret (None when left empty) and allow_private."""
    return (form.get("target") or "").strip(), form.get("secret") or None, bool(form.get("allow_private"))


@router.post(f"{PAGE}/channels")
async def channel_add(request: Request) -> Response:
    user, form = await posted(request)
    need(user, "alert.manage")
    alerts = service_of(request).alerts
    target, secret, private = _target(form)
    name, kind = (form.get("name") or "").strip(), form.get("kind") or ""
    try:  # the guard may ask DNS: not on the event loop
        await run_in_threadpool(
            lambda: alerts.add_channel(name, kind, target, secret, private, by=user["username"])
        )
    except AlertError as exc:
        return _page(request, user, channel_form={k: v for k, v in form.items() if k != "secret"}, error=exc)
    return RedirectResponse(f"{PAGE}#channels", status_code=303)


def _channel(request: Request, channel_id: int) -> dict[str, Any]:
    try:
        return service_of(request).alerts.channel(row_id(channel_id))
    except AlertNotFound:
        raise PageError(404) from None


@router.post(f"{PAGE}/channels/{{channel_id}}")
async def channel_edit(request: Request, channel_id: int) -> Response:
    """Change where a channel sends (a webhook keeps its secret when the field is left empty)."""
    user, form = await posted(request)
    need(user, "alert.manage")
    channel = _channel(request, channel_id)
    alerts = service_of(request).alerts
    target, secret, private = _target(form)
    try:
        await run_in_threadpool(
            lambda: alerts.edit_channel(
                channel["name"],
                target,
                secret,
                private,
                enabled=bool(form.get("enabled")),
                by=user["username"],
            )
        )
    except AlertError as exc:
        return _page(request, user, error=exc)
    return RedirectResponse(f"{PAGE}#channels", status_code=303)


@router.post(f"{PAGE}/channels/{{channel_id}}/test")
async def channel_test(request: Request, channel_id: int) -> Response:
    """Send a test notification now and say on the page what became of it."""
    user, _form = await posted(request)
    need(user, "alert.manage")
    channel = _channel(request, channel_id)
    alerts = service_of(request).alerts
    sent = await run_in_threadpool(lambda: alerts.test_channel(channel["name"], by=user["username"]))
    return _page(request, user, tested={"channel": channel["name"], "delivery": sent})


@router.post(f"{PAGE}/channels/{{channel_id}}/remove")
async def channel_remove(request: Request, channel_id: int) -> Response:
    user, _form = await posted(request)
    need(user, "alert.manage")
    channel = _channel(request, channel_id)
    try:
        service_of(request).alerts.remove_channel(channel["name"], by=user["username"])
    except AlertError as exc:
        return _page(request, user, error=exc)
    return RedirectResponse(f"{PAGE}#channels", status_code=303)
