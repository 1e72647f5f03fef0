"""Wire copies: articles that are copies or light rewrites of one another.

Two articles are copies when most of the shorter one is found in the longer one:
either :data:`SHINGLE` of its word 5-grams (verbatim copies, edited trims), or
:data:`SENTENCES` of its sentences near-verbatim (story TF-IDF cosine at least
:data:`NEAR_VERBATIM`: light rewrites that change a word here and there). Sharing a
few wire paragraphs is not enough: an outlet that quotes the wire and adds its own
reporting is an independent report. Groups are the connected pairs.
"""

from __future__ import annotations

from collections import defaultdict

from ..model import Article
from ..text import fold
from .facts import Sentence
from .lexicon import words

SHINGLE = 0.5
SENTENCES = 0.6
NEAR_VERBATIM = 0.7


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    tokens = words(fold(text))
    if n < 1:
        return {tuple(tokens[i:i + n]) for i in range(max(0, len(tokens) - n + 1))}
    return set(zip(*(tokens[k:] for k in range(n)), strict=False))  # each run of n tokens


def syndication(articles: list[Article],
                sentences: list[Sentence] | None = None,
                pairs: dict[tuple[int, int], float] | None = None) -> list[list[str]]:
    """Groups (sorted lists of ids) of articles that are copies or light rewrites."""
    sh = {a.id: shingles(a.text) for a in articles}
    parent = {a.id: a.id for a in articles}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    near: dict[tuple[str, str], set[int]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    if sentences is not None and pairs is not None:
        for s in sentences:
            count[s.article] += 1
        for (i, j), score in pairs.items():
            if score >= NEAR_VERBATIM:
                a, b = sentences[i].article, sentences[j].article
                near[(a, b)].add(i)
                near[(b, a)].add(j)
    ids = sorted(sh)
    for x, a in enumerate(ids):
        for b in ids[x + 1:]:
            sa, sb = sh[a], sh[b]
            if not sa or not sb:
                continue
            overlap = len(sa & sb) / min(len(sa), len(sb))
            short = a if count[a] <= count[b] else b
            other = b if short == a else a
            share = len(near[(short, other)]) / count[short] if count[short] else 0.0
            if overlap >= SHINGLE or share >= SENTENCES:
                parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for a in ids:
        groups[find(a)].append(a)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)
