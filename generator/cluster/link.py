"""Candidate pairs and average-link agglomeration over a sparse similarity graph.

Only pairs published within the time window are compared: articles are sorted by
time and each slice of one window is multiplied (sparse) with the slice of two
windows that starts with it, so the work grows with the number of articles times
the articles per window, not with its square. Undated articles are compared
with everything. Pairs below ``min_similarity`` are dropped: they count as
similarity 0 in the group averages.

Agglomeration is average-link: the score of two groups is the mean similarity
over all their cross pairs (missing pairs count 0), groups merge best-first while
that mean is above the threshold, and a merged group may never span more than
the window in time. With a heap of candidate merges and neighbour sums per
group, this costs about O(E log E) for E candidate pairs.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse


def candidate_pairs(
    matrix: sparse.csr_matrix, times: Sequence[float | None], window: float,
    min_similarity: float, block: int = 1000, half_life: float = 0.0,
) -> dict[tuple[int, int], float]:
    """``{(i, j): similarity}`` for i < j within ``window`` seconds, above ``min_similarity``."""
    n = matrix.shape[0]
    pairs: dict[tuple[int, int], float] = {}
    dated = sorted((t, i) for i, t in enumerate(times) if t is not None)
    undated = sorted(i for i, t in enumerate(times) if t is None)

    stamp = np.array([np.nan if t is None else t for t in times], dtype=float)

    def add(rows: list[int], cols: list[int]) -> None:
        """Similarities of every row with every column, as unordered pairs."""
        if not rows or not cols:
            return
        sub = (matrix[rows] @ matrix[cols].T).tocoo()
        keep = sub.data >= min_similarity
        r = np.asarray(rows)[sub.row[keep]]
        c = np.asarray(cols)[sub.col[keep]]
        value = np.minimum(sub.data[keep], 1.0)
        i, j = np.minimum(r, c), np.maximum(r, c)
        gap = np.abs(stamp[i] - stamp[j])  # NaN when either is undated
        dated_pair = ~np.isnan(gap)
        ok = (i != j) & ~(dated_pair & (gap > window))
        if half_life > 0:
            value = np.where(dated_pair, value * 0.5 ** (np.nan_to_num(gap) / half_life), value)
        ok &= value >= min_similarity
        pairs.update(zip(zip(i[ok].tolist(), j[ok].tolist(), strict=True),
                         value[ok].tolist(), strict=True))

    # Dated articles: slices of at most one window (and at most ``block`` articles),
    # each against itself and everything up to one window after its start.
    start = 0
    stamps = [t for t, _ in dated]
    order = [i for _, i in dated]
    while start < len(order):
        end = start + 1
        while end < len(order) and stamps[end] - stamps[start] <= window and end - start < block:
            end += 1
        stop = int(np.searchsorted(stamps, stamps[end - 1] + window, side="right"))
        add(order[start:end], order[start:stop])
        start = end
    # Undated articles: against everything, in slices so the product stays small.
    everyone = list(range(n))
    for first in range(0, len(undated), block):
        add(undated[first:first + block], everyone)
    return pairs


def average_link(
    n: int, pairs: dict[tuple[int, int], float], threshold: float,
    times: Sequence[float | None], window: float,
    keys: Sequence[Iterable[str]] | None = None,
) -> list[list[int]]:
    """Groups of ``range(n)`` by average-link agglomeration above ``threshold``.

    With ``keys`` (each item's names), two groups of at least ``VETO_SIZE`` items
    never merge when each has a key carried by most of its members and by almost
    none of the other's: two established stories with different protagonists.
    """
    size = [1] * n
    lo: list[float | None] = list(times)
    hi: list[float | None] = list(times)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    links: list[dict[int, float]] = [{} for _ in range(n)]
    for (i, j), s in pairs.items():
        links[i][j] = s
        links[j][i] = s
    heap: list[tuple[float, int, int]] = []
    for (i, j), s in sorted(pairs.items()):
        if s > threshold:
            heap.append((-s, i, j))
    heapq.heapify(heap)
    alive = [True] * n
    counts: list[Counter[str]] = [Counter(set(k)) for k in keys] if keys is not None else []

    def conflict(a: int, b: int) -> bool:
        if not counts or size[a] < VETO_SIZE or size[b] < VETO_SIZE:
            return False
        return _exclusive(counts[a], size[a], counts[b], size[b]) and _exclusive(
            counts[b], size[b], counts[a], size[a])

    def span_ok(a: int, b: int) -> bool:
        los = [t for t in (lo[a], lo[b]) if t is not None]
        his = [t for t in (hi[a], hi[b]) if t is not None]
        return not los or max(his) - min(los) <= window

    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        total = links[a].get(b)
        if total is None or abs(total / (size[a] * size[b]) + neg) > 1e-12:
            continue  # stale entry
        if not span_ok(a, b) or conflict(a, b):
            continue
        # Merge b into a (a < b keeps the lower index as the survivor).
        if b < a:
            a, b = b, a
        alive[b] = False
        members[a].extend(members.pop(b))
        size[a] += size[b]
        for t in (lo[b],):
            if t is not None:
                lo[a] = t if lo[a] is None else min(lo[a], t)  # type: ignore[type-var]
        for t in (hi[b],):
            if t is not None:
                hi[a] = t if hi[a] is None else max(hi[a], t)  # type: ignore[type-var]
        if counts:
            counts[a].update(counts[b])
            counts[b] = Counter()
        del links[a][b]
        del links[b][a]
        for c, s in links[b].items():
            links[a][c] = links[a].get(c, 0.0) + s
            del links[c][b]
        links[b] = {}
        for c in links[a]:
            total = links[a][c]
            links[c][a] = total
            score = total / (size[a] * size[c])
            if score > threshold:
                heapq.heappush(heap, (-score, min(a, c), max(a, c)))
    return [sorted(m) for _, m in sorted(members.items())]


VETO_SIZE = 4
"""Groups smaller than this are never kept apart by the name veto."""
VETO_HAVE = 0.5
"""A name "belongs" to a group when at least this share of its members carry it."""
VETO_LACK = 0.1
"""... and is foreign to the other group when at most this share of it carries it."""


def _exclusive(mine: Counter[str], my_size: int, other: Counter[str], other_size: int) -> bool:
    """Whether ``mine`` has a name most of its members carry and ``other`` lacks."""
    need = max(2.0, VETO_HAVE * my_size)
    limit = VETO_LACK * other_size
    return any(c >= need and other.get(k, 0) <= limit for k, c in mine.items())
