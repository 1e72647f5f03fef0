"""Shared and unique facts: sentence-level claims aligned across the sources.

Every claim-like sentence of every article becomes a TF-IDF vector of stemmed
content words (numbers included; IDF over the story's sentences, so names,
numbers and specific nouns weigh more than words every source uses). Two
sentences of different articles report the same fact when their cosine
similarity reaches :data:`ALIGN`; facts are built greedily from the strongest
links down, never holding two sentences of one article.

A sentence is "only here" when it aligns with nothing in the other articles
*and* most of its weight is not found anywhere in them either (:data:`COVERED`):
a paraphrase split over two sentences elsewhere is not unique. Unique facts are
ranked by :func:`importance` (quoted voices and content furthest from what the
other sources say first).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from ..model import Article, Fact
from .lexicon import Vector, cosine, idf_table, stems, vector, word_count

ALIGN = 0.42
"""Cosine similarity at and above which two sentences report the same fact."""
COVERED = 0.75
"""Share of a sentence's TF-IDF weight found in other sources above which it is not unique."""
MAX_SENTENCES = 200
"""Sentences per article considered (bounds the cost of very long articles)."""
MIN_WORDS = 6

_END = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass
class Sentence:
    article: str
    index: int
    """Index in ``article.all_sentences`` (the article page's ``#s<N>`` anchor)."""
    text: str
    terms: list[str]
    position: float
    """0 for an article's first sentence, towards 1 for its last."""
    vec: Vector = field(default_factory=dict)


@lru_cache(maxsize=32_768)
def is_claim(sentence: str) -> bool:
    """A sentence that states something (not a subhead, caption credit or fragment)."""
    n = word_count(sentence)
    if n < MIN_WORDS:
        return False
    return bool(_END.search(sentence.strip())) or n >= 12


def claim_sentences(articles: list[Article]) -> list[Sentence]:
    out: list[Sentence] = []
    for article in sorted(articles, key=lambda a: a.id):
        sents = article.all_sentences
        total = max(1, min(len(sents), MAX_SENTENCES))
        for i, text in enumerate(sents[:MAX_SENTENCES]):
            if is_claim(text):
                out.append(Sentence(article.id, i, text, stems(text), i / total))
    return out


def vectorise(sentences: list[Sentence]) -> dict[str, float]:
    idf = idf_table(s.terms for s in sentences)
    for s in sentences:
        s.vec = vector(s.terms, idf)
    return idf


def similarities(sentences: list[Sentence]) -> dict[tuple[int, int], float]:
    """Cosine of every pair of sentences from different articles that share a term."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, s in enumerate(sentences):
        for t, w in s.vec.items():
            postings[t].append((i, w))
    dots: dict[tuple[int, int], float] = {}
    get = dots.get
    runs = [s.article for k, s in enumerate(sentences)
            if k == 0 or s.article != sentences[k - 1].article]
    if len(runs) != len(set(runs)):  # an article's sentences not together: pair by pair
        for plist in postings.values():
            for x in range(len(plist)):
                i, wi = plist[x]
                for j, wj in plist[x + 1:]:
                    if sentences[i].article != sentences[j].article:
                        dots[(i, j)] = get((i, j), 0.0) + wi * wj
        return dots
    # Each article's sentences are together (claim_sentences' order), so in each posting
    # list too: the entries of other articles after entry x start at the first entry of
    # the next article. Each pair's products are summed in the same (term) order.
    run_of = list(accumulate(
        (int(k > 0 and s.article != sentences[k - 1].article) for k, s in enumerate(sentences))))
    for plist in postings.values():
        n = len(plist)
        if n < 2:
            continue
        if n == 2:  # the most common case of a shared term
            (i, wi), (j, wj) = plist
            if run_of[i] != run_of[j]:
                key = (i, j)
                dots[key] = get(key, 0.0) + wi * wj
            continue
        nxt = [n] * n
        for x in range(n - 2, -1, -1):
            nxt[x] = nxt[x + 1] if run_of[plist[x][0]] == run_of[plist[x + 1][0]] else x + 1
        for x in range(n - 1):
            i, wi = plist[x]
            for j, wj in plist[nxt[x]:]:
                key = (i, j)
                dots[key] = get(key, 0.0) + wi * wj
    return dots


def coverage(s: Sentence, others_terms: set[str]) -> float:
    """Share of the sentence's squared TF-IDF weight whose terms other sources use."""
    total = sum(w * w for w in s.vec.values())
    if not total:
        return 1.0
    return sum(w * w for t, w in s.vec.items() if t in others_terms) / total


_QUOTE = re.compile(r"[“”\"«»]")


def importance(s: Sentence, centroid: Vector, others_terms: set[str]) -> float:
    """How much a unique fact sets its source apart: a voice, new content, off the core.

    ``quoted`` (1 when the sentence carries a direct quotation: the voices an outlet
    chooses frame a story) ``+ (1 - coverage)`` (share of its TF-IDF weight in words no
    other source uses) ``+ (1 - cosine(sentence, the other sources' centroid))`` (how
    far it is from the story the others tell). Ties: earlier in the article first.
    """
    return _importance(s, centroid, coverage(s, others_terms))


def _importance(s: Sentence, centroid: Vector, covered: float) -> float:
    """:func:`importance` with the sentence's :func:`coverage` already known."""
    quoted = 1.0 if _QUOTE.search(s.text) else 0.0
    return quoted + (1.0 - covered) + (1.0 - cosine(s.vec, centroid))


@dataclass
class Alignment:
    facts: list[Fact]
    unique: dict[str, list[Fact]]
    sentences: list[Sentence]
    pairs: dict[tuple[int, int], float]
    idf: dict[str, float] = field(default_factory=dict)
    """The IDF of the sentences' terms (:func:`vectorise`)."""


def align(articles: list[Article]) -> Alignment:
    """Facts with every article reporting them, and what only one article reports."""
    ids = sorted(a.id for a in articles)
    sentences = claim_sentences(articles)
    idf = vectorise(sentences)
    pairs = similarities(sentences)
    group = list(range(len(sentences)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(sentences))}
    for (i, j), score in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
        if score < ALIGN:
            break
        gi, gj = group[i], group[j]
        if gi == gj:
            continue
        arts_i = {sentences[k].article for k in members[gi]}
        if any(sentences[k].article in arts_i for k in members[gj]):
            continue
        keep, drop = (gi, gj) if gi < gj else (gj, gi)
        for k in members[drop]:
            group[k] = keep
        members[keep].extend(members.pop(drop))

    terms_of: dict[str, set[str]] = defaultdict(set)
    for s in sentences:
        terms_of[s.article].update(s.terms)
    centroid: dict[str, Vector] = {}
    for aid in ids:
        acc: dict[str, float] = defaultdict(float)
        for s in sentences:
            if s.article != aid:
                for t, w in s.vec.items():
                    acc[t] += w
        norm = sum(v * v for v in acc.values()) ** 0.5 or 1.0
        centroid[aid] = {t: v / norm for t, v in acc.items()}

    # The terms every other article uses, per article (made once, not per sentence).
    others_of = {aid: set().union(*(terms_of[o] for o in ids if o != aid)) for aid in ids}
    facts: list[Fact] = []
    ranked: dict[str, list[tuple[float, int, Fact]]] = {aid: [] for aid in ids}
    for root in sorted(members, key=lambda g: min(members[g])):
        idx = sorted(members[root])
        first = sentences[idx[0]]
        anchors = {sentences[k].article: sentences[k].index for k in idx}
        fact = Fact(first.text, sorted(anchors), dict(sorted(anchors.items())))
        facts.append(fact)
        if len(idx) == 1:
            others = others_of[first.article]
            covered = coverage(first, others)
            if covered < COVERED:
                ranked[first.article].append(
                    (_importance(first, centroid[first.article], covered), first.index, fact))
    unique = {aid: [f for _, _, f in sorted(r, key=lambda x: (-round(x[0], 9), x[1]))]
              for aid, r in ranked.items()}
    facts.sort(key=lambda f: (-len(f.articles), ids.index(f.articles[0]), f.anchors[f.articles[0]]))
    return Alignment(facts, unique, sentences, pairs, idf)
