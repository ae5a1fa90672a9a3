"""caunoi.executors: the same ordered results in this process and in a pool, errors that reach
the caller, a bounded number of batches in flight, a pool that starts late and closes twice, and
workers that end when the process that started them is killed."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import subprocess
import sys
import time

import pytest
from conftest import DEMO
from support.processes import in_session, survivors

from caunoi.config import Settings
from caunoi.executors import InProcess, ProcessPool, each, make_executor


def slow_squares(batch: list[int]) -> list[int]:
    """Later batches finish first (the first sleeps longest), so order is the executor's doing."""
    time.sleep(0.05 * max(0, 4 - batch[0]))
    return [n * n for n in batch]


def refuse_seven(batch: list[int]) -> list[int]:
    if 7 in batch:
        raise ValueError("seven is not allowed")
    return batch


def negate(n: int) -> int:
    return -n


@pytest.fixture(scope="module")
def pool():
    with ProcessPool(2) as executor:
        yield executor


def test_in_process_and_a_two_worker_pool_give_the_same_ordered_results(pool):
    batches = [[i, i + 10] for i in range(8)]
    expected = [[i * i, (i + 10) ** 2] for i in range(8)]
    assert list(InProcess().map(slow_squares, batches)) == expected
    assert list(pool.map(slow_squares, batches)) == expected
    numbers = list(range(23))
    assert InProcess().map_shares(each(negate), numbers) == pool.map_shares(each(negate), numbers)
    assert pool.map_shares(each(negate), numbers) == [-n for n in numbers]
    assert pool.map_shares(each(negate), []) == []


@pytest.mark.parametrize("kind", ["in-process", "pool"])
def test_a_batch_error_reaches_the_caller_after_the_results_before_it(kind, pool):
    executor = InProcess() if kind == "in-process" else pool
    got = []
    with pytest.raises(ValueError, match="seven is not allowed"):
        for result in executor.map(refuse_seven, [[1, 2], [3, 4], [5, 6], [7, 8], [9]]):
            got.append(result)
    assert got == [[1, 2], [3, 4], [5, 6]]
    assert list(executor.map(refuse_seven, [[1]])) == [[1]]  # the executor is still usable


@pytest.mark.parametrize("kind", ["in-process", "pool"])
def test_batches_are_read_only_as_far_as_the_number_in_flight(kind, pool):
    executor = InProcess() if kind == "in-process" else pool
    read = []

    def batches():
        for i in range(20):
            read.append(i)
            yield [i]

    results = executor.map(slow_squares, batches())
    assert next(results) == [0]
    assert len(read) == executor.in_flight == (1 if kind == "in-process" else 4)
    assert list(results) == [[i * i] for i in range(1, 20)]


def test_a_pool_starts_its_processes_with_the_first_batch_and_closes_twice():
    before = set(multiprocessing.active_children())
    executor = ProcessPool(1)
    assert set(multiprocessing.active_children()) == before
    with executor:
        assert list(executor.map(slow_squares, [[5]])) == [[25]]
        assert set(multiprocessing.active_children()) > before
    assert set(multiprocessing.active_children()) == before
    executor.close()
    InProcess().close()
    InProcess().close()


def test_workers_zero_runs_in_this_process_and_n_a_pool_of_n(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert isinstance(make_executor(settings), InProcess)
    executor = make_executor(dataclasses.replace(settings, workers=3))
    assert isinstance(executor, ProcessPool) and executor.workers == 3
    with pytest.raises(ValueError):
        ProcessPool(0)


def test_an_ingest_killed_with_sigkill_leaves_none_of_its_two_workers_behind(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAUNOI_")}
    env.update(CAUNOI_DATA=str(tmp_path), CAUNOI_WORKERS="2", CAUNOI_BATCH_SIZE="5")
    ingest = subprocess.Popen(
        [sys.executable, "-m", "caunoi", "ingest", str(DEMO / "vi-news-unc" / "docs")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers stay in its session after it dies
    )
    try:
        deadline = time.monotonic() + 60
        while len(in_session(ingest.pid)) < 4:  # the ingest, the resource tracker and two workers
            assert ingest.poll() is None and time.monotonic() < deadline, "the pool never started"
            time.sleep(0.05)
    finally:
        ingest.kill()
        ingest.wait()
    assert survivors(ingest.pid, wait_s=5) == []
