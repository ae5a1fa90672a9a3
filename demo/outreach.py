"""Load the illustrative outreach data of demo/data/outreach/ (invented: see its README) into the store
of CAUNOI_DATA (or CAUNOI_DATABASE_URL) by running the commands a user would:

    python demo/outreach.py              # load it (a second run adds nothing)
    python demo/outreach.py --dry-run    # only print the commands

In order: `caunoi units import --sample`; `caunoi campaigns add` for each campaign of campaigns.yaml
whose code is not stored yet (`caunoi campaigns list --json`); `caunoi products add` for each product
of products.yaml whose title is not stored yet (`caunoi products list --json`); `caunoi activities
import activities.csv` (idempotent by key); then for each pack of packs.yaml whose title is not stored
yet (`caunoi packs list --json`), `caunoi packs add … --json` (which sends it), and, for every pack of
the file, `caunoi packs ack ID --unit CODE` and `caunoi packs report ID --unit CODE --usage … --activity
KEY`. Then the earned coverage of the real activities of earned.csv: `caunoi activities import
earned.csv`, and for each activity of coverage.yaml, `caunoi activities coverage KEY --json` and
`caunoi activities confirm KEY ARTICLE` for each proposed article whose address the file confirms.
Every change is made `--by demo`.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data" / "outreach"
BY = "demo"


def text(value: Any) -> str:
    """A YAML value as the command line takes it (dates in ISO form)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def read(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8")) or []


def given(**options: Any) -> list[str]:
    """--name value for each option that has a value; a list gives its option once per value."""
    out = []
    for name, value in options.items():
        for one in value if isinstance(value, list) else [] if value is None else [value]:
            out += [f"--{name.replace('_', '-')}", text(one)]
    return out


# -- one command per record ------------------------------------------------------------------------------


def campaign_add(c: dict[str, Any]) -> list[str]:
    return [
        "campaigns", "add", c["code"], c["title"],
        *given(**{"from": c["starts_on"], "to": c["ends_on"]}, kind=c["kind"],
               description=c.get("description"), country=c.get("countries"), topic=c.get("topics"),
               message=c.get("key_messages"), audience=c.get("audiences"), objective=c.get("objectives"),
               unit=c.get("units"), budget=c.get("budget"), currency=c.get("currency"), by=BY),
    ]  # fmt: skip


def product_add(p: dict[str, Any]) -> list[str]:
    return [
        "products", "add", p["title"],
        *given(kind=p["kind"], lang=p.get("lang"), unit=p.get("unit"), campaign=p.get("campaign"),
               published=p.get("published_on"), audience=p.get("audience"), body=p.get("body"),
               tag=p.get("tags"), by=BY),
    ]  # fmt: skip


def pack_add(p: dict[str, Any]) -> list[str]:
    files = [str(DATA / name) for name in p.get("files") or []]
    return [
        "packs", "add", p["title"],
        *given(kind=p["kind"], body=p["body"], campaign=p.get("campaign"), deadline=p.get("deadline"),
               to=p["to"], file=files, by=BY),
        "--json",
    ]  # fmt: skip


def pack_ack(pack_id: int | str, unit: str) -> list[str]:
    return ["packs", "ack", str(pack_id), *given(unit=unit, by=BY)]


def confirm(activity: str, article_id: int) -> list[str]:
    return ["activities", "confirm", activity, str(article_id), *given(by=BY)]


def pack_report(pack_id: int | str, report: dict[str, Any]) -> list[str]:
    return [
        "packs", "report", str(pack_id),
        *given(unit=report["unit"], usage=report["usage"], activity=report.get("activities"), by=BY),
    ]  # fmt: skip


# -- running them --------------------------------------------------------------------------------------

READS = ("list", "coverage")  # commands that change nothing: not shown
Runner = Callable[[list[str]], str]  # runs `caunoi ARGS`, gives its standard output, raises if it fails


def shown(args: list[str]) -> str:
    """The command as a shell line, long values cut."""
    return "$ caunoi " + " ".join(shlex.quote(a if len(a) <= 70 else a[:69] + "…") for a in args)


def new_process(args: list[str]) -> str:
    """`python -m caunoi ARGS` in a new process, as a user runs it; what it says is shown (but JSON)."""
    done = subprocess.run(
        [sys.executable, "-m", "caunoi", *args], check=True, env=os.environ, stdout=subprocess.PIPE, text=True
    )
    if "--json" not in args:
        sys.stdout.write(done.stdout)
    return done.stdout


def nothing(args: list[str]) -> str:
    """--dry-run: no command runs; lists are empty, a new pack has no id."""
    return "[]" if args[1] in READS else "{}"


def load(run: Runner = new_process) -> None:
    def caunoi(args: list[str]) -> Any:
        if args[1] not in READS:
            print(shown(args), flush=True)
        out = run(args)
        return json.loads(out) if "--json" in args else None

    caunoi(["units", "import", "--sample", "--by", BY])
    have = {c["code"] for c in caunoi(["campaigns", "list", "--json"])}
    for campaign in read("campaigns.yaml"):
        if campaign["code"] not in have:
            caunoi(campaign_add(campaign))
    have = {p["title"] for p in caunoi(["products", "list", "--json"])}
    for product in read("products.yaml"):
        if product["title"] not in have:
            caunoi(product_add(product))
    caunoi(["activities", "import", str(DATA / "activities.csv"), "--by", BY])
    stored = {p["title"]: p["id"] for p in caunoi(["packs", "list", "--json"])}
    for n, pack in enumerate(read("packs.yaml"), 1):
        pack_id = stored.get(pack["title"])
        if pack_id is None:
            made = caunoi(pack_add(pack))  # --json, for its id
            pack_id = made.get("id", f"<id of pack {n}>")
            if made:
                print(f"added pack {pack_id}: {pack['title']}, sent to {', '.join(pack['to'])}")
        for unit in pack.get("acknowledged") or []:
            caunoi(pack_ack(pack_id, unit))
        for report in pack.get("reports") or []:
            caunoi(pack_report(pack_id, report))
    caunoi(["activities", "import", str(DATA / "earned.csv"), "--by", BY])
    for decided in read("coverage.yaml"):
        key = decided["activity"]
        proposed = {c["url"]: c for c in caunoi(["activities", "coverage", key, "--json"])}
        for url in decided.get("confirm") or []:
            if url not in proposed:
                if run is not nothing:
                    print(f"not proposed for {key}, not confirmed: {url}")
            elif proposed[url]["state"] != "confirmed":
                caunoi(confirm(key, proposed[url]["article_id"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run none")
    args = parser.parse_args()
    try:
        load(nothing if args.dry_run else new_process)
    except subprocess.CalledProcessError as exc:
        said = shown(exc.cmd[3:]).removeprefix("$ ")
        print(f"demo/outreach.py: `{said}` failed (exit code {exc.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
