"""Stage 5, compare: how the sources of one story differ.

Everything here is extractive and reproducible: facts are source sentences,
quotes are the sources' own quotation marks, headlines are the sources' own.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .model import Article, Differences, Fact, Headline, Quote, Story
from .summarize import SAME_FACT, candidates, content_words, jaccard
from .text import fold, words

_QUOTE = re.compile(r"[“\"]([^”\"]{12,600})[”\"]")
_SAID_AFTER = re.compile(
    r"[”\"],?\s+(?:(?P<verb1>said|says|told|added|stated|wrote|warned)\s+(?P<who1>[A-Z][\w.'’\-]*"
    r"(?:\s+[A-Z][\w.'’\-]*){0,3})|(?P<who2>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})\s+"
    r"(?:said|says|told|added|stated|wrote|warned))"
)
_SAID_BEFORE = re.compile(
    r"(?P<who>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})\s+(?:said|says|told \w+|added|stated|"
    r"wrote|warned)[^“\"]{0,40}[:,]?\s*[“\"]"
)
_NAME = re.compile(r"\b([A-Z][a-zA-Z’'\-]+(?:\s+(?:of\s+|de\s+|von\s+)?[A-Z][a-zA-Z’'\-]+)*)")
_NAME_STOP = frozenset(
    "The A An In On At For But And Or If When While After Before He She They It This That "
    "These Those We Our His Her Their Its There Here Some Many Most Other Another Last Next "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "
    "June July August September October November December Earlier Later Speaking According "
    "Regarding Meanwhile However Following Ahead Across Of Going Paradoxically".split()
)


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    tokens = words(fold(text))
    return {tuple(tokens[i:i + n]) for i in range(max(0, len(tokens) - n + 1))}


def syndication(articles: list[Article], threshold: float = 0.5) -> list[list[str]]:
    """Groups of articles that are copies or light rewrites of one another."""
    sh = {a.id: shingles(a.text) for a in articles}
    parent = {a.id: a.id for a in articles}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    ids = sorted(sh)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            sa, sb = sh[a], sh[b]
            if not sa or not sb:
                continue
            overlap = len(sa & sb) / min(len(sa), len(sb))
            if overlap >= threshold:
                parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for a in ids:
        groups[find(a)].append(a)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def quotes(articles: list[Article]) -> list[Quote]:
    """Direct quotations with their speaker, merged across the sources carrying them."""
    found: list[tuple[Quote, frozenset[str]]] = []
    for article in sorted(articles, key=lambda a: a.id):
        for sentence in article.all_sentences:
            for m in _QUOTE.finditer(sentence):
                text = m.group(1).strip()
                if len(words(text)) < 4:
                    continue
                speaker = _speaker(sentence, m.start(), m.end())
                cw = content_words(text)
                match = next((q for q, w in found if jaccard(w, cw) >= SAME_FACT), None)
                if match is not None:
                    if article.id not in match.articles:
                        match.articles.append(article.id)
                    if match.speaker is None:
                        match.speaker = speaker
                    continue
                found.append((Quote(speaker, text, [article.id]), cw))
    return [q for q, _ in found]


def _speaker(sentence: str, start: int, end: int) -> str | None:
    after = _SAID_AFTER.match(sentence, end - 1)
    if after:
        who = after.group("who1") or after.group("who2")
        return _clean_name(who)
    before = list(_SAID_BEFORE.finditer(sentence[:start + 1]))
    if before:
        return _clean_name(before[-1].group("who"))
    return None


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    parts = [p for p in name.split() if p not in _NAME_STOP]
    return " ".join(parts) or None


def headlines(articles: list[Article]) -> list[Headline]:
    """Each headline with the content words no other headline uses."""
    bags = {a.id: {w for w in words(fold(a.title)) if w not in _STOPWORDS} for a in articles}
    out = []
    for article in sorted(articles, key=lambda a: a.id):
        others = set().union(*(b for i, b in bags.items() if i != article.id))
        distinct = [w for w in dict.fromkeys(words(fold(article.title)))
                    if w in bags[article.id] and w not in others]
        out.append(Headline(article.id, article.title, distinct))
    return out


_STOPWORDS = frozenset("a an the and or but of to in on at by for with from as is are was were be "
                       "after over into its it this that us".split())


def entities(articles: list[Article]) -> dict[str, list[str]]:
    """Capitalised names each source mentions that no other source does."""
    names: dict[str, set[str]] = {}
    for article in articles:
        found: set[str] = set()
        for sentence in article.all_sentences:
            for m in _NAME.finditer(sentence):
                if m.start() == 0 and " " not in m.group(1):
                    continue  # a capitalised first word is not evidence of a name
                name = " ".join(p for p in m.group(1).split() if p not in _NAME_STOP)
                if len(name) >= 3 and name[0].isupper():
                    found.add(name)
        names[article.id] = found
    out: dict[str, list[str]] = {}
    for aid, own in sorted(names.items()):
        others = {fold(n) for i, ns in names.items() if i != aid for n in ns}
        unique = sorted(n for n in own if fold(n) not in others
                        and not any(fold(n) in o or o in fold(n) for o in others))
        out[aid] = unique
    return out


def compare(story: Story) -> Differences:
    """The differences between the sources of one story."""
    articles = story.articles
    if len(articles) < 2:
        return Differences(independent_reports=len(articles))
    cands = candidates(articles)
    facts = [Fact(c.text, sorted(c.carriers)) for c in sorted(cands, key=lambda c: c.order)]
    unique: dict[str, list[Fact]] = {a.id: [] for a in sorted(articles, key=lambda a: a.id)}
    for fact in facts:
        if len(fact.articles) == 1:
            unique[fact.articles[0]].append(fact)
    synd = syndication(articles)
    independent = len(articles) - sum(len(g) - 1 for g in synd)
    return Differences(
        facts=facts, unique=unique, conflicts=[], quotes=quotes(articles),
        headlines=headlines(articles), syndication=synd, independent_reports=independent,
        entities=entities(articles),
    )
