"""`caunoi alerts …`: rules, channels, the inbox."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import typer
from rich.table import Column

from caunoi.alerts import KINDS
from caunoi.cli.common import (
    AsJson,
    By,
    actor,
    console,
    err,
    fail,
    found,
    moment,
    open_service,
    parse_at,
    print_json,
    said,
    serving,
    show_rows,
    sparkline,
    when,
)

app = typer.Typer(
    help="Alert rules on searches, topics, entities and stories; channels; the inbox.", no_args_is_help=True
)


def _scope(**options: Any) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v not in (None, "", [])}


@app.command("rule-add")
def rule_add(
    name: Annotated[str, typer.Argument(help="A name for the rule (unique).")],
    kind: Annotated[str, typer.Option(help=f"What to watch for: {', '.join(KINDS)}.")],
    query: Annotated[str | None, typer.Option(help="A search query (the search syntax).")] = None,
    saved: Annotated[str | None, typer.Option(help="A saved search (caunoi search … --save NAME).")] = None,
    story: Annotated[int | None, typer.Option(help="One story's id.")] = None,
    topic: Annotated[str | None, typer.Option(help="Topic id (taxonomy or news category).")] = None,
    entity: Annotated[str | None, typer.Option(help="Entity id, e.g. org:ASEAN, person:… .")] = None,
    country: Annotated[str | None, typer.Option(help="ISO country code.")] = None,
    doc_ref: Annotated[str | None, typer.Option(help="A document's symbol, e.g. 57-KL/TW.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code.")] = None,
    source: Annotated[str | None, typer.Option(help="Outlet (source name).")] = None,
    origin: Annotated[
        str | None, typer.Option(help="Only outlets of this origin: domestic, foreign, international, …")
    ] = None,
    outlet_country: Annotated[
        str | None, typer.Option("--outlet-country", help="Only outlets of this country (ISO code: US, FR).")
    ] = None,
    outlet: Annotated[
        list[str] | None, typer.Option(help="outlet rules: an outlet to watch (repeat).")
    ] = None,
    priority_topic: Annotated[
        list[str] | None, typer.Option(help="new_story rules: a priority topic (repeat; any of them).")
    ] = None,
    z: Annotated[
        float | None, typer.Option(help="Spikes, rising stories: standard deviations above the baseline.")
    ] = None,
    min_count: Annotated[
        int | None, typer.Option(help="Spikes, rising stories: at least this many articles in the window.")
    ] = None,
    min_articles: Annotated[int | None, typer.Option(help="new_story: at least this many articles.")] = None,
    window_hours: Annotated[int | None, typer.Option(help="The window, in hours (24).")] = None,
    baseline_weeks: Annotated[int | None, typer.Option(help="Weeks of history for the baseline (4).")] = None,
    baseline_days: Annotated[
        int | None, typer.Option(help="rising_story: days of the story's own windows, its baseline (7).")
    ] = None,
    tone_below: Annotated[
        float | None, typer.Option(help="tone_spike: also alert under this mean tone.")
    ] = None,
    reprints: Annotated[
        bool, typer.Option("--reprints", help="Count every copy of a reprinted article.")
    ] = False,
    channel: Annotated[list[str] | None, typer.Option(help="A channel to notify (repeat).")] = None,
    severity: Annotated[str, typer.Option(help="low, medium or high.")] = "medium",
    by: Annotated[str | None, typer.Option(help="Who adds it.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a rule of the same name.")] = False,
) -> None:
    """Add an alert rule. Example: caunoi alerts rule-add "Biển Đông tăng" --kind volume_spike
    --query '"Biển Đông"' --channel trực-ban."""
    scope = _scope(query=query, saved=saved, story=story, topic=topic, entity=entity, country=country,
                   doc_ref=doc_ref, lang=lang, source=source, origin=origin,
                   outlet_country=outlet_country)  # fmt: skip
    params = _scope(outlets=outlet, topics=priority_topic, z=z, min_count=min_count,
                    min_articles=min_articles,
                    window_hours=window_hours, baseline_weeks=baseline_weeks, baseline_days=baseline_days,
                    tone_below=tone_below,
                    reprints=reprints or None)  # fmt: skip
    with serving() as service:
        rule_id = service.alerts.add_rule(
            name, kind, scope, params, channel, severity, actor(by), replace=replace
        )
    console.print(f"rule #{rule_id} {name!r} added")


@app.command("rules")
def rules(as_json: AsJson = False) -> None:
    """The alert rules."""
    with open_service() as service:
        show_rows(
            service.alerts.rules(), ("id", "name", "kind", "scope", "params", "channels", "on", "health"),
            lambda r: (str(r["id"]), r["name"], r["kind"], str(r["scope"]), str(r["params"]),
                       ",".join(r["channels"]), "yes" if r["enabled"] else "no", _health(r)),
            as_json=as_json,
        )  # fmt: skip


def _health(rule: dict[str, Any]) -> str:
    """How the rule's last run went: ok (when), its error (when), or never run."""
    if rule["last_error"]:  # cleared when the rule runs again
        return f"error {moment(rule['last_error_at'])}: {rule['last_error']}"
    return f"ok {moment(rule['last_run_at'])}" if rule["last_run_at"] else "never run"


def _set_rule(name: str, by: str | None, **change: Any) -> None:
    with serving() as service:
        service.alerts.set_rule(name, by=actor(by), **change)


@app.command("rule-disable")
def rule_disable(name: str, by: By = None) -> None:
    """Stop evaluating a rule."""
    _set_rule(name, by, enabled=False)


@app.command("rule-enable")
def rule_enable(name: str, by: By = None) -> None:
    """Evaluate a rule again."""
    _set_rule(name, by, enabled=True)


@app.command("rule-remove")
def rule_remove(name: str, by: By = None) -> None:
    """Remove a rule and its alerts."""
    _set_rule(name, by, remove=True)


@app.command("channel-add")
def channel_add(
    name: Annotated[str, typer.Argument(help="A name for the channel (unique).")],
    email: Annotated[str | None, typer.Option(help="E-mail address(es), comma-separated.")] = None,
    webhook: Annotated[str | None, typer.Option(help="Webhook URL (https://…).")] = None,
    secret: Annotated[str | None, typer.Option(help="Webhook: the HMAC key the receiver checks.")] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Webhook on the local network (private addresses).")
    ] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a channel of the same name.")] = False,
    by: By = None,
) -> None:
    """Add a notification channel: an e-mail address (needs CAUNOI_SMTP_HOST) or a signed webhook
    (one at a private address is refused unless --allow-private); --replace swaps a channel of the
    same name for this one (the rules naming it keep it)."""
    if bool(email) == bool(webhook):
        fail("give exactly one of --email or --webhook")
    with serving() as service:
        service.alerts.add_channel(
            name, "email" if email else "webhook", email or webhook, secret, allow_private, by=actor(by),
            replace=replace,
        )  # fmt: skip
    console.print(f"channel {name!r} {'replaced' if replace else 'added'}")


@app.command("channel-remove")
def channel_remove(name: str, by: By = None) -> None:
    """Remove a channel that no rule names."""
    with serving() as service:
        service.alerts.remove_channel(name, by=actor(by))
    console.print(f"channel {name!r} removed")


@app.command("channel-test")
def channel_test(name: str, by: By = None) -> None:
    """Send a test notification to a channel now (exit code 1 if it could not be delivered)."""
    with serving() as service:
        sent = service.alerts.test_channel(name, by=actor(by))
    if not sent.ok:
        err.print(f"[bold red]not delivered:[/] {sent.error}", highlight=False)
        raise typer.Exit(1)
    console.print(f"test sent to {sent.target}", highlight=False)


@app.command("channels")
def channels_list(as_json: AsJson = False) -> None:
    """The notification channels (secrets are not shown)."""
    with open_service() as service:
        channels = service.alerts.channels()
    if as_json:
        print_json(channels)
        return
    for c in channels:
        console.print(f"{c['name']}: {c['kind']} {c['target']}" + ("" if c["enabled"] else " (off)"))


@app.command("run")
def run(
    at: Annotated[str | None, typer.Option(help="Evaluate as of this time, not now.")] = None,
    as_json: AsJson = False,
) -> None:
    """Cluster what is new, evaluate every rule, and send the notifications waiting."""
    with serving() as service:
        service.update_stories()
        done = service.run_alerts(parse_at(at) if at else None)
    deliveries = done["deliveries"] or "none waiting"
    said(done, as_json, f"{len(done['raised'])} new alert(s); deliveries: {deliveries}")
    for name, why in done["failed"].items():  # the other rules ran: said, not an exit code
        err.print(f"[bold red]rule {name!r} could not run:[/] {why}", highlight=False)


@app.command("list")
def inbox(
    state: Annotated[str | None, typer.Option(help="new, read or dismissed.")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    as_json: AsJson = False,
) -> None:
    """The inbox: the latest alerts first."""
    with open_service() as service:
        show_rows(
            service.alerts.inbox(state, limit), ("id", "state", "severity", "rule", "raised", "title"),
            lambda a: (str(a["id"]), a["state"], a["severity"], a["rule"] or f"pack → {a['unit']}",
                       moment(a["created_at"]), a["title"][:100]),
            as_json=as_json, empty="no alerts",
        )  # fmt: skip


@app.command("show")
def show(alert_id: int, as_json: AsJson = False) -> None:
    """One alert: why it was raised (the figures), the articles of its spike and their stories, its
    deliveries and who read or dismissed it."""
    with open_service() as service:
        detail = found(service.alerts.detail(alert_id), "alert", alert_id)
    alert = detail.alert
    if as_json:
        print_json(detail.flat())
        return
    console.print(f"[bold]{alert['title']}[/]")
    console.print(
        f"#{alert['id']} · {alert['rule'] or alert['unit']} ({alert['kind']}) · {alert['severity']} · "
        f"{alert['state']} · window {when(alert['window_start'])} … {when(alert['window_end'])}",
        style="dim",
    )
    if detail.scope:
        console.print(
            "  [dim]scope:[/] " + ", ".join(f"{k} {v}" for k, v in detail.scope.items()), highlight=False
        )
    for key, value in alert["why"].items():
        console.print(f"  [dim]{key}:[/] {value}", highlight=False)
    if detail.series:
        console.print(f"  [dim]series:[/] {sparkline(detail.series)}  (oldest first, the window last)")
    for d in alert["deliveries"]:
        console.print(f"  delivery {d['channel']} ({d['kind']}): {d['state']} after {d['attempts']} run(s)"
                      + (f" — {d['error']}" if d["error"] else ""))  # fmt: skip
    for h in detail.history:
        console.print(f"  [dim]{moment(h['at'])} {h['actor']}: {h['action']}[/]", highlight=False)
    if detail.articles_error:
        err.print(f"the articles cannot be found again: {detail.articles_error}", highlight=False)
    number = functools.partial(Column, justify="right")
    show_rows(
        detail.stories, (number("story"), number("articles"), "title"),
        lambda s: (str(s.id), str(s.articles), s.title[:100]), title="stories",
    )  # fmt: skip
    show_rows(
        detail.articles, (number("id"), "published", "source", number("story"), "title"),
        lambda a: (str(a.id), when(a.published), a.source or "", str(a.story_id or ""), a.title[:80]),
        title=f"articles ({detail.article_count})",
    )  # fmt: skip


def _mark(alert_id: int, state: str, by: str | None) -> None:
    with serving() as service:
        service.alerts.mark(alert_id, state, actor(by))


@app.command("read")
def read(alert_id: int, by: By = None) -> None:
    """Mark an alert read."""
    _mark(alert_id, "read", by)


@app.command("dismiss")
def dismiss(alert_id: int, by: By = None) -> None:
    """Dismiss an alert: it is no longer new, and left out of the unread count."""
    _mark(alert_id, "dismissed", by)
