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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import Article
from ..text import fold as _fold_text
from ..text import language_code
from ..text import stop_words as _text_stop_words

if TYPE_CHECKING:
    from scipy import sparse

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

_TOKEN_RE = re.compile(r"[^\W_]\w*(?:['’\-.]\w+)*|[.!?:;\"“”()\[\]|\n]")
r"""A word (letters and digits; an apostrophe, hyphen or period inside it when a word
character follows), or one break character. The same tokens as
``[^\W_](?:\w|['’\-.](?=\w))*|...``, found without trying the alternation at every
character (tests/test_cluster.py checks they agree)."""
_NOT_NUMBER = re.compile(r"[^\d.]")
_TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]*")
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


@lru_cache(maxsize=1 << 18)
def fold(word: str) -> str:
    """Cached :func:`generator.text.fold` (tokens repeat a lot)."""
    return _fold_text(word)


@dataclass
class Features:
    """The raw (unweighted) features of one article."""

    words: dict[str, float]
    """Folded, stemmed word -> occurrences (headline words count ``TITLE_WEIGHT``)."""
    names: Counter[str]
    """Folded name words -> occurrences."""
    numbers: Counter[str]
    forms: dict[str, str]
    """Folded name word -> how the article first writes it (for reasons)."""
    surface: dict[str, str] = field(default_factory=dict)
    """Stem -> a word it was made from (to look up the stem's background frequency)."""


@lru_cache(maxsize=8)
def stop_words(language: str) -> frozenset[str]:
    """Stop words of ``language`` (sumy's lists; English as a fallback), folded."""
    return frozenset(fold(w) for w in _text_stop_words(language))


@lru_cache(maxsize=8)
def _frequencies(code: str) -> dict[str, float]:
    """wordfreq's ``get_frequency_dict(code, wordlist="best")``."""
    direct = _read_word_list(code)
    if direct is not None:
        return direct
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - declared dependency
        return {}
    try:
        return dict(wordfreq.get_frequency_dict(code, wordlist="best"))
    except (LookupError, ValueError):
        return {}


def _read_word_list(code: str) -> dict[str, float] | None:
    """wordfreq's "best" list for exactly ``code`` read from its data file (see
    :func:`_buckets`) as a dict; None when wordfreq must be asked."""
    buckets = _buckets(code)
    if buckets is None:
        return None
    out: dict[str, float] = {}
    for value, words in buckets:  # a word listed twice keeps its later bucket
        out.update(dict.fromkeys(words, value))
    return out


@lru_cache(maxsize=8)
def _buckets(code: str) -> list[tuple[float, list[str]]] | None:
    """wordfreq's "best" list for exactly ``code`` read from its data file, without
    importing wordfreq (whose tokenisers load ftfy, regex and langcodes: about 0.3 s
    of a cold build): each centibel's frequency and words, in wordfreq's order. The
    file is wordfreq's documented "cBpack" (gzipped msgpack: a header, then the words
    of each centibel, in order); anything else, or a code that needs wordfreq's
    language matching, returns None and wordfreq is asked.

    Kept as read, not made into a dict: a build looks its words up in one batch
    (:func:`_lookup_many`: 0.015 s for 16,000 words, where making the dict of 321,000
    English words took 0.12 s)."""
    import gzip
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    for name in (f"large_{code}", f"small_{code}"):  # "best": large when there is one
        path = folder / f"{name}.msgpack.gz"
        if path.is_file():
            break
    else:
        return None
    try:
        import msgpack

        with gzip.open(path, "rb") as f:
            data = msgpack.load(f, raw=False)
    except (ImportError, OSError, ValueError):
        return None
    if not (isinstance(data, list) and data and isinstance(data[0], dict)
            and data[0].get("format") == "cB" and data[0].get("version") == 1):
        return None
    # wordfreq's cB_to_freq(-index)
    return [(10 ** (-index / 100), bucket) for index, bucket in enumerate(data[1:])]


def load_frequencies(code: str) -> None:
    """Load wordfreq's list for a language code now (the lookups that need it are
    then quick)."""
    if _buckets(code) is None:
        _frequencies(code)


_KNOWN: dict[str, dict[str, float]] = {}
"""Language code -> word -> wordfreq frequency (0.0: not listed), for words looked up
so far; seeded from the build cache so a rebuild need not load wordfreq's lists."""


def known_frequencies(code: str) -> dict[str, float]:
    """The frequencies looked up so far for a language code (the build cache keeps them)."""
    return _KNOWN.setdefault(code, {})


def frequency_tables() -> dict[str, dict[str, float]]:
    """Every language's known frequencies (language code -> word -> frequency)."""
    return _KNOWN


class WordList:
    """A language's word frequencies as sorted ``word<TAB>frequency`` lines, searched
    in place (a binary search over the bytes), so a lookup needs no loading."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    @staticmethod
    def encode(table: dict[str, float]) -> bytes:
        """The lines for ``table``, sorted by word (a tab sorts before any word
        character, and code point order is UTF-8 byte order)."""
        text = {value: repr(value) for value in set(table.values())}
        lines = sorted([f"{word}\t{text[value]}" for word, value in table.items()
                        if "\t" not in word and "\n" not in word and word >= " "])
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""

    def get(self, word: str) -> float:
        """The word's frequency, 0.0 when it is not listed."""
        data, target = self.data, word.encode("utf-8")
        lo, hi = 0, len(data)
        while lo < hi:  # lo: start of a line; the answer's line starts in [lo, hi]
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", lo, mid) + 1 if mid > lo else lo
            start = max(start, lo)
            end = data.find(b"\n", start)
            if end < 0:
                end = len(data)
            tab = data.find(b"\t", start, end)
            if data[start:tab if tab >= 0 else end] < target:
                lo = end + 1
            else:
                hi = start
        if lo >= len(data):
            return 0.0
        end = data.find(b"\n", lo)
        line = data[lo:end if end >= 0 else len(data)]
        name, _, value = line.partition(b"\t")
        return float(value) if name == target else 0.0


_WORD_LISTS: dict[str, WordList | None] = {}
_word_list_source: list[Callable[[str], WordList | None]] = []


def use_word_lists(source: Callable[[str], WordList | None] | None) -> None:
    """Where to find a language's :class:`WordList` (the build cache keeps them) before
    loading wordfreq's own lists; None: wordfreq's lists only."""
    _WORD_LISTS.clear()
    _word_list_source[:] = [source] if source is not None else []


_LOADED: set[str] = set()


def loaded_codes() -> list[str]:
    """The language codes whose wordfreq list this process loaded."""
    return sorted(_LOADED)


def full_list(code: str) -> dict[str, float]:
    """wordfreq's whole list for a language code (word -> frequency)."""
    return _frequencies(code)


def _word_list(code: str) -> WordList | None:
    if code not in _WORD_LISTS:
        _WORD_LISTS[code] = _word_list_source[0](code) if _word_list_source else None
    return _WORD_LISTS[code]


def _lookup(code: str, word: str) -> float:
    found = _word_list(code)
    if found is not None:
        return found.get(word)
    _LOADED.add(code)
    return _frequencies(code).get(word, 0.0)


def _lookup_many(code: str, words: list[str]) -> dict[str, float]:
    """:func:`_lookup` of each word (sorted, distinct), in one pass over wordfreq's list
    when it must be read (each centibel's words against the ones wanted)."""
    found = _word_list(code)
    if found is not None:
        return {word: found.get(word) for word in words}
    _LOADED.add(code)
    buckets = _buckets(code)
    if buckets is None:
        table = _frequencies(code)
        return {word: table.get(word, 0.0) for word in words}
    out = dict.fromkeys(words, 0.0)
    wanted = set(words)
    for value, bucket in buckets:  # a word listed twice keeps its later bucket
        hits = wanted.intersection(bucket)
        if hits:
            out.update(dict.fromkeys(sorted(hits), value))
    return out


class _Frequencies:
    """wordfreq's frequency of a word: known ones first, then a kept word list, wordfreq's
    lists (0.6 s to import and load) only when neither is there."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.known = known_frequencies(code)

    def get(self, word: str, default: float = 0.0) -> float:
        value = self.known.get(word)
        if value is None:
            value = self.known[word] = _lookup(self.code, word)
        return value if value else default

    def prefetch(self, words: Iterable[str]) -> None:
        """Look up at once the words not known yet (:meth:`get` then finds them)."""
        missing = {word for word in words if word not in self.known}
        if missing:
            self.known.update(_lookup_many(self.code, sorted(missing)))


def background_probability(
    language: str, surface: dict[str, str] | None = None, terms: Iterable[str] = (),
) -> Callable[[str], float]:
    """Probability that a general-language article of the language contains a term.

    ``surface`` maps stems to a word they were made from (stems themselves are
    often not words: ``ceasefir``). ``terms``: the terms that will be asked about,
    looked up now in one batch (asking about others is slower, not wrong).
    """
    freqs = _Frequencies(language_code(language))
    surface = surface or {}
    freqs.prefetch(term[1:] if term[:1] == "@" else surface.get(term, term)
                   for term in terms if term[:1] != "#")

    def probability(term: str) -> float:
        if term[:1] == "#":
            return NUMBER_DOC_PROBABILITY
        word = term[1:] if term[:1] == "@" else surface.get(term, term)
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
    digits = _NOT_NUMBER.sub(" ", token.replace(",", "")).split()
    for d in digits:
        d = d.strip(".")
        if d:
            return d
    return None


def _title_case(title: str, stops: frozenset[str]) -> bool:
    words = [w for w in _TITLE_WORD.findall(title) if fold(w) not in stops]
    if len(words) < 3:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps >= 0.6 * len(words)


def _names(tokens: list[str], stops: frozenset[str], out: Counter[str],
           forms: dict[str, str]) -> None:
    """Count name words of capitalised sequences among ``tokens`` into ``out``.

    A capitalised word that starts a sentence counts only when the text also
    capitalises it mid-sentence, or when it starts a longer capitalised sequence
    and never appears in lower case ("United States", not "Officials" or "Yesterday").
    """
    mid_caps: set[str] = set()
    lower: set[str] = set()
    runs: list[tuple[list[str], bool]] = []
    run: list[str] = []
    run_start = False
    start = True
    for tok in tokens:
        if tok in _BREAKS:
            if run:
                runs.append((run, run_start))
                run = []
            start = tok in _ENDS
            continue
        first = tok[0]
        if first.isupper() and not _HAS_DIGIT.search(tok):
            if not start:
                mid_caps.add(tok)
            if not run:
                run_start = start
            run.append(tok)
        else:
            if first.isalpha():
                lower.add(tok)
            if run:
                if tok in _CONNECTORS:
                    run.append(tok)
                else:
                    runs.append((run, run_start))
                    run = []
        start = False
    if run:
        runs.append((run, run_start))
    for run, at_start in runs:
        while run and run[-1] in _CONNECTORS:
            run.pop()
        if at_start and run:
            head = run[0]
            keep = head in mid_caps or (len(run) > 1 and head.lower() not in lower)
            if not keep or fold(head) in stops:
                run.pop(0)
        for word in run:
            word = word.removesuffix("'s").removesuffix("’s")
            key = fold(word)
            if len(key) < 2 or key in stops or key in _CALENDAR or key in _CONNECTORS:
                continue
            out[key] += 1
            if key not in forms:
                forms[key] = word


@lru_cache(maxsize=1 << 18)
def _word(token: str, language: str) -> tuple[int, str, str]:
    """(kind, key, folded word) of a token: kind 0 skip, 1 word, 2 number."""
    if _HAS_DIGIT.search(token):
        num = _number(token)
        return (2, num, "") if num else (0, "", "")
    word = fold(token).removesuffix("'s").removesuffix("’s")
    if len(word) < 2 or word in stop_words(language):
        return (0, "", "")
    return (1, _stem(word), word)


_WORDS: dict[str, dict[str, tuple[int, str, str]]] = {}
"""Language -> token -> :func:`_word` of it (a dict lookup per distinct token of an
article instead of a cached call with two arguments)."""
_WORDS_LIMIT = 1 << 18
"""Tokens a language's table holds before it starts afresh (bounds a worker's memory)."""


def extract(article: Article, language: str = "english") -> Features:
    """Words, names and numbers of one article."""
    lang = _sumy_language(article.language or language)
    stops = stop_words(lang)
    words: dict[str, float] = {}
    numbers: Counter[str] = Counter()
    names: Counter[str] = Counter()
    forms: dict[str, str] = {}
    surface: dict[str, str] = {}
    title_tokens = _TOKEN_RE.findall(article.title)
    body_tokens = _TOKEN_RE.findall(article.text)
    known = _WORDS.get(lang)
    if known is None or len(known) > _WORDS_LIMIT:
        known = _WORDS[lang] = {}
    for tokens, weight in ((title_tokens, TITLE_WEIGHT), (body_tokens, 1.0)):
        for tok, count in Counter(tokens).items():
            if tok in _BREAKS:
                continue
            found = known.get(tok)
            if found is None:
                found = known[tok] = _word(tok, lang)
            kind, key, word = found
            if kind == 1:
                words[key] = words.get(key, 0.0) + weight * count
                if key != word and (key not in surface or word < surface[key]):
                    surface[key] = word
            elif kind == 2:
                numbers[key] += count
    if not _title_case(article.title, stops):
        _names(title_tokens, stops, names, forms)
    _names(body_tokens, stops, names, forms)
    return Features(words=words, names=names, numbers=numbers, forms=forms, surface=surface)


@lru_cache(maxsize=64)
def _sumy_language(language: str) -> str:
    from ..text import PYSBD_LANGUAGES

    lang = language.lower()
    for name, code in PYSBD_LANGUAGES.items():
        if lang == code:
            return name
    return lang


def vectors(features: list[Features], language: str = "english") -> sparse.csr_matrix:
    """L2-normalised weighted feature vectors, one row per article (CSR)."""
    # Imported here, not above: extract() runs in the build's cleaning workers, which
    # then need neither (about 0.3 s of imports each).
    import numpy as np
    from scipy import sparse

    keys: list[str] = []
    counts: list[float] = []
    scale: list[float] = []
    indptr = [0]
    for f in features:
        keys.extend(f.words)
        counts.extend(f.words.values())
        keys.extend(["@" + k for k in f.names])
        counts.extend(f.names.values())
        keys.extend(["#" + k for k in f.numbers])
        counts.extend(f.numbers.values())
        scale.extend([1.0] * len(f.words) + [NAME_WEIGHT] * len(f.names)
                     + [NUMBER_WEIGHT] * len(f.numbers))
        indptr.append(len(keys))
    vocab = {k: j for j, k in enumerate(dict.fromkeys(keys))}
    cols = np.fromiter((vocab[k] for k in keys), dtype=np.int64, count=len(keys))
    tf = np.asarray(counts, dtype=float)
    vals = np.where(tf >= 1.0, 1.0 + np.log(np.maximum(tf, 1.0)), tf) * np.asarray(scale)
    n = len(features)
    if not vocab:
        return sparse.csr_matrix((n, 1))
    matrix = sparse.csr_matrix((vals, cols, np.asarray(indptr)), shape=(n, len(vocab)))
    df = np.bincount(matrix.indices, minlength=len(vocab)).astype(float)
    surface: dict[str, str] = {}
    for f in features:
        for stem, word in f.surface.items():
            if stem not in surface or word < surface[stem]:
                surface[stem] = word
    probability = background_probability(language, surface, vocab)
    prior = np.empty(len(vocab))
    for term, j in vocab.items():
        prior[j] = probability(term)
    idf = np.log((n + BACKGROUND_DOCS) / (df + BACKGROUND_DOCS * prior))
    idf = np.maximum(idf, 0.0)
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
