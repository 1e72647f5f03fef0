"""Stage 4, summarize: an extractive, cited summary for every story.

1. **Sentences** of every article are read in time order and described once:
   content words (stop words out, crude stem), numbers, names, and whether the
   sentence can stand alone (not a fragment, not boilerplate or a caption, not
   leaning on missing context such as a leading "He added" or "However,").
2. **Facts**: sentences that report the same fact are grouped across sources,
   paraphrases included. Similarity is an idf-weighted cosine of content words
   together with the share of the shorter sentence's content words found in
   the other; numbers must agree and so must names when both sentences have
   them. Each group becomes one :class:`Candidate` that remembers, for every
   article reporting it, the index of the matching sentence (the ``#s<N>``
   anchor on the article page).
3. **Ranking**: a sumy summarizer (LexRank by default) rates a bounded set of
   candidates through :class:`OfflineTokenizer` (pysbd and a regex: nothing is
   downloaded). LexRank runs through a subclass that computes sumy's own
   idf-modified cosine matrix with numpy instead of a Python double loop.
   sumy's rank is blended with how many sources report a fact and how early
   it appears.
4. **Choice**: the best candidates that are not redundant with one already
   chosen (a looser same-fact test) fill the length budget, and are put in
   reading order: first appearance, articles taken by publication time.
"""

from __future__ import annotations

import hashlib
import importlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np

from .cache import Cache
from .config import SummaryConfig
from .model import Article, Story, SummarySentence
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
MAX_RANKED = 60
"""At most this many candidates (best by sources and position) go to the sumy summarizer."""
WEIGHT_RANK = 1.0
"""Blend of the final score: sumy's rank (1 best .. 0 worst) ..."""
WEIGHT_SUPPORT = 0.5
"""... plus the share of the story's sources reporting the fact ..."""
WEIGHT_LEAD = 0.5
"""... plus 1 / (1 + sentence position in its article): news puts the news first."""

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
_PUNCT = "\"'“”‘’()[]{}<>,.;:!?…*–—-«»/"
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "dozen": "12", "hundred": "100", "thousand": "1000", "million": "1000000",
    "billion": "1000000000",
}
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


def _tokens(sentence: str) -> list[str]:
    """Fast word split: whitespace, then outer punctuation stripped."""
    out = []
    for raw in sentence.split():
        t = raw.strip(_PUNCT)
        if t.endswith(("'s", "’s")):
            t = t[:-2]
        if t:
            out.append(t)
    return out


def dangling(sentence: str, tokens: Sequence[str] | None = None) -> bool:
    """The sentence leans on context it does not carry (leading connective or pronoun)."""
    text = sentence.lstrip("“\"'‘ ")
    if _DANGLING.match(text):
        return True
    # "In a statement Friday, he said ...": a pronoun before any name.
    for i, w in enumerate((tokens if tokens is not None else _tokens(text))[:8]):
        low = w.lower()
        if low in _PRONOUN:
            return True
        if i and w[:1].isupper() and low not in _CALENDAR:
            return False
    return False


def is_candidate(sentence: str, tokens: Sequence[str] | None = None) -> bool:
    """A self-contained sentence worth putting in a summary (dangling ones excepted):
    a whole sentence of MIN_WORDS to MAX_WORDS words, not boilerplate or a caption."""
    toks = tokens if tokens is not None else _tokens(sentence)
    n = len(toks)
    if n < MIN_WORDS or n > MAX_WORDS:
        return False
    stripped = sentence.rstrip("\"'”’)» ")
    if not stripped or stripped[-1] not in ".!?":
        return False
    if not sentence[:1].isupper() and sentence[:1] not in "“\"‘'":
        return False
    if sentence.count("“") != sentence.count("”") or sentence.count('"') % 2:
        return False
    lowered = {t.lower() for t in toks}
    return not (lowered & _BOILERPLATE_WORDS and _BOILERPLATE.search(sentence))


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
    """Index of the sentence in its own article (0 = the lead)."""
    standalone: bool = True
    """False when it leans on missing context: used only if nothing better exists."""
    row: int = -1
    """Its row in the story's similarity matrix (internal)."""


@dataclass
class _Sent:
    text: str
    article: str
    order: tuple[int, int, int]
    index: int
    words: frozenset[str]
    """Snowball stems of its content words."""
    stems: list[str]
    """The same, in order and with repeats (what sumy's LexRank counts)."""
    numbers: frozenset[str]
    names: frozenset[str]
    quality: int
    """0 standalone, 1 dangling, 2 not a candidate."""


def _describe(articles: Sequence[Article], language: str = "english") -> list[_Sent]:
    out: list[_Sent] = []
    stem_words = _stem_words(language)
    stop = _stop_words(language)
    # Reading order: dated articles by time, undated ones after them.
    ranked = sorted(articles, key=lambda a: (a.published is None, a.published or "", a.id))
    for rank, article in enumerate(ranked):
        index = 0
        for p, para in enumerate(article.sentences):
            for s, sentence in enumerate(para):
                toks = _tokens(sentence)
                lower = [t.lower() if t.isascii() else fold(t) for t in toks]
                stems = stem_words([w for w in lower if w not in stop and len(w) > 1])
                numbers = {w.replace(",", "") for w in lower if w[0].isdigit()}
                numbers.update(_NUMBER_WORDS[w] for w in lower if w in _NUMBER_WORDS)
                names = frozenset(
                    low for tok, low in zip(toks[1:], lower[1:], strict=True)
                    if tok[0].isupper() and low not in stop and low not in _CALENDAR
                )
                if not is_candidate(sentence, toks):
                    quality = 2
                elif dangling(sentence, toks):
                    quality = 1
                else:
                    quality = 0
                out.append(_Sent(sentence, article.id, (rank, p, s), index, frozenset(stems),
                                 stems, frozenset(numbers), names, quality))
                index += 1
    return out


@dataclass
class _Similarity:
    cosine: Any
    """idf-weighted cosine of content words."""
    overlap: Any
    """Share of the lighter sentence's idf mass that the other carries too."""
    shared: Any
    """Number of content words in common."""


def _similarity(sents: Sequence[_Sent]) -> _Similarity:
    """Pairwise similarities of a story's sentences, computed with numpy."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, s in enumerate(sents):
        for w in s.words:
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
    n = len(sents)
    binary = np.zeros((n, max(len(vocab), 1)))
    binary[rows, cols] = 1.0
    idf = np.log((n + 1) / (binary.sum(axis=0) + 1)) + IDF_FLOOR
    weighted = binary * idf
    mass = weighted.sum(axis=1)
    lighter = np.minimum(mass[:, None], mass[None, :])
    lighter[lighter == 0] = 1.0
    overlap = (weighted @ binary.T) / lighter
    norms = np.sqrt((weighted * weighted).sum(axis=1))
    norms[norms == 0] = 1.0
    weighted /= norms[:, None]
    return _Similarity(weighted @ weighted.T, overlap, binary @ binary.T)


def _agree(a: _Sent, b: _Sent) -> bool:
    """Numbers (and names, when both have some) do not contradict."""
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        return False
    return not (a.names and b.names and not a.names & b.names)


def _same(sim: _Similarity, i: int, j: int, cosine: float, overlap: float,
          shared: int) -> bool:
    return bool(sim.cosine[i, j] >= cosine
                or (sim.overlap[i, j] >= overlap and sim.shared[i, j] >= shared))


def _paraphrase(sim: _Similarity, sents: Sequence[_Sent], i: int, j: int) -> bool:
    """Sentences i and j report the same fact (verbatim or a close paraphrase)."""
    return (_same(sim, i, j, PARAPHRASE_COSINE, PARAPHRASE_OVERLAP, PARAPHRASE_SHARED)
            and _agree(sents[i], sents[j]))


def _redundant(sim: _Similarity, i: int, j: int) -> bool:
    """Looser than :func:`_paraphrase`: too close to both be in one summary."""
    return _same(sim, i, j, REDUNDANT_COSINE, REDUNDANT_OVERLAP, REDUNDANT_SHARED)


def _facts(articles: Sequence[Article], language: str = "english",
           ) -> tuple[list[Candidate], list[_Sent], _Similarity]:
    sents = _describe(articles, language)
    sim = _similarity(sents)
    groups: list[Candidate] = []
    reps: list[int] = []
    by_article: dict[str, list[int]] = {}
    for i, s in enumerate(sents):
        by_article.setdefault(s.article, []).append(i)
        if s.quality == 2 or any(_paraphrase(sim, sents, i, r) for r in reps):
            continue
        reps.append(i)
        groups.append(Candidate(s.text, s.words, s.order, {}, position=s.index,
                                standalone=s.quality == 0, row=i))
    for cand in groups:
        r = cand.row
        rep = sents[r]
        for aid, members in by_article.items():
            if aid == rep.article:
                cand.carriers[aid] = rep.index
                continue
            best = max(members, key=lambda j: (sim.cosine[r, j], -j))
            if _paraphrase(sim, sents, r, best):
                cand.carriers[aid] = sents[best].index
                cand.order = min(cand.order, sents[best].order)
    return groups, sents, sim


def candidates(articles: Sequence[Article]) -> list[Candidate]:
    """The facts of a story: standalone sentences, paraphrases across sources merged."""
    return [c for c in _facts(articles)[0] if c.standalone]


# --- ranking with sumy -------------------------------------------------------------------


@lru_cache(maxsize=8)
def _pystemmer(language: str) -> Any:
    import Stemmer as pystemmer

    name = language.lower()
    return pystemmer.Stemmer(name if name in pystemmer.algorithms() else "english")


def _stem_words(language: str) -> Callable[[list[str]], list[str]]:
    """Snowball stems of a list of words (PyStemmer: the algorithms sumy's NLTK
    stemmer runs, in C)."""
    return cast(Callable[[list[str]], list[str]], _pystemmer(language).stemWords)


def _stemmer(language: str) -> Callable[[str], str]:
    """One word's Snowball stem, the callable sumy's summarizers take."""
    return cast(Callable[[str], str], _pystemmer(language).stemWord)


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    from sumy.utils import get_stop_words

    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset(get_stop_words("english"))


@lru_cache(maxsize=1)
def _fast_lexrank() -> type:
    """sumy's LexRankSummarizer, its O(n^2) Python loops replaced by numpy.

    Same tf, idf, idf-modified cosine, threshold and power method as sumy. Words
    are the stems :func:`_describe` already made (sumy's stop words out), when
    the summarizer is handed them in ``stems``; otherwise sumy's own.
    """
    from sumy.summarizers.lex_rank import LexRankSummarizer

    class VectorLexRank(LexRankSummarizer):  # type: ignore[misc]
        stems: dict[str, list[str]] = {}  # noqa: RUF012 - replaced per call

        def _to_words_set(self, sentence: Any) -> list[str]:
            known = self.stems.get(str(sentence))
            return known if known is not None else list(super()._to_words_set(sentence))

        def _create_matrix(self, sentences: Sequence[list[str]], threshold: float,
                           tf_metrics: Sequence[dict[str, float]],
                           idf_metrics: dict[str, float]) -> Any:
            vocab = {t: k for k, t in enumerate(idf_metrics)}
            n = len(sentences)
            tf = np.zeros((n, max(len(vocab), 1)))
            for row, metrics in enumerate(tf_metrics):
                for term, value in metrics.items():
                    tf[row, vocab[term]] = value
            idf = np.array([idf_metrics[t] for t in vocab] or [0.0])
            weighted = tf * idf
            norms = np.sqrt((weighted * weighted).sum(axis=1))
            numerator = (weighted * idf) @ tf.T
            denominator = norms[:, None] * norms[None, :]
            safe = np.where(denominator > 0, denominator, 1.0)
            cosine = np.where(denominator > 0, numerator / safe, 0.0)
            matrix = (cosine > threshold).astype(float)
            degrees = matrix.sum(axis=1)
            degrees[degrees == 0] = 1.0
            return matrix / degrees[:, None]

        @staticmethod
        def _compute_idf(sentences: Sequence[list[str]]) -> dict[str, float]:
            count = len(sentences)
            df: dict[str, int] = {}
            for sentence in sentences:
                for term in set(sentence):
                    df[term] = df.get(term, 0) + 1
            return {t: math.log(count / (1 + d)) for t, d in df.items()}

        @staticmethod
        def power_method(matrix: Any, epsilon: float) -> Any:
            scores = LexRankSummarizer.power_method(matrix, epsilon)
            return np.nan_to_num(scores)  # an all-zero matrix gives 0/0

    return VectorLexRank


@lru_cache(maxsize=32)
def _summarizer(algorithm: str, language: str) -> Any:
    """One configured sumy summarizer per algorithm and language (setting sumy's
    stop words normalises the whole list, so it is done once)."""
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


def rank(cands: list[Candidate], algorithm: str, language: str, title: str = "",
         stems: dict[str, list[str]] | None = None) -> list[Candidate]:
    """Candidates ordered best first by the sumy summarizer."""
    if len(cands) <= 1:
        return list(cands)
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = OfflineTokenizer(language)
    document = ObjectDocumentModel([Paragraph([Sentence(c.text, tokenizer) for c in cands])])
    summarizer = _summarizer(algorithm, language)
    if algorithm == "lexrank":
        summarizer.stems = stems or {}
    elif algorithm == "edmundson":
        summarizer.bonus_words = {w.lower() for w in _words(title)} or {"said"}
    ranking = RankRecorder()
    try:
        summarizer(document, ranking)
    finally:
        if algorithm == "lexrank":
            summarizer.stems = {}
    position = {text: i for i, text in enumerate(ranking.order)}
    return sorted(cands, key=lambda c: (position.get(c.text, len(position)), c.order))


def _prior(cand: Candidate, sources: int) -> float:
    return (WEIGHT_SUPPORT * len(cand.carriers) / sources
            + WEIGHT_LEAD / (1 + cand.position))


def choose(story: Story, config: SummaryConfig,
           language: str = "english") -> list[Candidate]:
    """The summary's candidates, in reading order."""
    groups, sents, sim = _facts(story.articles, language)
    if not groups:
        # Nothing passes the filters: fall back to each article's first sentence.
        groups = [Candidate(s.text, s.words, s.order, {s.article: 0}, row=i)
                  for i, s in enumerate(sents) if s.index == 0]
    sources = max(1, len({s.article for s in sents}))
    wanted = config.sentences if not config.words else max(1, config.words // 15)
    standalone = [c for c in groups if c.standalone]
    pool = standalone if len(standalone) >= wanted else groups
    pool = sorted(pool, key=lambda c: (-_prior(c, sources), c.order))[:MAX_RANKED]
    stems = {sents[c.row].text: sents[c.row].stems for c in pool}
    ranked = rank(pool, config.algorithm.lower(), language, story.title, stems)
    n = len(ranked)
    score = {c.row: WEIGHT_RANK * (1 - i / n) + _prior(c, sources) - (0 if c.standalone else 2)
             for i, c in enumerate(ranked)}
    chosen: list[Candidate] = []
    total = 0
    for cand in sorted(ranked, key=lambda c: (-score[c.row], c.order)):
        if any(_redundant(sim, cand.row, c.row) for c in chosen):
            continue
        size = len(_tokens(cand.text))
        if config.words and total + size > config.words and chosen:
            continue
        chosen.append(cand)
        total += size
        if len(chosen) >= (config.sentences if not config.words else n):
            break
    chosen.sort(key=lambda c: c.order)
    return chosen


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
