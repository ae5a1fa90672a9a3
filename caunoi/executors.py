"""Executors: run a picklable function over batches, in this process or in a pool of processes.

An executor knows nothing of articles: it maps `fn` over an iterable of batches and gives the
results back in input order, with a bounded number of batches in flight, so a long ingest holds
a few batches in memory, not the whole corpus. What a batch is, and what runs on it, is the
caller's business: ingest and the watcher hand it `pipeline.run_stages` over Docs, enrichment
hands it `enrich_row` over stored rows (through `each`). It never imports a domain module,
never touches the store, and never imports ray.

- `InProcess` (`workers` = 0, the default): one batch after another in this process; no
  process is ever started.
- `ProcessPool` (`workers` = N > 0): N worker processes, always *spawned*, never forked (Linux's
  default), on every platform and for every caller. The watcher needs it (by the time it wants a
  pool, its process has an event loop and threads whose locks a fork would copy mid-flight) and
  enrichment wants it (its models load once in each fresh worker); one start method means one
  behaviour to test. The price is start-up: a spawned worker re-imports what `fn` needs, and the
  parent's main module (for `caunoi`, the CLI: about 1.5 s of CPU per worker), once per pool. So
  the pool starts lazily, on the first batch, and one pool can serve several steps (ingest runs
  its stages and then enrichment in the same workers).
- `RayExecutor` (`executor` = "ray", the `[ray]` extra; caunoi.ray_executor): a pool of Ray
  actors, local or on a cluster (`ray_address`). It subclasses `Executor` and supplies `submit`
  (an actor call's concurrent.futures Future, like the pool's), `in_flight`, `shares` and `close`;
  `map`, `map_shares` and the context manager come with the base class. `make_executor` is the one
  place that chooses it, importing its module only then, so ray stays an optional install.

A worker never outlives its parent: a parent killed with SIGKILL (or OOM-killed) cannot shut its pool
down, and its workers would wait for batches forever, each holding its memory and the loaded models
(and keeping multiprocessing's resource tracker alive with them). So each worker watches its parent
pid from a daemon thread and ends itself within PARENT_POLL seconds of the parent going; a watchdog
rather than Linux's PR_SET_PDEATHSIG, which fires when the *thread* that started the worker ends, and
the watcher submits from threads that come and go.

Numbers: a pool keeps 2 batches per worker in flight (one running, one queued, so a worker never
waits for the parent to hand it the next), and `map_shares` cuts a list into 4 shares per worker,
so one slow share (a very long article) does not leave the other workers idle.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from caunoi.config import Settings

B = TypeVar("B")  # a batch
T = TypeVar("T")  # an item of a batch
R = TypeVar("R")  # what `fn` returns

PARENT_POLL = 0.25  # seconds between a worker's looks at whether its parent is still there


class Executor:
    """Runs `fn(batch)` somewhere; subclasses say where (`submit`) and how many at once."""

    in_flight: int = 1  # batches submitted and not yet given back, at most
    shares: int = 1  # how many pieces `map_shares` cuts a list into

    def submit(self, fn: Callable[[B], R], batch: B) -> Future[R]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers; safe to call twice. A later `map` starts them again."""

    def map(self, fn: Callable[[B], R], batches: Iterable[B]) -> Iterator[R]:
        """`fn` over each batch, results in input order; `batches` is read only as far as the
        number in flight allows. A batch's exception is raised here, at its turn."""
        pending: deque[Future[R]] = deque()
        try:
            for batch in batches:
                pending.append(self.submit(fn, batch))
                if len(pending) >= self.in_flight:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # the caller stopped early or a batch failed: what has not started never will
            for future in pending:
                future.cancel()

    def map_shares(self, fn: Callable[[list[T]], list[R]], items: Sequence[T]) -> list[R]:
        """`fn` (a list to a list of the same length) over `items` cut into `shares` contiguous
        pieces, the pieces' results joined back into one list in input order."""
        if not items:  # nothing to cut, and no workers to start for it
            return []
        size = -(-len(items) // self.shares)  # ceiling: at most `shares` pieces
        pieces = (list(items[i : i + size]) for i in range(0, len(items), size or 1))
        return [result for piece in self.map(fn, pieces) for result in piece]

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcess(Executor):
    """Each batch run in this process, when `map` reaches it (`workers` = 0)."""

    def submit(self, fn: Callable[[B], R], batch: B) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(batch))
        except Exception as exc:  # raised again by `result()`, at the batch's turn, as in a pool
            future.set_exception(exc)
        return future


class ProcessPool(Executor):
    """`workers` spawned processes, started on the first batch submitted."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError(f"a process pool needs at least one worker, not {workers}")
        self.workers = workers
        self.in_flight = 2 * workers
        self.shares = 4 * workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # the watcher submits from worker threads

    def submit(self, fn: Callable[[B], R], batch: B) -> Future[R]:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=context, initializer=_watch_parent, initargs=(os.getpid(),)
                )
            pool = self._pool
        return pool.submit(fn, batch)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _watch_parent(parent: int) -> None:
    """In a worker, first thing: end this process as soon as `parent` is no longer its parent (the
    parent died and the worker was handed to init or a subreaper)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)  # no clean-up to wait for: the batch's result has nobody to go to

    threading.Thread(target=watch, name="caunoi-parent-watch", daemon=True).start()


def make_executor(settings: Settings) -> Executor:
    """The executor `settings` ask for: `executor` = "ray" Ray actors (refused with
    `executor_ray_missing` when ray is not installed); "process-pool" a pool of `workers` (of every
    core when 0); "in-process" this process, unless `workers` > 0, which has always meant a pool."""
    if settings.executor == "ray":
        from caunoi.ray_executor import RayExecutor  # here, not above: ray is an optional install

        return RayExecutor(settings)
    if settings.executor == "process-pool" or settings.workers > 0:
        return ProcessPool(settings.workers or os.cpu_count() or 1)
    return InProcess()


def each(fn: Callable[[T], R]) -> Callable[[list[T]], list[R]]:
    """A batch function from a per-item one, picklable when `fn` is (a module-level function)."""
    return functools.partial(_each, fn)


def _each(fn: Callable[[T], R], batch: list[T]) -> list[R]:
    return [fn(item) for item in batch]
