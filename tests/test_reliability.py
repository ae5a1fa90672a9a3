"""kill -9 at a random moment of ingest, watch, enrich --all and stories --update, then run again: the
store is the one an uninterrupted run leaves (nothing lost, nothing twice, the same tags and stories)
and `caunoi check` finds it whole. One kill per stage and backend here, on a few articles; a hundred in
benchmarks/reliability.py (BENCHMARKS.md, "Reliability")."""

from __future__ import annotations

import contextlib

import pytest
from conftest import BACKENDS, backend_settings
from support.kills import Store, corpus, kill_and_resume, local_outlet, stages

from caunoi.service import Service

ARTICLES = 4  # files of the demo corpus; pages of the local outlet
BATCH = 2  # articles per transaction: several moments to die between


@pytest.mark.parametrize("stage", ["ingest", "watch", "enrich", "stories"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stage_killed_at_a_random_moment_resumes_to_the_same_store(backend, stage, tmp_path):
    with contextlib.ExitStack() as stack:
        settings = backend_settings(backend, tmp_path / "store", stack)
        Service(settings).close()  # migrated
        store = Store(settings.data_dir, settings.database_url, BATCH)
        stack.callback(store.close)
        outlet = stack.enter_context(local_outlet(ARTICLES, tmp_path / "site"))
        tally = kill_and_resume(
            store, stages(corpus(tmp_path / "corpus", ARTICLES), outlet)[stage], 1, seed=21
        )
    assert tally.kills == 1 and tally.runs >= 2
    assert tally.problems == []


@pytest.mark.postgres
def test_an_ingest_under_a_postgresql_restart_completes_the_set_when_run_again(tmp_path):
    """The server restarted (`pg_ctl restart -m immediate`, a private cluster; -m fast too in
    benchmarks/reliability.py) while an ingest writes: the ingest rides through or stops with a
    one-line error that says to run it again (before: a traceback); run again, it stores the rest,
    nothing twice, and the store is whole."""
    from support.pgcluster import restart_under_ingest, unavailable

    if why := unavailable():
        pytest.skip(why)
    result = restart_under_ingest(tmp_path, corpus(tmp_path / "corpus", 12), "immediate", BATCH)
    assert result["problems"] == []
    assert result["articles"] == 12 and result["stored_at_restart"] < 12
    if result["first_run"] != "rode through":
        assert result["first_run"] == "exit 2"
        assert result["said"].startswith("error: the database failed in the middle of the command")
        assert "run the same command again" in result["said"]
