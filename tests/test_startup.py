"""A short command pays only for what it uses: `caunoi --help` and `caunoi search` load no NLP or ML
library, no web stack and no migration tool. (How long they take is measured in
benchmarks/startup.py, not here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from caunoi.config import Settings
from caunoi.service import Service

HEAVY = {
    "sklearn", "scipy", "numpy", "underthesea", "trafilatura", "lxml", "datasketch", "py3langid", "torch",
    "fastapi", "uvicorn", "httpx", "alembic", "jinja2", "openpyxl", "feedparser", "warcio", "yaml",
}  # fmt: skip
_RUN = (
    "import json, runpy, sys\n"
    "sys.argv = ['caunoi', *json.loads(sys.argv[1])]\n"
    "try:\n    runpy.run_module('caunoi', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "sys.stderr.write('\\nMODULES ' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
)


def loaded_by(args: list[str], data_dir) -> tuple[set[str], str]:
    """The top-level modules `caunoi ARGS` has loaded when it is done, in a fresh process, and what
    it printed."""
    env = {**os.environ, "CAUNOI_DATA": str(data_dir), "COLUMNS": "100"}
    env.pop("CAUNOI_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(args)], env=env, capture_output=True, text=True, cwd=data_dir
    )
    return set(json.loads(proc.stderr.rsplit("MODULES ", 1)[1])), proc.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--help"], "Full-text search"), (["search", "doi ngoai", "--limit", "5"], "No articles match.")],
    ids=["help", "search"],
)
def test_a_short_command_loads_no_heavy_library(args, says, tmp_path):
    Service(Settings(data_dir=tmp_path)).close()  # a store at the newest migration, as after `make demo`
    loaded, printed = loaded_by(args, tmp_path)
    assert says in printed  # the command ran
    assert not loaded & HEAVY, f"caunoi {' '.join(args)} loads {sorted(loaded & HEAVY)}"
