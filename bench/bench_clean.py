"""Measure article cleaning.

Usage: ``python bench/bench_clean.py DATA_DIR [--html-options KEY=VALUE ...] [--show-worst N]``

1. Seed labels (``DATA_DIR/seed-labels/labels.json`` against the repository's
   ``seeds/*.txt``): precision and recall of the lines :func:`clean_text` keeps
   as article text, counting the hand-labelled ``body`` and ``subhead`` lines as
   the lines to keep.
2. Article extraction (``DATA_DIR/article-extraction/``), with the benchmark's
   own metric (4-gram word shingles as multisets; TP, FP, FN normalised by their
   sum per page; precision and recall averaged over pages, F1 from the averages):
   - ``html``: each page through :func:`generator.clean.html_extract` (trafilatura);
   - ``text``: each page first turned into its full visible text, one line per
     block element (:func:`visible_text` below, lxml), then cleaned as a ``.txt``
     article by :func:`clean_text`;
   - ``no cleaning``: the full visible text itself (the baseline).

Prints a table; nothing is written. The data folder is read-only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.clean import clean_text, html_extract  # noqa: E402

# --- html -> full visible text, one line per block element ---------------------------------

INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link",
             "svg", "iframe", "object", "embed", "canvas", "select", "option", "button",
             "input", "textarea", "datalist"}
BLOCK = {"address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
         "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
         "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
         "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
         "td", "tfoot", "th", "thead", "tr", "ul"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _hidden(el: Any) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def visible_text(html: str) -> str:
    """The text a browser would show, one line per block element."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower().rsplit("}", 1)[-1]
        if not tag or tag in INVISIBLE or _hidden(el):
            # comments, processing instructions and hidden elements: skip, keep the tail
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in BLOCK
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    lines = (re.sub(r"\s+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --- the benchmark's metric ------------------------------------------------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens[i:i + n])


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    t, p = shingles(true), shingles(pred)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scores(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


# --- the two measurements ---------------------------------------------------------------------


def seed_labels(data: Path) -> tuple[float, float, int, int]:
    """Precision and recall of kept body+subhead lines on the seeds; (p, r, fp, fn)."""
    labels = json.loads((data / "seed-labels" / "labels.json").read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for name, roles in sorted(labels.items()):
        if name == "about":
            continue
        path = ROOT / "seeds" / name
        raw = path.read_text(encoding="utf-8")
        keep_numbers = set(roles.get("body", [])) | set(roles.get("subhead", []))
        cleaned = clean_text(raw)
        kept = set(cleaned.kept_lines)
        tp += len(kept & keep_numbers)
        fp += len(kept - keep_numbers)
        fn += len(keep_numbers - kept)
        for number in sorted(kept ^ keep_numbers):
            line = raw.splitlines()[number - 1]
            flag = "extra" if number in kept else "missed"
            print(f"  seed {name}:{number} {flag}: {line[:90]}", file=sys.stderr)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn


def extraction(data: Path, html_options: dict[str, Any], show_worst: int) -> dict[str, Any]:
    folder = data / "article-extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    runs: dict[str, list[tuple[float, float, float]]] = {"html": [], "text": [], "none": []}
    times: dict[str, float] = {"html": 0.0, "text": 0.0}
    per_page: list[tuple[float, str]] = []
    for key in sorted(truth):
        with gzip.open(folder / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as fh:
            html = fh.read()
        true = truth[key].get("articleBody", "")
        t = time.perf_counter()
        paragraphs, _ = html_extract(html, **html_options)
        times["html"] += time.perf_counter() - t
        runs["html"].append(tp_fp_fn(true, "\n".join(paragraphs)))
        page_text = visible_text(html)
        runs["none"].append(tp_fp_fn(true, page_text))
        t = time.perf_counter()
        cleaned = clean_text(page_text)
        times["text"] += time.perf_counter() - t
        # The benchmark's article bodies hold no headline: score the paragraphs.
        counts = tp_fp_fn(true, "\n".join(cleaned.paragraphs))
        runs["text"].append(counts)
        tp, fp, fn = counts
        per_page.append((tp, f"{key[:12]} tp={tp:.2f} fp={fp:.2f} fn={fn:.2f} "
                             f"{truth[key].get('url', '')}"))
    for _, line in sorted(per_page)[:show_worst]:
        print(f"  worst text page: {line}", file=sys.stderr)
    halves = {k: (scores(v[0::2])[2], scores(v[1::2])[2]) for k, v in runs.items()}
    return {"pages": len(truth), "runs": {k: scores(v) for k, v in runs.items()},
            "halves": halves, "times": times}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder")
    parser.add_argument("--html-options", nargs="*", default=[], metavar="KEY=VALUE",
                        help="extra trafilatura options for the html path (true/false values)")
    parser.add_argument("--show-worst", type=int, default=0, metavar="N",
                        help="print the N worst pages of the text path to stderr")
    args = parser.parse_args(argv)
    options: dict[str, Any] = {}
    for item in args.html_options:
        key, _, value = item.partition("=")
        options[key] = value.lower() in ("1", "true", "yes")
    p, r, fp, fn = seed_labels(args.data)
    print(f"seed labels (body+subhead lines kept): precision {p:.3f}  recall {r:.3f}  "
          f"(extra {fp}, missed {fn})")
    result = extraction(args.data, options, args.show_worst)
    print(f"article extraction ({result['pages']} pages)        precision  recall   F1")
    names = {"html": "html path (trafilatura)", "text": "plain-text path (clean_text)",
             "none": "no cleaning (visible text)"}
    for key, label in names.items():
        prec, rec, f1 = result["runs"][key]
        even, odd = result["halves"][key]
        print(f"  {label:<30} {prec:.3f}     {rec:.3f}    {f1:.3f}   "
              f"(F1 on alternate halves: {even:.3f} / {odd:.3f})")
    print(f"time: html path {result['times']['html']:.1f}s, "
          f"plain-text cleaning {result['times']['text']:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
