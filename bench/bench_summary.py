"""Summary quality (ROUGE on NeuS) and speed (raw_crawled.jsonl) of digest's summarizer.

Usage: python bench/bench_summary.py DATA_DIR [--split val,train] [--limit N] [--no-speed]

Quality: for every NeuS story (three outlets' lead paragraphs, ``{split}.source``),
three summarizers run in the same process, each summary cut at 65 words and
scored with rouge-score (F1, Porter stemming, nothing downloaded) against the
ARTICLE part of ``{split}.target``:

- ``digest``: generator.summarize.summarize with ``summary.words = 65`` (sentences are
  added until the summary reaches 65 words, the last one kept whole, so the cut
  treats it like the baselines);
- ``lexrank``: plain sumy LexRank (NLTK Snowball stemmer, sumy's stop words, sumy's
  own word splitting: see SumyWords) over the story's concatenated sentences, 5
  sentences in document order;
- ``lead``: the first sentence of each article, in article order.

Speed: every story of ``neus/raw_crawled.jsonl`` summarised by digest (default
options: LexRank, 5 sentences) and by plain sumy LexRank (5 sentences), side by
side, same run. digest is timed as the build runs it: ``summarize_all`` over
tasks of ``len(stories) // PARALLEL_MIN`` stories (generator.build.stories_all);
all stories in one batch and ``summarize()`` story by story are reported too.
Sentence splitting is excluded for both: articles are split
once with pysbd before timing, and both get the same sentences (digest as
Articles, sumy as an ObjectDocumentModel whose words sumy's own tokenizer splits:
see SumyWords). A stricter baseline, sumy with digest's regex word splitter, is
timed and reported too. Everything after splitting is timed for all: word
splitting, stemming (NLTK Snowball for plain sumy, PyStemmer for digest),
similarity, ranking, and for digest fact grouping, citing and choice. Imports
(NLTK, which sumy loads) happen before timing. digest's in-process memo caches
(its word lexicon: one stem per distinct word) are emptied before each timed
pass, so each pass starts cold; its on-disk cache is not used. Times are CPU
seconds of this process (time.process_time), the best of --repeat interleaved runs;
the best wall-clock times of the same runs are printed too.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import summarize as digest_summarize  # noqa: E402
from generator.build import PARALLEL_MIN  # noqa: E402
from generator.config import SummaryConfig  # noqa: E402
from generator.model import Article, Story  # noqa: E402
from generator.text import split_sentences, words  # noqa: E402

CUT = 65


def clock() -> float:
    """CPU seconds of this process (not wall time: the machine is shared, and waiting for
    a core is not work; neither method starts threads, numpy's BLAS aside)."""
    return time.process_time()

_PART = re.compile(r"TITLE=>\s*(?P<title>.*?)\s*ARTICLE=>\s*(?P<body>.*)", re.S)


def parse_part(part: str) -> tuple[str, str]:
    m = _PART.search(part)
    if not m:
        return "", part.strip()
    return m.group("title").strip(), m.group("body").strip()


def load_neus(data: Path, split: str, limit: int = 0) -> list[tuple[list[tuple[str, str]], str]]:
    """[(articles as (title, text), reference summary)] of one NeuS split."""
    sources = (data / "neus" / f"{split}.source").read_text(encoding="utf-8").splitlines()
    targets = (data / "neus" / f"{split}.target").read_text(encoding="utf-8").splitlines()
    out = []
    for source, target in zip(sources, targets, strict=True):
        parts = [parse_part(p) for p in source.split("[SEP]")]
        out.append(([p for p in parts if p[1]], parse_part(target)[1]))
        if limit and len(out) >= limit:
            break
    return out


def make_story(key: str, parts: Sequence[tuple[str, Sequence[str]]]) -> Story:
    """A Story of Articles, each from (title, paragraphs); sentences split with pysbd."""
    articles = []
    for i, (title, paragraphs) in enumerate(parts):
        paras = [p for p in paragraphs if p.strip()]
        article = Article(id=f"{key}-{i}", path=f"{key}-{i}", folder="bench", title=title,
                          paragraphs=paras)
        article.sentences = [split_sentences(p) for p in paras]
        articles.append(article)
    return Story(id=key, slug=key, articles=articles)


def cut(text: str, limit: int = CUT) -> str:
    return " ".join(text.split()[:limit])


# --- the three summarizers ---------------------------------------------------------------


class SumyWords:
    """Plain sumy's own word splitting (``sumy.nlp.tokenizers.Tokenizer.to_words``):
    NLTK's ``word_tokenize`` of the sentence, then sumy's word filter. Stock
    ``word_tokenize`` first re-splits its text into sentences with punkt, whose data
    is not downloaded here; the sentences are already split, so it runs as on one
    sentence (``preserve_line``), which leaves out work and only makes plain sumy
    faster."""

    language = "english"

    def __init__(self) -> None:
        from nltk.tokenize import word_tokenize
        from sumy.nlp.tokenizers import Tokenizer

        self.split, self.is_word = word_tokenize, Tokenizer._is_word

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(filter(self.is_word, self.split(sentence, preserve_line=True)))


class RegexWords(SumyWords):
    """A stricter baseline: sumy with digest's regex word splitter (no cache), about
    0.9 s less than sumy's own on the raw_crawled sentences."""

    def __init__(self) -> None:
        pass

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))


def plain_lexrank(tokenizer: SumyWords | None = None) -> Callable[[Story, int], list[str]]:
    """Plain sumy LexRank (NLTK Snowball stemmer, sumy's stop words) over a story's
    sentences; words split by sumy's own tokenizer unless another is given."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    splitter = tokenizer or SumyWords()

    def run(story: Story, count: int) -> list[str]:
        document = ObjectDocumentModel([
            Paragraph([Sentence(s, splitter) for s in para])
            for article in story.articles for para in article.sentences
        ])
        return [str(s) for s in summarizer(document, count)]

    return run


def lead(story: Story) -> list[str]:
    return [a.all_sentences[0] for a in story.articles if a.all_sentences]


def digest(story: Story, config: SummaryConfig) -> list[str]:
    return [s.text for s in digest_summarize.summarize(story, config, "english")]


# --- quality ----------------------------------------------------------------------------


def quality(data: Path, split: str, limit: int) -> dict[str, dict[str, float]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    lexrank = plain_lexrank()
    config = SummaryConfig(words=CUT)
    methods: dict[str, Callable[[Story], list[str]]] = {
        "digest": lambda s: digest(s, config),
        "lexrank": lambda s: lexrank(s, 5),
        "lead": lead,
    }
    scores: dict[str, dict[str, list[float]]] = {
        m: {"R1": [], "R2": [], "RL": []} for m in methods}
    for n, (parts, reference) in enumerate(load_neus(data, split, limit)):
        story = make_story(f"{split}{n}", [(t, [b]) for t, b in parts])
        for name, method in methods.items():
            summary = cut(" ".join(method(story)))
            result = scorer.score(reference, summary)
            scores[name]["R1"].append(result["rouge1"].fmeasure)
            scores[name]["R2"].append(result["rouge2"].fmeasure)
            scores[name]["RL"].append(result["rougeL"].fmeasure)
    return {m: {k: 100 * statistics.fmean(v) for k, v in s.items()} for m, s in scores.items()}


# --- speed ------------------------------------------------------------------------------


def load_crawled(data: Path) -> list[Story]:
    stories = []
    with (data / "neus" / "raw_crawled.jsonl").open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            item = json.loads(line)
            parts = []
            for side in ("left", "center", "right"):
                news = (item.get("news") or {}).get(side) or {}
                body = [p for p in news.get("newBody") or [] if isinstance(p, str)]
                if body:
                    parts.append((str(news.get("newsTitle") or ""), body))
            if parts:
                story = make_story(f"c{n}", parts)
                story.title = digest_summarize.choose_headline(story)
                stories.append(story)
    return stories


def speed(data: Path, repeat: int) -> dict[str, Any]:
    stories = load_crawled(data)
    sentences = sum(len(a.all_sentences) for s in stories for a in s.articles)
    lexrank = plain_lexrank()
    regex_lexrank = plain_lexrank(RegexWords())
    config = SummaryConfig()
    lexrank(stories[0], 5)  # imports and first-call set-up outside the timing
    regex_lexrank(stories[0], 5)
    digest(stories[0], config)
    # The build summarises its stories in tasks of this many (generator.build.stories_all).
    size = max(1, len(stories) // PARALLEL_MIN)
    chunks = [stories[k:k + size] for k in range(0, len(stories), size)]
    passes: dict[str, Callable[[], object]] = {
        "digest": lambda: [digest_summarize.summarize_all(c, config) for c in chunks],
        "lexrank": lambda: [lexrank(story, 5) for story in stories],
        "lexrank regex words": lambda: [regex_lexrank(story, 5) for story in stories],
        "digest one batch": lambda: digest_summarize.summarize_all(stories, config),
        "digest story by story": lambda: [digest(story, config) for story in stories],
    }
    best: dict[str, float] = {}
    wall: dict[str, float] = {}
    for _ in range(repeat):
        for name, run in passes.items():
            digest_summarize._words.cache_clear()
            digest_summarize._lexicon.cache_clear()
            t, w = clock(), time.perf_counter()
            run()
            best[name] = min(best.get(name, 1e9), clock() - t)
            wall[name] = min(wall.get(name, 1e9), time.perf_counter() - w)
    biggest = max(stories, key=lambda s: sum(len(a.all_sentences) for a in s.articles))
    large: dict[str, Any] = {}
    articles = [a for s in stories for a in s.articles]
    for target in (400, 1000):
        # One artificial large story: the first articles of the file up to `target` sentences.
        pick: list[Article] = []
        for article in articles:
            pick.append(article)
            if sum(len(a.all_sentences) for a in pick) >= target:
                break
        big = Story(id="big", slug="big", articles=pick)
        times: dict[str, float] = {}
        for _ in range(repeat):
            digest_summarize._lexicon.cache_clear()
            t = clock()
            digest(big, config)
            times["digest"] = min(times.get("digest", 1e9), clock() - t)
            t = clock()
            lexrank(big, 5)
            times["lexrank"] = min(times.get("lexrank", 1e9), clock() - t)
        n = sum(len(a.all_sentences) for a in pick)
        large[f"one story of {n} sentences: digest s / plain s"] = (
            f"{times['digest']:.3f} / {times['lexrank']:.3f}")
    return {
        "stories": len(stories),
        "articles": sum(len(s.articles) for s in stories),
        "sentences": sentences,
        "largest story (sentences)": sum(len(a.all_sentences) for a in biggest.articles),
        f"digest s (summarize_all, {len(chunks)} batches of {size} stories as the build)":
            round(best["digest"], 3),
        "plain sumy LexRank s": round(best["lexrank"], 3),
        "ratio": round(best["digest"] / best["lexrank"], 3),
        "wall s (best of the runs): digest / plain / ratio":
            f"{wall['digest']:.3f} / {wall['lexrank']:.3f} / "
            f"{wall['digest'] / wall['lexrank']:.3f}",
        "stricter: sumy LexRank with digest's regex word splitter s / ratio":
            f"{best['lexrank regex words']:.3f} / "
            f"{best['digest'] / best['lexrank regex words']:.3f}",
        "digest s, all stories in one batch": round(best["digest one batch"], 3),
        "digest s, summarize() story by story": round(best["digest story by story"], 3),
        **large,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (holds neus/)")
    parser.add_argument("--split", default="val,train", help="NeuS splits to score")
    parser.add_argument("--limit", type=int, default=0, help="only the first N stories")
    parser.add_argument("--repeat", type=int, default=3, help="speed runs (best is kept)")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_quality:
        for split in args.split.split(","):
            result = quality(args.data, split, args.limit)
            print(f"NeuS {split} (ROUGE F1 x 100, cut at {CUT} words, stemming)")
            print(f"  {'method':10} {'R1':>6} {'R2':>6} {'RL':>6}")
            for name, s in result.items():
                print(f"  {name:10} {s['R1']:6.1f} {s['R2']:6.1f} {s['RL']:6.1f}")
    if not args.no_speed:
        print("raw_crawled.jsonl speed (best of", args.repeat, "runs):")
        for key, value in speed(args.data, args.repeat).items():
            print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
