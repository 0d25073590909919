from __future__ import annotations

import threading

import pytest

from prompt_manager import RenderMetrics, RenderStats


def test_counts_times_and_errors() -> None:
    ticks = iter([0.0, 0.5, 1.0, 1.25, 2.0, 2.1])
    metrics = RenderMetrics(clock=lambda: next(ticks))
    with metrics.timed("a"):
        pass
    with metrics.timed("a"):
        pass
    with pytest.raises(ValueError, match="x"), metrics.timed("a"):
        raise ValueError("x")
    stats = metrics.get("a")
    assert stats == RenderStats(count=2, total_seconds=0.75, max_seconds=0.5, errors=1)
    assert stats.mean_seconds == 0.375
    assert RenderStats().mean_seconds == 0.0
    assert metrics.snapshot() == {"a": stats}
    metrics.reset()
    assert metrics.snapshot() == {}


def test_thread_safe() -> None:
    metrics = RenderMetrics()

    def work() -> None:
        for _ in range(500):
            metrics.record("p", 0.001)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert metrics.get("p").count == 4000
