"""Word-level helpers shared by the comparisons: stems, stop words, TF-IDF vectors.

Stems come from PyStemmer's Snowball stemmer (the project's stemmer dependency;
nothing is downloaded). Vectors are TF-IDF over one story, so that words rare in the story
(names, numbers, specific nouns) weigh more than words every source uses.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from operator import mul

import Stemmer

from ..text import fold

STOP = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being "
    "it its this that these those he she they them his her their we our you your i me my us "
    "not no nor has have had having do does did doing will would can could should may might "
    "must shall said says say saying told tell also than then there here which who whom whose "
    "what when where why how all any some more most other others such only own same so too very "
    "just over into out up down about after before while during against between through under "
    "again further once both each few many much every either neither one's per via upon "
    "within without whether yet still even ever already because since until unless although "
    "though however meanwhile added according mr mrs ms".split()
)

_STEMMER = Stemmer.Stemmer("english")
_DIGITS = re.compile(r"^\d[\d,.]*$")
_WORDS = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")
"""The tokens of :func:`..text.words` (runs of letters and digits joined by single inner
apostrophes, hyphens or periods), written so that the regex engine tries one character
class per character instead of an alternation with a look-ahead: about 30% faster."""


def words(text: str) -> list[str]:
    """:func:`..text.words` (the same tokens), faster."""
    return _WORDS.findall(text)


@lru_cache(maxsize=4_096)
def folded_words(text: str) -> tuple[str, ...]:
    """``words(fold(text))``, cached: the comparisons tokenise a sentence several times,
    mostly one right after the other (its word count, then its stems, which are cached
    on their own): a small cache keeps those hits without holding every sentence's words."""
    return tuple(_WORDS.findall(fold(text)))


def word_count(text: str) -> int:
    """``len(words(text))``. For ASCII text, folding only lower-cases letters, which
    splits and joins no token, so the count of the cached :func:`folded_words` is used."""
    return len(folded_words(text)) if text.isascii() else len(_WORDS.findall(text))


fold_word = lru_cache(maxsize=65_536)(fold)
""":func:`..text.fold` cached, for words and other short strings that recur."""


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A comparison key for one folded word: Snowball stem, trailing ``i``/``e`` trimmed."""
    if _DIGITS.match(word):
        return word.replace(",", "")
    s: str = str(_STEMMER.stemWord(word))
    if len(s) > 4 and s[-1] in "ie":
        s = s[:-1]
    return s[:8]


def stems(text: str, *, keep_numbers: bool = True) -> list[str]:
    """Stems of the content words of ``text`` in order (stop words and 1-letter words out).

    A fresh list each call (callers may change it); the work is cached per text,
    since one story's comparisons stem each of its sentences several times.
    """
    return list(_stems(text, keep_numbers))


def stem_tuple(text: str) -> tuple[str, ...]:
    """:func:`stems` (numbers kept) as the cached tuple itself: for callers that only read it."""
    return _stems(text, True)


@lru_cache(maxsize=32_768)
def _stems(text: str, keep_numbers: bool) -> tuple[str, ...]:
    terms = [term for term in map(_term, folded_words(text)) if term is not None]
    if keep_numbers:
        return tuple([term[0] for term in terms])
    return tuple([term[0] for term in terms if not term[1]])


@lru_cache(maxsize=200_000)
def _term(word: str) -> tuple[str, bool] | None:
    """A word's stem and whether it is a number; None for stop words and 1-letter words."""
    w = word.strip("'’-.")
    if len(w) < 2 or w in STOP:
        return None
    return stem(w), w[0].isdigit()


Vector = dict[str, float]


def idf_table(docs: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each term over ``docs``."""
    sets = list(map(set, docs))
    n = len(sets)
    df: Counter[str] = Counter(chain.from_iterable(sets))
    # One logarithm per document frequency, not per term (most terms share a few).
    weight = {c: math.log((1 + n) / (1 + c)) + 1.0 for c in set(df.values())}
    return {t: weight[c] for t, c in df.items()}


def vector(terms: Sequence[str], idf: dict[str, float]) -> Vector:
    """L2-normalised TF-IDF vector (sub-linear term frequency)."""
    counts = Counter(terms)
    get = idf.get
    # (1 + log 1) * w is w: a term used once (most of them) needs no logarithm.
    vec = {t: get(t, 1.0) if c == 1 else (1.0 + math.log(c)) * get(t, 1.0)
           for t, c in counts.items()}
    weights = vec.values()
    norm = math.sqrt(sum(map(mul, weights, weights)))
    return {t: v / norm for t, v in vec.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())
