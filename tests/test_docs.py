"""The docs in step with the code: docs/usage.md's settings table lists every setting as
caunoi/config.py declares it, and no setting that is gone (as datasette's tests/test_docs.py does
for its settings); the README's code tour names every package and module of caunoi/."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO

from caunoi.config import SETTINGS, Setting

USAGE = REPO / "docs" / "usage.md"
MiB = 1024 * 1024


def settings_section() -> str:
    """The "## Settings" section of docs/usage.md, up to the next section."""
    text = USAGE.read_text(encoding="utf-8")
    start = text.index("\n## Settings\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def shown(default: object) -> str:
    """A default as the table shows it: `~/…` for a folder under home, 20 MiB, 2,000,000, true."""
    if isinstance(default, Path):
        home = Path.home()
        return f"`~/{default.relative_to(home)}`" if default.is_relative_to(home) else f"`{default}`"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, int):
        return f"{default // MiB} MiB" if default >= MiB and default % MiB == 0 else f"{default:,}"
    if isinstance(default, float):
        return f"{default:g}"
    return f"`{default}`" if default else "(empty)"


def table_row(setting: Setting) -> str:
    return f"| `{setting.name}` | `{setting.env}` | {shown(setting.default)} | {setting.help} |"


def settings_table() -> str:
    rows = [table_row(s) for s in SETTINGS]
    return "\n".join(["| setting | variable | default | what it does |", "|---|---|---|---|", *rows])


def test_every_setting_is_in_docs_usage_and_no_other():
    documented = re.findall(r"^\| `(\w+)` \|", settings_section(), re.MULTILINE)
    declared = [s.name for s in SETTINGS]
    missing = [name for name in declared if name not in documented]
    gone = [name for name in documented if name not in declared]
    assert (missing, gone) == ([], []), (
        f"docs/usage.md's settings table lacks {', '.join(missing) or 'nothing'} and documents "
        f"{', '.join(gone) or 'nothing'} that caunoi/config.py no longer has"
    )


def test_the_settings_table_reads_as_declared():
    expected = settings_table()
    assert expected in settings_section(), (
        "the settings table in docs/usage.md differs from caunoi/config.py; it should read:\n\n" + expected
    )


def test_the_readme_code_tour_names_every_package_and_module():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = readme[readme.index("- Code: `caunoi/`") :]
    code = REPO / "caunoi"
    parts = [p.name + "/" for p in code.iterdir() if (p / "__init__.py").exists()]
    parts += [p.name for p in code.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    missing = sorted(part for part in parts if f"`{part}`" not in tour)
    assert not missing, f"README's code tour does not name: {missing}"
