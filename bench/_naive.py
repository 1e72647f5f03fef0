"""The naive pipeline the build benchmark compares digest with: plain tools, no cache.

Plain pysbd through sumy's tokenizer interface, sumy LexRank per gold story (five
sentences), markdown-it-py and Jinja2 pages. Gold stories are given (digest has to
find them by clustering).

Run as its own process, the way the benchmark runs ``digest build``:

    python bench/_naive.py ARTICLES GOLD.json OUT

reads the Markdown files the benchmark wrote (``GOLD.json`` maps each file's name
to its gold story), writes a page per story and per article into ``OUT``, and
prints ``NAIVE wall=SECONDS``: the time from the top of this module, before the
plain tools are imported, to the last page written - measured like digest's
build, whose timer starts before ``generator`` is imported.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

Article = tuple[str, str, list[str]]
"""(key, title, paragraphs)"""


TOOLS = ("jinja2", "pysbd", "markdown_it", "sumy.models.dom", "sumy.nlp.stemmers",
         "sumy.summarizers.lex_rank", "sumy.utils", "yaml")


def import_tools() -> None:
    """Import every plain tool the pipeline and :func:`read` use."""
    import importlib

    for name in TOOLS:
        importlib.import_module(name)


def pipeline(stories: dict[str, list[Article]], out: Path) -> None:
    """Summarise each story and write its page and its articles' pages to ``out``."""
    import jinja2
    import pysbd
    from markdown_it import MarkdownIt
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    class PlainTokenizer:
        """sumy's tokenizer interface over plain pysbd (what a user of the plain tools
        writes: no faster splitting, no cache)."""

        language = "english"

        def __init__(self) -> None:
            self.segmenter = pysbd.Segmenter(language="en", clean=False)

        def to_sentences(self, paragraph: str) -> list[str]:
            return [s.strip() for s in self.segmenter.segment(paragraph) if s.strip()]

        def to_words(self, sentence: str) -> list[str]:
            return re.findall(r"\w+", sentence)

    tokenizer = PlainTokenizer()
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    md = MarkdownIt("commonmark", {"html": False})
    env = jinja2.Environment(autoescape=True)
    page = env.from_string("<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1>"
                           "{{ body }}<ul>{% for s in summary %}<li>{{ s }}</li>{% endfor %}</ul>")
    out.mkdir(parents=True, exist_ok=True)
    for n, (_, members) in enumerate(sorted(stories.items())):
        paragraphs = [Paragraph([Sentence(s, tokenizer) for s in tokenizer.to_sentences(p)])
                      for _, _, texts in members for p in texts]
        summary = [str(s) for s in summarizer(ObjectDocumentModel(paragraphs), 5)]
        (out / f"story-{n}.html").write_text(page.render(title=members[0][1], body="",
                                                         summary=summary))
        for key, title, texts in members:
            body = md.render("\n\n".join(texts))
            (out / f"{key}.html").write_text(page.render(title=title, body=body, summary=[]))


def read(articles: Path, gold: dict[str, str]) -> dict[str, list[Article]]:
    """The benchmark's Markdown files (YAML front matter, paragraphs between blank
    lines) grouped by gold story, files in name order."""
    import yaml

    # libyaml's C parser, as digest's loader uses (yaml.safe_load's pure-Python one
    # would add about 0.3 s here that has nothing to do with the pipeline)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stories: dict[str, list[Article]] = {}
    for path in sorted(articles.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.load(front, Loader=loader)  # a safe loader either way
        paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
        stories.setdefault(gold[path.name], []).append((path.stem, str(meta["title"]),
                                                        paragraphs))
    return stories


def main(argv: list[str]) -> None:
    articles, gold, out = Path(argv[0]), Path(argv[1]), Path(argv[2])
    pipeline(read(articles, json.loads(gold.read_text(encoding="utf-8"))), out)
    print(f"NAIVE wall={time.perf_counter() - STARTED:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
