"""Pool: the worker processes both phases use (converting feed items, reading posts).

One rule for how many: FEED_ARCHIVE_WORKERS, 0 meaning one per core this process may use; a
pool is only worth it for FEED_ARCHIVE_PARALLEL_MIN items or more. Workers are forked, so
they start with what the parent holds (settings, readers) and send back plain results.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


def worker_count(wanted: int) -> int:
    """Processes to use: `wanted`, or one per core available to this process when 0."""
    if wanted > 0:
        return wanted
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def parallel_map(
    function: Callable[[Item], Result], items: Sequence[Item], wanted: int, least: int
) -> list[Result]:
    """`[function(item) for item in items]`, on worker processes when there are enough items."""
    count = min(worker_count(wanted), len(items))
    if count < 2 or len(items) < least or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    chunk = max(1, len(items) // (count * 4))
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            return list(pool.map(function, items, chunksize=chunk))
    except (OSError, RuntimeError) as exc:  # no processes here: the same work, in this one
        logger.warning("feed_archive: worker processes unavailable (%s)", exc)
        return [function(item) for item in items]
