"""Render counts and timings, per prompt. No analytics: numbers stay in the process.

>>> ticks = iter([0.0, 0.002, 1.0, 1.004])
>>> metrics = RenderMetrics(clock=lambda: next(ticks))
>>> with metrics.timed("greet"):
...     pass
>>> with metrics.timed("greet"):
...     pass
>>> stats = metrics.get("greet")
>>> stats.count, round(stats.total_seconds, 3), round(stats.mean_seconds, 3)
(2, 0.006, 0.003)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["RenderMetrics", "RenderStats"]


@dataclass(frozen=True, slots=True)
class RenderStats:
    """How often one prompt was rendered and how long that took."""

    count: int = 0
    total_seconds: float = 0.0
    max_seconds: float = 0.0
    errors: int = 0

    @property
    def mean_seconds(self) -> float:
        """Average time of a render (0 before the first)."""
        return self.total_seconds / self.count if self.count else 0.0


class RenderMetrics:
    """Thread-safe counters of renders per prompt id."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._stats: dict[str, RenderStats] = {}

    def record(self, prompt_id: str, seconds: float, *, error: bool = False) -> None:
        """Count one render of ``prompt_id`` that took ``seconds``."""
        with self._lock:
            old = self._stats.get(prompt_id, RenderStats())
            self._stats[prompt_id] = RenderStats(
                count=old.count + (0 if error else 1),
                total_seconds=old.total_seconds + (0.0 if error else seconds),
                max_seconds=old.max_seconds if error else max(old.max_seconds, seconds),
                errors=old.errors + (1 if error else 0),
            )

    @contextmanager
    def timed(self, prompt_id: str) -> Iterator[None]:
        """Time the block and record it; a block that raises counts as an error."""
        start = self._clock()
        try:
            yield
        except BaseException:
            self.record(prompt_id, self._clock() - start, error=True)
            raise
        self.record(prompt_id, self._clock() - start)

    def get(self, prompt_id: str) -> RenderStats:
        """The stats of one prompt (zeros when never rendered)."""
        with self._lock:
            return self._stats.get(prompt_id, RenderStats())

    def snapshot(self) -> dict[str, RenderStats]:
        """A copy of every prompt's stats."""
        with self._lock:
            return dict(self._stats)

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._stats.clear()
