"""Dedup stage: near-duplicates and syndicated wire copies, found with MinHash LSH over word shingles.

An article is a copy when the estimated Jaccard similarity of its word 5-shingle sets with an earlier
article's reaches ``THRESHOLD`` (0.7). Why these values: a wire story re-run by another outlet keeps
most of its sentences (Jaccard of 5-shingles typically 0.8-1.0 after a changed headline, byline or
boilerplate line), while two independent reports of the same event share names and facts but few runs
of five identical words (Jaccard well under 0.2); 0.7 sits between, leaving room for an added or dropped
paragraph. Shingles are taken over ``normalize_text`` (case, punctuation and width folded), so a
re-encoded or re-punctuated copy still matches.

The original of a group of copies is the earliest published one (ties by id), so an event counts its
independent sources, not the copies. Rebuild a detector from stored items with ``CopyDetector.rebuild``.
Each text's signature (``signature``) is computed once with the article's other features and
stored with them, so a rebuild does not hash the stored texts again; signatures are compared only
with signatures of the same scheme, which the pinned datasketch version fixes (a version that
changed its scheme would need every stored signature recomputed).

The LSH index over the signatures is ``_Bands`` (datasketch's banding, hand-kept: see there).
"""
from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..models import normalize_text

THRESHOLD = 0.7
SHINGLE = 5
NUM_PERM = 128
MIN_SHINGLES = 8  # shorter texts (a headline, a stub) are too small to call copies by shingles
_SEED = 1  # fixed: the same texts give the same signatures in every process


# datasketch's default hash is SHA-1 through a Python wrapper, which was most of the cost of
# re-reading a large store; CRC-32 is a C call, 32 bits like the default, and as good for shingles
# (MinHash needs a well-spread hash, not a cryptographic one).
_HASH32 = zlib.crc32


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Word k-shingles of the normalised text."""
    words = normalize_text(text or "").split()
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def _key(published: datetime | None, article_id: str) -> tuple:
    # Undated items sort after every dated one: a copy with a date is the better-attested original.
    if published is None:
        return (1, datetime.max.replace(tzinfo=timezone.utc), article_id)
    when = published if published.tzinfo else published.replace(tzinfo=timezone.utc)
    return (0, when, article_id)


class _Bands:
    """MinHash LSH: the signatures cut into ``b`` bands of ``r`` values (datasketch's optimal
    banding for the threshold, equal false-positive and false-negative weights); two signatures
    are candidates when they agree on every value of some band. The candidates are exactly
    those of datasketch's ``MinHashLSH`` with the same parameters (a test checks it against
    it). Hand-kept because datasketch keeps a ``MinHash`` object per article and a Python set
    per band and article, filled one call at a time: restoring the index of a 50,000-article
    store took 5.4 s and 0.34 GB. Here each band is a sorted array of 64-bit band hashes
    (searched by bisection, each hit checked value by value against the band itself), built for
    many signatures at once in numpy; the signatures added since the last sort wait in small
    per-band dicts and are merged in once they are an eighth of the sorted ones. ``sigs`` holds
    every indexed signature by id (the copy detector reads them from there too)."""

    MERGE_MIN = 1024  # waiting signatures never force a sort before there are this many

    def __init__(self, threshold: float, num_perm: int) -> None:
        from datasketch.lsh import _optimal_param

        self.b, self.r = _optimal_param(threshold, num_perm, 0.5, 0.5)
        # Band hash: a fixed random linear combination of the band's values, modulo 2**64.
        self._mix = np.random.default_rng(_SEED).integers(
            1, 2**63, size=self.r, dtype=np.uint64) | np.uint64(1)
        self.sigs: dict[str, np.ndarray] = {}  # id -> signature (uint32)
        self._ids: list[str] = []  # sorted-in rows
        self._hash = np.zeros((self.b, 0), np.uint64)  # per band, the rows' hashes, row order
        self._order = np.zeros((self.b, 0), np.int64)  # per band, the rows by hash
        self._sorted = np.zeros((self.b, 0), np.uint64)  # per band, the hashes in that order
        self._wait_ids: list[str] = []  # ids waiting to be sorted in
        self._wait_hash = np.zeros((self.b, 0), np.uint64)  # their band hashes
        self._wait: list[dict[int, list[str]]] = [{} for _ in range(self.b)]

    def _hashes(self, sigs: "np.ndarray") -> "np.ndarray":
        """The band hashes (b x n) of n signatures."""
        bands = sigs[:, :self.b * self.r].astype(np.uint64).reshape(len(sigs), self.b, self.r)
        return (bands * self._mix).sum(axis=2, dtype=np.uint64).T

    def insert_many(self, ids: list[str], sigs: "np.ndarray") -> None:
        hashes = self._hashes(sigs)
        self.sigs.update(zip(ids, sigs))
        self._wait_ids.extend(ids)
        self._wait_hash = np.concatenate([self._wait_hash, hashes], axis=1)
        if len(self._wait_ids) >= max(self.MERGE_MIN, len(self._ids) // 8):
            # Everything waiting sorted in, in one numpy pass per band.
            self._ids.extend(self._wait_ids)
            self._hash = np.concatenate([self._hash, self._wait_hash], axis=1)
            self._order = np.argsort(self._hash, axis=1, kind="stable")
            self._sorted = np.take_along_axis(self._hash, self._order, axis=1)
            self._wait_ids, self._wait_hash = [], self._wait_hash[:, :0]
            self._wait = [{} for _ in range(self.b)]
            return
        for j, aid in enumerate(ids):
            for band, table in enumerate(self._wait):
                table.setdefault(int(hashes[band, j]), []).append(aid)

    def query(self, sig: "np.ndarray") -> set[str]:
        """The ids of the signatures that share a band with ``sig``."""
        hashes = self._hashes(sig[None, :])[:, 0]
        found: set[str] = set()
        for band, h in enumerate(hashes):
            cut = slice(band * self.r, (band + 1) * self.r)
            lo = np.searchsorted(self._sorted[band], h, side="left")
            hi = np.searchsorted(self._sorted[band], h, side="right")
            hits = [self._ids[row] for row in self._order[band, lo:hi]]
            hits += self._wait[band].get(int(h), ())
            found.update(aid for aid in hits if np.array_equal(self.sigs[aid][cut], sig[cut]))
        return found


class CopyDetector:
    """Finds the original of near-duplicate articles as they arrive (any order)."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh: _Bands | None = None
        self._key: dict[str, tuple] = {}
        self._original: dict[str, str] = {}  # copy id -> original id (always a root)
        self._copies: dict[str, set[str]] = {}  # original id -> its copies (the inverse)
        # Articles the last ``add`` turned from originals into copies (an earlier-published copy
        # arriving late, or a text bridging two groups): what was grouped with them must be redone.
        self.demoted: set[str] = set()

    def setup(self) -> "CopyDetector":
        """Create the LSH index; returns self."""
        if self._lsh is None:
            self._lsh = _Bands(self.threshold, self.num_perm)
        return self

    def _signature(self, text: str, stored: "np.ndarray | None") -> "np.ndarray | None":
        """The signature of a text (its ``stored`` one when it has one); None when the text is
        too short to compare."""
        values = stored if stored is not None and len(stored) in (0, self.num_perm) \
            else signature(text, self.num_perm)
        if not len(values):
            return None
        return np.asarray(values, np.uint32)

    @property
    def _sigs(self) -> dict[str, np.ndarray]:
        """Article id -> its signature (uint32), as the LSH index holds them."""
        return self.setup()._lsh.sigs

    def _index(self, ids: list[str], sigs: list["np.ndarray"],
               published: list[datetime | None]) -> None:
        """Put signatures in the LSH index and the maps that find their articles' originals."""
        self._lsh.insert_many(ids, np.stack(sigs))
        for aid, when in zip(ids, published):
            self._key[aid] = _key(when, aid)

    @staticmethod
    def _jaccard(a: "np.ndarray", b: "np.ndarray") -> float:
        # MinHash's estimate, as datasketch's ``MinHash.jaccard`` computes it.
        return np.count_nonzero(a == b) / len(a)

    def add(self, article_id: str, text: str, published: datetime | None,
            stored: "np.ndarray | None" = None) -> str | None:
        """Index one article; the id of its original when it is a copy of an earlier one, else None.

        ``stored``: the text's ``signature`` when it was computed before (stored with the
        article's features), which spares hashing the text again."""
        if self._lsh is None:
            self.setup()
        self.demoted = set()
        if article_id in self._sigs:
            return self._original.get(article_id)
        sig = self._signature(text, stored)
        if sig is None:
            return None
        # LSH returns candidates; keep those whose estimated Jaccard really reaches the threshold.
        matches = [m for m in self._lsh.query(sig)
                   if self._jaccard(sig, self._sigs[m]) >= self.threshold]
        self._index([article_id], [sig], [published])
        roots = {self.original_of(m) for m in matches}
        if not roots:
            return None
        group = roots | {article_id}
        first = min(group, key=lambda a: self._key[a])
        # An earlier-published copy arriving late becomes the original of the whole group. The
        # inverse map keeps this to the group's own copies (a scan of every known copy made a
        # wire-heavy store quadratic).
        members = set(group)
        for r in group:
            members |= self._copies.pop(r, set())
        members.discard(first)
        self.demoted = (roots - {first})
        for a in members:
            self._original[a] = first
        self._copies[first] = members
        return self._original.get(article_id)

    def signature_of(self, article_id: str) -> "np.ndarray | None":
        """The signature this detector holds for an article (None: not indexed, e.g. a text too
        short to compare)."""
        return self._sigs.get(article_id)

    def original_of(self, article_id: str) -> str:
        """The original of an article (itself when it is not a copy)."""
        return self._original.get(article_id, article_id)

    def copies(self) -> dict[str, str]:
        """Every known copy id -> its original id."""
        return dict(sorted(self._original.items()))

    @classmethod
    def rebuild(cls, items: Iterable[tuple[str, str, datetime | None, "np.ndarray | None"]],
                threshold: float = THRESHOLD) -> "CopyDetector":
        """A detector rebuilt from stored (article id, text, published, signature or None)
        items, in publication order."""
        det = cls(threshold=threshold).setup()
        for aid, text, published, sig in sorted(items, key=lambda t: _key(t[2], t[0])):
            det.add(aid, text, published, sig)
        return det

    @classmethod
    def restore(cls, items: Iterable[tuple[str, str, datetime | None, "np.ndarray | None"]],
                copies: Mapping[str, str], threshold: float = THRESHOLD) -> "CopyDetector":
        """The detector that ``rebuild`` gives, when the copies it finds are already known (a
        stored grouping's ``copies``: copy id -> its original), without comparing anything
        again: each signature goes into the index, the known copies into the maps. The saving
        is the look-ups, which grow with the index (at 50,000 stored articles most of a
        rebuild's 6 s). ValueError when ``copies`` cannot be what a detector found from these
        items: a copy or original among them without a comparable text, or a copy's original
        itself a copy."""
        det = cls(threshold=threshold).setup()
        ids, sigs, dates = [], [], []
        for aid, text, published, stored in items:
            sig = det._signature(text, stored)
            if sig is not None:
                ids.append(aid)
                sigs.append(sig)
                dates.append(published)
        if ids:
            det._index(ids, sigs, dates)
        for copy_id, original in copies.items():
            if copy_id not in det._sigs or original not in det._sigs or original in copies:
                raise ValueError(f"{copy_id} cannot be a copy of {original}")
            det._original[copy_id] = original
            det._copies.setdefault(original, set()).add(copy_id)
        return det


@functools.lru_cache(maxsize=None)
def _permutations(num_perm: int) -> tuple[Any, Any]:
    """The permutations every signature uses, drawn once from the seed, with the installed
    datasketch's scheme (a signature is only compared with signatures of the same scheme)."""
    from datasketch import MinHash

    first = MinHash(num_perm=num_perm, seed=_SEED)
    return first.permutations, first.scheme


def signature(text: str, num_perm: int = NUM_PERM) -> "np.ndarray":
    """The MinHash signature (``num_perm`` uint32 values) that ``CopyDetector.add`` compares
    for a text; empty when the text is too short to call copies by shingles. Computed once,
    with the article's other features (in the runner's workers), and stored with them."""
    from datasketch import MinHash

    sh = shingles(text)
    if len(sh) < MIN_SHINGLES:
        return np.zeros(0, np.uint32)
    perms, scheme = _permutations(num_perm)
    sig = MinHash(num_perm=num_perm, seed=_SEED, hashfunc=_HASH32, permutations=perms,
                  scheme=scheme)
    sig.update_batch([s.encode("utf-8") for s in sh])  # a minimum: any order gives the same
    # MinHash values are below 2**32 (datasketch masks them): uint32 keeps them exactly.
    return sig.hashvalues.astype(np.uint32)
