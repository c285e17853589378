"""A lean event calendar: (time, order, action, argument), the earliest first and, at
equal times, in the order scheduled.

The hall runs on it instead of simpy: its visitors are state machines whose steps are
plain method calls, so an event costs one heap push and pop and one call, where simpy
spends an Event object, a generator resumption and its callbacks (docs/performance.md).
"""
from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from heapq import heappop, heappush
from typing import Any, Callable, Iterator


class EventLoop:
    __slots__ = ("now", "_heap", "_order", "_stopped")

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list = []
        self._order = 0  # ties run in the order scheduled
        self._stopped = False

    def at(self, t: float, action: Callable[[Any], None], arg: Any = None) -> None:
        """Call ``action(arg)`` at time ``t`` (not before now)."""
        self._order = order = self._order + 1
        heappush(self._heap, (t, order, action, arg))

    def stop(self) -> None:
        """Nothing left that matters: ``run`` returns after the event in hand."""
        self._stopped = True

    def run(self, until: float) -> None:
        """Run every event before ``until`` (one at ``until`` itself is left, as simpy does),
        or until ``stop``; the clock then reads ``until``."""
        heap = self._heap
        while heap and heap[0][0] < until and not self._stopped:
            t, _, action, arg = heappop(heap)
            self.now = t
            action(arg)
        self.now = until

    def close(self) -> None:
        """Forget the events not run: they hold the model's methods, a reference cycle
        that would keep the whole replication alive until the garbage collector came."""
        self._heap.clear()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic garbage collection inside: a replication allocates its visitors,
    tickets and records by the hundred thousand, nearly all alive to its end, and the
    collector would rescan them again and again (2.5x the engine's own time, measured);
    what the replication leaves as garbage is collected once afterwards, as usual."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def chosen_loop(engine: str, trace, compiled_available) -> str:
    """Which event loop a model runs a replication on: ``engine`` "python" or "compiled"
    (numba) as asked, or for "auto" the compiled one when ``compiled_available()`` and no
    trace is kept (a compiled loop keeps none), unless ``GOVSIM_ENGINE=python``."""
    if engine == "auto":
        engine = "python" if trace is not None or os.environ.get("GOVSIM_ENGINE") == "python" else "compiled"
        if engine == "compiled" and not compiled_available():
            engine = "python"
    if engine == "compiled" and trace is not None:
        raise ValueError("the compiled event loop keeps no trace: use engine='python'")
    return engine
