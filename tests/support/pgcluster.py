"""A private PostgreSQL cluster to restart under a running command: initdb into a temporary folder as
the postgres user (`runuser -u postgres --`), its own port and socket folder, stopped and removed
after. Never the machine's server, which others use.

`restart_under_ingest` is the scenario of tests/test_reliability.py and benchmarks/reliability.py: an
ingest running when the server is restarted (`pg_ctl restart -m fast` or `-m immediate`) either
rides through or stops with a one-line error (no traceback); run again, it completes the set: the
same articles, tags and stories as an uninterrupted ingest, nothing twice, `caunoi check` clean."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from support.kills import Store, checked, differences, facts

BIN = Path(os.environ.get("CAUNOI_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT = 60  # seconds for the server to start or restart


def unavailable() -> str | None:
    """Why a private cluster cannot be made here, or None."""
    if not (BIN / "initdb").exists():
        return f"no initdb in {BIN} (set CAUNOI_PG_BIN to PostgreSQL's bin folder)"
    if shutil.which("runuser") is None:
        return "no runuser: the private cluster runs as the postgres user"
    if os.geteuid() != 0:
        return "not root: runuser -u postgres needs it"
    return None


def _as_postgres(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, timeout=START_TIMEOUT
    )


@contextlib.contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A new cluster, started; stopped and its folder removed afterwards, whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="caunoi-pg-"))  # under /tmp: the postgres user must reach it
    shutil.chown(folder, "postgres")
    cluster = Cluster(folder)
    try:
        cluster.start()
        yield cluster
    finally:
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(cluster.data), "stop", "-m", "immediate", "-w")
        shutil.rmtree(folder, ignore_errors=True)


class Cluster:
    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    def url(self, schema: str) -> str:
        return (
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres?options=-csearch_path%3D{schema}"
        )

    def start(self) -> None:
        made = _as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed: {made.stderr[-1000:]}")
        self._ctl("start")

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        done = _as_postgres(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w",
            *args,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {done.stderr[-1000:]}")

    def restart(self, mode: str) -> None:
        self._ctl("restart", "-m", mode)

    def schema(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return self.url(name)


def _count(store: Store) -> int:
    """Articles stored so far; 0 while the server cannot be reached."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with store.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
    except DBAPIError:
        return 0


def restart_under_ingest(root: Path, corpus: Path, mode: str, batch: int, reruns: int = 3) -> dict[str, Any]:
    """An ingest of `corpus`, the server restarted (`mode`: fast or immediate) once a fifth of it is
    stored; then run again until it completes; compared with an uninterrupted ingest into another
    schema of the same cluster. What the first run said is its last line of stderr."""
    files = len(list(corpus.iterdir()))
    result: dict[str, Any] = {"mode": mode, "articles": 0, "reruns": 0, "problems": []}
    with private_cluster() as cluster:
        reference = Store(root / f"reference-{mode}", cluster.schema("reference"), batch)
        store = Store(root / f"restarted-{mode}", cluster.schema("restarted"), batch)
        try:
            with reference.service() as service:
                service.ingest([corpus])
            store.service().close()  # migrated
            errors = store.data_dir / "stderr.txt"
            with errors.open("wb") as err:
                proc = subprocess.Popen(
                    store.command("ingest", str(corpus)),
                    env=store.env(),
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                )
            deadline = time.monotonic() + 300
            while _count(store) < max(1, files // 5) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            result["stored_at_restart"] = _count(store)
            began = time.monotonic()
            cluster.restart(mode)
            result["restart_s"] = round(time.monotonic() - began, 2)
            code = proc.wait(timeout=600)
            said = errors.read_text(errors="replace").strip()
            result["first_run"] = "rode through" if code == 0 else f"exit {code}"
            result["said"] = " ".join(said.split())[-400:]  # its words, not its line breaks
            if "Traceback" in said:
                result["problems"].append("the first run ended with a traceback, not a one-line error")
            while code != 0 and result["reruns"] < reruns:
                result["reruns"] += 1
                code = subprocess.run(
                    store.command("ingest", str(corpus)), env=store.env(), capture_output=True, timeout=600
                ).returncode
            if code != 0:
                result["problems"].append(f"still failing after {reruns} re-runs")
            got = facts(store)
            result["articles"] = len(got["articles"])
            result["problems"] += differences(got, facts(reference)) + checked(store)
        finally:
            reference.close()
            store.close()
    return result
