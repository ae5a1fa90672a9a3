"""`caunoi audit list`: who changed what, when, filtered, as a table (times in the organisation's zone,
the setting `timezone`, named), JSON (UTC, as stored) or CSV (UTC, with a Z). Like every
command it reads the store directly: whoever runs it holds the database (the API and the /audit
page ask for audit.read)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from caunoi.audit import LIST_LIMIT, AuditFilter
from caunoi.cli.common import AsJson, moment, serving, show_rows, shown

app = typer.Typer(help="The audit log: who changed what, when.", no_args_is_help=True)


@app.command("list")
def audit_list(
    who: Annotated[str | None, typer.Option(help="Who made the change (their name, any case).")] = None,
    action: Annotated[
        str | None, typer.Option("--action", "--what", help="The action: add, edit, remove, enable, …")
    ] = None,
    object_: Annotated[
        str | None,
        typer.Option(
            "--object",
            help="The kind of object (source, alert_rule, channel, saved_search, user, unit, case, …), "
            "or one of them as kind:id, e.g. source:12.",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="From: 24h, 7d, 2w, or a date(-time) in the setting timezone.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Before: 24h, 7d, or a date(-time) in the setting timezone.")
    ] = None,
    limit: Annotated[int, typer.Option(help="The newest entries shown (not for --csv).")] = LIST_LIMIT,
    as_json: AsJson = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write every match as CSV to this file (- for stdout).")
    ] = None,
) -> None:
    """The audit log's entries, newest first; times in the setting timezone (--json: UTC; --csv: UTC,
    with a Z)."""
    with serving() as service:
        log, zone = service.audit, service.settings.timezone
        found = AuditFilter.from_text(
            actor=who, action=action, entity=object_, since=since, until=until, timezone=zone
        )
        if csv is not None:
            content = log.csv(found)
            if str(csv) == "-":
                sys.stdout.buffer.write(content)
            else:
                csv.write_bytes(content)
            return
        rows = log.entries(found, limit=limit)
    show_rows(
        rows, ("at", "who", "object", "action", "changes"),
        lambda e: (moment(e.at), e.actor, f"{e.entity}:{e.entity_id}", e.action, _changes(e.changes)),
        as_json=as_json, empty="no audit entries match",
    )  # fmt: skip


def _changes(changes: dict) -> str:
    """Each field changed: "enabled: True → False"; a moment (UTC, as the log keeps it) in the
    organisation's zone, named."""
    return "; ".join(
        f"{k}: {shown(v[0])} → {shown(v[1])}" if isinstance(v, list) and len(v) == 2 else f"{k}: {v}"
        for k, v in changes.items()
    )
