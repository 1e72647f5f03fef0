"""Numbers that disagree: numeric claims about the same thing with different values.

A *numeric claim* is a number in a sentence with what it counts: a casualty measure
(killed, injured, missing, arrested, evacuated) when one governs it, and the counted
noun or unit (``people``, ``drones``, ``euros``, ``percent``, ``km``). ``five`` and ``5``
are the same value; ``500 million`` is 5e8. Not claims: years, days of a month, clock
times, ages, numbers glued to words (``G7``, ``six-month``, ``COVID-19``), ordinals, and
unit conversions in brackets (``19 miles (30 km)``).

Two claims from different articles are about the same thing when they have the same
key (measure, noun, unit) *and* their sentences, minus the numbers being compared,
are alike (story TF-IDF cosine at least :data:`MATCH`, or :data:`MATCH_GENERIC` when
no casualty measure pins the meaning down); a claim is paired only with its best
match in each other article, and only when that choice is mutual. Precision comes
first: a false alarm costs more than a miss.

Paired claims whose values differ become a conflict, labelled ``bound`` when a bound
("at least 3") does not contradict the other value, and ``update`` when a sentence
reports a revision ("rose to"). Approximate values ("about 500" vs "510") within
10% are not a conflict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain

from ..model import Article, Conflict, ConflictValue, Fact
from ..text import fold
from .facts import ALIGN, Alignment, Sentence, align, claim_sentences, similarities, vectorise
from .lexicon import STOP, Vector, cosine, fold_word, idf_table, stem, stem_tuple, vector

MATCH = 0.2
"""Context similarity for claims with the same casualty measure and noun."""
MATCH_GENERIC = 0.3
"""Context similarity for other claims (counts of things, money, percentages, distances)."""
WINDOW = 6
"""Words either side of a number that make its local context."""
APPROX = 0.10
"""Relative difference below which an approximate value ("about 500") agrees."""
MATCH_COUNT = 0.5
"""Context similarity for counts of other things (``passes``, ``days``, ``houses``) whose
sentences are not aligned as one fact: such nouns say little about what is counted."""
STAT_LINE = 3
"""Numbers in a sentence from which it is a line of statistics (box scores)."""
AS_OF_DAYS = 1
"""Reports published more than this many days apart give figures as of different times:
their conflict is labelled ``as_of`` instead of ``differ`` or ``bound``."""
ALIGNED = 0.3
CORROBORATE = 2
SPECIFIC = 10
COPY = 6
"""Tokens right around a figure (before and after it together, punctuation included) that
two sentences aligned as one fact must word identically to be one report and a copy of it
("... with 11 points, 11 rebounds and six swats, with most of that ..."): such figures are
compared whatever else the sentences give (a line of statistics, a part marker)."""
"""A figure shared by two sentences from which it ties them to one fact (small counts
such as "two" recur by chance)."""
"""Other figures two sentences must both give to count as one fact without alignment."""
"""Added to the context similarity of two claims whose sentences are aligned as one fact
(and hold no other number of the same kind)."""

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_NUMBERS: dict[str, int] = {w: i for i, w in enumerate(_ONES)}
WORD_NUMBERS.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
del WORD_NUMBERS["zero"], WORD_NUMBERS["one"]  # "one of", "no one": too often not a count
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
          "mn": 1e6, "bn": 1e9, "m": 1e6, "k": 1e3, "tn": 1e12}
CURRENCY_SYMBOLS = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen"}
CURRENCY_WORDS = {"dollar": "dollars", "euro": "euros", "pound": "pounds", "yen": "yen",
                  "yuan": "yuan", "rupe": "rupees", "rubl": "roubles", "roubl": "roubles",
                  "hryvnia": "hryvnias"}
UNITS = {"percent": "percent", "%": "percent", "km": "km", "kilomet": "km", "mile": "miles",
         "metr": "metres", "meter": "metres", "kg": "kg", "kilogram": "kg", "ton": "tonnes",
         "tonn": "tonnes", "mph": "mph", "hectar": "hectares", "acr": "acres",
         "feet": "feet", "foot": "feet"}
MONTHS = frozenset("january february march april may june july august september october "
                   "november december jan feb mar apr jun jul aug sep sept oct nov dec".split())
MEASURES = {
    "kill": "killed", "dead": "killed", "die": "killed", "death": "killed", "fatal": "killed",
    "toll": "killed", "live": "killed", "bodi": "killed",
    "injur": "injured", "wound": "injured", "hurt": "injured", "hospitalis": "injured",
    "hospitaliz": "injured",
    "miss": "missing", "arrest": "arrested", "detain": "arrested", "evacu": "evacuated",
    "displac": "displaced", "rescu": "rescued",
}
IMPLICIT_PEOPLE = frozenset({"killed", "injured", "missing", "arrested", "evacuated",
                             "displaced", "rescued"})
_PEOPLE = frozenset("peopl person other civilian resid individu victim passeng".split())
_MODIFIERS = frozenset("other more addit further new separ young senior local foreign total "
                       "least most".split())
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_MONEY_OR_UNIT = frozenset(set(CURRENCY_SYMBOLS.values()) | set(CURRENCY_WORDS.values())
                           | set(UNITS.values()) | {"people"})
_CURRENCIES = frozenset(set(CURRENCY_SYMBOLS.values()) | set(CURRENCY_WORDS.values()))
_CLOCK = frozenset("am pm a.m p.m a p gmt utc et edt est pdt pst cet bst".split())
_AUX = frozenset("were was are is have has had been be being".split())
_NOT_HEAD = frozenset("overnight ago yesterday today tonight earlier later after before since "
                      "during while when and or but including last next this".split())
QUALIFIERS = {
    "at least": "at least", "more than": "more than", "over": "more than",
    "upwards of": "more than", "in excess of": "more than", "nearly": "nearly",
    "almost": "nearly", "about": "about", "around": "about", "roughly": "about",
    "approximately": "about", "some": "about", "an estimated": "about", "estimated": "about",
    "up to": "up to", "as many as": "up to", "fewer than": "fewer than",
    "less than": "fewer than", "under": "fewer than", "at most": "up to", "nearly all": "",
    "within": "up to",
}
LOWER_BOUNDS = frozenset({"at least", "more than"})
UPPER_BOUNDS = frozenset({"up to", "fewer than", "nearly"})
STRICT_UPPER = frozenset({"up to", "fewer than"})
"""Upper bounds that say nothing of how far below the figure the value is ("nearly 100"
says it is a little below 100, so two "nearly" figures can disagree)."""
APPROXIMATE = frozenset({"about"})
_UPDATE = re.compile(r"\b(?:rose|risen|rises|climbed|climbs|increased|jumped|soared|grew|"
                     r"revised|updated|raised|now stands|has reached|reached)\b(?:\s+\w+){0,2}\s*$",
                     re.I)
_TOLL = re.compile(r"\b(?:death|fatality|casualty)\s+toll\b", re.I)
_TIME = re.compile(
    r"\b(?:(?:early|late)\s+)?(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)(?:\s+(?:morning|afternoon|evening|night))?\b|\bovernight\b|\blast\s+(?:night|week|"
    r"weekend|month|year)\b|\bthis\s+(?:week|month|year|morning)\b|\byesterday\b|\btoday\b|"
    r"\b(?:at\s+)?midnight\b|\bnighttime\b|"
    r"\bas of [^,.;]{3,40}|\bby (?:the )?(?:morning|evening|night|noon)\b|"
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{1,2}\b",
    re.I,
)
_ACCORDING = re.compile(r"\baccording to ((?:the )?[^,.;:“\"]{3,60})", re.I)
_SAID = re.compile(r"((?:[\w’'-]+\s+){1,3}?)(?:said|says|reported|reports|told|wrote|stated|"
                   r"confirmed|announced)\b")

_TOKEN = re.compile(r"\d[\d,]*\d(?:\.\d+)?|\d(?:\.\d+)?|[^\W\d_][\w'’\-]*|[$€£¥%()\[\]]|[^\s\w]")


@dataclass
class Claim:
    article: str
    index: int
    sentence: str
    value: float
    written: str
    """The number as written, with qualifier and scale (``at least 23``, ``$1.25bn``)."""
    measure: str | None
    noun: str | None
    qualifier: str | None
    update: bool
    context: list[str]
    vec: Vector = field(default_factory=dict)
    measures: frozenset[str] = frozenset()
    """Every casualty measure claimed in the sentence (its signature)."""
    before: str = ""
    """The word before the number and its qualifier (``to`` in "fell to 419,000")."""
    names: frozenset[str] = frozenset()
    """Capitalised words (names) near the number, sentence start excepted."""
    slot: str | None = None
    """For a number with no counted noun, the word before it (``below`` in "below
    150,000"): such a *bare* claim is compared only across sentences aligned as one fact."""
    unit: float = 1.0
    """The precision the number is written to (``$1.2 trillion``: 1e11; ``47%``: 1)."""
    label: str = ""
    """What is counted, in the sentence's own words (``vehicles``, ``yards per run``;
    ``people`` for a casualty count; for a bare number, the word before it)."""
    after: str = ""
    """The word after the number and its counted noun (``over`` in "5.4% over the year")."""
    scope: str = ""
    """``part`` ("of whom", "including", "$300 billion of the $5 trillion"), ``total``
    ("in total", "overall", "10 total games") or empty."""
    stat: bool = False
    """The sentence is a line of statistics: a score ("71-57") or counts of two or more
    different things ("25 points and 16 rebounds")."""
    subject: str = ""
    """The nearest name before the number in its clause ("Clark" in "Earl Clark finished
    with 22 points"); ``lead`` when that name opens the sentence (checked against the
    story's names before use)."""
    lead: bool = False
    others: frozenset[float] = frozenset()
    """The values of the sentence's other numbers."""
    place: str = ""
    """The first name within a few words after the figure in its clause ("Georgia" in
    "4 percent of Georgia gas stations")."""
    thing: str = ""
    """For money or a percentage, the noun right after it that it is the price, size or
    rate of ("watch" in "a $43,000 Rolex watch", "margin" in "a 4.5 percent margin of
    error"): compared only with a figure of the same thing (or of none on both sides)."""
    dimension: str = ""
    """``depth`` or ``height`` for a length the words around it say is one ("at a depth
    of 10 km", "10 km deep"); empty for a distance."""
    offset: str = ""
    """For a span of time, the word after it that makes it an offset from another event
    ("nine days before the inauguration", "two weeks ago"); empty for a span."""
    period: float = 0.0
    """The span of time the figure is given over, when the words after it say
    ("$974 billion over five years": 5 years, written as a number of days)."""
    earlier: bool = False
    """The earlier figure of a change ("up from 5.8%"): compared with earlier figures only."""
    figures: frozenset[float] = frozenset()
    """Every figure the sentence gives (years, clock times and scores such as "65 - 53"
    left out): two sentences that give the same other figures are about the same thing."""
    numbers: frozenset[float] = frozenset()
    """Every number of the sentence, scores included (years left out)."""
    goal: bool = False
    """The figure is one needed or required ("needed nine points to pass", "requires 60
    votes"): compared only with another such figure, not with one achieved or reported."""
    around: tuple[str, str] = ("", "")
    """The tokens right before the figure (and its qualifier) and right after it (and
    what it counts), punctuation included: how the figure is worded in its sentence."""
    left: tuple[str, ...] = ()
    """Up to twice :data:`COPY` tokens before the figure, nearest first (folded)."""
    right: tuple[str, ...] = ()
    """Up to twice :data:`COPY` tokens after the figure, nearest first (folded)."""
    opener: str = ""
    """The sentence's first word when it is capitalised (a name if the story uses it as
    one inside a sentence: checked by :class:`Pairing`), else empty."""
    named: frozenset[str] = frozenset()
    """The names of the figure's clause that say what it is about: its subject (the
    nearest name before it; the sentence's first word only when not the speaker of an
    attribution, "Officials said 40 people ...") and its place (a name right after it,
    or a sentence-opening "In Ohio, ..."). :class:`Pairing` drops the words the story
    also writes in lower case (common words: "Police", "President")."""
    echo: bool = False
    """The sentence gives this value to something else too ("seven children ... and seven
    men"): the value turning up elsewhere in another sentence is then no sign of a mix-up."""

    @property
    def key(self) -> tuple[str, str]:
        first = ("earlier " if self.earlier else "") + (self.measure or "")
        if self.slot is not None:
            return (first, "<" + self.slot)
        return (first, self.noun or "")

    @property
    def about(self) -> str:
        if self.slot is not None:
            return f"the figure after “{self.label}”"
        noun = self.label or self.noun or "figure"
        about = f"{noun} {self.measure}" if self.measure else noun
        return f"{about}, the earlier figure" if self.earlier else about


_DIGIT_RUNS = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SCALE_SUFFIX = re.compile(r"(?:bn|mn|m|k|km|kg|tn)\b")
_SPLIT_BEFORE = re.compile(r"\d\s?[,.:\-–]\s?$")
_SPLIT_AFTER = re.compile(r"\s?[:\-–]\s?\d|,\s?\d|\s[\-–]\s[^\W\d]")
_MID_NAME = re.compile(r"(?<=[\w,;’'\"”)] )([A-Z][a-z][\w’'\-]*)")
_DOTS_SPACES = re.compile(r"[.\s]+")
_RELATIVE = re.compile(r"\s+(?:who|which|that|as|on|in)\s+")


@lru_cache(maxsize=65_536)
def _number_value(tok: str) -> float | None:
    t = fold(tok)
    if t in WORD_NUMBERS:
        return float(WORD_NUMBERS[t])
    if "-" in t:
        a, _, b = t.partition("-")
        if a in WORD_NUMBERS and b in WORD_NUMBERS and WORD_NUMBERS[a] >= 20 \
                and WORD_NUMBERS[b] < 10:
            return float(WORD_NUMBERS[a] + WORD_NUMBERS[b])
        return None
    if t[:1].isdigit():
        plain = t.replace(",", "")
        if t.count(",") and not _GROUPED.fullmatch(t):
            return None
        try:
            return float(plain)
        except ValueError:
            return None
    return None


def extract(article: Article, index: int, sentence: str) -> list[Claim]:
    """Numeric claims of one sentence."""
    toks = [(m.group(), *m.span()) for m in _TOKEN.finditer(sentence)]
    # Folding ASCII text only lower-cases its letters, which changes no token's extent:
    # the folded tokens are then those of the lower-cased sentence.
    low: list[str] = _TOKEN.findall(sentence.lower()) if sentence.isascii() \
        else list(map(fold_word, [t for t, _, _ in toks]))
    claims: list[Claim] = []
    spans: list[tuple[int, int]] = []
    skip_until = -1
    maybe = _maybe_numbers(low)
    for i in maybe:
        if i <= skip_until:
            continue
        tok, start, end = toks[i]
        value = _number_value(tok)
        if value is None:
            continue
        is_digit = tok[0].isdigit()
        before = sentence[start - 1] if start else " "
        after = sentence[end] if end < len(sentence) else " "
        nxt = low[i + 1] if i + 1 < len(low) else ""
        prev = low[i - 1] if i else ""
        # Glued to a word (G7, COVID-19, 5G), a time (21:00), a year or a day of a month.
        if before.isalpha() or (before in "-:/.," and start > 1 and sentence[start - 2].isalnum()):
            continue
        if is_digit and after.isalpha() and not _SCALE_SUFFIX.match(sentence[end:end + 3]):
            continue
        if after in ":-/" and end + 1 < len(sentence) and sentence[end + 1].isalnum():
            continue
        if prev in MONTHS or nxt in MONTHS or prev in ("no", "no.", "aged", "age", "number"):
            continue
        if nxt in _CLOCK or (prev == ":" and i >= 2 and low[i - 2][:1].isdigit()):
            continue  # a clock time: 4: 43 pm, 9:31 AM
        if is_digit and "." not in tok and "," not in tok and 1800 <= value <= 2100 \
                and prev not in CURRENCY_SYMBOLS and nxt not in SCALES:
            continue
        if nxt in ("st", "nd", "rd", "th", "year-old", "years-old") or nxt.endswith("-year-old"):
            continue
        if _SPLIT_BEFORE.search(sentence[:start]) or _SPLIT_AFTER.match(sentence[end:]):
            continue  # split by tokenisation ("2, 029", "3: 33", "13 - play"), phone numbers
        # The earlier figure of a change ("5.9%, up from 5.8%", "fell to 4.8% from 5.2%",
        # "from a revised 405,000") is compared only with other earlier figures.
        earlier = (prev == "from" and i >= 2 and low[i - 2] in ("up", "down", "revised")) \
            or (prev == "from" and any(low[k] == "to" and _number_value(low[k + 1]) is not None
                                       for k in range(max(0, i - 6), i - 1))) \
            or (prev == "revised" and i >= 3 and low[i - 3] == "from")
        if _in_pair(low, i):
            continue  # a ratio or range: "29 of 34", "between 20 and 30", "20 to 30"
        opener = i - 2 if prev in CURRENCY_SYMBOLS else i - 1
        if opener >= 0 and low[opener] == "(" and any(
                any(ch.isdigit() for ch in t) for t, _, _ in toks[max(0, opener - 5):opener]):
            continue  # a unit conversion: 19 miles (30 km), $US1 million ($1.52 million)
        j = i + 1
        scale = 1.0
        if nxt in SCALES and (nxt not in ("m", "k") or after.isalpha()):
            scale = SCALES[nxt]
            j += 1
        noun: str | None = None
        noun_at = -1
        if prev in CURRENCY_SYMBOLS:
            noun = CURRENCY_SYMBOLS[prev]
        elif i >= 2 and low[i - 2] == "us" and prev == "$":
            noun = "dollars"
        if noun is None and j < len(low):
            noun, j = _head(low, j)
            if noun is not None and noun not in ("percent", "others"):
                noun_at = j - 1
        rate = ""
        if noun and j + 1 < len(low) and low[j] == "per" and \
                low[j + 1][:1].isalpha() and low[j + 1] not in STOP:
            rate = "/" + stem(low[j + 1])  # 3.8 yards per run, $15 an hour
        qualifier = _qualifier(low, opener + 1)  # "almost $139 million": before the symbol
        # The span of an earlier figure ("$974 billion over five years"): no bound.
        span = qualifier in _SPAN_WORDS and any(
            _number_value(w) is not None for w in low[max(0, opener - 3):opener])
        measure = _measure(low, i, j)
        if measure is None and noun is None and _UPDATE.search(sentence[:start]) and \
                _TOLL.search(sentence[:start]):
            measure = "killed"  # "the death toll ... rose to 12"
        slot: str | None = None
        if measure and (noun is None or stem(noun) in _PEOPLE or noun in ("others", "other")):
            noun = "people"
        elif measure is None and noun is None:
            # A bare number ("dropped below 150,000"): its slot is the word before it.
            if not prev[:1].isalpha() or prev in QUALIFIERS or prev in ("least", "than", "and",
                                                                         "or") \
                    or (i >= 2 and toks[i - 1][0][:1].isupper()):
                continue  # not a quantity, or a label after a name: "Amendment 64", "IE 8"
            slot = stem(prev)
        if measure and noun and measure not in IMPLICIT_PEOPLE:
            measure = None
        written = sentence[toks[opener + 1 - len(qualifier.split())][1]
                           if qualifier and not span else start:
                           toks[j - 1][2] if j - 1 < len(toks) else end]
        if prev in CURRENCY_SYMBOLS and prev not in written:
            written = prev + written
        head_text = sentence[:start]
        update = bool(_UPDATE.search(head_text))
        number_terms = {stem(fold(tok))} | {str(int(value)) if value.is_integer() else str(value)}
        context = [t for t in stem_tuple(sentence) if t not in number_terms]
        # Words near the number count twice: they tell apart two counts of one sentence.
        window = sentence[toks[max(0, i - WINDOW)][1]:toks[min(len(toks) - 1, j + WINDOW)][2]]
        context += ["@" + t for t in stem_tuple(window) if t not in number_terms]
        canonical = _canonical_noun(noun)
        window_at = slice(max(0, i - WINDOW), min(len(toks), j + WINDOW))
        names = frozenset(
            f.removesuffix("'s")
            for (t, s0, _), f in zip(toks[window_at], low[window_at], strict=True)
            if s0 > 0 and t[:1].isupper() and t[1:2].islower() and f not in MONTHS
            and f not in _WEEKDAYS and f not in STOP
            and not f.endswith(("an", "ish", "ese", "i")))  # "Russian": not a name
        q0 = i - (len(qualifier.split()) if qualifier else 0) - (1 if prev in CURRENCY_SYMBOLS
                                                                   else 0)
        before = stem(low[q0 - 1]) if q0 >= 1 else ""
        decimals = len(tok.partition(".")[2]) if is_digit else 0
        unit = 10.0 ** -decimals * scale if (decimals or scale > 1 or canonical == "percent") \
            else 1.0
        if slot is not None:
            label = fold(toks[i - 1][0])
        elif measure and noun == "people":
            label = "people"
        elif noun_at >= 0:
            label = fold(toks[noun_at][0])
            if rate:
                label += " " + " ".join(fold(t) for t, _, _ in toks[j:j + 2])
        else:
            label = canonical or ""
        subject, lead = _subject(toks, q0)
        place = _name_after(toks, j)
        named = _named(toks, low, q0, j)
        period = _period(low, j)
        thing = _thing(low, j) if canonical in _MONEY_OR_UNIT and canonical not in _LENGTHS \
            and canonical != "people" and not rate else ""
        dimension = ""
        if canonical in _LENGTHS:
            near = set(low[max(0, q0 - 3):q0]) | set(low[j:j + 1])
            dimension = "depth" if near & _DEPTH else "height" if near & _HEIGHT else ""
        offset = _offset(low, j) if canonical in DURATIONS else ""
        claims.append(Claim(article.id, index, sentence, value * scale, written.strip(), measure,
                            canonical + rate if canonical else canonical,
                            None if span else QUALIFIERS.get(qualifier or "") or None, update,
                            context,
                            names=names, slot=slot, unit=unit, before=before, label=label,
                            after=stem(low[j]) if j < len(low) and low[j][:1].isalpha() else "",
                            scope=_scope(low, q0, i, j, canonical in _CURRENCIES),
                            subject=subject, lead=lead,
                            others=frozenset([value * scale]), earlier=earlier,
                            place=place, period=period, thing=thing, dimension=dimension,
                            offset=offset, goal=_goal(low, q0),
                            around=(low[q0 - 1] if q0 >= 1 else "", low[j] if j < len(low)
                                    else ""),
                            left=tuple(reversed(low[max(0, i - 2 * COPY):i])),
                            right=tuple(low[i + 1:i + 1 + 2 * COPY]),
                            opener=_opener(toks) if i <= WINDOW else "",
                            named=named))
        spans.append((q0, j))
        skip_until = j - 1
    if not claims:
        return claims  # (what follows only completes the claims)
    sig = frozenset(c.measure for c in claims if c.measure)
    score_texts: list[str] = _SCORE.findall(sentence)
    scores = len(score_texts)
    stat = scores > 0 and scores + len(claims) >= STAT_LINE
    for x in range(len(claims) - 1):
        c, d = claims[x], claims[x + 1]
        if c.slot is None and d.slot is None and not c.measure and not d.measure \
                and c.noun not in _MONEY_OR_UNIT and d.noun not in _MONEY_OR_UNIT \
                and c.noun != d.noun and spans[x + 1][0] - spans[x][1] <= 3 \
                and any(w in (",", "and") for w in low[spans[x][1]:spans[x + 1][0]]):
            stat = True  # a list of counts of different things: "25 points and 16 rebounds"
    values = _values(low, maybe)
    in_scores = {float(n) for m in score_texts for n in _DIGIT_RUNS.findall(m)}
    listed = [v for v, noun in values if v not in in_scores
              and (noun is not None or not (v.is_integer() and 1800 <= v <= 2100))]
    figures = frozenset(listed)
    numbers = frozenset(v for v, noun in values
                        if noun is not None or not (v.is_integer() and 1800 <= v <= 2100))
    for c in claims:
        c.measures = sig
        c.figures = figures
        c.numbers = numbers
        own = next(iter(c.others))
        c.echo = listed.count(own) > 1
        # Other figures of the same kind (the numbers of a score such as "9-3" left out).
        rest = [v for v, noun in values if (noun is None or noun == c.noun) and v not in in_scores]
        if own in rest:
            rest.remove(own)
        c.others = frozenset(rest)
        c.stat = stat
    return claims


_TERM = frozenset({"next", "to", "for"})
"""Words before a span of time that make it a set term, not time elapsed so far ("over
the next five years", "sentenced to eight months", "suspended for two years"): such spans
are compared when both sentences introduce them with the same word and are alike
(:data:`MATCH_GENERIC`)."""
DURATIONS = frozenset("day week month year hour minut second season game time decad centuri "
                      "night weekend quarter term lap round inning period".split())
"""Counted nouns that measure time: a count of them depends on when a report was written
("four days of riots", "eight days of riots"), so they are not compared."""
_SCORE = re.compile(r"(?<![\d$€£¥.,:/])\d{1,3}\s?[-–]\s?\d{1,3}(?![\d%:/])")
_PART_BEFORE = frozenset({"including", "among", "include", "includes", "included"})
PART_REACH = 8
"""Words back, inside the clause, that a part marker ("including") reaches: "including a
women's craft group and seven children"."""
_TOTAL = frozenset({"total", "overall", "altogether", "combined", "cumulative", "all"})
_CLAUSE_END = frozenset({",", ";", ":", "while", "whereas", "but", "—", "–", "(", ")"})


def _maybe_numbers(low: list[str]) -> list[int]:
    """The positions of the folded tokens :func:`_number_value` may read as a number: it
    reads none without a leading digit, a hyphen or a number word. (``fold`` leaves a
    folded ASCII token as it is; other tokens are all kept, to be read.)"""
    return [k for k, t in enumerate(low)
            if t[:1].isdigit() or t in WORD_NUMBERS or "-" in t or not t.isascii()]


def _values(low: list[str], maybe: list[int] | None = None) -> list[tuple[float, str | None]]:
    """Every number of a tokenised sentence, scaled (``$281M``: 2.81e8), with what it
    counts when that is said (a currency, or the noun right after it). ``maybe``: the
    sentence's :func:`_maybe_numbers`, when known."""
    out = []
    for k in _maybe_numbers(low) if maybe is None else maybe:
        t = low[k]
        v = _number_value(t)
        if v is None or (k + 1 < len(low) and low[k + 1] == ":") or (k and low[k - 1] == ":"):
            continue  # not a number, or part of a clock time ("2: 18 p. m.")
        n = k + 1
        if n < len(low) and low[n] in SCALES:
            v *= SCALES[low[n]]
            n += 1
        noun: str | None = None
        if k and low[k - 1] in CURRENCY_SYMBOLS:
            noun = CURRENCY_SYMBOLS[low[k - 1]]
        elif n < len(low) and low[n][:1].isalpha() and low[n] not in STOP:
            noun = _canonical_noun(low[n])
        out.append((v, noun))
    return out


def _scope(low: list[str], q0: int, i: int, j: int, money: bool = False) -> str:
    """``part`` or ``total`` when the words around a figure say so (see :attr:`Claim.scope`)."""
    before = low[max(0, q0 - 3):q0]
    if any(w in _PART_BEFORE for w in before) or before[-2:] in (["of", "whom"], ["of", "which"],
                                                                 ["of", "them"]):
        return "part"
    nxt = low[j:j + 4]
    if money and nxt[:2] == ["of", "the"]:
        return "part"  # "$281 million of the purchase price"
    if any(w in ("remainder", "rest", "balance") and low[k - 1] == "the"
           for k, w in enumerate(low[j:j + 8], start=j)):
        return "part"  # "$281 million in cash and the remainder in stock"
    if nxt[:2] == ["of", "them"] or (nxt[:1] == ["of"] and any(
            w in CURRENCY_SYMBOLS or _number_value(w) is not None for w in nxt[1:3])):
        return "part"
    near = low[max(0, q0 - 2):q0] + low[i + 1:j] + low[j:j + 3]
    if any(w in _TOTAL for w in near if w != "all") or "in all" in " ".join(near):
        return "total"
    # A part marker further back in the clause: "including a choir and seven children".
    for w in reversed(low[max(0, q0 - PART_REACH):q0]):
        if w in _CLAUSE_END:
            break
        if w in _PART_BEFORE:
            return "part"
    return ""


_LENGTHS = frozenset({"km", "miles", "metres", "feet"})
_DEPTH = frozenset({"depth", "deep", "below", "underground", "beneath"})
_HEIGHT = frozenset({"height", "altitude", "high", "tall", "elevation"})
_OFFSET = {"before": "before", "prior": "before", "earlier": "before", "ago": "ago",
           "after": "after", "later": "after"}


_GOAL = frozenset("need requir".split())
"""Stems of words that, right before a figure, make it one needed, not one reached."""


def _goal(low: list[str], q0: int) -> bool:
    """A word of :data:`_GOAL` among the three words before the figure, in its clause."""
    for w in reversed(low[max(0, q0 - 3):q0]):
        if w in _CLAUSE_END:
            return False
        if stem(w) in _GOAL:
            return True
    return False


def _offset(low: list[str], j: int) -> str:
    """``before``, ``after`` or ``ago`` when a span of time is an offset from another
    event ("nine days before the inauguration", "two weeks later"); not when an action
    follows the span ("deliberated seven hours before convicting")."""
    if j >= len(low) or low[j] not in _OFFSET:
        return ""
    nxt = low[j + 1] if j + 1 < len(low) else ""
    if nxt.endswith("ing") or nxt in ("being", "he", "she", "they", "it", "we"):
        return ""
    return _OFFSET[low[j]]


def _thing(low: list[str], j: int) -> str:
    """The noun right after a sum or a percentage that it is the price, size or rate of
    ("$43,000 Rolex watch": ``rolex``; "4.5 percent margin": ``margin``), or ``""``."""
    if j >= len(low) or not low[j][:1].isalpha() or low[j] in MONTHS or low[j] in _WEEKDAYS:
        return ""
    noun, _ = _head(low, j)
    if not noun or noun in ("percent", "others") or stem(noun) in DURATIONS \
            or noun.endswith("ly"):
        return ""  # "5.8% year over year", "50% daily" give a time, not a thing
    return stem(noun)


_OVER = frozenset({"over", "in", "within", "during", "across", "for"})
_SPAN_WORDS = frozenset({"over", "within", "under"})
"""Qualifiers that, right after another figure, give its span instead ("$974 billion over
five years", "40 miles within two hours")."""
_DAYS_IN = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0, "decad": 3650.0}


def _period(low: list[str], j: int) -> float:
    """The span of time right after a figure ("over five years", "in the next 10 years"),
    in days; 0 when there is none."""
    if j >= len(low) or low[j] not in _OVER:
        return 0.0
    for k in range(j + 1, min(len(low) - 1, j + 4)):
        v = _number_value(low[k])
        if v is not None:
            days = _DAYS_IN.get(stem(low[k + 1]))
            return v * days if days else 0.0
        if low[k] not in ("the", "next", "past", "last", "coming", "first"):
            break
    return 0.0


def _name_after(toks: list[tuple[str, int, int]], j: int) -> str:
    """The first name in the four words after position ``j``, in the same clause."""
    for k in range(j, min(len(toks), j + 4)):
        t = toks[k][0]
        f = fold_word(t)
        if f in _CLAUSE_END or f == "and":
            break
        if t[:1].isupper() and t[1:2].islower() and f not in MONTHS and f not in _WEEKDAYS \
                and f not in STOP:
            return f.removesuffix("'s").removesuffix("’s")
    return ""


def _opener(toks: list[tuple[str, int, int]]) -> str:
    """The sentence's first word, folded, when it is written like a name, else ``""``."""
    t = toks[0][0] if toks else ""
    f = fold_word(t)
    if t[:1].isupper() and t[1:2].islower() and f not in MONTHS and f not in _WEEKDAYS \
            and f not in STOP and not f.endswith(("an", "ish", "ese", "i")):
        return f.removesuffix("'s").removesuffix("’s")
    return ""


def _subject(toks: list[tuple[str, int, int]], q0: int) -> tuple[str, bool]:
    """The nearest name before position ``q0`` in the same clause, and whether it opens
    the sentence."""
    for k in range(q0 - 1, max(-1, q0 - 11), -1):
        t = toks[k][0]
        f = fold_word(t)
        if f in _CLAUSE_END:
            break
        if t[:1].isupper() and t[1:2].islower() and f not in MONTHS and f not in _WEEKDAYS \
                and f not in STOP and not f.endswith(("an", "ish", "ese", "i")):
            return f.removesuffix("'s").removesuffix("’s"), k == 0
    return "", False


_SPEECH = frozenset("said says say told tells stated states added adds wrote writes claimed "
                    "claims according show shows showed indicate indicates indicated".split())
"""Verbs of an attribution: a name before one is who gives the figure, not what it is about
("State records show Lasalle has three prior convictions")."""
_REPORTING = frozenset("reported reports announced announces confirmed confirms estimated "
                       "estimates believe believes warned warns".split())
"""Verbs of an attribution only when a clause follows ("Police reported that ..."); else
their subject is what the figure is about ("Apple reported revenue of $90 billion")."""
_OPENERS = frozenset("another overall last first next later earlier nearly almost roughly "
                     "altogether instead elsewhere together among including despite "
                     "hundreds thousands millions billions dozens tens scores".split())
"""Common sentence openers not in :data:`STOP` (quantities such as "Millions of
retirees" too), never a name."""
_PLACE_OPENERS = frozenset("in at across near outside inside throughout".split())


def _name_like(t: str) -> bool:
    f = fold_word(t)
    return bool(t[:1].isupper() and t[1:2].islower() and f not in MONTHS and f not in _WEEKDAYS
                and f not in STOP and f not in _OPENERS and not f.endswith("ly")
                and not f.endswith(("an", "ish", "ese", "i")))


def _named(toks: list[tuple[str, int, int]], low: list[str], q0: int,
           j: int) -> frozenset[str]:
    """The figure's named subject and place (:attr:`Claim.named`).

    The figure's clause starts after the nearest clause break, "that", "and" ("Carter
    scored 14 points and Smith scored 9") or verb of attribution before it ("Officials
    said 40 ...": names before one are who says it). Its subject is the names opening
    the clause ("Maria Lopez won", "the Obama campaign raised", not "former President
    Trump"), or a possessive name right before the figure ("The Chiefs rallied behind
    Jamaal Charles' 226 yards"). Its place is the names after "in", "at", "of", "from"
    ... in the four words after the figure in its clause (not "against the Tar Heels",
    "to lead Evansville"), or those of a sentence-opening "In Ohio," phrase right
    before the clause."""
    out: set[str] = set()
    k = q0 - 1
    while k >= 0:
        f = low[k]
        if f in _CLAUSE_END or f in _SPEECH or f in ("that", "and") or (
                f in _REPORTING and (k + 1 == q0 or low[k + 1] == "that")):
            break
        k -= 1
    own = q0 - 2 if q0 >= 2 and low[q0 - 1] in ("'", "’") else q0 - 1
    if own > k and _name_like(toks[own][0]) and (own < q0 - 1 or toks[own][0].endswith(
            ("'", "’", "'s", "’s"))):
        k = own - 1  # a possessive right before the figure owns it: "Jamaal Charles' 226 yards"
        while k >= 0 and _name_like(toks[k][0]):
            k -= 1
    for m in range(k + 1, q0):
        if _name_like(toks[m][0]):
            out.add(low[m].removesuffix("'s").removesuffix("’s").rstrip("'’"))
        elif low[m] not in ("the", "a", "an", "."):
            break
    if k >= 0 and low[k] == "," and low[0] in _PLACE_OPENERS \
            and "," not in low[:k] and k <= 6:
        out.update(low[m].removesuffix("'s").removesuffix("’s")
                   for m in range(1, k) if _name_like(toks[m][0]))
    located = False
    for m in range(j, min(len(toks), j + 4)):
        f = low[m]
        if f in _CLAUSE_END or f == "and" or f in _SPEECH or f in _REPORTING:
            break
        located = located or f in _PLACE_OPENERS or f in ("of", "from")
        if located and _name_like(toks[m][0]):
            out.add(f.removesuffix("'s").removesuffix("’s"))
    return frozenset(out)


_PAIR_BEFORE = frozenset({"of", "to", "and"})


_POSSESSIVE = frozenset({"his", "her", "their", "its", "our"})


def _in_pair(low: list[str], i: int) -> bool:
    """The number at ``i`` is one end of a ratio or range ("29 of 34", "20 to 30",
    "between 20 and 30", "29 out of 34"), not a count on its own."""
    def num(k: int) -> bool:
        return 0 <= k < len(low) and _number_value(low[k]) is not None

    nxt = low[i + 1] if i + 1 < len(low) else ""
    prev = low[i - 1] if i else ""
    if nxt in ("of", "to") and num(i + 2):
        return True
    if nxt == "out" and i + 2 < len(low) and low[i + 2] == "of" and num(i + 3):
        return True
    if nxt == "and" and num(i + 2) and i and low[i - 1] == "between":
        return True
    if nxt == "of" and i + 3 < len(low) and low[i + 2] in _POSSESSIVE and num(i + 3):
        return True  # "three of his four touchdowns"
    if prev in _POSSESSIVE and i >= 3 and low[i - 2] == "of" and num(i - 3):
        return True
    # Money and scaled figures: "between $70.5 billion and $72.5 billion".
    k = i + 1 + (nxt in SCALES)
    if k + 1 < len(low) and low[k] == "and" and (num(k + 1) or (
            low[k + 1] in CURRENCY_SYMBOLS and num(k + 2))):
        b = i - 1 - (prev in CURRENCY_SYMBOLS)
        if b >= 0 and low[b] == "between":
            return True
    b = i - 1 - (prev in CURRENCY_SYMBOLS)
    if b >= 1 and low[b] == "and":
        c = b - 1 - (low[b - 1] in SCALES)
        if c >= 0 and num(c):
            c -= 1 + (c >= 1 and low[c - 1] in CURRENCY_SYMBOLS)
            if c >= 0 and low[c] == "between":
                return True
    if prev == "of" and (num(i - 2) or (i >= 3 and low[i - 2] == "out" and num(i - 3))):
        return True
    if prev == "and" and num(i - 2) and i >= 3 and low[i - 3] == "between":
        return True
    # "20 to 30" is a range, "from 6% to 6.1%" is a change: keep its new value.
    return prev == "to" and num(i - 2) and not (i >= 3 and low[i - 3] == "from")


_NATIONALS = frozenset({"citizen", "nation"})
"""Stems of nouns that, after a nationality, count its people: "American citizens",
"Israeli nationals" are "Americans", "Israelis"."""


def _head(low: list[str], j: int) -> tuple[str | None, int]:
    """The counted noun after a number (skipping modifiers), and the index after it."""
    k = j
    for _ in range(3):
        if k >= len(low):
            return None, j
        w = low[k]
        if w == "%":
            return "percent", k + 1
        if w == "per" and k + 1 < len(low) and low[k + 1] == "cent":
            return "percent", k + 2
        if not w[:1].isalpha() or w in _AUX or w in _NOT_HEAD:
            return None, j
        if w in _MODIFIERS or w == "others":
            if w in ("other", "others") and (k + 1 >= len(low) or not low[k + 1][:1].isalpha()
                                             or low[k + 1] in _AUX or stem(low[k + 1]) in MEASURES):
                return "others", k + 1
            k += 1
            continue
        if w in STOP:
            return None, j
        s = stem(w)
        if s in MEASURES:
            return None, j
        # A capitalised adjective before a noun (29 Ukrainian drones): skip it.
        if k + 1 < len(low) and w.endswith(("an", "ish", "ese", "i")) and low[k + 1][:1].isalpha() \
                and low[k + 1] not in STOP and low[k + 1] not in _NOT_HEAD:
            if stem(low[k + 1]) in _NATIONALS:
                return w, k + 2  # "1,500 American citizens" counts Americans
            k += 1
            continue
        return w, k + 1
    return None, j


@lru_cache(maxsize=16_384)
def _canonical_noun(noun: str | None) -> str | None:
    if noun is None:
        return None
    s = stem(noun)
    for prefix, unit in {**CURRENCY_WORDS, **UNITS}.items():
        if s.startswith(prefix) or noun == prefix:
            return unit
    if s in _PEOPLE or noun in ("others", "other"):
        return "people"
    return s


def _qualifier(low: list[str], i: int) -> str | None:
    for n in (3, 2, 1):
        if i - n >= 0:
            phrase = " ".join(low[i - n:i])
            if phrase in QUALIFIERS:
                return phrase
    return None


def _measure(low: list[str], i: int, j: int) -> str | None:
    """The casualty measure governing the number at ``i`` (counted noun ends before ``j``)."""
    # A verb right before it: "killed (at least) three", "injuring 16", "death toll of 20".
    k = i - 1
    steps = 0
    while k >= 0 and steps < 4:
        w = low[k]
        s = stem(w)
        if s in MEASURES:
            return MEASURES[s]
        if w not in ("at", "least", "more", "than", "over", "nearly", "about", "some", "to",
                     "of", "rose", "risen", "reached", "climbed", "up", "almost", "around",
                     "an", "estimated", "is", "was", "now", "stood", "at", "had"):
            break
        k -= 1
        steps += 1
    # After it: "five people were killed", "16 people dead", "19 were killed", "23 others injured".
    for k in range(j, min(len(low), j + 4)):
        w = low[k]
        s = stem(w)
        if s in MEASURES:
            return MEASURES[s]
        if not w[:1].isalpha() or (w in STOP and w not in _AUX and w not in ("and",)) \
                or _number_value(w) is not None:
            break
    # "left 16 people dead": the measure after the noun.
    return None


def _as_of(sentence: str) -> str | None:
    m = _TIME.search(sentence)
    return m.group().strip() if m else None


def _according_to(sentence: str) -> str | None:
    m = _ACCORDING.search(sentence)
    if m:
        return _RELATIVE.split(m.group(1).strip())[0]
    for m in _SAID.finditer(sentence):
        who = m.group(1).strip()
        if who and fold(who.split()[-1]) not in STOP | {"it", "he", "she", "they"}:
            return who
    return None


def claims_of(articles: list[Article]) -> list[Claim]:
    out: list[Claim] = []
    for article in sorted(articles, key=lambda a: a.id):
        for index, sentence in enumerate(article.all_sentences[:200]):
            if any(map(str.isdigit, sentence)) or not WORD_NUMBERS.keys().isdisjoint(
                    fold(sentence).split()):
                out.extend(extract(article, index, sentence))
    return out


def _differ(a: Claim, b: Claim) -> bool:
    """The two values differ beyond rounding and approximation (bounds not considered)."""
    x, y = a.value, b.value
    if x == y or abs(x - y) <= 0.005 * max(abs(x), abs(y)):
        return False
    if abs(x - y) <= 0.5 * max(a.unit, b.unit) * (1 + 1e-9):
        return False
    return not ((a.qualifier in APPROXIMATE or b.qualifier in APPROXIMATE)
                and abs(x - y) <= APPROX * max(abs(x), abs(y)))


def _agree(a: Claim, b: Claim, alike: bool = False) -> str | None:
    """None when two values agree, else ``differ`` or ``bound``.

    Two bounds the same way ("at least 9" and "at least 8", "less than 25 km" and "less
    than 50 km") never contradict each other, so they agree; unless ``alike``: the two
    sentences word the figure identically (:meth:`Pairing.alike`), one report and a copy
    of it with the bound changed, which is an edit of the figure worth showing as a
    ``bound``. A bound within :data:`APPROX` of a figure it holds for is that figure
    rounded ("more than $920 billion" vs "$928 billion", "almost $139 million" vs "$138
    million") and agrees too."""
    x, y = a.value, b.value
    if x == y or abs(x - y) <= 0.005 * max(abs(x), abs(y)):
        return None
    if abs(x - y) <= 0.5 * max(a.unit, b.unit) * (1 + 1e-9):
        return None  # one is the other rounded: "$1 trillion" vs "$1.2 trillion", "47%" vs "46.7%"
    qa, qb = a.qualifier, b.qualifier
    close = abs(x - y) <= APPROX * max(abs(x), abs(y))
    if (qa in APPROXIMATE or qb in APPROXIMATE) and close:
        return None
    if not alike and ((qa in LOWER_BOUNDS and qb in LOWER_BOUNDS)
                      or (qa in STRICT_UPPER and qb in STRICT_UPPER)):
        return None  # two bounds the same way ("at least 9", "at least 8") never contradict
    if close and ((qa in LOWER_BOUNDS and y >= x) or (qb in LOWER_BOUNDS and x >= y)
                  or (qa in UPPER_BOUNDS and y <= x) or (qb in UPPER_BOUNDS and x <= y)):
        return None  # a bound that rounds the other figure: "more than $920bn" vs "$928bn"
    if (qa in LOWER_BOUNDS and y >= x) or (qb in LOWER_BOUNDS and x >= y):
        return "bound"
    if (qa in UPPER_BOUNDS and y <= x) or (qb in UPPER_BOUNDS and x <= y):
        return "bound"
    return "differ"


def _score(a: Claim, b: Claim) -> float:
    score = cosine(a.vec, b.vec)
    if len(a.measures) >= 2 and a.measures == b.measures:
        score += 0.1  # both sentences report the same set of casualty measures
    return score


Place = tuple[str, int]
"""An article id and a sentence index in it."""


def aligned_pairs(articles: list[Article], facts: list[Fact] | None = None, *,
                  alignment: Alignment | None = None) -> set[tuple[Place, Place]]:
    """Sentence pairs of different articles that state one fact.

    The pairs in one of ``facts`` (fact alignment), and the pairs reaching fact
    alignment's measure (TF-IDF cosine at least :data:`.facts.ALIGN`) over the
    sentences' words *without their numbers*, so that two reports of one fact that
    differ only in a figure are aligned too. ``alignment``: the articles' fact alignment
    when already made (:func:`.facts.align`; read, not changed): its sentences, vectors
    and similarities are reused where leaving the numbers out changes nothing.
    """
    if alignment is not None:
        sentences = alignment.sentences
        similar = _number_free_similarities(alignment)
    else:
        sentences = [Sentence(s.article, s.index, s.text, _number_free(s.terms), s.position)
                     for s in claim_sentences(articles)]
        vectorise(sentences)
        similar = similarities(sentences)
    out: set[tuple[Place, Place]] = set()
    for (i, j), sim in similar.items():
        if sim >= ALIGN:
            p = (sentences[i].article, sentences[i].index)
            q = (sentences[j].article, sentences[j].index)
            out.add((p, q) if p < q else (q, p))
    for fact in facts or []:
        places = sorted(fact.anchors.items())
        for x, p in enumerate(places):
            for q in places[x + 1:]:
                out.add((p, q))
    return out


def _number_free(terms: list[str]) -> list[str]:
    return [t for t in terms if not t[:1].isdigit() and t not in _NUMBER_STEMS]


def _number_free_similarities(alignment: Alignment) -> dict[tuple[int, int], float]:
    """:func:`.facts.similarities` of the alignment's sentences with their numbers left
    out, the same values, computed only where numbers change them.

    Leaving numbers out changes no other word's document frequency, so no other word's
    IDF: a sentence without numbers keeps its vector, and two such sentences keep their
    similarity (the products of their shared words, summed in the same order, that of
    the words' first use in the story). Only the pairs with a sentence that has numbers
    are computed again, from its vector without them and the same order of words.
    """
    sentences = alignment.sentences
    numbered = [any(t[:1].isdigit() or t in _NUMBER_STEMS for t in s.terms) for s in sentences]
    vecs = [vector(_number_free(s.terms), alignment.idf) if has else s.vec
            for s, has in zip(sentences, numbered, strict=True)]
    out = {pair: sim for pair, sim in alignment.pairs.items()
           if not numbered[pair[0]] and not numbered[pair[1]]}
    mixed = set().union(*(v for v, has in zip(vecs, numbered, strict=True) if has))
    postings: dict[str, list[tuple[int, float]]] = {
        t: [] for t in dict.fromkeys(chain.from_iterable(vecs)) if t in mixed}
    for i, vec in enumerate(vecs):
        for t in vec.keys() & mixed:
            postings[t].append((i, vec[t]))
    get = out.get
    for plist in postings.values():
        for x, (i, wi) in enumerate(plist):
            for j, wj in plist[x + 1:]:
                if (numbered[i] or numbered[j]) and sentences[i].article != sentences[j].article:
                    key = (i, j)
                    out[key] = get(key, 0.0) + wi * wj
    return out


_NUMBER_STEMS = frozenset(stem(w) for w in WORD_NUMBERS)
"""Stems of numbers written as words ("two", "seven"): left out with digits when two
sentences are aligned without their numbers."""

_DAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                  r"(?:January|February|March|April|May|June|July|August|September|October|"
                  r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+"
                  r"\d{1,2}|(?:18|19|20)\d\d)\b")


def _days(sentence: str) -> frozenset[str]:
    """Days, dates and years a sentence names (as of when its numbers hold)."""
    return frozenset(_DOTS_SPACES.sub(" ", fold(m.group())) for m in _DAY.finditer(sentence))


def _story_names(articles: list[Article]) -> frozenset[str]:
    """Words written capitalised inside a sentence somewhere in the story (names)."""
    written: set[str] = set()
    for article in articles:
        # One search over the article's sentences, one a line: a match needs a space
        # before it and ends before a line break, so none spans two sentences.
        written.update(_MID_NAME.findall("\n".join(article.all_sentences[:200])))
    return frozenset(fold_word(w).removesuffix("'s").removesuffix("’s") for w in written)


_LOWER_WORD = re.compile(r"\b[a-z][\w’'\-]*")


def _story_lower(articles: list[Article]) -> frozenset[str]:
    """Words written in lower case somewhere in the story (common words, not names)."""
    out: set[str] = set()
    for article in articles:  # (a line break ends a word as the end of a sentence does)
        out.update(_LOWER_WORD.findall("\n".join(article.all_sentences[:200])))
    return frozenset(out)


class Pairing:
    """Which claims of a story may be about the same thing, and how alike they are.

    :meth:`why_not` names the precision rule that keeps two claims apart (empty when
    none does); :meth:`score` is their similarity, -1 when a rule keeps them apart.
    """

    def __init__(self, articles: list[Article], claims: list[Claim],
                 aligned: set[tuple[Place, Place]]) -> None:
        self.claims = claims
        self.aligned = aligned
        self.per_sentence: dict[tuple[str, int, tuple[str, str]], int] = defaultdict(int)
        self.per_sentence_all: dict[tuple[str, int], int] = defaultdict(int)
        self.per_slot: dict[tuple[str, int, tuple[str, str], str], int] = defaultdict(int)
        for c in claims:
            self.per_sentence[(c.article, c.index, c.key)] += 1
            self.per_sentence_all[(c.article, c.index)] += 1
            self.per_slot[(c.article, c.index, c.key, c.before)] += 1
        self.days = {(c.article, c.index): _days(c.sentence) for c in claims}
        story_names = _story_names(articles)
        common = _story_lower(articles)
        for c in claims:
            if c.named & common:  # "Police ...", "President ... as president": common words
                c.named = c.named - common
            if c.lead and c.subject not in story_names:
                c.subject = ""  # a capitalised word opening the sentence, not a name
            if c.opener and c.opener in story_names:
                c.names = c.names | {c.opener}  # a name opening the sentence is a name too
        self.of_key: dict[tuple[str, int, tuple[str, str]], list[Claim]] = defaultdict(list)
        for c in claims:
            self.of_key[(c.article, c.index, c.key)].append(c)
        self.subjects: dict[Place, set[str]] = defaultdict(set)
        for c in claims:
            if c.subject:
                self.subjects[(c.article, c.index)].add(c.subject)
        idf = idf_table(map(stem_tuple, [s for a in articles for s in a.all_sentences[:200]]))
        idf.update({"@" + t: v for t, v in list(idf.items())})
        for c in claims:
            c.vec = vector(c.context, idf)

    def same_fact(self, a: Claim, b: Claim) -> bool:
        """The two sentences are aligned as one fact and the figures fill one slot in them."""
        pa, pb = (a.article, a.index), (b.article, b.index)
        per_sentence, per_slot = self.per_sentence, self.per_slot
        return ((pa, pb) if pa < pb else (pb, pa)) in self.aligned and (
            (per_sentence[(*pa, a.key)] == 1 and per_sentence[(*pb, b.key)] == 1)
            or (a.before == b.before and per_slot[(*pa, a.key, a.before)] == 1
                and per_slot[(*pb, b.key, b.before)] == 1))

    def alike(self, a: Claim, b: Claim) -> bool:
        """The figures are worded identically: the same tokens right before and after
        them (punctuation included) in sentences aligned as one fact."""
        return a.around == b.around and self.same_fact(a, b)

    def parallel(self, a: Claim, b: Claim) -> bool:
        """Two reports of one fact written alike, the figures in the same slot: the
        sentences are aligned as one fact (:meth:`same_fact`) and the word right before
        the figure, or the word right after what it counts, is the same in both ("had
        nine rebounds for" vs "had twelve rebounds for"). The rest of the sentence pins
        down what the figure is about, so it is compared whatever it counts (a line of
        statistics, names around it that differ). Not when the sentences name different
        subjects, or give other figures that differ (another game or season: one's other
        figures must all be the other's); unless the words both before and after the figure
        match, they must share two other figures (:data:`CORROBORATE`)."""
        if a.subject and b.subject and a.subject != b.subject:
            return False
        same_before = a.before != "" and a.before == b.before
        same_after = a.after != "" and a.after == b.after
        if not (same_before or same_after):
            return False
        xs, ys = a.numbers - {a.value}, b.numbers - {b.value}
        if not (xs <= ys or ys <= xs):
            return False  # another figure differs: another game, season or scope
        if not (same_before and same_after) and len(xs & ys) < CORROBORATE:
            return False
        return self.same_fact(a, b)

    def copy(self, a: Claim, b: Claim) -> bool:
        """One report and a copy of it: the sentences are aligned as one fact and word the
        figure's surroundings identically for :data:`COPY` tokens (before and after it
        together: "... 11 rebounds and six swats, with most of ..."), without different
        named subjects or kinds of figure (:meth:`why_not`'s goal, offset, thing,
        dimension, period), and the same other figures ("25 points and 16 rebounds" vs "22
        points and nine rebounds": another game; "11 rebounds and blocked six shots" vs "3 of
        his 11 rebounds and blocked two shots": a part of it), or, for twice as many
        identical tokens, other figures one sentence all gives too. The words pin down
        what the figure is about, so it is compared whatever else the sentences hold (a
        line of statistics, a part marker, another mention of the value)."""
        if a.subject and b.subject and a.subject != b.subject:
            return False
        if (a.goal, a.offset, a.thing, a.dimension, a.earlier) != (
                b.goal, b.offset, b.thing, b.dimension, b.earlier) or (
                a.period and b.period and a.period != b.period):
            return False  # a figure needed, an offset, a price, a depth: another quantity
        run = _common(a.left, b.left) + _common(a.right, b.right)
        if run < COPY:
            return False
        xs, ys = a.numbers - {a.value}, b.numbers - {b.value}
        if xs != ys and not (run >= 2 * COPY and (xs <= ys or ys <= xs)):
            return False  # other figures differ: another game, season or a part of it
        pa, pb = (a.article, a.index), (b.article, b.index)
        return ((pa, pb) if pa < pb else (pb, pa)) in self.aligned

    def linked(self, a: Claim, b: Claim) -> bool:
        """The two sentences give the same two (:data:`CORROBORATE`) other figures
        ("269 yards and two touchdowns ... 29 catches"): they state one fact."""
        return len(_shared(a, b)) >= CORROBORATE

    def anchored(self, a: Claim, b: Claim) -> bool:
        """The two sentences share another figure of at least :data:`SPECIFIC` ("288
        candidates running for 125 seats"). (A shared named subject alone is not enough:
        "Charles rushed for 226 yards" vs "Charles up middle for 2 yards".) Or both are a
        set term of time introduced the same way ("sentenced Monday to eight months")."""
        return any(v >= SPECIFIC for v in _shared(a, b)) or (
            a.noun in DURATIONS and a.before == b.before and a.before in _TERM)

    def ordered(self, a: Claim, b: Claim) -> bool:
        """Both sentences give the same number of figures of this kind, ``a`` and ``b``
        at the same position, and every other one of them has the same value in both
        ("269 yards ... 201 yards" vs "269 yards ... 319 yards"): the list is the same
        and only this figure differs."""
        xs = self.of_key[(a.article, a.index, a.key)]
        ys = self.of_key[(b.article, b.index, b.key)]
        if len(xs) < 2 or len(xs) != len(ys) or len(_shared(a, b)) < CORROBORATE:
            return False
        at = [k for k, (x, y) in enumerate(zip(xs, ys, strict=True)) if x is a or y is b]
        return len(at) == 1 and xs[at[0]] is a and ys[at[0]] is b and all(
            x.value == y.value for k, (x, y) in enumerate(zip(xs, ys, strict=True))
            if k != at[0])

    def why_not(self, a: Claim, b: Claim) -> str:
        """The rule that keeps two claims (same key, different articles) apart, or ``""``."""
        pa, pb = (a.article, a.index), (b.article, b.index)
        da, db = self.days[pa], self.days[pb]
        if da and db and not da & db:
            return "days"  # the sentences name different days or years: different moments
        if a.named - b.named and b.named - a.named:
            return "subjects"  # each names its own subject or place: "Vaughn won 40 percent"
        if self.copy(a, b):
            return ""
        if a.value != b.value and (b.value in a.others or a.value in b.others):
            return "mix-up"  # the other figure is in this sentence too: a mix-up of two figures
        if a.value != b.value and (a.stat or b.stat) and (
                (b.value in a.figures and not b.echo) or (a.value in b.figures and not a.echo)):
            return "mix-up"  # in a line of statistics, of two things ("four TDs", "four scores")
        if a.scope != b.scope:
            return "scope"  # a part ("of whom", "including") or a total against another figure
        if a.subject and b.subject and a.subject != b.subject and (
                a.subject in self.subjects[pb] or b.subject in self.subjects[pa]):
            return "crossed"  # the other sentence gives this name another figure
        several = self.per_sentence[(*pa, a.key)] > 1 or self.per_sentence[(*pb, b.key)] > 1
        if several and self.ordered(a, b):
            return ""
        if several and a.place and b.place and a.place != b.place:
            return "place"  # "4 percent of Georgia stations" vs "7.7% in Virginia"
        if a.thing != b.thing:
            return "thing"  # "a $43,000 watch" vs "$750,000 in campaign money"
        if a.dimension != b.dimension:
            return "dimension"  # "at a depth of 10 km" vs "55 km south of the town"
        if a.goal != b.goal:
            return "goal"  # "needed nine points to pass Ford" vs "posting 20 points"
        if a.offset != b.offset:
            return "offset"  # "nine days before the inauguration" vs "takes effect in 30 days"
        if a.period and b.period and a.period != b.period:
            return "period"  # "$974 billion over five years" vs "$1.2 trillion over eight years"
        if several and (a.before != b.before and a.after != b.after
                        and not (a.subject and a.subject == b.subject)):
            # several figures of this kind in a sentence: the same words around them or
            return "several"  # the same named subject ("Romney ... 21 percent") needed
        same_fact = self.same_fact(a, b)
        parallel = self.parallel(a, b)
        if (a.stat or b.stat) and not a.measure and a.noun not in _MONEY_OR_UNIT and not (
                self.linked(a, b) and (not several or self.ordered(a, b))) and not parallel:
            # a line of statistics (box score) is compared only with one stating the same
            return "stat"  # fact and giving another figure of it the same value

        if a.slot is not None:
            return "" if same_fact else "bare"
        if a.names and b.names and not a.names & b.names and not parallel \
                and not (a.subject and a.subject == b.subject):
            return "names"  # about different named people or places: "Vaughn had 16 points"
        if a.noun in DURATIONS and not same_fact and not (a.before == b.before
                                                          and a.before in _TERM):
            return "duration"  # "four days of riots": a span of time depends on when one writes
        if same_fact:
            return ""
        generic = not a.measure and a.noun not in _MONEY_OR_UNIT
        if generic and (self.per_sentence_all[pa] >= STAT_LINE
                        or self.per_sentence_all[pb] >= STAT_LINE) and not self.linked(a, b):
            return "stat"  # a line of statistics: only one aligned as the same fact compares
        if generic and _score(a, b) < (MATCH_GENERIC if self.anchored(a, b) else MATCH_COUNT):
            return "generic"
        return ""

    def score(self, a: Claim, b: Claim) -> float:
        if self.why_not(a, b):
            return -1.0
        if self.copy(a, b):
            return 1.0 + ALIGNED
        if a.slot is not None:
            return 1.0
        if self.same_fact(a, b) or self.ordered(a, b):
            return _score(a, b) + ALIGNED
        return _score(a, b)


def _common(x: tuple[str, ...], y: tuple[str, ...]) -> int:
    """How many tokens, nearest first, two token runs have in common."""
    n = 0
    for p, q in zip(x, y, strict=False):
        if p != q:
            break
        n += 1
    return n


def _shared(a: Claim, b: Claim) -> frozenset[float]:
    """The other figures both sentences give (the two compared values left out)."""
    return (a.figures & b.figures) - {a.value, b.value}


def conflicts(articles: list[Article],
              aligned: set[tuple[Place, Place]] | None = None) -> list[Conflict]:
    """Numeric claims about the same thing whose values differ between articles.

    ``aligned``: sentence pairs reporting one fact (:func:`aligned_pairs`, computed when
    not given). In such a pair, a number that is the only one of its kind in each
    sentence is compared with the other even below the context thresholds, and bare
    numbers (no counted noun) are compared only there.
    """
    claims = claims_of(articles)
    if not claims:
        return []
    if aligned is None:
        aligned = aligned_pairs(articles, align(articles).facts)
    published = {a.id: d for a in articles if (d := _date(a.published)) is not None}
    pairing = Pairing(articles, claims, aligned)
    score = pairing.score
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, c in enumerate(claims):
        by_key[c.key].append(i)
    ids = sorted({c.article for c in claims})
    parent = list(range(len(claims)))
    edges: list[tuple[int, int]] = []

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key, idx in sorted(by_key.items()):
        threshold = MATCH if key[0].removeprefix("earlier ") else MATCH_GENERIC
        for ai, a_id in enumerate(ids):
            for b_id in ids[ai + 1:]:
                left = [i for i in idx if claims[i].article == a_id]
                right = [i for i in idx if claims[i].article == b_id]
                if not left or not right:
                    continue
                scores = {(i, j): score(claims[i], claims[j]) for i in left for j in right}
                best_l = {i: max(right, key=lambda j, i=i: (scores[(i, j)], -j))  # type: ignore[misc]
                          for i in left}
                best_r = {j: max(left, key=lambda i, j=j: (scores[(i, j)], -i))  # type: ignore[misc]
                          for j in right}
                for i, j in best_l.items():
                    if best_r[j] == i and scores[(i, j)] >= threshold:
                        edges.append((i, j))
    # Conflicts come from direct matches only (no chains through a third article): each
    # pair of matched claims with different values, grouped with the pairs they share a
    # claim with, plus the claims directly matched to them that agree.
    # Matched claims whose values differ at all (compatible bounds included) are grouped,
    # so that a conflict shows every figure given for the thing; a group becomes a
    # conflict only when two of its figures disagree (:func:`_agree`, in :func:`_conflict`).
    disagree = [(i, j) for i, j in edges if _differ(claims[i], claims[j])]
    for i, j in disagree:
        parent[find(i)] = find(j)
    involved = {k for e in disagree for k in e}
    for i, j in edges:
        if (i, j) in disagree:
            continue
        if i in involved and j not in involved:
            parent[find(j)] = find(i)
        elif j in involved and i not in involved:
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(claims)):
        groups[find(i)].append(i)
    out: list[Conflict] = []
    for members in groups.values():
        if len(members) < 2 or not any(k in involved for k in members):
            continue
        conflict = _conflict([claims[i] for i in sorted(members)], published, pairing)
        if conflict is not None:
            out.append(conflict)
    out.sort(key=lambda c: (c.about, [v.articles for v in c.values]))
    return out


def _date(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def _conflict(members: list[Claim], published: dict[str, date],
              pairing: Pairing) -> Conflict | None:
    kinds = set()
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            a, b = members[x], members[y]
            if a.article != b.article:
                kind = _agree(a, b, pairing.alike(a, b))
                if kind:
                    kinds.add(kind)
    if not kinds:
        return None
    values: dict[tuple[float, str], ConflictValue] = {}
    for c in members:
        k = (c.value, c.qualifier or "")
        cv = values.get(k)
        if cv is None:
            values[k] = ConflictValue(
                c.written, [c.article], c.sentence, number=c.value, qualifier=c.qualifier,
                as_of=_as_of(c.sentence), according_to=_according_to(c.sentence),
                update=c.update)
        elif c.article not in cv.articles:
            cv.articles.append(c.article)
            cv.articles.sort()
    kind = "update" if any(c.update for c in members) else (
        "differ" if "differ" in kinds else "bound")
    notes = []
    dated = sorted({published[c.article] for c in members if c.article in published})
    if kind != "update" and len(dated) > 1 and (dated[-1] - dated[0]).days > AS_OF_DAYS:
        kind = "as_of"
        notes.append(f"the reports were published on different days ({dated[0].isoformat()} "
                     f"to {dated[-1].isoformat()}): the figures may hold at different times")
    if kind == "update":
        notes.append("a source reports a revised figure ('rose to' or similar)")
    if kind == "bound":
        notes.append("a bound ('at least', 'up to') that the other figure does not break; "
                     "the figures may be from different times")
    times = {fold(v.as_of): v.as_of for v in values.values() if v.as_of}
    if len(times) > 1:
        notes.append("the sources give different times: " + "; ".join(sorted(times.values())))
    about = members[0].about
    shared = _shared_words(members)
    if shared:
        about = f"{about} ({', '.join(shared)})"
    ordered = sorted(values.values(), key=lambda v: (v.articles[0], v.number or 0.0))
    return Conflict(about, ordered, "; ".join(notes) or None, kind)


def _shared_words(members: list[Claim]) -> list[str]:
    """Words most member sentences use (the event the count is about), in first-sentence order."""
    counts: dict[str, int] = defaultdict(int)
    for c in members:
        for t in set(c.context):
            counts[t] += 1
    need = max(2, (len(members) + 1) // 2)
    common = {t for t, n in counts.items() if n >= need}
    out: list[str] = []
    seen: set[str] = set()
    for m in re.finditer(r"[^\W\d_][\w'’\-]*", members[0].sentence):
        w = m.group()
        s = stem(fold(w))
        if s in common and s not in seen and s not in MEASURES and fold(w) not in STOP \
                and _number_value(w) is None and fold(w) not in QUALIFIERS \
                and fold(w) not in ("least", "than") \
                and _canonical_noun(fold(w)) != members[0].noun:
            seen.add(s)
            out.append(w)
    return out[:5]
