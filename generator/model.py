"""The data model that flows through the pipeline.

``load`` makes :class:`Document` s, ``clean`` turns each into an :class:`Article`,
``cluster`` groups articles into :class:`Story` s, ``summarize`` and ``compare``
fill each story's summary and differences, ``render`` turns the :class:`Digest`
into files and ``write`` publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file; the build goes on without it (or with a warning)."""

    path: str
    reason: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Document:
    """One article as read from disk, before cleaning (output of ``load``)."""

    id: str
    path: str
    """Input path relative to the content folder it came from (``file.jsonl#3`` for a line)."""
    folder: str
    """The content folder, as configured."""
    format: Literal["txt", "md", "html", "jsonl"]
    body: str
    """Raw body: scraped text, Markdown, or HTML."""
    body_format: Literal["text", "markdown", "html"]
    metadata: dict[str, Any] = field(default_factory=dict)
    """Fields given by front matter, a sidecar or a JSON line (title, outlet, url, ...)."""
    origin: dict[str, str] = field(default_factory=dict)
    """Where each metadata field came from: ``front matter``, ``sidecar:manifest.json``, ..."""
    problems: list[Problem] = field(default_factory=list)
    """Warnings about this document that do not stop it being used."""


@dataclass(frozen=True)
class Dropped:
    """A line the cleaner removed from an article, with the reason."""

    text: str
    reason: str


@dataclass
class Article:
    """One cleaned source article (output of ``clean``)."""

    id: str
    path: str
    folder: str
    title: str
    paragraphs: list[str]
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    """ISO 8601 date or date-time, as given or found in the text."""
    author: str | None = None
    language: str | None = None
    story: str | None = None
    """A story id this article is pinned to (front matter ``story:``)."""
    standfirst: str | None = None
    origin: dict[str, str] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sentences: list[list[str]] = field(default_factory=list)
    """Sentences of each paragraph, filled by ``clean``."""

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def all_sentences(self) -> list[str]:
        return [s for para in self.sentences for s in para]

    @property
    def page(self) -> str:
        """Site-relative URL of this article's page."""
        return f"articles/{self.id}/"

    @property
    def date(self) -> str | None:
        """The publication date (YYYY-MM-DD), if known."""
        return self.published[:10] if self.published else None


@dataclass
class SummarySentence:
    """A verbatim sentence of a story summary and every article that reports it."""

    text: str
    articles: list[str]
    """Ids of the articles carrying this sentence (verbatim or a close paraphrase)."""
    anchors: dict[str, int] = field(default_factory=dict)
    """Article id -> index of the matching sentence in that article (for links)."""


@dataclass
class Fact:
    text: str
    articles: list[str]
    anchors: dict[str, int] = field(default_factory=dict)
    """Article id -> index of the sentence carrying it in that article (``#s<N>``)."""


@dataclass
class ConflictValue:
    value: str
    """The number as the source writes it, with its qualifier (``at least 23``)."""
    articles: list[str]
    text: str
    number: float | None = None
    """The value as a number (``five`` -> 5.0)."""
    qualifier: str | None = None
    """``at least``, ``more than``, ``about``, ... when the source bounds or rounds it."""
    as_of: str | None = None
    """When the count holds, as the sentence says (``early Friday``, ``overnight``)."""
    according_to: str | None = None
    """Who the sentence attributes the number to (``regional police``)."""
    update: bool = False
    """The sentence reports a revised figure (``rose to``, ``climbed to``)."""


@dataclass
class Conflict:
    about: str
    values: list[ConflictValue]
    note: str | None = None
    kind: str = "differ"
    """``differ`` (values contradict), ``bound`` (a bound the other value does not break,
    yet the figures differ), ``update`` (one source reports a revised figure) or ``as_of``
    (the reports were published more than a day apart: figures as of different times)."""


@dataclass
class Quote:
    speaker: str | None
    text: str
    articles: list[str]
    only_source: bool = False
    """The speaker is quoted by this one source only (no other source quotes them)."""


@dataclass
class Headline:
    article: str
    title: str
    distinct_words: list[str]


@dataclass
class Differences:
    """How the sources of one story differ (output of ``compare``)."""

    facts: list[Fact] = field(default_factory=list)
    unique: dict[str, list[Fact]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    syndication: list[list[str]] = field(default_factory=list)
    independent_reports: int = 0
    entities: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Story:
    """A group of articles about one event."""

    id: str
    slug: str
    articles: list[Article]
    title: str = ""
    reasons: list[str] = field(default_factory=list)
    """Why these articles were grouped (shared names, similarity, pins, overrides)."""
    summary: list[SummarySentence] = field(default_factory=list)
    differences: Differences | None = None

    @property
    def page(self) -> str:
        return f"stories/{self.slug}/"

    @property
    def published(self) -> str | None:
        """The latest publication time of its articles."""
        dates = [a.published for a in self.articles if a.published]
        return max(dates) if dates else None

    @property
    def first_published(self) -> str | None:
        dates = [a.published for a in self.articles if a.published]
        return min(dates) if dates else None


@dataclass
class Page:
    """A Markdown page from the pages folder (about, ...)."""

    slug: str
    title: str
    markdown: str
    source: str
    """Path of the Markdown file, as shown in messages."""


@dataclass
class Digest:
    """Everything the site is made from."""

    stories: list[Story]
    articles: list[Article]
    pages: list[Page] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class BuildResult:
    """What ``build`` did: where the site went, what it holds and what it skipped."""

    output: Path
    digest: Digest
    files: int
    report_path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return self.digest.problems
