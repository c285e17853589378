"""govsim.rng: one stream per name and replication, handed out once; the same name
gives the same draws whatever else is drawn (common random numbers by construction)."""
from __future__ import annotations

import numpy as np
import pytest

from govsim.rng import BLOCK, StreamReused, Streams, blocks, stream


def draws(gen, n=8):
    return gen.random(n).tolist()


def test_a_name_is_handed_out_once_per_replication():
    streams = Streams(7, 0)
    streams.get("visitor:patience:licence")
    with pytest.raises(StreamReused, match="'visitor:patience:licence' asked for twice in replication 0"):
        streams.get("visitor:patience:licence")
    with pytest.raises(StreamReused):
        streams.uniforms("visitor:patience:licence")  # the iterator takes the name too
    streams.uniforms("visitor:patience:permit")
    with pytest.raises(StreamReused):
        streams.get("visitor:patience:permit")


def test_again_gives_the_same_replication_afresh():
    first = Streams(7, 3)
    a = draws(first.get("arrivals"))
    second = first.again()
    assert (second.seed, second.rep) == (7, 3) and second is not first
    assert draws(second.get("arrivals")) == a  # the name is free again, with the same draws
    with pytest.raises(StreamReused):
        first.get("arrivals")  # the first one still remembers


def test_same_name_same_draws_whatever_else_is_drawn_and_in_any_order():
    one, two = Streams(11, 2), Streams(11, 2)
    a1 = draws(one.get("a"), 1000)
    b1 = draws(one.get("b"))
    extra = two.get("an extra decision only this policy makes")
    extra.random(12345)
    b2 = draws(two.get("b"))
    a2 = draws(two.get("a"), 1000)
    assert a1 == a2 and b1 == b2
    assert draws(stream(11, 2, "a"), 1000) == a1  # the module function is the same stream


def test_different_names_replications_and_seeds_differ():
    base = draws(stream(5, 0, "x"))
    others = [draws(stream(5, 0, "y")), draws(stream(5, 1, "x")), draws(stream(6, 0, "x"))]
    for other in others:
        assert other != base
    assert len({tuple(o) for o in others}) == 3


def test_uniforms_and_blocks_do_not_depend_on_buffering():
    """BLOCK at a time from the iterator is the same sequence as one long draw."""
    it = Streams(3, 0).uniforms("u")
    got = [next(it) for _ in range(2 * BLOCK + 5)]
    assert got == stream(3, 0, "u").random(2 * BLOCK + 5).tolist()
    gen = np.random.default_rng(1)
    sizes = []
    it = blocks(lambda n: sizes.append(n) or gen.random(n))
    [next(it) for _ in range(BLOCK + 1)]
    assert sizes == [BLOCK, BLOCK]
