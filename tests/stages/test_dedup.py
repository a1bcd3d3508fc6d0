"""Dedup stage: wire copies point to the earliest original; independent reports are not copies."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from newsweave.stages.dedup import CopyDetector

T0 = datetime(2023, 4, 16, 9, 0, tzinfo=timezone.utc)
WIRE = (
    "The river burst its banks early on Tuesday, flooding the lower town and forcing about two hundred "
    "families to leave their homes, the regional emergency office said. Rescue teams used boats to reach "
    "residents trapped on upper floors, and the mayor asked people to stay away from the bridges until "
    "engineers had checked them. Forecasters expect more rain over the next two days, and the office said "
    "schools in the valley would stay closed until Friday while the water level is monitored."
)
COPY = "Lower town flooded | Valley Times\n" + WIRE.replace("said.", "said on Tuesday.") + " Reporting by staff."
OTHER = (
    "Residents of the lower town spent the night in the sports hall after the water came in. "
    "'We lost everything on the ground floor,' said one shopkeeper, who asked not to be named. "
    "The council has opened an emergency fund and volunteers are collecting blankets and food."
)


def test_copy_points_to_earliest_original() -> None:
    d = CopyDetector().setup()
    assert d.add("a", WIRE, T0) is None
    assert d.add("b", COPY, T0 + timedelta(hours=2)) == "a"
    assert d.add("c", OTHER, T0 + timedelta(hours=3)) is None
    assert d.copies() == {"b": "a"}


def test_exact_duplicate_and_same_id_again() -> None:
    d = CopyDetector()
    assert d.add("a", WIRE, T0) is None
    assert d.add("b", WIRE, T0) == "a"  # same time: tie broken by id
    assert d.add("b", WIRE, T0) == "a"  # re-adding is idempotent


def test_late_arriving_earlier_original_takes_over() -> None:
    d = CopyDetector()
    assert d.add("late", COPY, T0 + timedelta(hours=5)) is None
    assert d.add("copy2", WIRE, T0 + timedelta(hours=6)) == "late"
    assert d.add("first", WIRE, T0) is None
    assert d.copies() == {"copy2": "first", "late": "first"}


def test_undated_and_short_texts_do_not_crash() -> None:
    d = CopyDetector()
    assert d.add("u1", WIRE, None) is None
    assert d.add("dated", COPY, T0) is None  # the dated one becomes the original
    assert d.original_of("u1") == "dated"
    assert d.add("s", "Breaking news", T0) is None
    assert d.add("e", "", None) is None


def test_rebuild_gives_same_groups_in_any_order() -> None:
    items = [("b", COPY, T0 + timedelta(hours=2), None), ("c", OTHER, T0, None), ("a", WIRE, T0, None)]
    assert CopyDetector.rebuild(items).copies() == CopyDetector.rebuild(items[::-1]).copies() == {"b": "a"}


def test_stored_signatures_stand_for_the_texts() -> None:
    # Signatures computed with the features (and stored) give what hashing the texts gives,
    # and the text is then not read at all; a too-short text has an empty signature.
    from newsweave.stages.dedup import NUM_PERM, signature

    items = [("b", COPY, T0 + timedelta(hours=2)), ("c", OTHER, T0), ("a", WIRE, T0)]
    sigs = {aid: signature(text) for aid, text, _ in items}
    assert all(len(v) == NUM_PERM and v.dtype == "uint32" for v in sigs.values())
    assert len(signature("Breaking news")) == 0
    signed = CopyDetector.rebuild((aid, "", when, sigs[aid]) for aid, _, when in items)
    assert signed.copies() == {"b": "a"}
    d = CopyDetector()
    assert d.add("a", "", T0, sigs["a"]) is None
    assert d.add("b", COPY, T0 + timedelta(hours=1), np.zeros(7, np.uint32)) == "a"  # wrong size: hashed
    assert d.add("s", "", T0, signature("Breaking news")) is None and d.original_of("s") == "s"


def test_restore_takes_the_known_copies_and_goes_on_like_a_rebuild() -> None:
    items = [("a", WIRE, T0, None), ("c", OTHER, T0, None), ("b", COPY, T0 + timedelta(hours=2), None)]
    rebuilt = CopyDetector.rebuild(items)
    restored = CopyDetector.restore(items, rebuilt.copies())
    assert restored.copies() == rebuilt.copies() == {"b": "a"}
    # Later articles meet the same index and the same groups.
    for d in (rebuilt, restored):
        assert d.add("d", COPY, T0 + timedelta(hours=3)) == "a"
        assert d.add("e", WIRE, T0 - timedelta(hours=1)) is None  # earlier: takes the group over
        assert d.copies() == {"a": "e", "b": "e", "d": "e"}
        assert d.add("f", "A different story entirely about weather in Lisbon and rain.", T0) is None
    # Copies no detector could have found are refused.
    for bad in ({"b": "gone"}, {"b": "a", "c": "b"}):
        with pytest.raises(ValueError):
            CopyDetector.restore(items, bad)
    with pytest.raises(ValueError):  # the original's text is too short to compare
        CopyDetector.restore([("a", "Breaking news", T0, None), *items[1:]], {"b": "a"})


@pytest.mark.parametrize("merge_min,collide", [(1024, False), (4, False), (4, True)])
def test_band_index_finds_what_datasketch_lsh_finds(monkeypatch, merge_min: int,
                                                      collide: bool) -> None:
    # The hand-kept banded index against datasketch's MinHashLSH with the same threshold and
    # permutations: the same candidates for every query, over random signatures with planted
    # near-copies (some bands equal, some not), whether indexed one by one or many at once,
    # with signatures waiting to be sorted in or sorted in often (merge_min 4), and when every
    # band hash collides (each hit must then be checked against the band's values).
    from datasketch import MinHash, MinHashLSH

    from newsweave.stages.dedup import NUM_PERM, THRESHOLD, _Bands, _permutations

    perms, scheme = _permutations(NUM_PERM)

    def minhash(s: np.ndarray) -> MinHash:
        return MinHash(num_perm=NUM_PERM, hashvalues=s.astype(np.uint64), permutations=perms,
                       scheme=scheme)

    rng = np.random.default_rng(7)
    base = rng.integers(0, 2**32, size=(40, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    sigs = [base[i % 40].copy() for i in range(200)]
    for s in sigs[40:]:  # near-copies: a random share of their values redrawn
        redraw = rng.random(NUM_PERM) < rng.uniform(0.02, 0.6)
        s[redraw] = rng.integers(0, 2**32, size=int(redraw.sum()), dtype=np.uint64)
    ids = [f"a{i}" for i in range(len(sigs))]
    monkeypatch.setattr(_Bands, "MERGE_MIN", merge_min)
    ref = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    one, many = _Bands(THRESHOLD, NUM_PERM), _Bands(THRESHOLD, NUM_PERM)
    if collide:
        one._mix[:] = many._mix[:] = 0
    many.insert_many(ids[:100], np.stack(sigs[:100]))
    many.insert_many(ids[100:150], np.stack(sigs[100:150]))
    for aid, s in zip(ids[:150], sigs[:150]):
        ref.insert(aid, minhash(s))
        one.insert_many([aid], s[None, :])
    assert (one.b, one.r) == (ref.b, ref.r)
    found = 0
    for s in sigs:
        want = set(ref.query(minhash(s)))
        assert one.query(s) == many.query(s) == want
        found += len(want)
    assert found > 200  # the queries do find near-copies, not only themselves
