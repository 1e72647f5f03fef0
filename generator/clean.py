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
from urllib.parse import urlsplit

from .model import Article, Document, Dropped, Problem
from .text import normalize_space, split_sentences, words

# --- line patterns (generic, shape-based) -----------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*\s*$")
_WIRE_SLUG = re.compile(r"^[a-z]{2,5}(?:-[a-z]{2,5})*(?:/[a-z]{2,5}(?:-[a-z]{2,5})*)+$")
_CREDIT = re.compile(
    r"(\[[^\]]{2,60}/[^\]]{2,40}\]\s*$)|(\((?:photo|image|picture|credit)s?:?[^)]*\)\s*$)|"
    r"^(?:photo|image|picture|credit)s?\s*(?:by|:)\s|\b(?:getty images|shutterstock|"
    r"via reuters|afp via getty|ap photo)\b",
    re.I,
)
_BYLINE = re.compile(r"^(?:by|from)\s+([A-Z][\w.'’\- ]{1,80}?)\s*$", re.I)
_STAFF = re.compile(r"^(.*?)\s+staff\s+writers?$", re.I)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w .'’\-]{1,40}?)\s*\((?P<agency>[A-Z][A-Za-z.\- ]{1,20})\)\s*"
    r"(?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})?"
    r"\s*[-–—]?\s*$"
)
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
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


@dataclass
class _Line:
    text: str
    number: int
    blank_before: bool
    role: str = "body"
    reason: str = ""


@dataclass
class Cleaned:
    """What the cleaner found in a body of scraped text."""

    paragraphs: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    kept_lines: list[int] = field(default_factory=list)
    """1-based numbers of the input lines kept as article text."""


def _is_prose(text: str) -> bool:
    n = len(words(text))
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
    _mark_shapes(lines, out)
    _mark_body_span(lines)
    _mark_captions(lines)
    _find_title(lines, out)
    _mark_standfirst(lines, out)
    title = out.metadata.get("title")
    for line in lines:
        if title and line.role in ("body", "subhead") and line.text == title:
            line.role, line.reason = "boilerplate", "repeated headline"
    kept = [ln for ln in lines if ln.role in ("body", "subhead")]
    out.kept_lines = [ln.number for ln in kept]
    out.paragraphs = _join_broken([ln.text for ln in kept])
    for line in lines:
        if line.role not in ("body", "subhead") and line.role not in ("title", "standfirst"):
            out.dropped.append(Dropped(line.text, line.reason or line.role))
        elif line.role in ("title", "standfirst"):
            out.dropped.append(Dropped(line.text, f"lifted into metadata ({line.role})"))
    if "title" not in out.metadata and out.paragraphs:
        out.metadata["title"] = infer_headline(out.paragraphs[0])
        out.metadata["title_inferred"] = "yes"
    return out


def _mark_shapes(lines: list[_Line], out: Cleaned) -> None:
    """Classify lines whose shape alone says what they are."""
    for line in lines:
        text = line.text
        if _WIRE_SLUG.match(text):
            line.role, line.reason = "boilerplate", "wire-service slug"
        elif (m := _BYLINE.match(text)) and len(words(text)) <= 8:
            line.role, line.reason = "meta", "byline"
            author = m.group(1).strip()
            out.metadata.setdefault("author", author)
            if staff := _STAFF.match(author):
                out.metadata.setdefault("outlet", staff.group(1).strip())
        elif m := _DATELINE.match(text):
            line.role, line.reason = "meta", "dateline"
            out.metadata.setdefault("dateline_place", m.group("place").strip())
            out.metadata.setdefault("outlet", m.group("agency").strip())
            if m.group("date") and (iso := _parse_month_date(m.group("date"))):
                out.metadata.setdefault("published", iso)
        elif (m := _SOURCE_LINE.match(text)) and len(words(text)) <= 12:
            line.role, line.reason = "meta", "source attribution"
            name = re.split(r"\s+(?:and|&)\s+|,", m.group("name"))[0].strip()
            out.metadata.setdefault("outlet", name)
        elif (m := _PAREN_ATTRIBUTION.match(text)) and len(words(text)) <= 4:
            line.role, line.reason = "meta", "source attribution"
            out.metadata.setdefault("outlet", m.group("name").strip())
        elif _TEASER_END.search(text) and _is_prose(text):
            line.role, line.reason = "boilerplate", "teaser (truncated with 'read more' or '…')"
        elif _is_date_line(text):
            line.role, line.reason = "meta", "date line"
        elif _COMMENT_MARK.match(text):
            line.role, line.reason = "boilerplate", "comment section"
        elif len(_SOCIAL.findall(text)) >= 2 and len(words(text)) <= 16:
            line.role, line.reason = "boilerplate", "share or follow buttons"
        elif _BOILERPLATE_PHRASES.search(text) and (
            len(words(text)) <= 14 or _legal_density(text) >= 2
        ):
            line.role, line.reason = "boilerplate", "site furniture (newsletter, legal, share, ...)"


def _is_date_line(text: str) -> bool:
    """A line holding nothing but a date or time (``Nov 19, 2019 6:21 AM EST``, ``2H ago``)."""
    tokens = re.findall(r"[A-Za-z.]+|\d+", text)
    if not tokens or not any(t.isdigit() or re.fullmatch(r"\d+[a-z]{1,2}", t.lower())
                             for t in re.findall(r"\w+", text)):
        return False
    rest = [t.lower().strip(".") for t in tokens if not t.isdigit()]
    return len(tokens) <= 14 and all(
        not t or t in _DATE_WORDS or re.fullmatch(r"(?:st|nd|rd|th|[hmd]|by)", t) for t in rest)


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
        return len(words(line.text)) if _is_prose(line.text) else -SHORT_PENALTY
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
    inside = [False] * len(lines)
    for start, end, _ in runs:
        for i in range(start, end + 1):
            inside[i] = True
    for idx, line in enumerate(lines):
        if line.role != "body":
            continue
        if not inside[idx]:
            line.role = "outside"
            line.reason = "outside the article body (navigation, related links, teasers)"
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


def _find_title(lines: list[_Line], out: Cleaned) -> None:
    first_body = next((i for i, ln in enumerate(lines)
                       if ln.role in ("body", "subhead") and _is_prose(ln.text)), None)
    if first_body is None:
        return
    head = [ln for ln in lines[:first_body] if ln.role in ("outside", "subhead", "body")]
    title_line = None
    for line in reversed(head):
        n = len(words(line.text))
        if 3 <= n <= 30 and not line.text.endswith("."):
            title_line = line
            break
    if title_line is None:
        return
    out.metadata["title"] = title_line.text
    title_line.role = "title"
    for line in head:
        if line is not title_line:
            reason = ("repeated headline" if line.text == title_line.text
                      else "before the headline (site navigation)")
            line.role, line.reason = "boilerplate", reason


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
            out[-1] = f"{prev} {para}"
        else:
            out.append(para)
    return out


def infer_headline(paragraph: str, max_words: int = 14) -> str:
    """A headline for an article without one: the lead sentence's first clause."""
    sentences = split_sentences(paragraph)
    lead = sentences[0] if sentences else paragraph
    clause = re.split(r",\s|;\s|\s[–—]\s|:\s", lead)[0].rstrip(" .")
    tokens = clause.split()
    if len(tokens) > max_words:
        clause = " ".join(tokens[:max_words]) + "…"
    return clause


def _parse_month_date(text: str) -> str | None:
    m = re.match(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", text)
    if not m or m.group(1).lower() not in _MONTHS:
        return None
    month, day, year = _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# --- other formats -----------------------------------------------------------------------


def markdown_paragraphs(body: str) -> list[str]:
    """Plain-text blocks (paragraphs, headings, list items) of a Markdown body."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    paragraphs: list[str] = []
    for token in md.parse(body):
        if token.type == "inline" and token.children is not None:
            parts: list[str] = []
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                elif child.type == "image":
                    continue
            text = normalize_space("".join(parts))
            if text:
                paragraphs.append(text)
        elif token.type in ("code_block", "fence"):
            text = normalize_space(token.content)
            if text:
                paragraphs.append(text)
    return paragraphs


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
    """Clean one document into an article (problems are recorded, never raised)."""
    meta = dict(document.metadata)
    origin = dict(document.origin)
    dropped: list[Dropped] = []
    found: dict[str, str] = {}
    if document.body_format == "html":
        paragraphs, found = html_extract(document.body)
        found_origin = "html page"
        cleaned = Cleaned(paragraphs=paragraphs)
    elif document.body_format == "markdown":
        paragraphs = markdown_paragraphs(document.body)
        cleaned = Cleaned(paragraphs=_join_broken(paragraphs))
        found_origin = "text"
    else:
        cleaned = clean_text(document.body)
        found = cleaned.metadata
        dropped = cleaned.dropped
        found_origin = "text"
    for key in ("title", "outlet", "author", "published", "url", "language"):
        if key not in meta and found.get(key):
            meta[key] = found[key]
            origin[key] = (
                "inferred from the first sentence"
                if key == "title" and found.get("title_inferred") else found_origin
            )
    if "outlet" not in meta and meta.get("url"):
        host = urlsplit(meta["url"]).hostname or ""
        if host:
            meta["outlet"] = host.removeprefix("www.")
            origin["outlet"] = "url domain"
    title = meta.get("title") or document.path
    if "title" not in meta:
        origin["title"] = "file name"
    problems = list(document.problems)
    paragraphs = [p for p in cleaned.paragraphs if p != title]
    if not paragraphs:
        problems.append(Problem(_display(document), "no article text left after cleaning"))
    url = meta.get("url")
    if url and urlsplit(url).scheme not in ("http", "https"):
        problems.append(Problem(_display(document), f"url is not http(s): {url!r}; ignored",
                                "warning"))
        url = None
    lang = meta.get("language") or language
    return Article(
        id=document.id, path=document.path, folder=document.folder, title=title,
        paragraphs=paragraphs, outlet=meta.get("outlet"), url=url,
        published=meta.get("published"), author=meta.get("author"),
        language=meta.get("language"), story=meta.get("story"),
        standfirst=cleaned.metadata.get("standfirst"), origin=origin, dropped=dropped,
        problems=problems, sentences=[split_sentences(p, lang) for p in paragraphs],
    )


def _display(document: Document) -> str:
    return f"{document.folder.rstrip('/')}/{document.path}"
