"""Stage 4, summarize: an extractive, cited summary for every story.

1. **Sentences** of every article are read in time order and described once:
   content words (sumy's stop words out, Snowball stems), numbers, names, and
   whether the sentence can stand alone (not a fragment, not boilerplate or a
   caption, not leaning on missing context such as a leading "He added" or
   "However,"). Words are looked up in a per-language lexicon that remembers
   every token it has seen (lower case, stem id, number, name), so each
   distinct word is stemmed once per process, not once per occurrence.
2. **Matrices**: the story's sentences become one term-count matrix (numpy,
   scipy sparse for very large stories), from which every pairwise measure is
   computed at once: an idf-weighted cosine, the share of the lighter
   sentence's idf mass found in the other (containment), and shared words.
3. **Facts**: sentences that report the same fact are grouped across sources,
   paraphrases included (cosine, or containment with enough shared words;
   neither may have a number the other lacks while lacking one of the other's,
   and names must meet when both sentences have some). Each
   group becomes one :class:`Candidate` that remembers, for every article
   reporting it, the index of the matching sentence (the ``#s<N>`` anchor).
4. **Ranking**: a sumy summarizer (LexRank by default) rates *every* sentence
   of the story, repeats across outlets included, so a fact many outlets carry
   gathers the centrality of all its copies. LexRank runs through a subclass of
   sumy's ``LexRankSummarizer`` that computes sumy's tf, idf, idf-modified
   cosine and threshold graph with numpy from the term-count matrix and then
   calls sumy's own power method; the other algorithms run through sumy's
   document model with :class:`OfflineTokenizer` (pysbd and a regex: nothing
   is downloaded). A fact's score blends its best copy's rank with how many
   sources carry it and how early it comes in its articles (news puts the news
   first).
5. **Choice**: the best facts fill the length budget (a number of sentences,
   or of words, the last sentence kept whole), skipping any fact redundant with
   one already chosen: close overall (looser than the grouping test), or one
   clause of a sentence mostly contained in the other. They are then put in
   reading order: first appearance, articles taken by publication time.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple, cast

from .cache import Cache
from .config import SummaryConfig
from .model import Article, Fact, Story, SummarySentence
from .text import fold, words

ALGORITHMS: dict[str, str] = {
    "lexrank": "sumy.summarizers.lex_rank:LexRankSummarizer",
    "textrank": "sumy.summarizers.text_rank:TextRankSummarizer",
    "lsa": "sumy.summarizers.lsa:LsaSummarizer",
    "luhn": "sumy.summarizers.luhn:LuhnSummarizer",
    "kl": "sumy.summarizers.kl:KLSummarizer",
    "sumbasic": "sumy.summarizers.sum_basic:SumBasicSummarizer",
    "edmundson": "sumy.summarizers.edmundson:EdmundsonSummarizer",
}

MIN_WORDS = 8
MAX_WORDS = 60
SAME_FACT = 0.5
"""Two sentences whose content-word overlap (Jaccard) reaches this report the same fact
(the plain test :mod:`generator.compare` uses for quotes)."""

PARAPHRASE_COSINE = 0.5
"""idf-weighted cosine at or above which two sentences of different sources carry one fact."""
PARAPHRASE_OVERLAP = 0.6
"""...or when this share of the lighter sentence's idf mass is found in the other
(with at least PARAPHRASE_SHARED content words in common)."""
PARAPHRASE_SHARED = 5
IDF_FLOOR = 0.2
"""Added to every word's idf (log((n+1)/(df+1)) over the story's sentences)."""
REDUNDANT_COSINE = 0.3
"""Looser test for the summary itself: a sentence this close to a chosen one is not added."""
REDUNDANT_OVERLAP = 0.45
REDUNDANT_SHARED = 4
CLAUSE_OVERLAP = 0.5
"""A clause (a sentence cut at ", while", ", but", "; ", a dash...) of which this share
of idf mass is in a chosen sentence makes its sentence redundant with it..."""
CLAUSE_SHARED = 4
"""...when they share at least this many content words."""
WEIGHT_RANK = 1.0
"""Blend of a fact's score, from its best copy: the sumy rank (1 best .. 0 worst) ..."""
WEIGHT_CENTRAL = 4.0
"""... plus its summed cosine with the other articles' sentences (scaled to 1 at most) ..."""
WEIGHT_LEAD = 1.5
"""... plus 1 / (1 + its position in its article): news puts the news first ..."""
WEIGHT_SUPPORT = 0.5
"""... plus the share of the story's sources reporting the fact. Tuned on NeuS train
(bench/bench_summary.py), confirmed on val."""
DENSE_LIMIT = 2_000_000
"""Stories whose sentence x word matrix is larger than this use scipy sparse matrices."""

_DANGLING = re.compile(
    r"^(?:he|she|they|it|this|that|these|those|his|her|their|its|him|them|but|and|or|so|"
    r"however|meanwhile|also|still|yet|then|moreover|furthermore|additionally|in addition|"
    r"instead|otherwise|nevertheless|nonetheless|thus|therefore|as a result|in turn|"
    r"besides|likewise|similarly|by contrast|on the other hand|even so|in response|"
    r"the official|the spokesperson|the spokesman|the spokeswoman|the statement|"
    r"the move|the decision|the report|the comments|the remarks|such)\b",
    re.I,
)
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)
_PRONOUN = frozenset("he she they him them his her their".split())
_BOILERPLATE = re.compile(
    r"\b(?:all rights reserved|copyright|terms of (?:use|service)|privacy policy|cookies?|"
    r"subscribe|newsletter|sign up|log ?in|click here|read more|related (?:articles|stories)|"
    r"follow us|share this|advertisement|getty images|ap photo|photo credit|"
    r"contributed to this report|this story has been updated|this article was)\b|"
    r"https?://|www\.|\S+@\S+\.\w",
    re.I,
)
_BOILERPLATE_WORDS = frozenset(
    "rights copyright terms privacy cookie cookies subscribe newsletter sign log login click "
    "read related follow share advertisement getty photo contributed story article http https "
    "www".split()
)
_CLAUSE = re.compile(r",\s+(?:while|but|whereas|although|though|as well as)\s+|;\s+|\s+[—–]\s+"
                     r"|\s+--\s+", re.I)
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|['’\-.](?=[^\W_])|,(?=\d))*")
"""A word: letters and digits, inner apostrophes, hyphens and dots kept, commas inside numbers."""
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "dozen": "12",
}
"""Number words. Scale words (hundred, thousand, million...) are left out: "120 million"
and "135 million" must not agree through "million"."""
_STOP = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being "
    "it its this that these those he she they them his her their we our you your i not no "
    "has have had do does did will would can could should may might must said says say "
    "also than then there here which who whom whose what when where why how all any some "
    "more most other such only own same so too very just over into out up down about after "
    "before while during against between through under again further once".split()
)


class OfflineTokenizer:
    """sumy's tokenizer interface backed by pysbd: ships its rules, downloads nothing."""

    def __init__(self, language: str = "english") -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        from .text import split_sentences

        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return _words(sentence)


@lru_cache(maxsize=65536)
def _words(sentence: str) -> tuple[str, ...]:
    return tuple(words(sentence))


def _stem(word: str) -> str:
    return word if word[0].isdigit() else word[:6]


def content_words(sentence: str) -> frozenset[str]:
    """Lower-cased words of a sentence minus stop words, crudely stemmed."""
    return frozenset(_stem(w) for w in words(fold(sentence)) if w not in _STOP and len(w) > 1)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# --- words --------------------------------------------------------------------------------


class _Token(NamedTuple):
    """What a summary needs to know about one token (computed once per distinct token)."""

    stem: int
    """Id of its Snowball stem in the lexicon, -1 for a stop word or a single character."""
    number: str
    """Its value when it is a number ("40,000" -> "40000", "twelve" -> "12"), else ""."""
    name: str
    """Its lower-case form when capitalised and neither a stop word nor a calendar word."""
    capital: bool
    """Capitalised and not a calendar word (a name for the dangling-pronoun test)."""
    pronoun: bool
    boiler: bool
    """One of the words boilerplate lines use (then the boilerplate pattern is tried)."""


class _Lexicon:
    """Tokens of one language, described once each, with ids for their stems."""

    LIMIT = 500_000

    def __init__(self, language: str) -> None:
        self.stem_word: Callable[[str], str] = _stemmer(language)
        self.stop = _stop_words(language)
        self.stems: dict[str, int] = {}
        self.names: list[str] = []
        self.tokens: dict[str, _Token] = {}

    def token(self, raw: str) -> _Token:
        if len(self.tokens) > self.LIMIT:
            self.tokens.clear()
        low = raw.lower() if raw.isascii() else fold(raw)
        if low.endswith(("'s", "’s")) and len(low) > 2:
            low = low[:-2]
        if low[0].isdigit():
            number = low.replace(",", "")
            stem = number
        else:
            number = _NUMBER_WORDS.get(low, "")
            stem = self.stem_word(low)
        sid = -1
        if low not in self.stop and len(low) > 1:
            sid = self.stems.get(stem, -1)
            if sid < 0:
                sid = self.stems[stem] = len(self.stems)
                self.names.append(stem)
        capital = raw[0].isupper() and low not in _CALENDAR
        name = low if capital and low not in self.stop else ""
        info = _Token(sid, number, name, capital, low in _PRONOUN, low in _BOILERPLATE_WORDS)
        self.tokens[raw] = info
        return info


@lru_cache(maxsize=8)
def _lexicon(language: str) -> _Lexicon:
    return _Lexicon(language)


def dangling(sentence: str, tokens: Sequence[str] | None = None) -> bool:
    """The sentence leans on context it does not carry (leading connective or pronoun)."""
    text = sentence.lstrip("“\"'‘ ")
    if _DANGLING.match(text):
        return True
    lex = _lexicon("english")
    return _pronoun_first([lex.tokens.get(t) or lex.token(t)
                           for t in (tokens if tokens is not None else _TOKEN.findall(text))])


def _pronoun_first(infos: Sequence[_Token]) -> bool:
    """"In a statement Friday, he said ...": a pronoun before any name."""
    for i, info in enumerate(infos[:8]):
        if info.pronoun:
            return True
        if i and info.capital:
            return False
    return False


def _whole(sentence: str, count: int, infos: Sequence[_Token] | None = None) -> bool:
    """A whole sentence of MIN_WORDS to MAX_WORDS words, not boilerplate or a caption
    (``infos``: its tokens, when known, tell whether the boilerplate pattern is worth trying)."""
    if count < MIN_WORDS or count > MAX_WORDS:
        return False
    stripped = sentence.rstrip("\"'”’)» ")
    if not stripped or stripped[-1] not in ".!?":
        return False
    if not sentence[:1].isupper() and sentence[:1] not in "“\"‘'":
        return False
    if sentence.count("“") != sentence.count("”") or sentence.count('"') % 2:
        return False
    if infos is not None:
        boiler = any([i.boiler for i in infos])
    else:
        boiler = not _BOILERPLATE_WORDS.isdisjoint(w.lower() for w in _TOKEN.findall(sentence))
    return not (boiler and _BOILERPLATE.search(sentence))


def is_candidate(sentence: str, tokens: Sequence[str] | None = None) -> bool:
    """A self-contained sentence worth putting in a summary (dangling ones excepted):
    a whole sentence of MIN_WORDS to MAX_WORDS words, not boilerplate or a caption."""
    toks = tokens if tokens is not None else _TOKEN.findall(sentence)
    return _whole(sentence, len(toks))


# --- the story as matrices ----------------------------------------------------------------


@dataclass
class Candidate:
    """One fact of a story: a sentence and every article that reports it."""

    text: str
    words: frozenset[str]
    order: tuple[int, int, int]
    """(article rank by time, paragraph, sentence) of its first appearance."""
    carriers: dict[str, int] = field(default_factory=dict)
    """article id -> sentence index in that article (counted across paragraphs)."""
    position: int = 0
    """Earliest index of the fact's sentence in an article carrying it (0 = a lead)."""
    standalone: bool = True
    """False when it leans on missing context: used only if nothing better exists."""
    row: int = -1
    """Its row in the story's matrices (internal)."""
    rows: tuple[int, ...] = ()
    """Rows of every copy of the fact (internal)."""


@dataclass
class _Story:
    """A story's sentences and the matrices every later step reads."""

    texts: list[str]
    article: list[str]
    order: list[tuple[int, int, int]]
    index: list[int]
    """Index of each sentence in its article."""
    ids: list[list[int]]
    """Stem ids of each sentence's content words, in order, with repeats."""
    tokens: list[list[_Token]]
    """Each sentence's tokens (numbers and names are read from them when needed)."""
    quality: list[int]
    """0 standalone, 1 dangling, 2 not a candidate."""
    language: str = "english"
    counts: Any = None
    """Sentence x word counts (numpy array, or scipy CSR for a large story)."""
    columns: Any = None
    """Lexicon stem id of each column."""
    cosine: Any = None
    overlap: Any = None
    shared: Any = None
    paraphrase: Any = None
    """Boolean matrix: the two sentences report the same fact."""
    idf: Any = None

    def __len__(self) -> int:
        return len(self.texts)


def _describe(articles: Sequence[Article], language: str = "english") -> _Story:
    lex = _lexicon(language)
    known = lex.tokens
    story = _Story([], [], [], [], [], [], [], language)
    # Reading order: dated articles by time, undated ones after them.
    ranked = sorted(articles, key=lambda a: (a.published is None, a.published or "", a.id))
    for rank, article in enumerate(ranked):
        index = 0
        for p, para in enumerate(article.sentences):
            for s, sentence in enumerate(para):
                toks = _TOKEN.findall(sentence)
                infos = [known.get(t) or lex.token(t) for t in toks]
                if not _whole(sentence, len(toks), infos):
                    quality = 2
                elif _DANGLING.match(sentence.lstrip("“\"'‘ ")) or _pronoun_first(infos):
                    quality = 1
                else:
                    quality = 0
                story.texts.append(sentence)
                story.article.append(article.id)
                story.order.append((rank, p, s))
                story.index.append(index)
                story.ids.append([i.stem for i in infos if i.stem >= 0])
                story.tokens.append(infos)
                story.quality.append(quality)
                index += 1
    return story


def _stems(story: _Story, row: int) -> frozenset[str]:
    names = _lexicon(story.language).names
    return frozenset(names[i] for i in story.ids[row])


def _agree(story: _Story, i: int, j: int) -> bool:
    """Numbers (and names, when both have some) do not contradict."""
    one, two = story.tokens[i], story.tokens[j]
    a = {t.number for t in one if t.number}
    b = {t.number for t in two if t.number}
    if a - b and b - a:  # each has a number the other lacks: "135 million" vs "120 million"
        return False
    a = {t.name for t in one[1:] if t.name}
    b = {t.name for t in two[1:] if t.name}
    return not (a and b and a.isdisjoint(b))


def _dense(matrix: Any) -> Any:
    import numpy as np
    return matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)


def _measure(story: _Story) -> None:
    """Fill the story's term matrix and its pairwise similarity matrices."""
    import numpy as np
    n = len(story)
    lengths = np.fromiter((len(i) for i in story.ids), dtype=np.int64, count=n)
    flat = np.fromiter(chain.from_iterable(story.ids), dtype=np.int64, count=int(lengths.sum()))
    columns, local = np.unique(flat, return_inverse=True)
    v = max(len(columns), 1)
    rows = np.repeat(np.arange(n), lengths)
    if n * v <= DENSE_LIMIT:
        counts: Any = np.bincount(rows * v + local, minlength=n * v).reshape(n, v).astype(float)
        binary: Any = (counts > 0).astype(float)
        df = binary.sum(axis=0)
    else:
        from scipy import sparse

        counts = sparse.csr_matrix((np.ones(len(flat)), (rows, local)), shape=(n, v))
        counts.sum_duplicates()
        binary = counts.copy()
        binary.data[:] = 1.0
        df = np.asarray(binary.sum(axis=0)).ravel()
    idf = np.log((n + 1) / (df + 1)) + IDF_FLOOR
    if isinstance(binary, np.ndarray):
        weighted: Any = binary * idf
        squares = (weighted * weighted).sum(axis=1)
    else:
        weighted = binary.multiply(idf).tocsr()
        squares = np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel()
    mass = np.asarray(weighted.sum(axis=1)).ravel()
    lighter = np.minimum(mass[:, None], mass[None, :])
    lighter[lighter == 0] = 1.0
    overlap = _dense(weighted @ binary.T) / lighter
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    gram = _dense(weighted @ weighted.T)
    story.counts = counts
    story.columns = columns
    story.idf = idf
    story.cosine = gram / norms[:, None] / norms[None, :]
    story.overlap = overlap
    story.shared = _dense(binary @ binary.T)
    close = _same(story, PARAPHRASE_COSINE, PARAPHRASE_OVERLAP, PARAPHRASE_SHARED)
    for i, j in np.argwhere(np.triu(close, 1)).tolist():
        if not _agree(story, i, j):
            close[i, j] = close[j, i] = False
    story.paraphrase = close


def _same(story: _Story, cosine: float, overlap: float, shared: int) -> Any:
    return (story.cosine >= cosine) | ((story.overlap >= overlap) & (story.shared >= shared))


def _facts(articles: Sequence[Article], language: str = "english",
           ) -> tuple[list[Candidate], _Story]:
    import numpy as np
    story = _describe(articles, language)
    if not len(story):
        return [], story
    _measure(story)
    para = story.paraphrase
    same: dict[int, list[int]] = {}
    for i, j in np.argwhere(np.tril(para, -1)).tolist():
        same.setdefault(i, []).append(j)
    reps: list[int] = []
    taken: set[int] = set()
    for i, quality in enumerate(story.quality):
        if quality == 2 or (i in same and not taken.isdisjoint(same[i])):
            continue
        reps.append(i)
        taken.add(i)
    groups = [Candidate(story.texts[r], frozenset(), story.order[r],
                        {story.article[r]: story.index[r]}, position=story.index[r],
                        standalone=story.quality[r] == 0, row=r, rows=(r,)) for r in reps]
    if not groups:
        return groups, story
    members: dict[str, list[int]] = {}
    for i, aid in enumerate(story.article):
        members.setdefault(aid, []).append(i)
    rep_rows = np.array(reps)
    for aid, rows in members.items():
        cols = np.array(rows)
        best = cols[np.argmax(story.cosine[rep_rows][:, cols], axis=1)]
        ok = para[rep_rows, best]
        for cand, j, good in zip(groups, best.tolist(), ok.tolist(), strict=True):
            if good and aid not in cand.carriers:
                cand.carriers[aid] = story.index[j]
                cand.order = min(cand.order, story.order[j])
                cand.position = min(cand.position, story.index[j])
                cand.rows = (*cand.rows, j)
    return groups, story


def candidates(articles: Sequence[Article]) -> list[Candidate]:
    """The facts of a story: standalone sentences, paraphrases across sources merged."""
    groups, story = _facts(articles)
    for c in groups:
        c.words = _stems(story, c.row)
    return [c for c in groups if c.standalone]


# --- ranking with sumy -------------------------------------------------------------------


@lru_cache(maxsize=8)
def _pystemmer(language: str) -> Any:
    import Stemmer as pystemmer

    name = language.lower()
    return pystemmer.Stemmer(name if name in pystemmer.algorithms() else "english")


def _stemmer(language: str) -> Callable[[str], str]:
    """One word's Snowball stem (PyStemmer: the algorithms sumy's NLTK stemmer runs, in C),
    the callable sumy's summarizers take."""
    return cast(Callable[[str], str], _pystemmer(language).stemWord)


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    from sumy.utils import get_stop_words

    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset(get_stop_words("english"))


@lru_cache(maxsize=1)
def _lean_nltk() -> None:
    """Import NLTK (sumy's stemmers need it) without the scipy.stats and scikit-learn
    it loads for features sumy never uses (collocation association measures,
    scikit-learn classifiers): about 0.3 s instead of 1.5-2 s.

    NLTK catches the ImportError of each (a stub for ``fisher_exact``, no
    scikit-learn wrapper). The block lasts only while NLTK is imported, holding the
    interpreter's import lock so no other thread's import sees it; a module
    already imported is never blocked, and nothing is blocked once NLTK is loaded.
    """
    if "nltk" in sys.modules:
        return
    import _imp

    _imp.acquire_lock()
    try:
        blocked = [name for name in ("scipy.stats", "sklearn") if name not in sys.modules]
        for name in blocked:
            sys.modules[name] = None  # type: ignore[assignment]
        try:
            importlib.import_module("nltk")
        finally:
            for name in blocked:
                if name in sys.modules and sys.modules[name] is None:
                    del sys.modules[name]
    finally:
        _imp.release_lock()


@lru_cache(maxsize=1)
def _fast_lexrank() -> type:
    """sumy's LexRankSummarizer with its O(n^2) Python loops replaced by numpy.

    Same tf (count / the sentence's largest count), idf (log(n / (1 + df))),
    idf-modified cosine, threshold graph and power method (sumy's own) as sumy.
    ``rate_counts`` rates sentences given as a term-count matrix (what
    :func:`_measure` builds); called on a sumy document it counts sumy's words.
    """
    import numpy as np

    _lean_nltk()
    from sumy.summarizers.lex_rank import LexRankSummarizer

    class VectorLexRank(LexRankSummarizer):  # type: ignore[misc]
        def __call__(self, document: Any, sentences_count: Any) -> Any:
            sentences = document.sentences
            words_ = [self._to_words_set(s) for s in sentences]
            if not words_:
                return ()
            vocab: dict[str, int] = {}
            cells = [(row, vocab.setdefault(w, len(vocab)))
                     for row, ws in enumerate(words_) for w in ws]
            counts = np.zeros((len(words_), max(len(vocab), 1)))
            for row, col in cells:
                counts[row, col] += 1
            ratings = dict(zip(sentences, self.rate_counts(counts).tolist(), strict=True))
            return self._get_best_sentences(sentences, sentences_count, ratings)

        def rate_counts(self, counts: Any) -> Any:
            n = counts.shape[0]
            if isinstance(counts, np.ndarray):
                top = counts.max(axis=1) if counts.shape[1] else np.zeros(n)
                top[top == 0] = 1.0
                idf = np.log(n / (1.0 + (counts > 0).sum(axis=0)))
                tf = counts / top[:, None]
                weighted = tf * idf
                numerator = (weighted * idf) @ tf.T
                squares = (weighted * weighted).sum(axis=1)
            else:
                from scipy import sparse

                top = counts.max(axis=1).toarray().ravel()
                top[top == 0] = 1.0
                idf = np.log(n / (1.0 + np.asarray((counts > 0).sum(axis=0)).ravel()))
                tf = (sparse.diags(1.0 / top) @ counts).tocsr()
                weighted = tf.multiply(idf).tocsr()
                numerator = _dense(weighted.multiply(idf).tocsr() @ tf.T)
                squares = np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel()
            norms = np.sqrt(squares)
            denominator = norms[:, None] * norms[None, :]
            safe = np.where(denominator > 0, denominator, 1.0)
            cosine = np.where(denominator > 0, numerator / safe, 0.0)
            matrix = (cosine > self.threshold).astype(float)
            degrees = matrix.sum(axis=1)
            degrees[degrees == 0] = 1.0
            with np.errstate(invalid="ignore", divide="ignore"):
                scores = LexRankSummarizer.power_method(matrix / degrees[:, None], self.epsilon)
            return np.where(np.isfinite(scores), scores, 0.0)  # all-zero matrix: 0/0

    return VectorLexRank


@lru_cache(maxsize=32)
def _summarizer(algorithm: str, language: str) -> Any:
    """One configured sumy summarizer per algorithm and language (setting sumy's
    stop words normalises the whole list, so it is done once)."""
    _lean_nltk()
    stop = _stop_words(language)
    if algorithm == "lexrank":
        cls = _fast_lexrank()
    else:
        module_name, class_name = ALGORITHMS[algorithm].split(":")
        cls = getattr(importlib.import_module(module_name), class_name)
    summarizer = cls(_stemmer(language))
    if algorithm == "edmundson":
        summarizer.stigma_words = {"reportedly"}
        summarizer.null_words = stop
    else:
        summarizer.stop_words = stop
    return summarizer


def prepare(config: SummaryConfig, language: str = "english") -> None:
    """Import and set up the configured sumy summarizer now (sumy imports NLTK, which
    takes seconds): worker processes forked afterwards inherit it instead of each
    importing it again."""
    _summarizer(config.algorithm.lower(), language)


class RankRecorder:
    """A sumy ``sentences_count`` that keeps every sentence and records sumy's ranking.

    sumy sorts sentences by rating, best first, and hands that list to a callable
    count; we keep all of them and remember the order.
    """

    def __init__(self) -> None:
        self.order: list[str] = []

    def __call__(self, infos: Sequence[Any]) -> Sequence[Any]:
        self.order = [str(info.sentence) for info in infos]
        return infos


def _ranks(story: _Story, algorithm: str, language: str, title: str = "") -> Any:
    """Each sentence's rank by the sumy summarizer, scaled 1 (best) .. 0 (worst)."""
    import numpy as np
    n = len(story)
    if n <= 1:
        return np.ones(n)
    summarizer = _summarizer(algorithm, language)
    if algorithm == "lexrank":
        scores = summarizer.rate_counts(story.counts)
        order = sorted(range(n), key=lambda i: (-scores[i], i))
    else:
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

        tokenizer = OfflineTokenizer(language)
        document = ObjectDocumentModel([Paragraph([Sentence(t, tokenizer)
                                                   for t in story.texts])])
        if algorithm == "edmundson":
            summarizer.bonus_words = {w.lower() for w in _words(title)} or {"said"}
        ranking = RankRecorder()
        summarizer(document, ranking)
        first: dict[str, int] = {}
        for i, text in enumerate(ranking.order):
            first.setdefault(text, i)
        order = sorted(range(n), key=lambda i: (first.get(story.texts[i], n), i))
    rank = np.empty(n)
    rank[order] = 1.0 - np.arange(n) / n
    return rank


def rank(cands: list[Candidate], algorithm: str, language: str, title: str = "",
         stems: dict[str, list[str]] | None = None) -> list[Candidate]:
    """Candidates ordered best first by the sumy summarizer run over their texts alone."""
    if len(cands) <= 1:
        return list(cands)
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    del stems  # the vector LexRank counts sumy's own words of the texts
    tokenizer = OfflineTokenizer(language)
    document = ObjectDocumentModel([Paragraph([Sentence(c.text, tokenizer) for c in cands])])
    summarizer = _summarizer(algorithm, language)
    if algorithm == "edmundson":
        summarizer.bonus_words = {w.lower() for w in _words(title)} or {"said"}
    ranking = RankRecorder()
    summarizer(document, ranking)
    position = {text: i for i, text in enumerate(ranking.order)}
    return sorted(cands, key=lambda c: (position.get(c.text, len(position)), c.order))


# --- choosing -----------------------------------------------------------------------------


def _clause_rows(story: _Story, row: int, binary: Any) -> Any | None:
    """Sentences that contain one of this sentence's clauses (a sentence cut at ", while",
    ", but", "; ", a dash...): CLAUSE_SHARED or more of its content words, CLAUSE_OVERLAP
    of its idf mass. None when the sentence has a single clause."""
    import numpy as np
    parts = _CLAUSE.split(story.texts[row])
    if len(parts) < 2:
        return None
    lex = _lexicon(story.language)
    known = lex.tokens
    hit = np.zeros(len(story), dtype=bool)
    for part in parts:
        ids = {(known.get(t) or lex.token(t)).stem for t in _TOKEN.findall(part)}
        ids.discard(-1)
        cols: Any = np.searchsorted(story.columns, sorted(ids)) if ids else []
        if len(cols) < CLAUSE_SHARED:
            continue
        present = binary[:, cols]
        weights = story.idf[cols]
        hit |= ((present.sum(axis=1) >= CLAUSE_SHARED)
                & (present @ weights >= CLAUSE_OVERLAP * weights.sum()))
    hit[row] = False
    return hit


class _Redundancy:
    """Which facts are too close to both be in one summary: a copy of one close overall to
    a copy of the other (looser than the grouping test), or a clause of one fact's
    sentence mostly contained in a copy of the other. Clauses are only looked at for the
    facts the choice actually considers."""

    def __init__(self, story: _Story) -> None:
        self.story = story
        close = ((story.cosine >= REDUNDANT_COSINE)
                 | ((story.overlap >= REDUNDANT_OVERLAP) & (story.shared >= REDUNDANT_SHARED)))
        self.close: list[list[bool]] = close.tolist()
        # A clause can only be contained in a sentence sharing CLAUSE_SHARED words with it.
        self.maybe: list[list[bool]] = (story.shared >= CLAUSE_SHARED).tolist()
        self.binary: Any = None
        self.clauses: dict[int, list[bool] | None] = {}

    def _clauses(self, row: int) -> list[bool] | None:
        if row not in self.clauses:
            if self.binary is None:
                self.binary = (_dense(self.story.counts) > 0).astype(float)
            hit = _clause_rows(self.story, row, self.binary)
            self.clauses[row] = None if hit is None else cast(list[bool], hit.tolist())
        return self.clauses[row]

    def __call__(self, a: Candidate, b: Candidate) -> bool:
        close = self.close
        if any(close[x][y] for x in a.rows for y in b.rows):
            return True
        maybe = self.maybe
        for one, other in ((a, b), (b, a)):
            if not any(maybe[one.row][y] for y in other.rows):
                continue
            hit = self._clauses(one.row)
            if hit is not None and any(hit[y] for y in other.rows):
                return True
        return False


def choose(story: Story, config: SummaryConfig,
           language: str = "english") -> list[Candidate]:
    """The summary's candidates, in reading order."""
    import numpy as np
    groups, data = _facts(story.articles, language)
    if not len(data):
        return []
    if not groups:
        # Nothing passes the filters: fall back to each article's first sentence.
        groups = [Candidate(data.texts[i], frozenset(), data.order[i],
                            {data.article[i]: 0}, row=i, rows=(i,))
                  for i in range(len(data)) if data.index[i] == 0]
    n = len(data)
    sources = max(1, len(set(data.article)))
    ranks = _ranks(data, config.algorithm.lower(), language, story.title)
    # Centrality across outlets: summed cosine with the other articles' sentences.
    rank_of = np.array([o[0] for o in data.order])
    central = np.where(rank_of[:, None] != rank_of[None, :], data.cosine, 0.0).sum(axis=1)
    top = central.max() if n else 0.0
    if top > 0:
        central = central / top
    own = (WEIGHT_RANK * ranks + WEIGHT_CENTRAL * central
           + WEIGHT_LEAD / (1.0 + np.array(data.index))).tolist()
    score: list[float] = []
    for c in groups:
        # The fact is told in the words of its best copy (as standalone as the first).
        rows = [r for r in c.rows if data.quality[r] <= data.quality[c.row]]
        best = max(rows, key=lambda r: (own[r], -r))
        c.text, c.row = data.texts[best], best
        score.append(own[best] + WEIGHT_SUPPORT * len(c.carriers) / sources
                     - (0 if c.standalone else 2))
    redundant = _Redundancy(data)
    wanted = config.sentences if not config.words else len(groups)
    chosen: list[int] = []
    total = 0
    for k in sorted(range(len(groups)), key=lambda k: (-score[k], groups[k].order)):
        if any(redundant(groups[k], groups[c]) for c in chosen):
            continue
        chosen.append(k)
        total += len(groups[k].text.split())
        if len(chosen) >= wanted or (config.words and total >= config.words):
            break
    # Reading order: the news first (a fact's earliest place in an article), then first
    # appearance with articles taken by publication time.
    return sorted((groups[k] for k in chosen), key=lambda c: (c.position, c.order))


def summarize(story: Story, config: SummaryConfig, language: str = "english",
              cache: Cache | None = None) -> list[SummarySentence]:
    """Choose, order and cite the summary sentences of one story.

    ``cache`` (a :class:`generator.cache.Cache`) skips stories already summarised
    with the same code, options and sentences.
    """
    key = ""
    if cache is not None:
        key = cache.key(code_version(), asdict(config), language, story.title,
                        [(a.id, a.published, a.sentences) for a in story.articles])
        hit = cache.get(key)
        if isinstance(hit, list):
            try:
                return [SummarySentence(text=str(h["text"]), articles=list(h["articles"]),
                                        anchors={str(k): int(v)
                                                 for k, v in h["anchors"].items()})
                        for h in hit]
            except (KeyError, TypeError, ValueError, AttributeError):
                pass
    out = [SummarySentence(text=c.text, articles=sorted(c.carriers),
                           anchors=dict(sorted(c.carriers.items())))
           for c in choose(story, config, language)]
    if cache is not None:
        cache.put(key, [{"text": s.text, "articles": s.articles, "anchors": s.anchors}
                        for s in out])
    return out


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of this module's source and sumy's version: a new one invalidates cached summaries."""
    from importlib.metadata import version

    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + version("sumy").encode()).hexdigest()[:16]


def choose_headline(story: Story) -> str:
    """The member headline most representative of the story (closest to the others)."""
    titled = [a for a in story.articles if a.origin.get("title") not in
              ("file name", "inferred from the first sentence")]
    pool = titled or story.articles
    if len(pool) == 1:
        return pool[0].title
    bags = {a.id: content_words(a.title) | content_words(" ".join(a.all_sentences[:2]))
            for a in story.articles}

    def score(article: Article) -> tuple[float, str]:
        own = content_words(article.title)
        total = sum(jaccard(own, bags[o.id]) for o in story.articles if o.id != article.id)
        return (-total, article.id)

    return min(pool, key=score).title


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def _numbers(sentence: str) -> frozenset[str]:
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(sentence))


def add_fact_citations(summary: list[SummarySentence], facts: Sequence[Fact],
                       articles: Sequence[Article]) -> None:
    """Cite, for each summary sentence, every source that ``compare`` aligned with it.

    The summary and the facts-by-sources view come from two alignments; a reader
    must see the same sources under a sentence as in its row of the coverage
    matrix. A fact matches a summary sentence when they share a source sentence
    (the same article and sentence index). Its other carriers are added only when
    their sentence states the same numbers: compare aligns "cost 120 million" with
    "cost 135 million" as one claim (a disagreement), but the second source does
    not say what the summary sentence says.
    """
    sentences = {a.id: a.all_sentences for a in articles}
    for sentence in summary:
        own = set(sentence.anchors.items())
        numbers = _numbers(sentence.text)
        for fact in facts:
            if not own & set(fact.anchors.items()):
                continue
            for article, index in fact.anchors.items():
                if article in sentence.anchors:
                    continue
                text = sentences.get(article, [])
                if 0 <= index < len(text) and _numbers(text[index]) == numbers:
                    sentence.anchors[article] = index
        sentence.anchors = dict(sorted(sentence.anchors.items()))
        sentence.articles = sorted(set(sentence.articles) | set(sentence.anchors))
