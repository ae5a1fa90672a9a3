"""`caunoi campaigns …`, `caunoi packs …`, `caunoi products …`, `caunoi activities …`: outreach
operations (caunoi.outreach) from the command line — what the centre plans and sends, what the
missions abroad do and report. Times of activities are shown in the zone they happened in, with it;
pack deadlines in the organisation's zone (the setting `timezone`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape as esc  # what people typed is never markup

from caunoi.cli.common import (
    AsJson,
    By,
    actor,
    console,
    fail,
    print_history,
    print_json,
    progress_bar,
    said,
    said_import,
    serving,
    show_rows,
)
from caunoi.models import as_json

if TYPE_CHECKING:
    from caunoi.outreach import Activity, Campaign, FileInfo, OutreachService, Pack, Product

campaigns_app = typer.Typer(
    help="Campaigns and themes: add, edit, list, show (with objectives, units and history).",
    no_args_is_help=True,
)
packs_app = typer.Typer(
    help="Information packs for missions: add, send, ack, report, attach, list, show, pending.",
    no_args_is_help=True,
)
products_app = typer.Typer(
    help="Information products, fact sheets among them: add, edit, attach, list, show.",
    no_args_is_help=True,
)
activities_app = typer.Typer(
    help="What units and missions did: add, edit, attach, list, show, import, template; the coverage "
    "each earned: coverage, confirm, reject.",
    no_args_is_help=True,
)

# -- shared options and helpers ---------------------------------------------------------------------

CampaignRef = Annotated[str | None, typer.Option("--campaign", help="A campaign, by code or id.")]
UnitFilter = Annotated[str | None, typer.Option("--unit", help="A unit or mission, by code (e.g. DSQ-FR).")]
Currency = Annotated[str | None, typer.Option(help="ISO 4217 code of the amount, e.g. EUR or VND.")]
Timezone = Annotated[str | None, typer.Option(help="IANA zone the times are given in, e.g. Europe/Paris.")]
AttachPath = Annotated[Path, typer.Argument(help="The file to attach.", dir_okay=False)]
Many = list[str] | None


def _given(fields: dict[str, str] | None = None, **options: Any) -> dict[str, Any]:
    """The options given on the command line (None: not given) under the names of the record's fields
    (`fields`: option → field where they differ); in an edit, an empty text clears a field."""
    return {(fields or {}).get(name, name): value for name, value in options.items() if value is not None}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def _text(body: str | None, file: Path | None, required: bool, option: str = "body") -> str | None:
    """--body TEXT or --body-file PATH (UTF-8); `option` names another pair (--release …)."""
    if body is not None and file is not None:
        fail(f"give --{option} or --{option}-file, not both")
    if file is not None:
        try:
            return _read(file).decode("utf-8-sig")
        except UnicodeDecodeError:
            fail(f"cannot read {file}: not UTF-8 text")
    if body is None and required:
        fail(f"give the text with --{option} TEXT or --{option}-file PATH")
    return body


def _print_fields(fields: Iterable[tuple[str, Any]]) -> None:
    """`label: value` lines, those without a value left out."""
    for label, value in fields:
        if value not in (None, "", []):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            console.print(f"[bold]{label}[/]: {esc(str(shown))}", highlight=False)


def _number(value: float | None) -> str:
    """12.0 as 12, 1500000.0 as 1,500,000."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _money(value: float | None, currency: str | None) -> str | None:
    return None if value is None else f"{_number(value)} {currency or ''}".strip()


def _attached(part: str, ref: int | str, path: Path, by: str | None, what: str) -> None:
    content = _read(path)
    with serving("outreach") as outreach:
        file = getattr(outreach, part).attach(ref, path.name, content, by=actor(by))
    console.print(
        f"attached {esc(file.name)} ({file.media_type}, {file.size:,} bytes) to {what} {ref}: file {file.id}",
        highlight=False,
    )


def _local(at: datetime | None) -> str:
    """A time in its zone, with the zone: 2026-10-13 09:30 CEST."""
    return "—" if at is None else f"{at:%Y-%m-%d %H:%M} {at.tzname()}"


def _print_files(files: list[FileInfo]) -> None:
    for f in files:
        line = f"[bold]file[/] {f.id}: {esc(f.name)} ({f.media_type}, {f.size:,} bytes)"
        console.print(line, highlight=False)


# -- campaigns ---------------------------------------------------------------------------------------


CAMPAIGN_FIELDS = {
    "starts": "starts_on", "ends": "ends_on", "country": "countries", "topic": "topics",
    "message": "key_messages", "audience": "audiences", "objective": "objectives", "unit": "units",
}  # fmt: skip
Kind = Annotated[
    str | None,
    typer.Option(help="campaign, theme, friendship_year, anniversary or priority_message."),
]
Country = Annotated[Many, typer.Option("--country", help="A partner country, ISO code (repeat).")]
Topic = Annotated[Many, typer.Option("--topic", help="A priority topic, taxonomy id (repeat).")]
Message = Annotated[Many, typer.Option("--message", help="A key message, one sentence (repeat).")]
Audience = Annotated[Many, typer.Option("--audience", help="A target audience (repeat).")]
ObjectiveOpt = Annotated[
    Many,
    typer.Option(
        "--objective", help="'indicator = target by DATE', e.g. 'bài báo nêu thông điệp = 40 by 2026-12-31'."
    ),
]
Budget = Annotated[str | None, typer.Option(help="Planned budget, e.g. 150000000 or 150.000.000.")]
Units = Annotated[Many, typer.Option("--unit", help="A unit or mission taking part, by code (repeat).")]
Description = Annotated[str | None, typer.Option(help="What it is about.")]


@campaigns_app.command("add")
def campaigns_add(
    code: Annotated[str, typer.Argument(help="A short code, e.g. NHN-VNFR-2026.")],
    title: Annotated[str, typer.Argument(help="Its title.")],
    starts: Annotated[str, typer.Option("--from", help="First day, e.g. 2026-01-01.")],
    ends: Annotated[str, typer.Option("--to", help="Last day, e.g. 2026-12-31.")],
    kind: Kind = "campaign",
    country: Country = None,
    topic: Topic = None,
    message: Message = None,
    audience: Audience = None,
    objective: ObjectiveOpt = None,
    budget: Budget = None,
    currency: Currency = None,
    unit: Units = None,
    description: Description = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Add a campaign or theme, with its period, messages, objectives and the units taking part."""
    details = _given(CAMPAIGN_FIELDS, kind=kind, country=country, topic=topic, message=message,
                     audience=audience, objective=objective, budget=budget, currency=currency, unit=unit,
                     description=description)  # fmt: skip
    with serving("outreach") as outreach:
        campaign = outreach.campaigns.add(
            code, title, by=actor(by), starts_on=starts, ends_on=ends, **details
        )
    said(campaign, as_json, f"added campaign [bold]{campaign.code}[/] ({campaign.id}): {esc(campaign.title)}",
         highlight=False)  # fmt: skip


@campaigns_app.command("edit")
def campaigns_edit(
    ref: Annotated[str, typer.Argument(help="The campaign's code or id.")],
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    starts: Annotated[str | None, typer.Option("--from", help="First day.")] = None,
    ends: Annotated[str | None, typer.Option("--to", help="Last day.")] = None,
    kind: Kind = None,
    country: Country = None,
    topic: Topic = None,
    message: Message = None,
    audience: Audience = None,
    objective: ObjectiveOpt = None,
    budget: Budget = None,
    currency: Currency = None,
    unit: Units = None,
    description: Description = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Change a campaign: a list option given replaces the whole list (--unit '' empties it); the
    history keeps what it was."""
    changes = _given(CAMPAIGN_FIELDS, title=title, starts=starts, ends=ends, kind=kind, country=country,
                     topic=topic, message=message, audience=audience, objective=objective, budget=budget,
                     currency=currency, unit=unit, description=description)  # fmt: skip
    with serving("outreach") as outreach:
        campaign = outreach.campaigns.edit(ref, by=actor(by), **changes)
    line = f"changed campaign [bold]{campaign.code}[/]: {esc(campaign.title)}"
    said(campaign, as_json, line, highlight=False)


@campaigns_app.command("list")
def campaigns_list(
    unit: UnitFilter = None,
    active_on: Annotated[
        str | None, typer.Option(help="Only those running that day, e.g. 2026-10-13.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Campaigns, latest start first: code, kind, period, units, title."""
    from caunoi.outreach.common import day

    with serving("outreach") as outreach:
        found = outreach.campaigns.list(unit=unit, active_on=day(active_on, "--active-on"))
    show_rows(
        found, ("code", "kind", "from", "to", "units", "title"),
        lambda c: (c.code, c.kind, c.starts_on.isoformat(), c.ends_on.isoformat(), ", ".join(c.units) or "—",
                   esc(c.title[:80])),
        as_json=as_json, empty="no campaigns",
    )  # fmt: skip


@campaigns_app.command("show")
def campaigns_show(
    ref: Annotated[str, typer.Argument(help="The campaign's code or id.")], as_json: AsJson = False
) -> None:
    """One campaign: its period, countries, messages, objectives, units and history."""
    with serving("outreach") as outreach:
        campaign: Campaign = outreach.campaigns.get(ref)
    if as_json:
        print_json(campaign)
        return
    console.print(f"[bold]{esc(campaign.title)}[/]", highlight=False)
    _print_fields([
        ("campaign", f"{campaign.code} ({campaign.id})"), ("kind", campaign.kind),
        ("period", f"{campaign.starts_on} → {campaign.ends_on}"), ("countries", campaign.countries),
        ("topics", campaign.topics), ("audiences", campaign.audiences),
        ("budget", _money(campaign.budget, campaign.currency)), ("units", campaign.units),
        ("description", campaign.description),
    ])  # fmt: skip
    for m in campaign.key_messages:
        console.print(f"[bold]message[/]: {esc(m)}", highlight=False)
    for o in campaign.objectives:
        due = f" by {o.due_on}" if o.due_on else ""
        console.print(f"[bold]objective[/]: {esc(o.indicator)} = {_number(o.target)}{due}", highlight=False)
    print_history(campaign.history)


# -- packs -------------------------------------------------------------------------------------------

PackId = Annotated[int, typer.Argument(help="Pack id, as `caunoi packs list` prints it.")]
PackKind = Annotated[str | None, typer.Option(help="talking_points, position, qa or materials.")]
To = Annotated[Many, typer.Option("--to", help="A unit or mission to send it to, by code (repeat).")]


def _local_deadline(pack: Pack, tz: str) -> datetime | None:
    from caunoi.outreach.common import local

    return local(pack.deadline, tz)


def _deadline(pack: Pack, tz: str) -> str:
    return _local(_local_deadline(pack, tz))


def _pack_json(pack: Pack, tz: str) -> dict[str, Any]:
    """A pack as JSON, with its recipients counted by state and its deadline in the organisation's zone."""
    deadline = _local_deadline(pack, tz)
    return {**as_json(pack), "counts": pack.counts, "deadline_local": deadline and deadline.isoformat()}


def _pack_said(pack: Pack, tz: str, as_json: bool, line: str) -> None:
    if as_json:
        print_json(_pack_json(pack, tz))
    else:
        console.print(line, highlight=False)


@packs_app.command("add")
def packs_add(
    title: Annotated[str, typer.Argument(help="Its title.")],
    body: Annotated[str | None, typer.Option(help="Its text: positions, talking points or Q&A.")] = None,
    body_file: Annotated[Path | None, typer.Option(help="Read its text from this UTF-8 file.")] = None,
    kind: PackKind = "talking_points",
    campaign: CampaignRef = None,
    deadline: Annotated[
        str | None, typer.Option(help="By when missions acknowledge it, e.g. '2026-10-20 17:00'.")
    ] = None,
    timezone: Timezone = None,
    to: To = None,
    file: Annotated[list[Path] | None, typer.Option("--file", help="A file to attach (repeat).")] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Add an information pack, with its files, and send it at once to the units --to (if any)."""
    text = _text(body, body_file, required=True)
    files = [(path.name, _read(path)) for path in file or []]
    with serving("outreach") as outreach:
        pack = outreach.packs.add(title, text or "", by=actor(by), kind=kind or "talking_points",
                                  campaign=campaign, deadline=deadline, timezone=timezone, to=to or (),
                                  files=files)  # fmt: skip
        tz = outreach.packs.timezone
    sent = f", sent to {', '.join(r.unit for r in pack.recipients)}" if pack.recipients else ""
    _pack_said(pack, tz, as_json, f"added pack {pack.id}: [bold]{esc(pack.title)}[/]{sent}")


@packs_app.command("send")
def packs_send(pack_id: PackId, to: To = None, by: By = None, as_json: AsJson = False) -> None:
    """Send a pack to more units or missions (those it was sent to already are left as they are)."""
    if not to:
        fail("say who to send it to: --to CODE (repeat)")
    with serving("outreach") as outreach:
        pack = outreach.packs.send(pack_id, to, by=actor(by))
        tz = outreach.packs.timezone
    _pack_said(pack, tz, as_json, f"pack {pack.id} sent to {', '.join(r.unit for r in pack.recipients)}")


@packs_app.command("ack")
def packs_ack(
    pack_id: PackId,
    unit: Annotated[str, typer.Option("--unit", help="The unit or mission that received it.")],
    undo: Annotated[bool, typer.Option("--undo", help="Take the acknowledgement back.")] = False,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Record that a unit or mission received a pack."""
    with serving("outreach") as outreach:
        pack = outreach.packs.acknowledge(pack_id, unit, by=actor(by), undo=undo)
        tz = outreach.packs.timezone
    recipient = pack.recipient(unit)
    state = recipient.state if recipient else "?"
    _pack_said(pack, tz, as_json, f"pack {pack.id}: {recipient.unit if recipient else unit} [bold]{state}[/]")


@packs_app.command("report")
def packs_report(
    pack_id: PackId,
    unit: Annotated[str, typer.Option("--unit", help="The unit or mission that used it.")],
    usage: Annotated[str, typer.Option("--usage", help="How the pack was used.")],
    activity: Annotated[
        Many,
        typer.Option("--activity", help="One of that unit's activities that used it, id or key (repeat)."),
    ] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Record how a unit or mission used a pack, and which of its activities did."""
    with serving("outreach") as outreach:
        ids = [outreach.activities.get(ref).id for ref in activity or []]
        pack = outreach.packs.report_use(pack_id, unit, usage, by=actor(by), activities=ids)
        tz = outreach.packs.timezone
    recipient = pack.recipient(unit)
    used = f" (activities {', '.join(map(str, ids))})" if ids else ""
    _pack_said(
        pack, tz, as_json, f"pack {pack.id}: use by {recipient.unit if recipient else unit} recorded{used}"
    )


@packs_app.command("attach")
def packs_attach(pack_id: PackId, path: AttachPath, by: By = None) -> None:
    """Attach a file to a pack (PDF, Office, OpenDocument, text, CSV or an image)."""
    _attached("packs", pack_id, path, by, "pack")


State = Annotated[
    str | None,
    typer.Option(
        help="Only packs with a recipient (that --unit, if given) waiting, overdue or acknowledged."
    ),
]


@packs_app.command("list")
def packs_list(
    unit: UnitFilter = None,
    state: State = None,
    campaign: CampaignRef = None,
    as_json: AsJson = False,
) -> None:
    """Packs, newest first, with how many units they were sent to, have acknowledged, are overdue."""
    with serving("outreach") as outreach:
        found = outreach.packs.list(unit=unit, campaign=campaign, state=state)
        tz = outreach.packs.timezone
    if as_json:
        print_json([_pack_json(p, tz) for p in found])
        return
    show_rows(
        found, ("id", "kind", "deadline", "sent", "acknowledged", "overdue", "title"),
        lambda p: (str(p.id), p.kind, _deadline(p, tz), str(len(p.recipients)), str(p.counts["acknowledged"]),
                   f"[red]{p.counts['overdue']}[/]" if p.counts["overdue"] else "0", esc(p.title[:80])),
        empty="no packs",
    )  # fmt: skip


@packs_app.command("show")
def packs_show(pack_id: PackId, as_json: AsJson = False) -> None:
    """One pack: its text, files, each recipient's state and use, and its history."""
    with serving("outreach") as outreach:
        pack = outreach.packs.get(pack_id)
        tz = outreach.packs.timezone
        campaign = outreach.campaigns.get(pack.campaign_id).code if pack.campaign_id else None
    if as_json:
        print_json(_pack_json(pack, tz))
        return
    console.print(f"[bold]{esc(pack.title)}[/]", highlight=False)
    _print_fields([
        ("pack", pack.id), ("kind", pack.kind), ("campaign", campaign),
        ("deadline", _deadline(pack, tz) if pack.deadline else None),
        ("created", f"{pack.created_at:%Y-%m-%d %H:%M} UTC by {pack.created_by}"),
    ])  # fmt: skip
    console.print(pack.body, highlight=False, markup=False)
    _print_files(pack.files)
    show_rows(
        pack.recipients, ("unit", "state", "sent", "acknowledged", "activities", "use"),
        lambda r: (r.unit, _state(r.state), f"{r.sent_at:%Y-%m-%d %H:%M}",
                   f"{r.acknowledged_at:%Y-%m-%d %H:%M} {r.acknowledged_by}" if r.acknowledged_at else "—",
                   ", ".join(map(str, r.activities)) or "—", esc((r.usage or "—")[:60])),
        empty="not sent yet",
    )  # fmt: skip
    print_history(pack.history)


def _state(state: str) -> str:
    return {"overdue": "[bold red]overdue[/]", "acknowledged": "[green]acknowledged[/]"}.get(state, state)


@packs_app.command("pending")
def packs_pending(unit: UnitFilter = None, as_json: AsJson = False) -> None:
    """Who has not acknowledged a pack sent to them: unit, pack, deadline, overdue or waiting (overdue
    first, then by deadline)."""
    with serving("outreach") as outreach:
        found = outreach.packs.list(unit=unit)
        tz = outreach.packs.timezone
        code = outreach.units.get(unit).code if unit else None
    pending = [
        (pack, r)
        for pack in found
        for r in pack.recipients
        if r.state != "acknowledged" and (code is None or r.unit == code)
    ]
    pending.sort(key=lambda pr: (pr[1].state != "overdue", pr[0].deadline or datetime.max, pr[1].unit))
    if as_json:
        print_json([
            {"unit": r.unit, "pack_id": p.id, "title": p.title, "state": r.state, "sent_at": r.sent_at,
             "deadline": p.deadline, "deadline_local": _local_deadline(p, tz)}
            for p, r in pending
        ])  # fmt: skip
        return
    show_rows(
        pending, ("unit", "pack", "deadline", "state", "title"),
        lambda pr: (pr[1].unit, str(pr[0].id), _deadline(pr[0], tz), _state(pr[1].state),
                    esc(pr[0].title[:80])),
        empty="every pack sent has been acknowledged",
    )  # fmt: skip


# -- products ----------------------------------------------------------------------------------------

ProductId = Annotated[int, typer.Argument(help="Product id, as `caunoi products list` prints it.")]
PRODUCT_KIND_HELP = (
    "article, video, book, photo_exhibition, publication, social_post, fact_sheet or position."
)
ProductKind = Annotated[str | None, typer.Option(help=PRODUCT_KIND_HELP)]
Lang = Annotated[str | None, typer.Option(help="Language code, e.g. vi, fr, en.")]
Url = Annotated[str | None, typer.Option(help="Where it is published, http(s)://…")]
Published = Annotated[str | None, typer.Option("--published", help="Date published, e.g. 2026-10-13.")]
Tags = Annotated[Many, typer.Option("--tag", help="A tag (repeat; in edit, the tags replace the old ones).")]
PRODUCT_FIELDS = {"published": "published_on", "tag": "tags"}
BodyFile = Annotated[Path | None, typer.Option(help="Read its text from this UTF-8 file.")]


@products_app.command("add")
def products_add(
    title: Annotated[str, typer.Argument(help="Its title.")],
    kind: Annotated[str, typer.Option(help=PRODUCT_KIND_HELP)],
    lang: Lang = None,
    body: Annotated[str | None, typer.Option(help="Its text (a fact sheet or position needs one).")] = None,
    body_file: BodyFile = None,
    unit: Annotated[str | None, typer.Option(help="The unit or mission that made it, by code.")] = None,
    campaign: CampaignRef = None,
    audience: Annotated[str | None, typer.Option(help="Who it is for.")] = None,
    url: Url = None,
    published: Published = None,
    tag: Tags = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Add an information product."""
    text = _text(body, body_file, required=False)
    details = _given(PRODUCT_FIELDS, lang=lang, body=text, unit=unit, campaign=campaign, audience=audience,
                     url=url, published=published, tag=tag)  # fmt: skip
    with serving("outreach") as outreach:
        product = outreach.products.add(title, by=actor(by), kind=kind, **details)
    line = f"added {product.kind} {product.id}: [bold]{esc(product.title)}[/]"
    said(product, as_json, line, highlight=False)


@products_app.command("edit")
def products_edit(
    product_id: ProductId,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    kind: ProductKind = None,
    lang: Lang = None,
    body: Annotated[str | None, typer.Option(help="A new text.")] = None,
    body_file: BodyFile = None,
    unit: Annotated[str | None, typer.Option(help="The unit or mission that made it ('' for none).")] = None,
    campaign: Annotated[str | None, typer.Option(help="A campaign, by code or id ('' for none).")] = None,
    audience: Annotated[str | None, typer.Option(help="Who it is for.")] = None,
    url: Url = None,
    published: Published = None,
    tag: Tags = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Change a product; the history keeps what it was."""
    text = _text(body, body_file, required=False)
    changes = _given(PRODUCT_FIELDS, title=title, kind=kind, lang=lang, body=text, unit=unit,
                     campaign=campaign, audience=audience, url=url, published=published, tag=tag)  # fmt: skip
    with serving("outreach") as outreach:
        product = outreach.products.edit(product_id, by=actor(by), **changes)
    line = f"changed {product.kind} {product.id}: [bold]{esc(product.title)}[/]"
    said(product, as_json, line, highlight=False)


@products_app.command("attach")
def products_attach(product_id: ProductId, path: AttachPath, by: By = None) -> None:
    """Attach a file to a product (PDF, Office, OpenDocument, text, CSV or an image)."""
    _attached("products", product_id, path, by, "product")


@products_app.command("list")
def products_list(
    kind: ProductKind = None,
    unit: UnitFilter = None,
    campaign: CampaignRef = None,
    query: Annotated[
        str | None, typer.Option(help="Words, with or without diacritics, in the title, tags or text.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = 100,
    as_json: AsJson = False,
) -> None:
    """Products, latest change first."""
    with serving("outreach") as outreach:
        found = outreach.products.list(kind=kind, unit=unit, campaign=campaign, query=query, limit=limit)
    show_rows(
        found, ("id", "kind", "lang", "unit", "published", "title"),
        lambda p: (str(p.id), p.kind, p.lang, p.unit or "—", str(p.published_on or "—"), esc(p.title[:80])),
        as_json=as_json, empty="no products",
    )  # fmt: skip


@products_app.command("show")
def products_show(product_id: ProductId, as_json: AsJson = False) -> None:
    """One product: what it is, its text, files and history."""
    with serving("outreach") as outreach:
        product: Product = outreach.products.get(product_id)
        campaign = outreach.campaigns.get(product.campaign_id).code if product.campaign_id else None
    if as_json:
        print_json(product)
        return
    console.print(f"[bold]{esc(product.title)}[/]", highlight=False)
    _print_fields([
        ("product", product.id), ("kind", product.kind), ("lang", product.lang), ("unit", product.unit),
        ("campaign", campaign), ("audience", product.audience), ("url", product.url),
        ("published", product.published_on), ("tags", product.tags),
    ])  # fmt: skip
    if product.body:
        console.print(product.body, highlight=False, markup=False)
    _print_files(product.files)
    print_history(product.history)


# -- activities --------------------------------------------------------------------------------------

ActivityRef = Annotated[str, typer.Argument(help="Activity id or key.")]
ACTIVITY_FIELDS = {
    "type_": "type", "start": "starts_at", "end": "ends_at", "partner": "partners", "official": "officials",
    "link": "links", "product": "products", "pack": "packs",
}  # fmt: skip
TYPE_HELP = (
    "conference, event, press_conference, interview, article_placed, press_release, social_post, exhibition, "
    "training, media_meeting, exchange or other (or its Vietnamese or English name, e.g. 'Họp báo')."
)
DATE_HELP = "When it started, in its zone: '2026-10-13 09:30', or 13/10/2026."
ActivityType = Annotated[str | None, typer.Option("--type", help=TYPE_HELP)]
When = Annotated[str | None, typer.Option("--date", help=DATE_HELP)]
End = Annotated[str | None, typer.Option("--end", help="When it ended.")]
Key = Annotated[str | None, typer.Option(help="Its key (default: made from date, unit, type and title).")]
Place = Annotated[str | None, typer.Option(help="Where it happened.")]
ActivityCountry = Annotated[str | None, typer.Option(help="The country it happened in, ISO code.")]
AudienceCount = Annotated[str | None, typer.Option("--audience", help="How many people it reached.")]
Partner = Annotated[Many, typer.Option("--partner", help="A partner organisation (repeat).")]
Official = Annotated[
    Many, typer.Option("--official", help="An official taking part, in their role (repeat).")
]
Cost = Annotated[str | None, typer.Option(help="What it cost, e.g. 1200 or 1.500.000.")]
Notes = Annotated[str | None, typer.Option(help="Free text.")]
Link = Annotated[Many, typer.Option("--link", help="An http(s) address about it (repeat).")]
ProductRef = Annotated[list[int] | None, typer.Option("--product", help="A product it used, id (repeat).")]
Release = Annotated[
    str | None,
    typer.Option(help="The text it put out (press release, statement): coverage looks for its reuse."),
]
ReleaseFile = Annotated[Path | None, typer.Option(help="Read the release from this UTF-8 file.")]
PackRef = Annotated[list[int] | None, typer.Option("--pack", help="A pack it used, id (repeat).")]


def _activity_json(value: Activity | list[Activity]) -> Any:
    """An activity (or a list) as JSON, with its start and end in its zone, offset included."""
    if isinstance(value, list):
        return [_activity_json(a) for a in value]
    end = value.local_end
    return {
        **as_json(value),
        "local_start": value.local_start.isoformat(),
        "local_end": end and end.isoformat(),
    }


def _activity_said(activity: Activity, as_json: bool, did: str) -> None:
    if as_json:
        print_json(_activity_json(activity))
    else:
        console.print(
            f"{did} activity {activity.id} ({esc(activity.key)}): [bold]{esc(activity.title)}[/], "
            f"{activity.unit}, {_local(activity.local_start)}",
            highlight=False,
        )


@activities_app.command("add")
def activities_add(
    title: Annotated[str, typer.Argument(help="What was done.")],
    unit: Annotated[str, typer.Option("--unit", help="The unit or mission that did it, by code.")],
    type_: Annotated[str, typer.Option("--type", help=TYPE_HELP)],
    start: Annotated[str, typer.Option("--date", help=DATE_HELP)],
    end: End = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="IANA zone the times are in (default: the mission's country's, e.g. Europe/Paris)."
        ),
    ] = None,
    key: Key = None,
    place: Place = None,
    country: ActivityCountry = None,
    campaign: CampaignRef = None,
    audience: AudienceCount = None,
    partner: Partner = None,
    official: Official = None,
    cost: Cost = None,
    currency: Currency = None,
    notes: Notes = None,
    link: Link = None,
    product: ProductRef = None,
    pack: PackRef = None,
    description: Description = None,
    release: Release = None,
    release_file: ReleaseFile = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Log an activity of a unit or mission; times are read in the zone it happened in."""
    release = _text(release, release_file, required=False, option="release")
    details = _given(ACTIVITY_FIELDS, end=end, timezone=timezone, key=key, place=place, country=country,
                     campaign=campaign, audience=audience, partner=partner, official=official, cost=cost,
                     currency=currency, notes=notes, link=link, product=product, pack=pack,
                     description=description, release=release)  # fmt: skip
    with serving("outreach") as outreach:
        activity = outreach.activities.add(
            title, by=actor(by), unit=unit, type=type_, starts_at=start, **details
        )
    _activity_said(activity, as_json, "added")


@activities_app.command("edit")
def activities_edit(
    ref: ActivityRef,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="The unit or mission that did it.")] = None,
    type_: ActivityType = None,
    start: When = None,
    end: End = None,
    timezone: Timezone = None,
    place: Place = None,
    country: ActivityCountry = None,
    campaign: Annotated[str | None, typer.Option(help="A campaign, by code or id ('' for none).")] = None,
    audience: AudienceCount = None,
    partner: Partner = None,
    official: Official = None,
    cost: Cost = None,
    currency: Currency = None,
    notes: Notes = None,
    link: Link = None,
    product: ProductRef = None,
    pack: PackRef = None,
    description: Description = None,
    release: Release = None,
    release_file: ReleaseFile = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Change an activity: a list option given replaces the whole list; the history keeps what it was."""
    release = _text(release, release_file, required=False, option="release")
    changes = _given(ACTIVITY_FIELDS, title=title, unit=unit, type_=type_, start=start, end=end,
                     timezone=timezone, place=place, country=country, campaign=campaign, audience=audience,
                     partner=partner, official=official, cost=cost, currency=currency, notes=notes, link=link,
                     product=product, pack=pack, description=description, release=release)  # fmt: skip
    with serving("outreach") as outreach:
        activity = outreach.activities.edit(ref, by=actor(by), **changes)
    _activity_said(activity, as_json, "changed")


@activities_app.command("attach")
def activities_attach(ref: ActivityRef, path: AttachPath, by: By = None) -> None:
    """Attach a file to an activity (a photo, the programme, a press release …)."""
    _attached("activities", ref, path, by, "activity")


def _bound(outreach: OutreachService, value: str | None, what: str, inclusive_day: bool) -> datetime | None:
    """--since/--until in the organisation's zone, as UTC; a date alone for --until takes in that day."""
    from caunoi.outreach.common import moment, zone

    at = moment(value, zone(outreach.activities.timezone), what)
    if at is not None and inclusive_day and len((value or "").strip()) <= 10:
        at += timedelta(days=1)
    return at


@activities_app.command("list")
def activities_list(
    unit: UnitFilter = None,
    campaign: CampaignRef = None,
    type_: ActivityType = None,
    since: Annotated[str | None, typer.Option(help="From this day or time on, e.g. 2026-10-01.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this day (included) or time.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = 100,
    as_json: AsJson = False,
) -> None:
    """Activities, latest first, each at its local time with its zone."""
    from caunoi.outreach.activities import type_names
    from caunoi.text.fold import index_form

    with serving("outreach") as outreach:
        kind = type_names().get(index_form(type_), type_) if type_ else None
        found = outreach.activities.list(
            unit=unit, campaign=campaign, type=kind, since=_bound(outreach, since, "--since", False),
            until=_bound(outreach, until, "--until", True), limit=limit,
        )  # fmt: skip
    if as_json:
        print_json(_activity_json(found))
        return
    show_rows(
        found, ("id", "when", "unit", "type", "place", "audience", "title"),
        lambda a: (str(a.id), _local(a.local_start), a.unit, a.type, esc(a.place or "—"),
                   str(a.audience) if a.audience is not None else "—", esc(a.title[:70])),
        empty="no activities",
    )  # fmt: skip


@activities_app.command("show")
def activities_show(ref: ActivityRef, as_json: AsJson = False) -> None:
    """One activity: when and where, with whom, what it used and cost, its files and history."""
    with serving("outreach") as outreach:
        activity: Activity = outreach.activities.get(ref)
        campaign = outreach.campaigns.get(activity.campaign_id).code if activity.campaign_id else None
    if as_json:
        print_json(_activity_json(activity))
        return
    console.print(f"[bold]{esc(activity.title)}[/]", highlight=False)
    _print_fields([
        ("activity", f"{activity.id} ({activity.key})"), ("type", activity.type), ("unit", activity.unit),
        ("start", f"{_local(activity.local_start)} ({activity.timezone})"),
        ("end", _local(activity.local_end) if activity.ends_at else None),
        ("place", activity.place), ("country", activity.country), ("campaign", campaign),
        ("audience", activity.audience), ("partners", activity.partners), ("officials", activity.officials),
        ("cost", _money(activity.cost, activity.currency)), ("products", activity.products),
        ("packs", activity.packs), ("links", activity.links), ("description", activity.description),
        ("notes", activity.notes), ("release", activity.release),
    ])  # fmt: skip
    _print_files(activity.files)
    print_history(activity.history)


@activities_app.command("import")
def activities_import(
    file: Annotated[
        Path,
        typer.Argument(help="A CSV (UTF-8), TSV or XLSX file, its first row the header.", dir_okay=False),
    ],
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="Write the valid rows even when others are refused.")
    ] = False,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone of the rows without a timezone column (default: each mission's)."),
    ] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Add or change activities from a file filled in from the template (`caunoi activities template`).
    Every row is checked first; with a refused row nothing is written (exit code 1) unless
    --valid-only. A key already stored is changed to what its row says, so importing a file again
    changes nothing."""
    from caunoi.ingest.tables import read_rows

    with serving("outreach") as outreach, progress_bar("checking rows", quiet=as_json) as bar:
        rows = list(read_rows(file))  # at most 100,000: read first, so the bar knows how many
        task = bar.add_task("rows", total=len(rows))
        report = outreach.activities.import_rows(
            rows, by=actor(by), valid_only=valid_only, timezone=timezone,
            progress=lambda done: bar.update(task, completed=done),
        )  # fmt: skip
        bar.update(task, completed=len(rows))
    said_import(file.name, report, as_json)
    if not report.written:
        raise typer.Exit(2)  # a refusal, as `units import` says it


@activities_app.command("template")
def activities_template(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write it to this file (default: the CSV on standard output)."),
    ] = None,
    xlsx: Annotated[
        bool, typer.Option("--xlsx", help="An Excel workbook (also when --out ends in .xlsx).")
    ] = False,
) -> None:
    """The file to fill in for `caunoi activities import`: its columns and an example row."""
    from caunoi.outreach.activities import template_csv, template_xlsx

    xlsx = xlsx or (out is not None and out.suffix.lower() == ".xlsx")
    if out is None:
        if xlsx:
            fail("an XLSX template needs --out PATH")
        typer.echo(template_csv(), nl=False)
        return
    # the CSV with a byte-order mark: Excel then opens it as UTF-8, diacritics intact
    content = template_xlsx() if xlsx else template_csv().encode("utf-8-sig")
    try:
        out.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    console.print(f"wrote the import template to {out}", highlight=False)


# -- earned coverage ---------------------------------------------------------------------------------

ArticleId = Annotated[
    int, typer.Argument(help="The article's id (as `caunoi search` and `coverage` show it).")
]


@activities_app.command("coverage")
def activities_coverage(
    ref: ActivityRef,
    everything: Annotated[bool, typer.Option("--all", help="Also the articles a person rejected.")] = False,
    stored: Annotated[
        bool, typer.Option("--stored", help="What was found before, without scoring the window again.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """The articles an activity may have earned, best first: each with its score (0-1), state
    (candidate, confirmed, rejected) and the reasons it was found. The stored articles of the
    activity's window are scored again first (settings coverage_days_before, coverage_days_after)."""
    with serving("outreach") as outreach:
        found = outreach.coverage.find(ref, refresh=not stored, include_rejected=everything)
    show_rows(
        found, ("article", "score", "state", "published", "source", "title", "why"),
        lambda c: (str(c.article_id), f"{c.score:.2f}", c.state,
                   f"{c.published:%Y-%m-%d %H:%M}" if c.published else "—", esc(c.source or "—"),
                   esc(c.title[:60]), esc("; ".join(r["text"] for r in c.reasons[:3]))),
        as_json=as_json, empty="no coverage found", show_lines=True,
    )  # fmt: skip


def _decided(ref: str, article_id: int, by: str | None, as_json: bool, confirm: bool) -> None:
    with serving("outreach") as outreach:
        decide = outreach.coverage.confirm if confirm else outreach.coverage.reject
        candidate = decide(ref, article_id, by=actor(by))
    said(candidate, as_json,
         f"{candidate.state} article {candidate.article_id} as coverage of activity {esc(ref)}: "
         f"[bold]{esc(candidate.title)}[/] ({esc(candidate.source or '—')}, score {candidate.score:.2f})",
         highlight=False)  # fmt: skip


@activities_app.command("confirm")
def activities_confirm(
    ref: ActivityRef, article_id: ArticleId, by: By = None, as_json: AsJson = False
) -> None:
    """Say an article is coverage the activity earned (audited); evaluation counts what is confirmed."""
    _decided(ref, article_id, by, as_json, confirm=True)


@activities_app.command("reject")
def activities_reject(
    ref: ActivityRef, article_id: ArticleId, by: By = None, as_json: AsJson = False
) -> None:
    """Say an article is not coverage of the activity (audited): it is never proposed again."""
    _decided(ref, article_id, by, as_json, confirm=False)


GROUPS = {
    "campaigns": campaigns_app,
    "packs": packs_app,
    "products": products_app,
    "activities": activities_app,
}
