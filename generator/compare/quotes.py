"""Direct quotations with their speaker and every source that carries them.

Quotes are found per paragraph between double quotation marks (curly or straight);
a quote left open runs to the next opening mark or the paragraph's end (news style
for quotes spanning sentences). The speaker comes from the attribution next to the
quote (``..." X said``, ``X told reporters: "...``, ``..., said X``); ``he``/``she``
is resolved to the article's last named speaker when that speaker was quoted within
the previous :data:`PRONOUN_REACH` sentences, and a quote standing alone right after
another quote inherits its speaker. Titles are cut off and speakers are merged across
the story by alias (``Stoltenberg`` -> ``Jens Stoltenberg``).

Quotes from different sources are the same quotation when most of the shorter one's
content words are in the longer one (:data:`SAME_QUOTE`, a partial quote matches
the full one) and their speakers do not differ. A speaker whom only one source
quotes is flagged ``only_source``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Article, Quote
from ..text import fold, words
from .entities import ORG_WORDS, TITLES, _aliases
from .lexicon import stems

SAME_QUOTE = 0.6
SAME_QUOTE_STRICT = 0.4
PRONOUN_REACH = 3
MIN_WORDS = 3

_VERBS = (r"said|says|saying|told|tells|added|adds|adding|stated|states|stating|wrote|writes|"
          r"warned|warns|explained|insisted|noted|emphasized|emphasised|continued|argued|asked|"
          r"declared|remarked|responded|replied|claimed|cautioned|urged|stressed|acknowledged|"
          r"admitted|confirmed|announced|posted|tweeted|hinted|accused")
_NAME = r"[A-Z][\w'’.\-]*(?:\s+(?:(?:of|de|von|van|al|bin|der)\s+)?[A-Z][\w'’.\-]*){0,4}"
DESCRIPTIVE = frozenset("official officials spokesperson spokesman spokeswoman source sources "
                        "statement minister diplomat analyst expert president leader police "
                        "ministry agency".split())
_DESC = (r"(?:an?|the|one|another)\s+(?:[\w.\-]+\s+){0,3}?(?:" + "|".join(sorted(DESCRIPTIVE))
         + r")\b")
_WHO = rf"(?P<who>{_DESC}|{_NAME}|he|she|they)"
_APPOSITIVE = r"(?:,[^“\",]{1,160},)?"
_AFTER = [
    re.compile(rf"^[\s,]*(?:[^“\".;]{{0,60}}?\s)??{_WHO}{_APPOSITIVE}\s+(?:also\s+)?"
               rf"(?:{_VERBS})\b"),
    re.compile(rf"^[\s,]*(?:{_VERBS})\s+(?:[a-z][\w.\-]*\s+){{0,4}}?{_WHO}"),
]
_BEFORE = re.compile(
    rf"{_WHO}{_APPOSITIVE}\s+(?:also\s+|then\s+)?(?:{_VERBS})\b[^“\"]{{0,100}}?"
    rf"(?:[:,]|\bthat)?\s*$")
_BEFORE_PRONOUN = re.compile(
    rf"^(?:[\w ]+,\s+)?(?P<who>He|She|They)\b[^“\"]{{0,120}}?\b(?:{_VERBS})\b[^“\"]{{0,100}}?"
    rf"(?:[:,]|\bthat)?\s*$")
_PRONOUNS = frozenset({"he", "she", "they"})
_RUN = re.compile(r"[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)+")


def _persons(sentence: str) -> list[str]:
    """Person-like names in a sentence: 2-3 capitalised words, no title or organisation word."""
    out = []
    for m in _RUN.finditer(sentence):
        parts = m.group().split()
        last_title = max((k for k, p in enumerate(parts) if fold(p) in TITLES), default=-1)
        parts = parts[last_title + 1:]
        parts = [p[:-2] if p.endswith(("’s", "'s")) else p for p in parts]
        if not 2 <= len(parts) <= 3 or any(fold(p) in ORG_WORDS | TITLES for p in parts):
            continue
        if fold(parts[0]) in ("the", "a", "an", "however", "meanwhile", "on", "in", "after"):
            continue
        if any(p.isupper() for p in parts):
            continue
        out.append(" ".join(parts))
    return out


@dataclass
class _Found:
    article: str
    sentence: int
    text: str
    speaker: str | None
    words: frozenset[str]
    last: int = 0
    """Index of the sentence where the quote ends."""
    articles: list[str] = field(default_factory=list)
    members: list[frozenset[str]] = field(default_factory=list)


_OPEN_MARK = re.compile(r"[“\"]")
_INNER_QUOTES = re.compile(r"[“\"][^”\"]*[”\"]?")
_ARTICLE_WORD = re.compile(r"^(?:an?|the|one|another)\s+", re.I)
_SENTENCE_BREAK = re.compile(r"[.!?”\"]\s+(?=[A-Z“\"])")
_SCARE_QUOTES = re.compile(r"[“\"]([^”\"“]{0,40})[”\"]")


def _spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of the quoted text inside each pair of double quotation marks."""
    out: list[tuple[int, int]] = []
    i = 0
    n = len(paragraph)
    while i < n:
        m = _OPEN_MARK.search(paragraph, i)  # the next character the scan stops at
        if m is None:
            break
        i = m.start()
        c = paragraph[i]
        if c == "“" or (c == '"' and (i == 0 or not paragraph[i - 1].isalnum())):
            close = "”" if c == "“" else '"'
            j = paragraph.find(close, i + 1)
            nxt_open = paragraph.find("“", i + 1) if c == "“" else -1
            if j == -1 or (nxt_open != -1 and nxt_open < j):
                end = nxt_open if nxt_open != -1 else n
                out.append((i + 1, end))
                i = end
                continue
            out.append((i + 1, j))
            i = j + 1
            continue
        i += 1
    return out


def _clean_speaker(who: str | None) -> str | None:
    if not who:
        return None
    who = who.strip(" ,")
    if fold(who) in _PRONOUNS:
        return fold(who)
    if who[:1].islower() or fold(who.split()[0]) in ("a", "an", "the", "one", "another"):
        return _ARTICLE_WORD.sub("", who).strip() or None
    parts = who.split()
    # Keep the part after the last title word: "Kharkiv Mayor Igor Terekhov" -> "Igor Terekhov".
    last_title = max((k for k, p in enumerate(parts) if fold(p).rstrip(",") in TITLES),
                     default=-1)
    parts = parts[last_title + 1:]
    if len(parts) > 1 and fold(parts[0]) in ("of", "for"):
        parts = parts[2:]  # "Secretary of State Antony Blinken"
    parts = [p[:-2] if p.endswith(("’s", "'s")) else p for p in parts]
    name = " ".join(parts).strip(" ,.")
    return name or None


def _speaker(paragraph: str, start: int, end: int) -> str | None:
    tail = paragraph[end + 1:end + 260] if end < len(paragraph) else ""
    ends_sentence = paragraph[start:end].rstrip().endswith((".", "!", "?"))
    if not (ends_sentence and tail.lstrip()[:1].isupper()):
        for pattern in _AFTER:
            m = pattern.match(tail)
            if m:
                return _clean_speaker(m.group("who"))
    head = paragraph[max(0, start - 300):start - 1]
    if head.rstrip().endswith((".", "!", "?", "”", '"')):
        return None  # the quote opens a new sentence: no attribution before it
    head = _SENTENCE_BREAK.split(head)[-1]
    head = _SCARE_QUOTES.sub(r"\1", head)  # scare quotes: “provocations”
    m = _BEFORE.search(head) or _BEFORE_PRONOUN.search(head)
    if m:
        return _clean_speaker(m.group("who"))
    return None


def _resolve(sent: int, persons: Callable[[int], list[str]],
             spoke: dict[int, str]) -> str | None:
    """Who ``he``/``she`` in sentence ``sent`` is: the person of the nearest earlier sentence
    naming one (within :data:`PRONOUN_REACH`), when that sentence names only one.
    ``persons(k)``: the persons sentence ``k`` names (outside quotations)."""
    for k in range(sent - 1, sent - 1 - PRONOUN_REACH, -1):
        if k < 0:
            break
        names = list(dict.fromkeys(persons(k)))
        if k in spoke and spoke[k] not in names:
            names.append(spoke[k])
        if not names:
            continue
        if len(names) == 1:
            return names[0]
        return spoke.get(k)
    return None


def _same(a: frozenset[str], b: frozenset[str], strict: bool = False) -> bool:
    """The same quotation: most of the shorter one's content words are in the other
    (``strict``: a Jaccard overlap of at least :data:`SAME_QUOTE_STRICT`)."""
    small = min(len(a), len(b))
    if small < MIN_WORDS:
        return False
    if strict:
        return len(a & b) / len(a | b) >= SAME_QUOTE_STRICT
    return len(a & b) / small >= SAME_QUOTE


def _named(speaker: str | None) -> bool:
    """A speaker named by a proper name (not "a U.S. official", "the spokesperson")."""
    if not speaker or not speaker[:1].isupper():
        return False
    return fold(speaker.split()[-1]) not in DESCRIPTIVE


def _quotes_of(article: Article) -> list[_Found]:
    found: list[_Found] = []
    spoke: dict[int, str] = {}
    flat = article.all_sentences
    if not any(_OPEN_MARK.search(s) for s in flat):
        return found  # no quotation mark: no quote
    named: dict[int, list[str]] = {}

    def persons(k: int) -> list[str]:
        """The persons sentence ``k`` names outside quotations (found when first asked:
        only for the sentences before a quote attributed to a pronoun)."""
        if k not in named:
            named[k] = _persons(_INNER_QUOTES.sub(" ", flat[k]))
        return named[k]

    index = 0
    for para in article.sentences:
        text = " ".join(para)
        offsets = []
        pos = 0
        for sentence in para:
            offsets.append(pos)
            pos += len(sentence) + 1
        for start, end in _spans(text):
            quote = text[start:end].strip().rstrip(",").strip()
            if len(words(quote)) < MIN_WORDS:
                continue
            sent = index + max(k for k, o in enumerate(offsets) if o <= start)
            last = index + max(k for k, o in enumerate(offsets) if o < max(start, end - 1))
            speaker = _speaker(text, start, end)
            if speaker in _PRONOUNS:
                speaker = _resolve(sent, persons, spoke)
            elif speaker is None and found:
                prev = found[-1]
                sentence_start = offsets[sent - index]
                alone = text[sentence_start:start - 1].strip() == ""
                if prev.sentence == sent or (alone and prev.last >= sent - 1):
                    speaker = prev.speaker  # a second quote of the same attribution
            if speaker is not None:
                spoke[sent] = speaker
            found.append(_Found(article.id, sent, quote, speaker, frozenset(stems(quote)), last))
        index += len(para)
    return found


def quotes(articles: list[Article]) -> list[Quote]:
    """Direct quotations with their speaker, merged across the sources carrying them."""
    all_found = [q for a in sorted(articles, key=lambda a: a.id) for q in _quotes_of(a)]
    # Speaker aliases across the story: "Stoltenberg" -> "Jens Stoltenberg".
    speakers = {q.speaker for q in all_found if q.speaker and q.speaker[:1].isupper()}
    canon = _aliases(speakers)
    for q in all_found:
        if q.speaker in canon:
            q.speaker = canon[q.speaker]
    merged: list[_Found] = []
    for q in all_found:
        match = None
        for m in merged:
            if _named(q.speaker) and _named(m.speaker) and q.speaker != m.speaker:
                continue
            # A named and an unnamed speaker ("the spokesperson"): only a close match.
            strict = bool(q.speaker and m.speaker and q.speaker != m.speaker)
            if any(_same(q.words, w, strict) for w in m.members):
                match = m
                break
        if match is None:
            q.articles = [q.article]
            q.members = [q.words]
            merged.append(q)
            continue
        match.members.append(q.words)
        if q.article not in match.articles:
            match.articles.append(q.article)
            match.articles.sort()
        if match.speaker is None or (not _named(match.speaker) and _named(q.speaker)):
            match.speaker = q.speaker
        if len(q.text) > len(match.text) and q.article == match.article:
            match.text, match.words = q.text, q.words
    by_speaker: dict[str, set[str]] = {}
    for m in merged:
        if m.speaker and _named(m.speaker):
            by_speaker.setdefault(m.speaker, set()).update(m.articles)
    out = [Quote(m.speaker, m.text, m.articles,
                 only_source=_named(m.speaker) and len(by_speaker[m.speaker or ""]) == 1
                 and len(articles) > 1)
           for m in merged]
    order = {id(q): k for k, q in enumerate(out)}
    return sorted(out, key=lambda q: (-len(q.articles), order[id(q)]))
