"""The only place that creates random generators.

Every decision point in a model draws from its own named stream, seeded from
``SeedSequence(seed, spawn_key=(rep, crc32(name)))``.  Adding a stream never shifts
another, and every policy sees the same draws in a replication (common random
numbers), because the seed depends on the replication and the stream's name only.

Common random numbers are enforced, not hoped for: a ``Streams`` hands out each name
once per replication and refuses a second request (two decisions sharing a stream
would make one's draws depend on the other's).  Name a stream after the attribute and
the stable identity it belongs to (``visitor:patience:<matter>``,
``employer:<name>:interview``), never after a position in a list a policy can change.
"""
from __future__ import annotations

import zlib
from typing import Iterator

import numpy as np

BLOCK = 4096  # draws per refill: large enough to amortise numpy's call cost


def stream(seed: int, rep: int, name: str) -> np.random.Generator:
    key = (int(rep), zlib.crc32(name.encode("utf-8")))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=key)))


class StreamReused(RuntimeError):
    """A stream name asked for twice in one replication: a model bug, never input's fault."""


class Streams:
    """Named streams for one replication; each name is handed out once."""

    def __init__(self, seed: int, rep: int):
        self.seed = int(seed)
        self.rep = int(rep)
        self.taken: set[str] = set()

    def get(self, name: str) -> np.random.Generator:
        if name in self.taken:
            raise StreamReused(f"stream {name!r} asked for twice in replication {self.rep}: "
                               "give each decision its own stream")
        self.taken.add(name)
        return stream(self.seed, self.rep, name)

    def again(self) -> "Streams":
        """The same replication's streams afresh, for a second run meant to see the same
        draws (e.g. the same applicants under a higher demand)."""
        return Streams(self.seed, self.rep)

    def uniforms(self, name: str) -> Iterator[float]:
        """An endless iterator of U(0,1) draws from the named stream."""
        gen = self.get(name)
        return blocks(lambda n: gen.random(n))


def blocks(draw_block) -> Iterator[float]:
    """Turn a vectorised ``draw_block(n)`` into an endless scalar iterator.

    Drawing one value at a time from numpy costs about a microsecond; drawing a
    block and iterating over a list costs a few tens of nanoseconds.  BLOCK is a
    constant so a run's draws never depend on how they were buffered.
    """
    while True:
        yield from draw_block(BLOCK).tolist()
