"""What the clustering compares: weighted words, names and numbers of each article.

Each article becomes one sparse vector over three kinds of feature:

* **words** of the headline (counted ``TITLE_WEIGHT`` times) and body, lower-cased,
  stop words dropped, a plural ``s`` folded;
* **names**: words of capitalised sequences (people, places, organisations:
  ``Tara Reid``, ``Betty Ford Center``), found without any model; a capitalised
  word at the start of a sentence only counts when the article also capitalises it
  mid-sentence, and Title Case headlines are not read for names;
* **numbers** (``6.1``, ``1,000`` -> ``1000``, ``33-year-old`` -> ``33``).

Weights are ``(1 + log tf) * idf``, where the idf blends the corpus's own document
frequencies with a fixed background: :data:`BACKGROUND_DOCS` pseudo-documents
whose word use follows general-language word frequencies (``wordfreq``). On a
handful of articles the background dominates, so similarities do not collapse the
way plain TF-IDF does on tiny corpora (every shared word then looks common); on
thousands of articles the corpus's own statistics dominate.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from ..model import Article
from ..text import fold, language_code

TITLE_WEIGHT = 2.0
"""A headline word counts as this many body words."""
NAME_WEIGHT = 1.5
"""Multiplier of name features against word features."""
NUMBER_WEIGHT = 0.5
"""Multiplier of number features against word features."""
BACKGROUND_DOCS = 500.0
"""Pseudo-documents of general language mixed into the document frequencies."""
DOC_LENGTH = 400.0
"""Words in a typical article, to turn word frequency into document probability."""
FLOOR_FREQUENCY = 2e-8
"""Frequency assumed for words the background list does not know."""
NUMBER_DOC_PROBABILITY = 0.02
"""Background probability that an article contains a given number."""

_TOKEN_RE = re.compile(r"[^\W_](?:[\w]|['’\-.](?=\w))*|[.!?:;\"“”()\[\]|\n]")
_HAS_DIGIT = re.compile(r"\d")
_BREAKS = frozenset(".!?:;\n\"“”()[]|")
_CALENDAR = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "gmt", "utc", "est", "edt", "pst", "pdt", "bst"})
"""Capitalised words that are dates, not names."""
_CONNECTORS = frozenset({"of", "de", "del", "da", "di", "la", "le", "van", "von", "der",
                         "bin", "al", "el", "du", "dos"})
"""Lower-case words that may sit inside a name ("Bank of England")."""
_ENDS = frozenset(".!?:\n\"“”|")
"""Tokens after which a new sentence (or quotation, or line) starts."""


@dataclass
class Features:
    """The raw (unweighted) features of one article."""

    words: dict[str, float]
    """Folded, stemmed word -> occurrences (headline words count ``TITLE_WEIGHT``)."""
    names: Counter[str]
    """Folded name words -> occurrences."""
    numbers: Counter[str]
    forms: dict[str, Counter[str]]
    """Folded name word -> how the article writes it, with counts (for reasons)."""


@lru_cache(maxsize=8)
def stop_words(language: str) -> frozenset[str]:
    """Stop words of ``language`` (sumy's lists; English as a fallback)."""
    from sumy.utils import get_stop_words

    try:
        words = get_stop_words(language)
    except LookupError:
        words = get_stop_words("english")
    return frozenset(fold(w) for w in words)


@lru_cache(maxsize=8)
def _frequencies(code: str) -> dict[str, float]:
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - declared dependency
        return {}
    try:
        return dict(wordfreq.get_frequency_dict(code, wordlist="best"))
    except (LookupError, ValueError):
        return {}


def background_probability(language: str) -> Callable[[str], float]:
    """Probability that a general-language article of the language contains a term."""
    freqs = _frequencies(language_code(language))

    def probability(term: str) -> float:
        if term[:1] == "#":
            return NUMBER_DOC_PROBABILITY
        word = term[1:] if term[:1] == "@" else term
        f = max(freqs.get(word, 0.0), FLOOR_FREQUENCY)
        return -math.expm1(-DOC_LENGTH * f)

    return probability


def _stem(word: str) -> str:
    """A very light English plural fold (``earthquakes`` -> ``earthquake``)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _number(token: str) -> str | None:
    digits = re.sub(r"[^\d.]", " ", token.replace(",", "")).split()
    for d in digits:
        d = d.strip(".")
        if d:
            return d
    return None


def _title_case(title: str, stops: frozenset[str]) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", title) if fold(w) not in stops]
    if len(words) < 3:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps >= 0.6 * len(words)


def _names(text: str, stops: frozenset[str], out: Counter[str],
           forms: dict[str, Counter[str]]) -> None:
    """Count name words of capitalised sequences in ``text`` into ``out``.

    A capitalised word that starts a sentence counts only when the text also
    capitalises it mid-sentence, or when it starts a longer capitalised sequence
    and never appears in lower case ("United States", not "Officials" or "Yesterday").
    """
    tokens = _TOKEN_RE.findall(text)
    mid_caps: set[str] = set()
    lower: set[str] = set()
    start = True
    for tok in tokens:
        if tok in _BREAKS:
            start = tok in _ENDS
            continue
        if tok[0].isupper():
            if not start:
                mid_caps.add(tok)
        elif tok[0].isalpha():
            lower.add(tok)
        start = False

    def flush(run: list[str], at_start: bool) -> None:
        while run and fold(run[-1]) in _CONNECTORS:
            run.pop()
        if at_start and run:
            first = run[0]
            keep = first in mid_caps or (len(run) > 1 and first.lower() not in lower)
            if not keep or fold(first) in stops:
                run.pop(0)
        for word in run:
            key = fold(word).removesuffix("'s").removesuffix("’s")
            if len(key) < 2 or key in stops or key in _CALENDAR or key in _CONNECTORS:
                continue
            out[key] += 1
            forms.setdefault(key, Counter())[word.removesuffix("'s").removesuffix("’s")] += 1

    start = True
    run: list[str] = []
    run_start = False
    for tok in tokens:
        if tok in _BREAKS:
            flush(run, run_start)
            run = []
            start = tok in _ENDS
            continue
        if tok[0].isupper() and not _HAS_DIGIT.search(tok):
            if not run:
                run_start = start
            run.append(tok)
        elif run and fold(tok) in _CONNECTORS:
            run.append(tok)
        else:
            flush(run, run_start)
            run = []
        start = False
    flush(run, run_start)


def extract(article: Article, language: str = "english") -> Features:
    """Words, names and numbers of one article."""
    lang = article.language or language
    stops = stop_words(_sumy_language(lang))
    words: dict[str, float] = {}
    numbers: Counter[str] = Counter()
    names: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    body = article.text
    for text, weight in ((article.title, TITLE_WEIGHT), (body, 1.0)):
        for tok in _TOKEN_RE.findall(text):
            if tok in _BREAKS:
                continue
            if _HAS_DIGIT.search(tok):
                num = _number(tok)
                if num:
                    numbers[num] += 1
                continue
            word = fold(tok).removesuffix("'s")
            if len(word) < 2 or word in stops:
                continue
            key = _stem(word)
            words[key] = words.get(key, 0.0) + weight
    if not _title_case(article.title, stops):
        _names(article.title, stops, names, forms)
    _names(body, stops, names, forms)
    return Features(words=words, names=names, numbers=numbers, forms=forms)


def _sumy_language(language: str) -> str:
    from ..text import PYSBD_LANGUAGES

    lang = language.lower()
    for name, code in PYSBD_LANGUAGES.items():
        if lang == code:
            return name
    return lang


def _terms(f: Features) -> Iterable[tuple[str, float]]:
    for word, n in f.words.items():
        yield word, 1.0 + math.log(n) if n >= 1 else n
    for name, n in f.names.items():
        yield "@" + name, NAME_WEIGHT * (1.0 + math.log(n))
    for num, n in f.numbers.items():
        yield "#" + num, NUMBER_WEIGHT * (1.0 + math.log(n))


def vectors(features: list[Features], language: str = "english") -> sparse.csr_matrix:
    """L2-normalised weighted feature vectors, one row per article (CSR)."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, f in enumerate(features):
        for term, w in _terms(f):
            j = vocab.setdefault(term, len(vocab))
            rows.append(i)
            cols.append(j)
            vals.append(w)
    n = len(features)
    if not vocab:
        return sparse.csr_matrix((n, 1))
    matrix = sparse.csr_matrix((np.asarray(vals), (np.asarray(rows), np.asarray(cols))),
                               shape=(n, len(vocab)))
    df = np.bincount(matrix.indices, minlength=len(vocab)).astype(float)
    probability = background_probability(language)
    prior = np.empty(len(vocab))
    for term, j in vocab.items():
        prior[j] = probability(term)
    idf = np.log((n + BACKGROUND_DOCS) / (df + BACKGROUND_DOCS * prior))
    idf = np.maximum(idf, 0.0)
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
