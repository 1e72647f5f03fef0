"""Sentence splitting: digest's split_sentences against plain pysbd on every paragraph.

    python bench/bench_split.py ../shared/data
    python bench/bench_split.py ../shared/data --train 3000 --show 20

Paragraphs: NeuS raw_crawled.jsonl, BASIL articles, ECB+ dev documents and the first
``--train`` NeuS train articles (lead paragraphs), each distinct paragraph once. The
reference is plain pysbd, ``pysbd.Segmenter(language="en", clean=False).segment``, with
the post-processing split_sentences applies (whitespace normalised in the paragraph and
in each sentence, empty sentences dropped). Reports how many paragraphs the English
fast path handles itself, every mismatch (there must be none),
and characters per second, cold: each paragraph split once, split_sentences' caches
cleared first. split_sentences keeps a paragraph with no possible stop before its end
whole without asking pysbd (a rule older than the fast path); the reference applies
the same rule, and the paragraphs where bare pysbd differs there are counted apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import basil, ecbplus, neus_raw, neus_source

from generator import text
from generator.text import normalize_space, one_sentence, split_sentences


def paragraphs(data: Path, train: int) -> dict[str, list[str]]:
    """Distinct non-empty paragraphs (whitespace normalised) per data set, in order."""
    seen: set[str] = set()
    sets: dict[str, list[str]] = {}
    sources = [("NeuS raw_crawled", neus_raw(data)), ("BASIL", basil(data)),
               ("ECB+ dev", ecbplus(data))]
    for name, items in sources:
        sets[name] = []
        for item in items:
            for raw in item.paragraphs:
                p = normalize_space(raw)
                if p and p not in seen:
                    seen.add(p)
                    sets[name].append(p)
    sets[f"NeuS train (first {train} articles)"] = []
    for n, item in enumerate(neus_source(data, "train")):
        if n >= train:
            break
        for raw in item.paragraphs:
            p = normalize_space(raw)
            if p and p not in seen:
                seen.add(p)
                sets[f"NeuS train (first {train} articles)"].append(p)
    return sets


def plain(segmenter: object, paragraph: str) -> list[str]:
    """Bare pysbd, sentences whitespace-normalised, empty ones dropped."""
    out = [normalize_space(s) for s in segmenter.segment(paragraph)]  # type: ignore[attr-defined]
    return [s for s in out if s]


def reference(segmenter: object, paragraph: str) -> list[str]:
    """Plain pysbd with split_sentences' one rule of its own (older than the fast path):
    a paragraph with no possible stop before its end is one sentence."""
    return [paragraph] if one_sentence(paragraph) else plain(segmenter, paragraph)


def clear_caches() -> None:
    text._split.cache_clear()
    text._segmenter.cache_clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder (shared/data)")
    parser.add_argument("--train", type=int, default=3000,
                        help="how many NeuS train articles to add (default 3000)")
    parser.add_argument("--show", type=int, default=10, help="mismatches to print")
    args = parser.parse_args()

    import pysbd

    sets = paragraphs(args.data, args.train)
    every = [p for ps in sets.values() for p in ps]
    segmenter = pysbd.Segmenter(language="en", clean=False)

    # correctness (and fast-path share) first, untimed
    mismatches = 0
    print(f"{'set':34} {'paragraphs':>10} {'chars':>10} {'whole':>6} {'fast path':>10} "
          f"{'declined':>8} {'mismatches':>10} {'bare-pysbd diffs':>16}")
    for name, ps in sets.items():
        whole = fast = declined = bad = bare = 0
        for p in ps:
            if one_sentence(p):
                whole += 1
            else:
                got = text._fast_english(p)
                if got is not None and text._in_order(p, got):
                    fast += 1
                else:
                    declined += 1
            clear_caches()
            mine = split_sentences(p)
            ref = reference(segmenter, p)
            if mine != ref:
                bad += 1
                if mismatches + bad <= args.show:
                    print(f"MISMATCH {p!r}\n  split_sentences {mine!r}\n  pysbd           {ref!r}")
            if one_sentence(p) and plain(segmenter, p) != ref:
                bare += 1
        mismatches += bad
        print(f"{name:34} {len(ps):>10,} {sum(map(len, ps)):>10,} {whole:>6,} {fast:>10,} "
              f"{declined:>8,} {bad:>10} {bare:>16,}")
    total_chars = sum(map(len, every))
    print(f"{'all':34} {len(every):>10,} {total_chars:>10,}")
    print("whole: no possible stop before the end, kept whole without pysbd (split_sentences'"
          " rule, older than the fast path);\nfast path / declined: the other paragraphs, split"
          " by the fast path or declined to pysbd;\nmismatches: split_sentences vs plain pysbd"
          " with that rule (must be 0);\nbare-pysbd diffs: 'whole' paragraphs that bare pysbd"
          " splits differently (e.g. 'is...' -> 'is..', '.').")

    # speed, cold: each paragraph once, caches cleared, fresh segmenters
    clear_caches()
    segmenter = pysbd.Segmenter(language="en", clean=False)
    started = time.perf_counter()
    for p in every:
        segmenter.segment(p)
    t_plain = time.perf_counter() - started

    processor_segmenter = pysbd.Segmenter(language="en", clean=False)
    started = time.perf_counter()
    for p in every:
        processor_segmenter.processor(p).process()
    t_processor = time.perf_counter() - started

    fast_english = text._fast_english
    text._fast_english = lambda paragraph: None  # type: ignore[assignment]
    clear_caches()
    started = time.perf_counter()
    for p in every:
        split_sentences(p)
    t_before = time.perf_counter() - started
    text._fast_english = fast_english  # type: ignore[assignment]

    clear_caches()
    started = time.perf_counter()
    for p in every:
        split_sentences(p)
    t_mine = time.perf_counter() - started
    clear_caches()

    print()
    print(f"plain pysbd Segmenter.segment : {t_plain:7.2f} s  "
          f"{total_chars / t_plain:>12,.0f} chars/s")
    print(f"pysbd processor only          : {t_processor:7.2f} s  "
          f"{total_chars / t_processor:>12,.0f} chars/s")
    print(f"split_sentences, no fast path : {t_before:7.2f} s  "
          f"{total_chars / t_before:>12,.0f} chars/s  (the one-sentence rule, then pysbd)")
    print(f"split_sentences (cold)        : {t_mine:7.2f} s  {total_chars / t_mine:>12,.0f} chars/s"
          f"  ({t_plain / t_mine:.1f}x plain pysbd, {t_before / t_mine:.1f}x without fast path)")
    print(f"mismatches: {mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
