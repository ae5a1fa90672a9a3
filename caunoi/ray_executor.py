"""The Ray executor (`executor = "ray"`, the `[ray]` extra): batches run in a pool of Ray actors.

Imported only by `caunoi.executors.make_executor`, so ray stays an optional install: without it,
asking for this executor is refused with `executor_ray_missing`, and nothing else changes.

Each actor is one long-lived worker process holding one CPU: the stage functions' module-level
caches (the segmenter, the classifier, the gazetteer) fill once in it and serve every batch it is
handed after, as in a process pool's worker. A batch goes to the actor with the fewest batches
outstanding, so a slow one (a very long article) does not hold up the others; results come back in
input order through the base class's `map`. The driver, this process, reads the rows from the store
and writes the results back: workers never touch the store, so a SQLite store need only be
reachable from the driver.

Why actors and not `ray.data`: the work is already a map over pages of rows that the driver reads
from the store and writes back in order, which is what `Executor.map` does; ray.data would add its
own streaming scheduler and Arrow blocks (the `ray[data]` extra pulls pandas and pyarrow) to carry
rows that come from, and go back to, one driver.

`ray_address` empty: a local Ray is started in this process's tree, with `workers` CPUs (all of them
when 0), the object store capped at `ray_object_store_mb`, no dashboard; it is shut down on `close`.
`auto` or `ray://head:10001`: the cluster there, one actor per CPU it has (or `workers`). When Ray is
already initialised in this process (a test, a notebook), it is used as it is and left running.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from caunoi.config import Settings
from caunoi.errors import Unavailable
from caunoi.executors import B, Executor, R


class _Worker:
    """One Ray actor: runs whatever batch function it is handed, in its own long-lived process."""

    def run(self, fn: Callable[[B], R], batch: B) -> R:
        return fn(batch)

    def pid(self) -> int:
        return os.getpid()


class RayExecutor(Executor):
    """Batches on Ray actors; Ray (and the actors) start on the first batch, not before."""

    def __init__(self, settings: Settings):
        try:
            import ray  # noqa: F401 (only to refuse early, with a clear reason)
        except ImportError:
            raise Unavailable(
                "executor_ray_missing",
                "executor 'ray' needs Ray: pip install 'caunoi[ray]' (or set CAUNOI_EXECUTOR=in-process)",
            ) from None
        self.address = settings.ray_address
        self.workers = settings.workers
        self.object_store_bytes = settings.ray_object_store_mb * 1024 * 1024
        self._actors: list[Any] = []
        self._load: list[int] = []  # batches outstanding on each actor
        self._started_ray = False
        self._lock = threading.Lock()  # the watcher submits from worker threads

    @property
    def size(self) -> int:
        """How many actors: `workers`, else the CPUs Ray has (starting Ray to ask it)."""
        self._start()
        return len(self._actors)

    @property
    def in_flight(self) -> int:  # type: ignore[override]
        return 2 * self.size

    @property
    def shares(self) -> int:  # type: ignore[override]
        return 4 * self.size

    def _start(self) -> None:
        import ray

        with self._lock:
            if self._actors:
                return
            if not ray.is_initialized():
                if self.address:
                    ray.init(address=self.address, logging_level="WARNING", log_to_driver=False)
                else:
                    ray.init(
                        num_cpus=self.workers or os.cpu_count() or 1,
                        object_store_memory=self.object_store_bytes,
                        include_dashboard=False,
                        logging_level="WARNING",
                        log_to_driver=False,
                    )
                self._started_ray = True
            count = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
            actor = ray.remote(num_cpus=1)(_Worker)
            self._actors = [actor.remote() for _ in range(count)]
            self._load = [0] * count

    def submit(self, fn: Callable[[B], R], batch: B) -> Future[R]:
        self._start()
        with self._lock:
            i = min(range(len(self._actors)), key=self._load.__getitem__)
            self._load[i] += 1
            actor = self._actors[i]
        outer: Future[R] = Future()
        actor.run.remote(fn, batch).future().add_done_callback(lambda inner: self._done(i, inner, outer))
        return outer

    def _done(self, i: int, inner: Future, outer: Future) -> None:
        """An actor's batch came back: its actor is free for one more, and the caller gets the result,
        or the batch's own exception (not Ray's wrapper of it), as from the other executors."""
        from ray.exceptions import RayTaskError

        with self._lock:
            if i < len(self._load):
                self._load[i] -= 1
        if not outer.set_running_or_notify_cancel():
            return  # the caller stopped waiting for it
        exc = inner.exception()
        if exc is None:
            outer.set_result(inner.result())
        else:
            cause = exc.cause if isinstance(exc, RayTaskError) and exc.cause is not None else exc
            outer.set_exception(cause)

    def worker_pids(self) -> list[int]:
        """The actors' process ids (one each): what a test checks the models loaded once in."""
        import ray

        self._start()
        return ray.get([a.pid.remote() for a in self._actors])

    def close(self) -> None:
        import ray

        with self._lock:
            actors, self._actors, self._load = self._actors, [], []
            started, self._started_ray = self._started_ray, False
        for actor in actors:
            ray.kill(actor)
        if started:
            ray.shutdown()
