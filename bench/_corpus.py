"""Turn the evaluation data sets into digest content folders (for benchmarks only).

Nothing here is imported by digest itself or its tests. Each writer takes the data
folder given on a bench script's command line and writes Markdown files with
front matter into a temporary content folder.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass
class Item:
    """One article from a data set, with its gold story."""

    key: str
    story: str
    title: str
    outlet: str | None
    url: str | None
    published: str | None
    paragraphs: list[str]


def neus_raw(data: Path) -> Iterator[Item]:
    """NeuS raw_crawled.jsonl: about 1,480 full articles in 506 stories."""
    path = data / "neus" / "raw_crawled.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        for side in ("left", "center", "right"):
            news = (story.get("news") or {}).get(side)
            if not news or not news.get("newBody"):
                continue
            paragraphs = [p.strip() for p in news["newBody"] if p and p.strip()]
            if not paragraphs:
                continue
            yield Item(f"neus-{story['id']}-{side}", f"neus-{story['id']}",
                       news.get("newsTitle") or story["issue"], news.get("newsSource"),
                       news.get("newsLink"), story.get("date"), paragraphs)


def neus_source(data: Path, split: str) -> Iterator[Item]:
    """NeuS {train,val}.source: three lead paragraphs per story (no dates)."""
    path = data / "neus" / f"{split}.source"
    base = dt.date(2020, 1, 1)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        for k, part in enumerate(line.split("[SEP]")):
            m = re.match(r"\s*TITLE=>\s*(.*?)\s*ARTICLE=>\s*(.*)", part.strip(), re.S)
            if not m or not m.group(2).strip():
                continue
            day = (base + dt.timedelta(days=n // 5)).isoformat()
            yield Item(f"neus-{split}-{n}-{k}", f"neus-{split}-{n}", m.group(1).strip(), None,
                       None, day, [m.group(2).strip()])


def ecbplus(data: Path) -> Iterator[Item]:
    """ECB+ dev.jsonl: 496 tokenised articles in 42 events (no dates)."""
    path = data / "ecbplus" / "dev.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        text = doc["text"].replace("``", "“").replace("''", "”")
        paragraphs = [p for p in text.split("\n") if p.strip()]
        title = doc["sentences"][0] if doc.get("sentences") else paragraphs[0][:80]
        yield Item(f"ecb-{doc['doc_id']}", f"ecb-{doc['cluster']}", title, None, None, None,
                   paragraphs)


def basil(data: Path) -> Iterator[Item]:
    """BASIL: 150 articles, three outlets per event."""
    for path in sorted((data / "basil" / "articles").glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        paras = doc.get("body-paragraphs") or []
        if isinstance(paras, str):
            paras = ast.literal_eval(paras)
        paragraphs = [" ".join(p) if isinstance(p, list) else str(p) for p in paras]
        yield Item(f"basil-{path.stem}", f"basil-{doc.get('triplet-uuid', path.stem)}",
                   doc.get("title") or doc.get("main-event") or path.stem,
                   {"fox": "Fox News", "nyt": "New York Times", "hpo": "HuffPost"}.get(
                       str(doc.get("source")), doc.get("source")),
                   doc.get("url"), doc.get("date"), [p for p in paragraphs if p.strip()])


def combined(data: Path, limit: int) -> list[Item]:
    """Up to ``limit`` articles: full NeuS first, then the other sets."""
    items: list[Item] = []
    for source in (neus_raw(data), basil(data), ecbplus(data), neus_source(data, "val"),
                   neus_source(data, "train")):
        for item in source:
            items.append(item)
            if len(items) >= limit:
                return items
    return items


def write_markdown(items: list[Item], folder: Path) -> list[Path]:
    """One Markdown file with front matter per item."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for item in items:
        front = {"title": item.title}
        if item.outlet:
            front["outlet"] = item.outlet
        if item.url and item.url.startswith(("http://", "https://")):
            front["url"] = item.url
        if item.published:
            front["published"] = item.published
        body = "\n\n".join(p.replace("\n", " ") for p in item.paragraphs)
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=True) + "---\n\n"
        path = folder / f"{item.key}.md"
        path.write_text(text + body + "\n", encoding="utf-8")
        paths.append(path)
    return paths
