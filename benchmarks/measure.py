"""Server time and queries of one page or action, as Django's test client sees them.

Each figure is the median of ``runs`` calls after ``warmup`` calls; the queries are counted
on the first measured call. Comparisons run their contenders in turn, call by call, so a
neighbour's load on the shared machine falls on all of them alike. The cache is emptied
before every call: each page counts its menu's waiting tasks afresh (clearance.waiting), as
the first page after the kept counts expire does — the figures are the pages' dearest.
"""

import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import Client


@dataclass
class Figure:
    name: str
    median_ms: float
    p90_ms: float
    queries: int
    runs: int
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@contextmanager
def counting() -> Iterator[list[str]]:
    """Every statement sent to the database inside the block (BEGIN and COMMIT included)."""
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield executed


def timed(
    name: str,
    call: Callable[[int], Any],
    *,
    runs: int = 25,
    warmup: int = 3,
    note: str = "",
) -> Figure:
    """Time ``call(i)`` (i = 0, 1, …: an action may need a fresh task each time)."""
    for i in range(warmup):
        call(i)
    samples = []
    queries = 0
    for i in range(warmup, warmup + runs):
        cache.clear()
        with counting() as executed:
            start = time.perf_counter()
            call(i)
            samples.append(time.perf_counter() - start)
        if i == warmup:
            queries = len(executed)
    return _figure(name, samples, queries, note)


def interleaved(
    contenders: dict[str, Callable[[], Any]], *, runs: int = 25, warmup: int = 3
) -> dict[str, Figure]:
    """Time several ways of getting the same result, one call of each in turn."""
    for _ in range(warmup):
        for call in contenders.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    queries: dict[str, int] = {}
    for _ in range(runs):
        for name, call in contenders.items():
            cache.clear()
            with counting() as executed:
                start = time.perf_counter()
                call()
                samples[name].append(time.perf_counter() - start)
            queries.setdefault(name, len(executed))
    return {name: _figure(name, samples[name], queries[name], "") for name in contenders}


def _figure(name: str, samples: list[float], queries: int, note: str) -> Figure:
    ordered = sorted(samples)
    return Figure(
        name=name,
        median_ms=round(statistics.median(ordered) * 1000, 1),
        p90_ms=round(ordered[int(len(ordered) * 0.9) - 1] * 1000, 1),
        queries=queries,
        runs=len(samples),
        note=note,
    )


def page(client: Client, url: str) -> Callable[[int], Any]:
    def get(_: int) -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def streamed(client: Client, url: str) -> tuple[float, int, int]:
    """Download a streamed export: seconds, bytes, and the peak Python memory it took."""
    tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, url
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, size, peak
