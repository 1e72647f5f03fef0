"""Headlines side by side, each with the words no other headline uses.

Words are compared by stem (``Russia``/``Russian``, ``strike``/``strikes`` are the same
word) and stop words never count as distinct; each distinct word is listed once,
as the headline writes it (lower-cased), in headline order.
"""

from __future__ import annotations

from ..model import Article, Headline
from ..text import fold, words
from .lexicon import STOP, stem

_EXTRA_STOP = frozenset("us new says say said after over amid".split())


def _key(word: str) -> str:
    s = stem(word)
    return s[:6] if len(s) > 6 else s


def _terms(title: str) -> list[tuple[str, str]]:
    out = []
    for w in words(fold(title)):
        w = w.strip("'’-.")
        if len(w) < 2 or w in STOP or w in _EXTRA_STOP:
            continue
        out.append((w, _key(w)))
    return out


def headlines(articles: list[Article]) -> list[Headline]:
    """Each headline with the content words no other headline uses (by stem)."""
    terms = {a.id: _terms(a.title) for a in articles}
    out = []
    for article in sorted(articles, key=lambda a: a.id):
        others = {k for i, ts in terms.items() if i != article.id for _, k in ts}
        distinct = list(dict.fromkeys(w for w, k in terms[article.id] if k not in others))
        out.append(Headline(article.id, article.title, distinct))
    return out
