"""Stage 4, summarize: an extractive, cited summary for every story.

Candidates are the story's sentences, filtered (no fragments, boilerplate or
sentences that lean on missing context) and deduplicated across sources: a
sentence several outlets carry becomes one candidate that remembers every
article carrying it. sumy ranks the candidates (LexRank by default) through a
tokenizer backed by pysbd and a regex word splitter, so nothing is downloaded.
The chosen sentences skip near-repeats of each other and are put in reading
order (by first appearance), each citing every article that reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .config import SummaryConfig
from .model import Article, Story, SummarySentence
from .text import fold, split_sentences, words

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
"""Two sentences whose content-word overlap (Jaccard) reaches this report the same fact."""

_DANGLING = re.compile(
    r"^(?:he|she|they|it|this|that|these|those|his|her|their|its|but|and|or|so|however|"
    r"meanwhile|also|still|yet|then|moreover|furthermore|additionally|in addition|"
    r"instead|otherwise|nevertheless|nonetheless|thus|therefore|the official|the spokesperson)\b",
    re.I,
)
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
        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))


def content_words(sentence: str) -> frozenset[str]:
    """Lower-cased words of a sentence minus stop words, crudely stemmed."""
    out = set()
    for w in words(fold(sentence)):
        if w in _STOP or len(w) < 2:
            continue
        out.add(w[:6] if not w[0].isdigit() else w)
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def is_candidate(sentence: str) -> bool:
    """A self-contained sentence worth putting in a summary."""
    n = len(words(sentence))
    if n < MIN_WORDS or n > MAX_WORDS:
        return False
    if _DANGLING.match(sentence.lstrip("“\"'‘ ")):
        return False
    stripped = sentence.rstrip("\"'”’)» ")
    if not stripped or stripped[-1] not in ".!?":
        return False
    if not sentence[:1].isupper() and sentence[:1] not in "“\"‘'":
        return False
    return sentence.count("“") == sentence.count("”") and sentence.count('"') % 2 == 0


@dataclass
class Candidate:
    text: str
    words: frozenset[str]
    order: tuple[int, int, int]
    """(article rank by time, paragraph, sentence): first appearance."""
    carriers: dict[str, int] = field(default_factory=dict)
    """article id -> sentence index in that article."""


def candidates(articles: Sequence[Article]) -> list[Candidate]:
    """Filtered, cross-source deduplicated candidate sentences of a story."""
    found: list[Candidate] = []
    ranked = sorted(articles, key=lambda a: (a.published or "", a.id))
    for rank, article in enumerate(ranked):
        index = 0
        for p, para in enumerate(article.sentences):
            for s, sentence in enumerate(para):
                sent_index = index
                index += 1
                cw = content_words(sentence)
                match = next((c for c in found if jaccard(c.words, cw) >= SAME_FACT), None)
                if match is not None:
                    match.carriers.setdefault(article.id, sent_index)
                    continue
                if not is_candidate(sentence):
                    continue
                found.append(Candidate(sentence, cw, (rank, p, s), {article.id: sent_index}))
    return found


def _summarizer(algorithm: str, language: str, title_words: set[str]) -> Any:
    import importlib

    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    module_name, class_name = ALGORITHMS[algorithm].split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    try:
        stemmer: Callable[[str], str] = Stemmer(language)
        stop = frozenset(get_stop_words(language))
    except LookupError:
        stemmer, stop = Stemmer("english"), frozenset(get_stop_words("english"))
    summarizer = cls(stemmer)
    if algorithm == "edmundson":
        summarizer.bonus_words = title_words or {"said"}
        summarizer.stigma_words = {"reportedly"}
        summarizer.null_words = stop
    else:
        summarizer.stop_words = stop
    return summarizer


def rank(cands: list[Candidate], algorithm: str, language: str,
         title: str = "") -> list[Candidate]:
    """Candidates ordered best first by the sumy summarizer."""
    if len(cands) <= 1:
        return list(cands)
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = OfflineTokenizer(language)
    sentences = [Sentence(c.text, tokenizer) for c in cands]
    document = ObjectDocumentModel([Paragraph(sentences)])
    summarizer = _summarizer(algorithm, language, {w.lower() for w in words(title)})
    ranking = RankRecorder()
    summarizer(document, ranking)
    position = {text: i for i, text in enumerate(ranking.order)}
    return sorted(cands, key=lambda c: (position.get(c.text, len(position)), c.order))


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


def summarize(
    story: Story, config: SummaryConfig, language: str = "english"
) -> list[SummarySentence]:
    """Choose, order and cite the summary sentences of one story."""
    cands = candidates(story.articles)
    if not cands:
        # Nothing passes the filters: fall back to each article's first sentence.
        cands = []
        for article in story.articles:
            first = next((s for p in article.sentences for s in p), None)
            if first:
                cands.append(Candidate(first, content_words(first), (len(cands), 0, 0),
                                       {article.id: 0}))
    ranked = rank(cands, config.algorithm.lower(), language, story.title)
    # Prefer sentences more sources carry: a cheap, strong signal of centrality.
    chosen: list[Candidate] = []
    budget_words = config.words
    total = 0
    for cand in ranked:
        if any(jaccard(cand.words, c.words) >= SAME_FACT * 0.7 for c in chosen):
            continue
        n = len(words(cand.text))
        if budget_words and total + n > budget_words and chosen:
            break
        chosen.append(cand)
        total += n
        if not budget_words and len(chosen) >= config.sentences:
            break
    chosen.sort(key=lambda c: c.order)
    return [SummarySentence(text=c.text, articles=sorted(c.carriers),
                            anchors=dict(sorted(c.carriers.items()))) for c in chosen]


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
