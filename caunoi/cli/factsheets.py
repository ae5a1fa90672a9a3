"""`caunoi factsheets …`: the library of fact sheets and official positions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from caunoi.cli.common import (
    AsJson,
    By,
    actor,
    console,
    fail,
    print_history,
    print_json,
    said,
    serving,
    show_rows,
    when,
)

if TYPE_CHECKING:
    from caunoi.factsheets import ListedFactSheet

app = typer.Typer(
    help="Fact sheets and official positions: add, list, search, show, link, edit.", no_args_is_help=True
)
FactSheetId = Annotated[int, typer.Argument(help="Fact sheet id.")]
Kind = Annotated[str | None, typer.Option(help="fact_sheet or position.")]
Lang = Annotated[str | None, typer.Option(help="Language code.")]


def _body(body: str | None, file: Path | None, required: bool) -> str | None:
    if body is not None and file is not None:
        fail("give --body or --file, not both")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {exc}")
    if body is None and required:
        fail("give the text with --body TEXT or --file PATH")
    return body


def _show_fact_sheets(sheets: list[ListedFactSheet], as_json: bool) -> None:
    show_rows(
        sheets, ("id", "kind", "lang", "updated", "title", "tags"),
        lambda s: (str(s.id), s.kind, s.lang, when(s.updated_at), s.title[:80], ", ".join(s.tags)),
        as_json=as_json, empty="no fact sheets",
    )  # fmt: skip


@app.command("add")
def factsheets_add(
    title: Annotated[str, typer.Argument(help="Its title.")],
    body: Annotated[str | None, typer.Option(help="Its text.")] = None,
    file: Annotated[Path | None, typer.Option(help="Read its text from this UTF-8 file.")] = None,
    kind: Annotated[str, typer.Option(help="fact_sheet or position (an official position).")] = "fact_sheet",
    lang: Annotated[str, typer.Option(help="Language code.")] = "vi",
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeat for more).")] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Add a fact sheet or an official position to the library."""
    text = _body(body, file, required=True)
    assert text is not None
    with serving("factsheets") as library:
        sheet = library.add(title, text, by=actor(by), kind=kind, lang=lang, tags=tag or [])
    said(sheet, as_json, f"added fact sheet {sheet.id}: [bold]{sheet.title}[/]", highlight=False)


@app.command("list")
def factsheets_list(
    kind: Kind = None,
    lang: Lang = None,
    story: Annotated[int | None, typer.Option(help="Only those linked to this story.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: AsJson = False,
) -> None:
    """The library, latest change first."""
    with serving("factsheets") as library:
        _show_fact_sheets(library.list(kind, lang, story, limit), as_json)


@app.command("search")
def factsheets_search(
    query: Annotated[str, typer.Argument(help="Words, with or without diacritics: bien dong = Biển Đông.")],
    kind: Kind = None,
    lang: Lang = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 20,
    as_json: AsJson = False,
) -> None:
    """Fact sheets holding every word, matches in the title first."""
    with serving("factsheets") as library:
        _show_fact_sheets(library.search(query, kind, lang, limit), as_json)


@app.command("show")
def factsheets_show(fact_sheet_id: FactSheetId, as_json: AsJson = False) -> None:
    """One fact sheet: its text, the stories it answers, its history."""
    with serving("factsheets") as library:
        sheet = library.get(fact_sheet_id)
    if as_json:
        print_json(sheet)
        return
    console.print(f"[bold]{sheet.title}[/]", highlight=False)
    console.print(
        f"#{sheet.id} · {sheet.kind} · {sheet.lang} · {', '.join(sheet.tags) or 'no tags'}", style="dim"
    )
    console.print(sheet.body, highlight=False, markup=False)
    for s in sheet.stories:
        console.print(f"[bold]story[/] {s['id']}: {s['title']}", highlight=False)
    print_history(sheet.history)


@app.command("link")
def factsheets_link(
    fact_sheet_id: FactSheetId,
    story_id: Annotated[int, typer.Argument(help="The story it answers.")],
    by: By = None,
) -> None:
    """Link a fact sheet to a story it answers."""
    with serving("factsheets") as library:
        new = library.link(fact_sheet_id, story_id, by=actor(by))
    console.print(
        f"fact sheet {fact_sheet_id} {'linked' if new else 'was already linked'} to story {story_id}"
    )


@app.command("edit")
def factsheets_edit(
    fact_sheet_id: FactSheetId,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    body: Annotated[str | None, typer.Option(help="A new text.")] = None,
    file: Annotated[Path | None, typer.Option(help="Read the new text from this UTF-8 file.")] = None,
    kind: Kind = None,
    lang: Lang = None,
    tag: Annotated[list[str] | None, typer.Option(help="The tags, replacing the old ones (repeat).")] = None,
    by: By = None,
) -> None:
    """Change a fact sheet; the history keeps what it was."""
    text = _body(body, file, required=False)
    with serving("factsheets") as library:
        before = len(library.get(fact_sheet_id).history)
        sheet = library.edit(
            fact_sheet_id, by=actor(by), title=title, body=text, kind=kind, lang=lang, tags=tag
        )
    changed = sheet.history[before:]
    fields = ", ".join(changed[-1]["changes"]) if changed else ""
    console.print(f"fact sheet {sheet.id}: " + (f"changed {fields}" if fields else "nothing changed"))
