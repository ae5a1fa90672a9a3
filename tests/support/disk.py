"""A small real volume (a tmpfs) to fill a store's disk with, and what a store on it holds: for the
full-disk test and benchmark. Mounting needs root; where it is refused, VolumeRefused says why."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any


class VolumeRefused(RuntimeError):
    """This machine does not let us mount a small volume (not root, no mount, a sandbox)."""


class SmallVolume:
    """`with SmallVolume(folder, "2m") as where:` a tmpfs of that size at `folder`; `grow("64m")`
    frees space (a remount, the files kept); unmounted on leaving."""

    def __init__(self, folder: Path, size: str) -> None:
        self.folder, self.size = folder, size

    def __enter__(self) -> Path:
        if shutil.which("mount") is None:
            raise VolumeRefused("no mount command")
        self.folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", str(self.folder)],
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            raise VolumeRefused(proc.stderr.strip() or f"mount exited with {proc.returncode}")
        return self.folder

    def grow(self, size: str = "64m") -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.folder)], check=True)

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["umount", "-l", str(self.folder)], check=False)


def store_state(folder: Path) -> dict[str, Any]:
    """What the SQLite store in `folder` holds, and whether it is whole: integrity_check, articles
    without their full-text row or their origin, enrichments, pages by state, raw pages kept."""
    with sqlite3.connect(folder / "caunoi.db") as db:

        def one(sql: str) -> Any:
            return db.execute(sql).fetchone()[0]

        return {
            "integrity": one("PRAGMA integrity_check"),
            "articles": one("SELECT count(*) FROM articles"),
            "origins": one("SELECT count(DISTINCT origin) FROM origins"),
            "without_fts": one(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                " (SELECT 1 FROM article_fts_docsize d WHERE d.id = a.id)"
            ),
            "without_origin": one(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                " (SELECT 1 FROM origins o WHERE o.article_id = a.id)"
            ),
            "enriched": one("SELECT count(*) FROM enrichments"),
            "pages": dict(db.execute("SELECT state, count(*) FROM pages GROUP BY state").fetchall()),
            "raw": one("SELECT count(*) FROM raw_pages"),
        }
