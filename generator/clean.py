"""Stage 2, clean: turn each loaded document into an :class:`Article`.

Scraped text carries navigation, share buttons, wire slugs, related-link lists,
captions, legal notices and comment forms around the article. The cleaner
classifies every line, keeps the article body (including its subheads), lifts
headline, standfirst, byline, dateline and source attribution into metadata,
and records every dropped line with its reason. The rules are about the shape
of text (length, punctuation, position, common boilerplate phrases), never about
one outlet's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .model import Article, Document, Dropped, Problem
from .text import normalize_space, split_sentences, words

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# --- line patterns (generic, shape-based) -----------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』）]*\s*$")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WIRE_SLUG = re.compile(r"^[a-z]{2,5}(?:-[a-z]{2,5})*(?:/[a-z]{2,5}(?:-[a-z]{2,5})*)+$")
_CREDIT = re.compile(
    r"(\[[^\]]{2,60}/[^\]]{2,40}\]\s*$)|(\((?:photo|image|picture|credit)s?:?[^)]*\)\s*$)|"
    r"^(?:photo|image|picture|credit)s?\s*(?:by|:)\s|\b(?:getty images|shutterstock|"
    r"via reuters|afp via getty|ap photo)\b",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:(?:posted|written|reported|words)\s+)?(?:by|from)\s*:?\s+(?P<name>[A-Z][\w.'’\- ]{1,80}?)"
    r"(?:\s*(?:[-–—|,]|\bon\b)\s*(?P<date>[\w ,.:/]{6,40}?))?\s*$", re.I)
_STAFF = re.compile(r"^(.*?)\s+staff\s+writers?$", re.I)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w .'’\-]{1,40}?)\s*\((?P<agency>[A-Z][A-Za-z.\- ]{1,20})\)\s*"
    r"(?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})?"
    r"\s*[-–—]?\s*$"
)
_INLINE_DATELINE = re.compile(
    r"^[A-Z][\w.'’\-]+(?:[ ,]+[A-Z][\w.'’\-]+){0,3}\s*\((?P<agency>[A-Z][A-Za-z.\- ]{1,20})\)"
    r"\s*[-–—:]\s")
_SOURCE_LINE = re.compile(r"^(?:source|sources|via)\s*:\s*(?P<name>.+?)\s*\.?$", re.I)
_PAREN_ATTRIBUTION = re.compile(r"^\((?P<name>[A-Z][\w.&'’\- ]{1,40})\)\.?$")
_TEASER_END = re.compile(r"(?:\.\.\.|…)\s*(?:read more|more)?\s*$|\bread more\s*$", re.I)
_BOILERPLATE_PHRASES = re.compile(
    r"\b(?:all rights reserved|copyright\b|©|terms of (?:use|service)|privacy (?:policy|statement)|"
    r"cookie|gdpr|subscribe\b|newsletter|sign up|log ?in\b|your email address|"
    r"required fields are marked|leave a (?:reply|comment)|share (?:this|on)|follow us|"
    r"click here|advertisement|related (?:links|content|articles|stories)|read more\b|"
    r"check also|you may also like|recommended for you|most read|trending now|"
    r"skip to (?:main )?content|comments? (?:are )?closed|click to (?:share|email|print)|"
    r"opens? in (?:a )?new window|print this (?:article|page)|back to top|permalink|"
    r"(?:see|read|watch) (?:more|also)\b|don'?t miss|(?:more|top|latest|related) "
    r"(?:stories|news|videos|articles|posts)\b|most (?:popular|viewed|shared|emailed)|"
    r"you (?:might|may) (?:also )?(?:like|enjoy)|sponsored content|personal data|"
    r"get short url)",
    re.I,
)
_COMMENT_MARK = re.compile(
    r"^(?:.{1,60}\s(?:says|wrote|commented)\s*:?|\d+\s+(?:comments?|responses?|replies)\b.*|"
    r"comments?(?:\s*\(\d+\))?|(?:leave|post|add|write|submit) a (?:comment|reply|response)\b.*|"
    r"join the (?:conversation|discussion)\b.*|reply|show (?:more )?comments?|"
    r"(?:view|load|show) (?:all )?(?:\d+ )?comments?)$",
    re.I,
)
_SOCIAL = re.compile(r"\b(?:facebook|twitter|instagram|youtube|linkedin|whatsapp|pinterest|"
                     r"tiktok|reddit|telegram|messenger|e-?mail)\b", re.I)
_DATE_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june "
    "july august september october november december mon tue wed thu fri sat sun monday "
    "tuesday wednesday thursday friday saturday sunday am pm a.m p.m ago at on of the updated "
    "published posted last modified est edt pst pdt cst cdt gmt utc bst cet cest et pt min "
    "mins minute minutes h hr hrs hour hours d day days week weeks month months year years "
    "yesterday today".split())
# Patterns used per line or per article, compiled once (before the build forks its
# cleaning workers, which then need not compile them each).
_OUTLET_SEPARATOR = re.compile(r"\s+(?:and|&)\s+|,")
_DATE_TOKEN = re.compile(r"[A-Za-z.]+|\d+")
_NUMBER_UNIT = re.compile(r"\d+[a-z]{1,2}")
_WORD_CHARS = re.compile(r"\w+")
_DATE_SUFFIX = re.compile(r"(?:st|nd|rd|th|[hmd]|by)")
_ADDRESS = re.compile(r"https?:|@|www\.")
_CLAUSE_END = re.compile(r",\s|;\s|\s[–—]\s|:\s")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "sept", "october", "november", "december")


@dataclass
class _Line:
    text: str
    number: int
    blank_before: bool
    role: str = "body"
    reason: str = ""
    lifts: dict[str, str] = field(default_factory=dict)
    """Metadata this line gives (author, outlet, published), if it is kept as metadata."""


@dataclass
class Cleaned:
    """What the cleaner found in a body of scraped text."""

    paragraphs: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    kept_lines: list[int] = field(default_factory=list)
    """1-based numbers of the input lines kept as article text."""
    origin: dict[str, str] = field(default_factory=dict)
    """Where in the text each metadata field was found (``byline 'By ...'``)."""


def _word_count(text: str) -> int:
    """Words in ``text``; in scripts written without spaces (CJK) two characters count as one."""
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(words(text))
    return len(words(_UNSPACED.sub(" ", text))) + (unspaced + 1) // 2


def _is_prose(text: str) -> bool:
    n = _word_count(text)
    if n >= 20:
        return True
    return n >= 6 and bool(_SENTENCE_END.search(text))


def _is_short(text: str) -> bool:
    return not _is_prose(text)


def clean_text(raw: str) -> Cleaned:
    """Clean scraped plain text: keep the article body, lift metadata, drop the rest."""
    lines: list[_Line] = []
    blank = True
    for number, raw_line in enumerate(raw.splitlines(), start=1):
        text = normalize_space(raw_line)
        if not text:
            blank = True
            continue
        lines.append(_Line(text, number, blank))
        blank = False
    out = Cleaned()
    if not lines:
        return out
    _mark_shapes(lines)
    _mark_captions(lines)
    _mark_body_span(lines)
    _find_title(lines, out)
    _mark_standfirst(lines, out)
    title = out.metadata.get("title")
    for line in lines:
        if title and line.role in ("body", "subhead") and line.text == title:
            line.role, line.reason = "boilerplate", "repeated headline"
    _trim_edges(lines)
    _lift_metadata(lines, out)
    kept = [ln for ln in lines if ln.role in ("body", "subhead")]
    out.kept_lines = [ln.number for ln in kept]
    out.paragraphs = _join_broken([ln.text for ln in kept])
    for line in lines:
        if line.role not in ("body", "subhead") and line.role not in ("title", "standfirst"):
            out.dropped.append(Dropped(line.text, line.reason or line.role))
        elif line.role in ("title", "standfirst"):
            out.dropped.append(Dropped(line.text, f"lifted into metadata ({line.role})"))
    if "title" in out.metadata:
        out.origin["title"] = "text (headline line)"
    elif out.paragraphs:
        out.metadata["title"] = infer_headline(out.paragraphs[0])
        out.origin["title"] = "inferred from the first sentence"
    if "standfirst" in out.metadata:
        out.origin["standfirst"] = "text (line under the headline)"
    return out


def _mark_shapes(lines: list[_Line]) -> None:
    """Classify lines whose shape alone says what they are."""
    for line in lines:
        text = line.text
        if _WIRE_SLUG.match(text):
            line.role, line.reason = "boilerplate", "wire-service slug"
        elif (m := _BYLINE.match(text)) and len(words(m.group("name"))) <= 8 and (
                not m.group("date") or parse_date(m.group("date"))):
            line.role, line.reason = "meta", "byline"
            author = m.group("name").strip()
            line.lifts["author"] = author
            if staff := _STAFF.match(author):
                line.lifts["outlet"] = staff.group(1).strip()
            if m.group("date") and (iso := parse_date(m.group("date"))):
                line.lifts["published"] = iso
        elif m := _DATELINE.match(text):
            line.role, line.reason = "meta", "dateline"
            line.lifts["outlet"] = m.group("agency").strip()
            if m.group("date") and (iso := parse_date(m.group("date"))):
                line.lifts["published"] = iso
        elif (m := _SOURCE_LINE.match(text)) and len(words(text)) <= 12:
            line.role, line.reason = "meta", "source attribution"
            line.lifts["outlet"] = _OUTLET_SEPARATOR.split(m.group("name"))[0].strip()
        elif (m := _PAREN_ATTRIBUTION.match(text)) and len(words(text)) <= 4:
            line.role, line.reason = "meta", "source attribution"
            line.lifts["outlet"] = m.group("name").strip()
        elif _TEASER_END.search(text) and _is_prose(text):
            line.role, line.reason = "boilerplate", "teaser (truncated with 'read more' or '…')"
        elif _is_date_line(text):
            line.role, line.reason = "meta", "date line"
            if iso := parse_date(text):
                line.lifts["published"] = iso
        elif _COMMENT_MARK.match(text):
            line.role, line.reason = "boilerplate", "comment section"
        elif len(_SOCIAL.findall(text)) >= 2 and len(words(text)) <= 16:
            line.role, line.reason = "boilerplate", "share or follow buttons"
        elif _BOILERPLATE_PHRASES.search(text) and (
            len(words(text)) <= 14 or _legal_density(text) >= 2
        ):
            line.role, line.reason = "boilerplate", "site furniture (newsletter, legal, share, ...)"


LIFT_AFTER_BODY = 3
"""Metadata lines this many lines after the article body still belong to it ("Source: ...")."""


def _lift_metadata(lines: list[_Line], out: Cleaned) -> None:
    """Lift author, outlet and date from the metadata lines that belong to the article.

    Only lines above the body, inside it, or just below it count: a dateline in a
    list of related stories further down is another article's.
    """
    kept = [i for i, ln in enumerate(lines) if ln.role in ("body", "subhead")]
    if not kept:
        return
    first, last = kept[0], kept[-1]
    for idx, line in enumerate(lines):
        if line.role != "meta" or not line.lifts or idx > last + LIFT_AFTER_BODY:
            continue
        if line.reason == "date line" and idx > first:
            continue  # a date inside or below the body is not the publication date
        for key, value in line.lifts.items():
            if key not in out.metadata:
                out.metadata[key] = value
                out.origin[key] = f"text ({line.reason}: {line.text!r})"
    m = _INLINE_DATELINE.match(lines[first].text)
    if m and "outlet" not in out.metadata:
        out.metadata["outlet"] = m.group("agency").strip()
        out.origin["outlet"] = f"text (dateline in the first paragraph: {m.group(0).strip()!r})"


def _is_date_line(text: str) -> bool:
    """A line holding nothing but a date or time (``Nov 19, 2019 6:21 AM EST``, ``2H ago``)."""
    tokens = _DATE_TOKEN.findall(text)
    if not tokens or not any(t.isdigit() or _NUMBER_UNIT.fullmatch(t.lower())
                             for t in _WORD_CHARS.findall(text)):
        return False
    rest = [t.lower().strip(".") for t in tokens if not t.isdigit()]
    return len(tokens) <= 14 and all(
        not t or t in _DATE_WORDS or _DATE_SUFFIX.fullmatch(t) for t in rest)


def _legal_density(text: str) -> int:
    return len(_BOILERPLATE_PHRASES.findall(text))


SHORT_PENALTY = 6
"""Weight (in words) a short line costs the body run it sits in."""
FURNITURE_PENALTY = 20
"""Weight a line of site furniture (newsletter, share, related links) costs."""
LIST_RUN = 4
"""This many short lines in a row inside the body are a list of links, not subheads."""


def _line_weight(line: _Line) -> int:
    if line.role == "body":
        return _word_count(line.text) if _is_prose(line.text) else -SHORT_PENALTY
    if line.role == "boilerplate" or line.reason == "date line":
        return -FURNITURE_PENALTY
    return -1


def _best_run(weights: list[int], allowed: list[bool]) -> tuple[int, int, int]:
    """The run of allowed lines with the largest total weight: ``(start, end, total)``."""
    best = (0, -1, 0)
    total, start = 0, 0
    for i, (w, ok) in enumerate(zip(weights, allowed, strict=True)):
        if not ok:
            total, start = 0, i + 1
            continue
        if total <= 0:
            total, start = 0, i
        total += w
        if total > best[2]:
            best = (start, i, total)
    return best


def _trim_edges(lines: list[_Line]) -> None:
    """Short lines left at the very start or end of the body (once the headline and its
    repeats are out) head nothing: they are outside it, as they would be if the body
    were cleaned again on its own (the body run never starts or ends on them)."""
    kept = [ln for ln in lines if ln.role in ("body", "subhead")]
    for edge in (kept, kept[::-1]):
        for line in edge:
            if line.role != "subhead":
                break
            line.role = "outside"
            line.reason = "outside the article body (navigation, related links, teasers)"


def _mark_body_span(lines: list[_Line]) -> None:
    """Keep the heaviest run of prose (short lines and furniture cost weight).

    Short lines inside the run are subheads, unless they come in a long run of
    short lines (a list of links); everything outside it is dropped. A second
    run almost as heavy as the first (an article broken by a long list) is kept
    too.
    """
    weights = [_line_weight(ln) for ln in lines]
    allowed = [ln.reason != "comment section" for ln in lines]
    runs: list[tuple[int, int, int]] = []
    while True:
        start, end, total = _best_run(weights, allowed)
        if end < start or total <= 0:
            break
        prose = sum(1 for i in range(start, end + 1) if weights[i] > 0)
        if runs and (total < 0.5 * runs[0][2] or prose < 3):
            break
        runs.append((start, end, total))
        for i in range(start, end + 1):
            allowed[i] = False
        if len(runs) == 1:
            # Readers' comments after the article are never article text.
            marks = [i for i in range(end + 1, len(lines)) if lines[i].reason == "comment section"]
            if marks:
                for i in range(marks[0], len(lines)):
                    allowed[i] = False
                    if lines[i].role == "body":
                        lines[i].reason = "readers' comments"
    inside = [False] * len(lines)
    for start, end, _ in runs:
        for i in range(start, end + 1):
            inside[i] = True
    for idx, line in enumerate(lines):
        if line.role != "body":
            continue
        if not inside[idx]:
            line.role = "outside"
            line.reason = line.reason or ("outside the article body "
                                          "(navigation, related links, teasers)")
        elif not _is_prose(line.text):
            line.role, line.reason = "subhead", "subhead"
    # Long runs of short lines inside the body are link lists.
    idx = 0
    while idx < len(lines):
        if lines[idx].role != "subhead":
            idx += 1
            continue
        j = idx
        while j < len(lines) and (lines[j].role == "subhead" or
                                  (lines[j].role != "body" and inside[j])):
            j += 1
        run = [k for k in range(idx, j) if lines[k].role == "subhead"]
        if j - idx >= LIST_RUN:
            for k in run:
                lines[k].role = "outside"
                lines[k].reason = "list of short lines inside the body (links, teasers)"
        idx = j


def _mark_captions(lines: list[_Line]) -> None:
    """A photo credit marks a caption; a short block around it is the caption too."""
    for idx, line in enumerate(lines):
        if line.role not in ("body", "subhead") or not _CREDIT.search(line.text):
            continue
        line.role, line.reason = "caption", "photo caption or credit"
        j = idx
        # Lines of the same block (no blank line between) directly above it.
        while j > 0 and not lines[j].blank_before and idx - j < 2:
            j -= 1
            if lines[j].role in ("body", "subhead"):
                lines[j].role, lines[j].reason = "caption", "photo caption (above a credit)"


_STOP = frozenset(
    "a an and are as at be been but by for from had has have he her his how in into is it its "
    "of on or our over said says she that the their them they this to up was we were what "
    "when where which who why will with would you your after before about than then more "
    "new not no out all can could may".split())
TITLE_WINDOW = 40
"""How many lines above the article body are searched for its headline."""


def _stem(word: str) -> str:
    return word.lower()[:5]


def _content_stems(text: str) -> list[str]:
    return [_stem(w) for w in words(text) if len(w) > 2 and w.lower() not in _STOP]


def _find_title(lines: list[_Line], out: Cleaned) -> None:
    """The headline: a short line above the body that shares most of its words with the lead.

    Lines above the headline are site navigation. Without such a line the
    article has no headline in the text (one is inferred later).
    """
    first_body = next((i for i, ln in enumerate(lines)
                       if ln.role in ("body", "subhead") and _is_prose(ln.text)), None)
    if first_body is None:
        return
    lead: set[str] = set()
    count = 0
    for line in lines[first_body:]:
        if line.role in ("body", "subhead"):
            stems = _content_stems(line.text)
            lead.update(stems)
            count += len(stems)
            if count >= 150:
                break
    best: tuple[float, int] | None = None
    for idx in range(max(0, first_body - TITLE_WINDOW), first_body):
        line = lines[idx]
        if line.role not in ("outside", "subhead", "body"):
            continue
        n = len(words(line.text))
        if not 3 <= n <= 30 or line.text.endswith(".") or _ADDRESS.search(line.text):
            continue
        stems = _content_stems(line.text)
        if len(stems) < 2:
            continue
        shared = sum(1 for s in stems if s in lead)
        ratio = shared / len(stems)
        if shared >= 2 and ratio >= 0.4 and (best is None or ratio >= best[0]):
            best = (ratio, idx)
    if best is None:
        return
    title_line = lines[best[1]]
    out.metadata["title"] = title_line.text
    title_line.role = "title"
    for line in lines[:first_body]:
        if line is title_line or line.role not in ("outside", "subhead", "body"):
            continue
        if line.text == title_line.text:
            line.role, line.reason = "boilerplate", "repeated headline"
        elif lines.index(line) < best[1]:
            line.role, line.reason = "boilerplate", "before the headline (site navigation)"


def _mark_standfirst(lines: list[_Line], out: Cleaned) -> None:
    """A one-paragraph summary between the headline and a lead-image caption."""
    try:
        t = next(i for i, ln in enumerate(lines) if ln.role == "title")
    except StopIteration:
        return
    rest = lines[t + 1:]
    body = [i for i, ln in enumerate(rest) if ln.role in ("body", "subhead")]
    if len(body) < 2:
        return
    first = rest[body[0]]
    between = rest[body[0] + 1:body[1]]
    if between and all(ln.role == "caption" for ln in between) and len(words(first.text)) <= 45:
        first.role = "standfirst"
        out.metadata["standfirst"] = first.text


def _join_broken(paragraphs: list[str]) -> list[str]:
    """Rejoin a paragraph that a scrape broke mid-sentence (next one starts lower-case)."""
    out: list[str] = []
    for para in paragraphs:
        if out and para[:1].islower() and _is_prose(out[-1]):
            prev = out[-1]
            if prev.endswith(".") and not prev.endswith(".."):
                prev = prev[:-1]
            joined = f"{prev} {para}"
            # Never join into a line the cleaner would drop (keeps cleaning idempotent).
            probe = _Line(joined, 0, True)
            _mark_shapes([probe])
            if probe.role == "body" and _is_prose(joined):
                out[-1] = joined
                continue
        out.append(para)
    return out


def infer_headline(paragraph: str, max_words: int = 14) -> str:
    """A headline for an article without one: the lead sentence's first clause."""
    sentences = split_sentences(paragraph)
    lead = sentences[0] if sentences else paragraph
    clause = _CLAUSE_END.split(lead)[0].rstrip(" .")
    tokens = clause.split()
    if len(tokens) > max_words:
        clause = " ".join(tokens[:max_words]) + "…"
    return clause


_MONTH_NAME = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DATE_FORMS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ](?P<t>\d{2}:\d{2}(?::\d{2})?"
               r"(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?))?"),
    re.compile(_MONTH_NAME + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_NAME + r",?\s+(?P<y>\d{4})\b"),
)


def parse_date(text: str) -> str | None:
    """ISO 8601 date (or date-time) of the first unambiguous date in ``text``.

    Understands ``2024-05-31``, ``2024-05-31T12:00:00Z``, ``May 31, 2024`` and
    ``31 May 2024``; numeric forms like ``05/06/24`` are ambiguous and ignored.
    """
    import datetime as dt

    for form in _DATE_FORMS:
        for m in form.finditer(text):
            groups = m.groupdict()
            if groups.get("mon") is not None:
                month = _MONTHS.get(groups["mon"][:3].lower())
                if month is None or (len(groups["mon"]) > 3 and not any(
                        groups["mon"].lower() == name for name in _MONTH_NAMES)):
                    continue
            else:
                month = int(groups["m"])
            try:
                day = dt.date(int(groups["y"]), month, int(groups["d"]))
            except ValueError:
                continue
            if groups.get("t"):
                try:
                    stamp = dt.datetime.fromisoformat(f"{day.isoformat()}T"
                                                      f"{groups['t'].replace('Z', '+00:00')}")
                except ValueError:
                    return day.isoformat()
                return stamp.isoformat()
            return day.isoformat()
    return None


_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?=[/-]|$)")


def url_date(url: str) -> str | None:
    """The date in a URL path like ``/2019/11/19/slug`` or ``/2019-11-19-slug``, if valid."""
    import datetime as dt

    m = _URL_DATE.search(urlsplit(url).path)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


# --- other formats -----------------------------------------------------------------------


def markdown_paragraphs(body: str) -> list[str]:
    """Plain-text blocks (paragraphs, headings, list items) of a Markdown body."""
    return markdown_paragraphs_and_title(body)[0]


@lru_cache(maxsize=1)
def _markdown_parser() -> MarkdownIt:
    """One CommonMark parser per process (making one compiles its rules: about 0.3 ms,
    more than parsing a short article); parsing keeps no state between calls."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


# What could make CommonMark read a body as more than paragraphs of plain text: a
# character that starts inline markup (escapes, code spans, emphasis, autolinks and
# HTML), an inline link or image ("](": brackets alone are text when no line defines a
# link reference), an entity, a line break or NUL that markdown-it normalises, and a
# line that starts with whitespace (indented code, a blank line of spaces) or with a
# block marker (heading, quote, list item, rule, setext underline, fence, reference
# definition). None of these: markdown-it finds exactly the blocks between empty lines.
_MARKDOWN_SYNTAX = re.compile(
    r"[\\`*_<\r\x00]|\]\(|&(?:#|[A-Za-z][A-Za-z0-9]*;)|^(?:[ \t#>+\-=~\[]|\d+[.)])",
    re.MULTILINE)


def plain_markdown_paragraphs(body: str) -> list[str] | None:
    """The paragraphs of a Markdown body that uses no Markdown syntax (the blocks
    between empty lines, whitespace normalised): what markdown-it finds in it, without
    parsing (parsing is most of the cost of cleaning a short article). None when the
    body has anything :data:`_MARKDOWN_SYNTAX` matches; then only markdown-it knows."""
    if _MARKDOWN_SYNTAX.search(body):
        return None
    return [text for text in map(normalize_space, body.split("\n\n")) if text]


def markdown_paragraphs_and_title(body: str) -> tuple[list[str], str | None]:
    """Plain-text blocks of a Markdown body, and its title when it opens with a heading.

    A level-1 heading before any other block is the article's headline (lifted
    out of the paragraphs); other headings stay as subheads.
    """
    plain = plain_markdown_paragraphs(body)
    if plain is not None:
        return plain, None
    return parsed_markdown_paragraphs_and_title(body)


def parsed_markdown_paragraphs_and_title(body: str) -> tuple[list[str], str | None]:
    """:func:`markdown_paragraphs_and_title` by markdown-it, whatever the body."""
    md = _markdown_parser()
    paragraphs: list[str] = []
    title: str | None = None
    opening_h1 = False
    for index, token in enumerate(md.parse(body)):
        if token.type == "heading_open" and not paragraphs and title is None:
            opening_h1 = token.tag == "h1"
        if token.type == "inline" and token.children is not None:
            parts: list[str] = []
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            text = normalize_space("".join(parts))
            if opening_h1 and text and index == 1:
                title = text
                opening_h1 = False
                continue
            opening_h1 = False
            if text:
                paragraphs.append(text)
        elif token.type in ("code_block", "fence"):
            text = normalize_space(token.content)
            if text:
                paragraphs.append(text)
    return paragraphs, title


def html_extract(html: str, *, favor_precision: bool = True, favor_recall: bool = False,
                 include_tables: bool = True, include_comments: bool = False,
                 ) -> tuple[list[str], dict[str, str]]:
    """Main content and metadata of a saved HTML page, via trafilatura.

    The defaults are the options measured best on the article-extraction
    benchmark (see docs/quality.md, "Cleaning").
    """
    import trafilatura

    result = trafilatura.bare_extraction(
        html, with_metadata=True, favor_precision=favor_precision, favor_recall=favor_recall,
        include_tables=include_tables, include_comments=include_comments,
    )
    if result is None:
        return [], {}
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = data.get("text") or ""
    paragraphs = [normalize_space(p) for p in str(text).split("\n")]
    meta: dict[str, str] = {}
    for src, dst in (("title", "title"), ("author", "author"), ("date", "published"),
                     ("sitename", "outlet"), ("url", "url"), ("language", "language")):
        value = data.get(src)
        if value:
            meta[dst] = str(value)
    return [p for p in paragraphs if p], meta


# --- the stage ------------------------------------------------------------------------------


def clean(document: Document, language: str = "english") -> Article:
    """Clean one document into an article (problems are recorded, never raised).

    Metadata given by front matter, a sidecar or a JSON line wins over what the
    text itself says; the outlet falls back to the URL's domain. ``origin``
    records where each field came from.
    """
    meta = dict(document.metadata)
    origin = dict(document.origin)
    problems = list(document.problems)
    if document.body_format == "html":
        try:
            paragraphs, found = html_extract(document.body)
        except Exception as exc:  # a broken page must not stop the build
            paragraphs, found = [], {}
            problems.append(Problem(_display(document), f"HTML extraction failed ({exc})"))
        cleaned = Cleaned(paragraphs=paragraphs, metadata=found,
                          origin={key: "html page (trafilatura)" for key in found})
    elif document.body_format == "markdown":
        paragraphs, heading = markdown_paragraphs_and_title(document.body)
        cleaned = Cleaned(paragraphs=_join_broken(paragraphs))
        if heading:
            cleaned.metadata["title"] = heading
            cleaned.origin["title"] = "text (first heading)"
            cleaned.dropped.append(Dropped(heading, "opening heading (the headline)"))
    else:
        cleaned = clean_text(document.body)
    found = cleaned.metadata
    if "title" not in found and "title" not in meta and cleaned.paragraphs:
        found["title"] = infer_headline(cleaned.paragraphs[0])
        cleaned.origin["title"] = "inferred from the first sentence"
    for key in ("title", "outlet", "author", "published", "url", "language"):
        if key not in meta and found.get(key):
            value = found[key]
            if key == "published":
                value = parse_date(value) or ""
                if not value:
                    continue
            meta[key] = value
            origin[key] = cleaned.origin.get(key, "text")
    if "outlet" not in meta and meta.get("url"):
        host = urlsplit(meta["url"]).hostname or ""
        if host:
            meta["outlet"] = host.removeprefix("www.")
            origin["outlet"] = "url domain"
    if "published" not in meta and meta.get("url") and (day := url_date(meta["url"])):
        meta["published"] = day
        origin["published"] = "url path"
    title = meta.get("title") or document.path
    if "title" not in meta:
        origin["title"] = "file name"
    paragraphs = [p for p in cleaned.paragraphs if p != title]
    if not paragraphs:
        problems.append(Problem(_display(document), "no article text left after cleaning"))
    url = meta.get("url")
    if url and urlsplit(url).scheme not in ("http", "https"):
        problems.append(Problem(_display(document), f"url is not http(s): {url!r}; ignored",
                                "warning"))
        url = None
        origin.pop("url", None)
    lang = meta.get("language") or language
    standfirst = found.get("standfirst")
    if standfirst:
        origin["standfirst"] = cleaned.origin.get("standfirst", "text")
    return Article(
        id=document.id, path=document.path, folder=document.folder, title=title,
        paragraphs=paragraphs, outlet=meta.get("outlet"), url=url,
        published=meta.get("published"), author=meta.get("author"),
        language=meta.get("language"), story=meta.get("story"),
        standfirst=standfirst, origin=origin, dropped=list(cleaned.dropped),
        problems=problems, sentences=[split_sentences(p, lang) for p in paragraphs],
    )


def _display(document: Document) -> str:
    return f"{document.folder.rstrip('/')}/{document.path}"


# --- digest inspect -------------------------------------------------------------------------

METADATA_FIELDS = ("title", "outlet", "url", "published", "author", "language", "story",
                   "standfirst")


def describe(article: Article) -> dict[str, Any]:
    """How digest read one article, as the JSON object ``digest inspect --json`` prints."""
    return {
        "path": f"{article.folder.rstrip('/')}/{article.path}" if article.folder else article.path,
        "id": article.id,
        "metadata": {key: getattr(article, key) for key in METADATA_FIELDS},
        "origin": dict(sorted(article.origin.items())),
        "paragraphs": list(article.paragraphs),
        "dropped": [{"text": d.text, "reason": d.reason} for d in article.dropped],
        "problems": [_problem_dict(p) for p in article.problems],
    }


def describe_problem(problem: Problem) -> dict[str, Any]:
    """The ``digest inspect`` object of a file that could not be read at all."""
    return {"path": problem.path, "id": None, "metadata": {}, "origin": {}, "paragraphs": [],
            "dropped": [], "problems": [_problem_dict(problem)]}


def inspect_paths(paths: list[Path], language: str = "english") -> list[dict[str, Any]]:
    """``digest inspect``: read and clean files or folders; one :func:`describe` each.

    Output follows the order of ``paths`` (a folder's files in path order). A
    file that cannot be read at all gets an object holding only its problems.
    """
    from .load import read_paths

    entries: list[dict[str, Any]] = []
    for path in paths:
        loaded = read_paths([path])
        found = [describe(clean(document, language)) for document in loaded.documents]
        by_path: dict[str, list[Problem]] = {}
        for problem in loaded.problems:
            by_path.setdefault(problem.path, []).append(problem)
        for problems in by_path.values():
            entry = describe_problem(problems[0])
            entry["problems"] = [_problem_dict(p) for p in problems]
            found.append(entry)
        entries.extend(sorted(found, key=lambda e: str(e["path"])))
    return entries


def _problem_dict(problem: Problem) -> dict[str, str]:
    return {"path": problem.path, "reason": problem.reason, "severity": problem.severity}


def render_text(entry: dict[str, Any], width: int = 100) -> str:
    """The human-readable form of one :func:`describe` object."""
    out = [f"{entry['path']}" + (f"  (id {entry['id']})" if entry["id"] else "")]
    metadata, origin = entry["metadata"], entry["origin"]
    for key in METADATA_FIELDS:
        value = metadata.get(key)
        if value:
            where = f"  [{origin[key]}]" if key in origin else ""
            out.append(f"  {key + ':':<12}{_short(str(value), width - 14)}{where}")
    paragraphs = entry["paragraphs"]
    count = sum(len(words(p)) for p in paragraphs)
    out.append(f"  paragraphs: {len(paragraphs)} ({count} words)")
    for number, para in enumerate(paragraphs, start=1):
        out.append(f"    {number:>3}. {_short(para, width - 9)}")
    if entry["dropped"]:
        out.append(f"  dropped: {len(entry['dropped'])} line(s)")
        for item in entry["dropped"]:
            out.append(f"    - {_short(item['text'], 60)}  [{item['reason']}]")
    for problem in entry["problems"]:
        out.append(f"  {problem['severity']}: {problem['reason']}")
    return "\n".join(out) + "\n"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:max(1, limit - 1)].rstrip() + "…"
