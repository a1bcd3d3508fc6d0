"""The Ray runner: the per-article stages as Ray Data ``map_batches`` on a pool of actors.

The driver reads the inputs (``iter_raw``: files, feeds, URLs with their safety checks), ships them
as a dataset, and each actor (one CPU, models loaded once in its constructor) extracts, detects the
language, analyses and featurises a batch. Results stream back **in input order**
(``preserve_order``), so the pipeline stores and links exactly the batches the local runner would:
which of two duplicates is the original, the batch-wide entity-type vote and the sequential entity
linking all depend on that order, and the stored result is the same with either runner.

Fault tolerance is Ray's: a dead actor is restarted (``max_restarts``) and its unfinished batch is
resubmitted (``max_task_retries``); the per-article stages are pure, so a retried batch gives the
same records. A bad item never fails a batch: it comes back as a Failure.
"""
from __future__ import annotations

import logging
import os
import pickle
import warnings
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from ..config import Settings
from ..errors import MissingDependency, NewsweaveError
from ..models import Failure, RawItem
from .base import BatchWorker, Processed

BATCH_SIZE = 16  # items per Ray task: small enough to balance two actors, big enough for nlp.pipe
LOCAL_NUM_CPUS = 2  # a local cluster started by the runner (no address given)
MAX_RESTARTS = 3  # restarts of one actor before the job fails (a crash loop must not spin forever)
MAX_TASK_RETRIES = 3  # resubmissions of one batch whose actor died


def import_ray() -> Any:
    """The ray module, or MissingDependency naming the extra."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:
        raise MissingDependency("ray", "ray") from e
    return ray


class NewsweaveActor:
    """One Ray actor: loads the models once, then runs BatchWorker on each batch.

    ``crash_marker`` is for the fault test only: the first actor to create that file kills its
    own process at the end of its first batch (work done, nothing returned), once per job."""

    def __init__(self, enrich: bool = True, group: bool = True,
                 crash_marker: str | None = None) -> None:
        self.worker = BatchWorker(enrich=enrich, group=group).setup()
        self.crash_marker = crash_marker

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        items = [pickle.loads(b) for b in batch["item"]]
        out = self.worker.run(items)
        if self.crash_marker:
            self._crash_once()
        blobs = np.empty(len(out), dtype=object)
        blobs[:] = [pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL) for p in out]
        return {"seq": batch["seq"], "processed": blobs}

    def _crash_once(self) -> None:
        """Exit this process abruptly, its batch done but not returned: once per marker file."""
        try:
            with open(self.crash_marker, "x"):
                pass
        except FileExistsError:
            return
        os._exit(17)  # as the OOM killer would: no exception, no cleanup, the batch is lost


class RayRunner:
    """Runs the per-article stages on Ray; see the module docstring."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int = 2, *,
                 batch_size: int = BATCH_SIZE, crash_marker: str | None = None,
                 quiet: bool = True) -> None:
        self.address = address
        self.workers = max(1, workers)
        self.batch_size = max(1, batch_size)
        self.crash_marker = crash_marker
        self.quiet = quiet
        self._started = False

    def connect(self) -> Any:
        """Join the running cluster (address) or start a local one; reuse an initialised Ray."""
        ray = import_ray()
        if ray.is_initialized():
            return ray
        kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": not self.quiet}
        if self.quiet:
            kw["logging_level"] = logging.WARNING
        try:
            if self.address:
                ray.init(address=self.address, **kw)
            else:
                ray.init(num_cpus=max(LOCAL_NUM_CPUS, self.workers), **kw)
        except Exception as e:  # ray raises ConnectionError, RuntimeError, ValueError…
            where = f"at {self.address}" if self.address else "locally"
            raise NewsweaveError(f"cannot start Ray {where}: {type(e).__name__}: {e}") from e
        self._started = True
        return ray

    def process(self, items: Iterable[RawItem | Failure], settings: Settings
                ) -> Iterator[Processed]:
        """One Processed per item, in input order, computed by the actor pool."""
        ray = self.connect()
        rows = [{"seq": i, "item": pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)}
                for i, x in enumerate(items)]
        if not rows:
            return
        n_blocks = -(-len(rows) // self.batch_size)  # one block per batch: one retryable task
        ds = ray.data.from_items(rows, override_num_blocks=n_blocks)
        del rows
        ctx = ds.context
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = not self.quiet
        ctx.print_on_execution_start = not self.quiet
        ctx.enable_auto_log_stats = False
        # A worker that dies while loading its models is replaced, not fatal.
        ctx.max_consecutive_actor_init_deaths = MAX_RESTARTS
        with warnings.catch_warnings():
            # Ray 2.60 takes the actor fault-tolerance options only as free remote args, which it
            # marks deprecated (named parameters replace them in later releases).
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
            ds = ds.map_batches(
                NewsweaveActor,
                fn_constructor_kwargs={"enrich": settings.enrich, "group": settings.group,
                                       "crash_marker": self.crash_marker},
                batch_size=self.batch_size, batch_format="numpy",
                # An actor loads every model: never start more than there are batches.
                compute=ray.data.ActorPoolStrategy(size=min(self.workers, n_blocks)),
                num_cpus=1, max_restarts=MAX_RESTARTS, max_task_retries=MAX_TASK_RETRIES)
        try:
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                for blob in batch["processed"]:
                    p: Processed = pickle.loads(blob)
                    if p.article is not None:
                        # Stamped here, in input order, as the local runner does while it
                        # extracts: undated articles are placed by ingest time, so the order must
                        # not depend on which actor finished first.
                        p.article.ingested_at = datetime.now(timezone.utc)
                    yield p
        except ray.exceptions.RayError as e:
            # Retries exhausted (or the cluster went away): the batches already stored stay
            # stored, and running the same ingest again resumes after them.
            raise NewsweaveError(f"the Ray job failed: {type(e).__name__}: {e}") from e

    def close(self) -> None:
        """Shut down the local cluster if this runner started it."""
        if self._started:
            import ray

            ray.shutdown()
            self._started = False
