"""Text helpers shared by the stages: sentences, words, slugs, hashes.

Sentence splitting uses pysbd, whose rules ship with the package: nothing is
downloaded at run time (sumy's default NLTK punkt tokenizer would need data).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Any

import pysbd
from pysbd.abbreviation_replacer import replace_pre_number_abbr, replace_prepositive_abbr
from pysbd.between_punctuation import BetweenPunctuation
from pysbd.exclamation_words import ExclamationWords
from pysbd.lists_item_replacer import ListItemReplacer
from pysbd.processor import Processor
from pysbd.punctuation_replacer import replace_punctuation
from pysbd.utils import Rule

# ISO 639-1 codes pysbd knows, by the language names sumy uses.
PYSBD_LANGUAGES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it",
    "dutch": "nl", "russian": "ru", "polish": "pl", "greek": "el", "danish": "da",
    "japanese": "ja", "chinese": "zh", "arabic": "ar", "armenian": "hy", "hindi": "hi",
    "persian": "fa", "urdu": "ur", "amharic": "am", "burmese": "my", "kazakh": "kk",
    "marathi": "mr", "bulgarian": "bg", "slovak": "sk",
}

_WORD_RE = re.compile(r"[^\W_](?:[^\W_]|['’\-.](?=[^\W_]))*", re.UNICODE)


def language_code(language: str) -> str:
    """pysbd's code for a language name or code (English when unknown)."""
    lang = language.lower()
    if lang in PYSBD_LANGUAGES.values():
        return lang
    return PYSBD_LANGUAGES.get(lang, "en")


@lru_cache(maxsize=32)
def _segmenter(code: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=code, clean=False, char_span=False)


def _segment(segmenter: pysbd.Segmenter, paragraph: str) -> list[str]:
    """pysbd's non-destructive segmentation, with its span recovery done by ``str.find``.

    ``Segmenter.segment`` finds each processed sentence in the original text with a
    regular expression built from that sentence (``re.escape(sentence)``), which
    compiles a new pattern for every sentence and made splitting several times
    slower than pysbd's rules themselves. The sentences are substrings of the
    paragraph, so a plain search from the end of the previous one finds the same
    text; if one is not found, pysbd's own ``segment`` decides.
    """
    processed = segmenter.processor(paragraph).process()
    out: list[str] = []
    position = 0
    for sentence in processed:
        start = paragraph.find(sentence, position)
        if start < 0:
            return [str(s) for s in segmenter.segment(paragraph)]
        out.append(sentence)
        position = start + len(sentence)
    return out


# --- English fast path ------------------------------------------------------------
#
# pysbd spends most of its time in two stages that change nothing on most news
# paragraphs: the abbreviation search (each of about 200 abbreviations looked for,
# and every hit re-substituted over the whole text with a freshly built pattern) and
# list-item detection. ``_fast_english`` runs pysbd's English ``Processor.process``
# step by step with pysbd's own rules (patterns read from its package, compiled once),
# except for those two stages:
#
# - list items: the fast path works out, with pysbd's own patterns and conditions,
#   whether pysbd would rewrite any list marker, and declines if so;
# - abbreviations: pysbd replaces a period only right after whitespace + a run that
#   matches an abbreviation, so the fast path looks only at the runs before each
#   period and applies pysbd's replacement for those runs; it declines when a run
#   matches an abbreviation with a "." only through the pattern's wildcard.
#
# It also declines on characters it does not model (pysbd's placeholder symbols, CJK
# stops, backslashes, braces). A declined paragraph goes to pysbd itself.
# tests/test_text.py checks the result against pysbd with hypothesis on generated
# news-like paragraphs; bench/bench_split.py on every paragraph of the evaluation data.

_EN: Any = pysbd.languages.Language.get_language_code("en")


def _compiled(rules: list[Any]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(rule.pattern), rule.replacement) for rule in rules]


def _pysbd_strings() -> list[str]:
    """Every pattern and replacement string of pysbd's English rules."""
    groups: list[Any] = [_EN, BetweenPunctuation, ListItemReplacer]
    for name in dir(_EN):
        value = getattr(_EN, name)
        if isinstance(value, type) and not name.startswith("__"):
            groups.append(value)
    out: list[str] = []
    for group in groups:
        for name in dir(group):
            if name.startswith("__"):
                continue
            value = getattr(group, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    out.append(item)
                elif isinstance(item, Rule):
                    out += [item.pattern, item.replacement]
    return out


# Characters the fast path does not model: pysbd's placeholder symbols (which its
# rules substitute for punctuation and restore later), the CJK stops (its
# punctuation replacement covers them), backslashes and braces (its patterns treat
# them specially). Quotation marks, brackets and ° are handled by the rules it runs.
_FORBIDDEN = re.compile("[" + re.escape("".join(sorted(
    ({c for s in _pysbd_strings() for c in s if ord(c) > 127} - set("“”‘’«»°⁃「」（）،"))
    | set("\\{}")))) + "]")

_PUNCTUATIONS = tuple(_EN.Punctuations)

# ListItemReplacer.add_line_break
_ALPHA_LISTS = [
    (re.compile(ListItemReplacer.ALPHABETICAL_LIST_WITH_PERIODS), ListItemReplacer.LATIN_NUMERALS),
    (re.compile(ListItemReplacer.ALPHABETICAL_LIST_WITH_PARENS), ListItemReplacer.LATIN_NUMERALS),
    (re.compile(ListItemReplacer.ALPHABETICAL_LIST_WITH_PERIODS), ListItemReplacer.ROMAN_NUMERALS),
    (re.compile(ListItemReplacer.ALPHABETICAL_LIST_WITH_PARENS), ListItemReplacer.ROMAN_NUMERALS),
]
_NUMBERED_LISTS = [re.compile(ListItemReplacer.NUMBERED_LIST_REGEX_1),
                   re.compile(ListItemReplacer.NUMBERED_LIST_PARENS_REGEX)]

# AbbreviationReplacer.replace
_ABBREVIATION_FIRST = _compiled([_EN.PossessiveAbbreviationRule, _EN.KommanditgesellschaftRule,
                                 *_EN.SingleLetterAbbreviationRules.All])
_ABBREVIATIONS = [a.strip() for a in _EN.Abbreviation.ABBREVIATIONS]
_ABBREVIATION_SET = frozenset(_ABBREVIATIONS)
_PREPOSITIVE = frozenset(_EN.Abbreviation.PREPOSITIVE_ABBREVIATIONS)
_NUMBER_ABBREVIATIONS = frozenset(_EN.Abbreviation.NUMBER_ABBREVIATIONS)
# pysbd searches ``(?:^|\s)abbr`` case-insensitively, unescaped ("." a wildcard)
_ABBREVIATION_RUN = re.compile("|".join(_ABBREVIATIONS), re.IGNORECASE)
_REPLACER = _EN.AbbreviationReplacer("", _EN)  # for its stateless replace_period_of_abbr
_AM_PM = _compiled(_EN.AmPmRules.All)
_NUMBERS = _compiled(_EN.Numbers.All)
_PERIOD_RULES = _compiled([_EN.Abbreviation.WithMultiplePeriodsAndEmailRule,
                           _EN.GeoLocationRule, _EN.FileFormatRule])
_ELLIPSIS = _compiled([_EN.SingleNewLineRule, *_EN.EllipsisRules.All])

# process_text
_EXCLAMATION_WORDS = re.compile(ExclamationWords.EXCLAMATION_REGEX)
_SINGLE_QUOTES = re.compile(BetweenPunctuation.BETWEEN_SINGLE_QUOTES_REGEX)
_LEADING_APOSTROPHE = re.compile(BetweenPunctuation.WORD_WITH_LEADING_APOSTROPHE)
_QUOTE_SPACE = re.compile(r"'\s")
# BetweenPunctuation's other spans (replace_punctuation without match_type), each with
# the opening delimiter every match starts with
_SPANS = [(opener, re.compile(p)) for opener, p in (
    ("‘", BetweenPunctuation.BETWEEN_SINGLE_QUOTE_SLANTED_REGEX),
    ('"', BetweenPunctuation.BETWEEN_DOUBLE_QUOTES_REGEX_2),
    ("[", BetweenPunctuation.BETWEEN_SQUARE_BRACKETS_REGEX_2),
    ("(", BetweenPunctuation.BETWEEN_PARENS_REGEX_2),
    ("«", BetweenPunctuation.BETWEEN_QUOTE_ARROW_REGEX_2),
    ("--", BetweenPunctuation.BETWEEN_EM_DASHES_REGEX_2),
    ("“", BetweenPunctuation.BETWEEN_QUOTE_SLANTED_REGEX_2),
)]
_SPAN_CHARS = re.compile(r"[.!?']")
_DOUBLE_PUNCTUATION = re.compile(_EN.DoublePunctuationRules.DoublePunctuation)
_DOUBLE_PUNCTUATION_RULES = _compiled(_EN.DoublePunctuationRules.All)
_QUOTE_AND_EXCLAMATION = _compiled([_EN.QuestionMarkInQuotationRule,
                                    *_EN.ExclamationPointRules.All])
_SENTENCE_BOUNDARY = re.compile(_EN.SENTENCE_BOUNDARY_REGEX)

# split_into_segments / post_process_segments
# SubSymbols' patterns are plain placeholder strings, so str.replace does what its
# substitutions do, in order (if a pysbd version changes that, the fast path is off)
_LITERAL_SUB_SYMBOLS = all(not set(r.pattern) & set(".^$*+?{}[]\\|()")
                           and "\\" not in r.replacement for r in _EN.SubSymbolsRules.All)
_SUB_SYMBOL_STRINGS = [(r.pattern, r.replacement) for r in _EN.SubSymbolsRules.All]
# every SubSymbols / ReinsertEllipsis pattern contains one of its non-ASCII placeholders
_SUB_SYMBOL_CHARS = re.compile("[" + re.escape("".join(sorted(
    {c for r in _EN.SubSymbolsRules.All for c in r.pattern if ord(c) > 127}))) + "]")
_LETTERS_ONLY = re.compile(r"\A[a-zA-Z]*\Z")
_REINSERT_ELLIPSIS = _compiled(_EN.ReinsertEllipsisRules.All)
_REINSERT_ELLIPSIS_CHARS = re.compile("[" + re.escape("".join(sorted(
    {c for r in _EN.ReinsertEllipsisRules.All for c in r.pattern if ord(c) > 127}))) + "]")
_QUOTATION_AT_END = re.compile(_EN.QUOTATION_AT_END_OF_SENTENCE_REGEX)
_SPLIT_AT_QUOTATION = re.compile(_EN.SPLIT_SPACE_QUOTATION_AT_END_OF_SENTENCE_REGEX)
_SINGLE_QUOTE_BACK = _compiled([_EN.SubSingleQuoteRule])[0]


class _Periods:
    """What the fast path needs to know about a paragraph's periods, in one pass:
    which stages' patterns can match at all (each pattern below needs a period with
    the neighbour named), and the runs before periods (for abbreviations)."""

    __slots__ = ("digit_before", "inner", "lower_letters", "numeric", "runs",
                 "single_letter", "space_before")

    def __init__(self, text: str) -> None:
        self.runs: list[str] = []  # distinct runs (from whitespace) before a period
        self.single_letter = False  # a one-character run: initials, list letters
        self.lower_letters = 0  # one-lowercase-letter runs: alphabetical list items
        self.digit_before = 0  # periods after a digit: numbered list items
        self.numeric = False  # a period next to a digit, or before "["
        self.inner = False  # a period between letters, digits or "_" (U.S., e-mails)
        self.space_before = False  # a period after a space (ellipses, file formats)
        end = len(text) - 1
        position = text.find(".")
        while position >= 0:
            run = text[text.rfind(" ", 0, position) + 1:position]
            before = run[-1:]
            after = text[position + 1] if position < end else ""
            if run not in self.runs:
                self.runs.append(run)
            if len(run) == 1:
                self.single_letter = True
                if "a" <= run <= "z":
                    self.lower_letters += 1
            if before.isdecimal():
                self.digit_before += 1
            if before.isdecimal() or after.isdecimal() or after == "[":
                self.numeric = True
            if (before.isalnum() or before == "_") and (after.isalnum() or after == "_"):
                self.inner = True
            if not run and position > 0:
                self.space_before = True
            position = text.find(".", position + 1)


def _apply(rules: list[tuple[re.Pattern[str], str]], text: str) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def _replace_all(rules: list[tuple[str, str]], text: str) -> str:
    for old, new in rules:
        text = text.replace(old, new)
    return text


def _lists_would_change(text: str) -> bool:
    """Whether pysbd's ``ListItemReplacer.add_line_break`` would rewrite ``text``:
    its alphabetical and numbered list conditions, evaluated without rewriting."""
    for pattern, alphabet in _ALPHA_LISTS:
        items = [i for i in pattern.findall(text) if i in alphabet]
        last = len(items) - 1
        for ind, a in enumerate(items):
            if items[ind - 1] not in alphabet or a not in alphabet:
                continue
            near_previous = abs(alphabet.index(items[ind - 1]) - alphabet.index(a)) == 1
            if ind == last:
                if near_previous:
                    return True
            elif items[ind + 1] in alphabet and (
                    alphabet.index(items[ind + 1]) - alphabet.index(a) == 1 or near_previous):
                return True
    for pattern in _NUMBERED_LISTS:
        numbers = [int(n) for n in pattern.findall(text)]
        for ind, item in enumerate(numbers):
            if ind < len(numbers) - 1 and item + 1 == numbers[ind + 1]:
                return True
            if ind > 0 and (item - 1 == numbers[ind - 1]
                            or (item == 0 and numbers[ind - 1] == 9)
                            or (item == 9 and numbers[ind - 1] == 0)):
                return True
    return False


def _replace_abbreviations(text: str, runs: list[str]) -> str | None:
    """pysbd's ``search_for_abbreviations_in_string`` on one line, or ``None``.

    pysbd finds each abbreviation with ``(?:^|\\s)abbr`` (case-insensitive) and then
    replaces a period only where it follows whitespace + exactly the matched run, so
    only the runs before periods matter. Each such run that is an abbreviation
    (ASCII, equal to one ignoring case) gets pysbd's own replacement for it; a run
    that matches one only through a "." wildcard (pysbd then also needs the
    abbreviation's literal text elsewhere in the paragraph) declines."""
    for run in runs:
        if not run or not _ABBREVIATION_RUN.fullmatch(run):
            continue
        lowered = run.lower()
        if not (run.isascii() and lowered in _ABBREVIATION_SET):
            return None
        if lowered in _PREPOSITIVE:
            text = replace_prepositive_abbr(text, run)
        elif lowered in _NUMBER_ABBREVIATIONS:
            text = replace_pre_number_abbr(text, run)
        else:
            text = _REPLACER.replace_period_of_abbr(text, run)
    return text


def _processor(text: str) -> Any:
    """A pysbd Processor holding ``text``, for its own rarely needed stages."""
    return Processor(text, _EN)


# replace_punctuation's substitutions for the characters the fast path allows
_PROTECT = {".": "∯", "!": "&ᓴ&", "?": "&ᓷ&", "'": "&⎋&"}


def _between_punctuation(text: str) -> str:
    """pysbd's ``BetweenPunctuation.replace``: . ! ? (and, except between single
    quotes, ') inside quotes, brackets, parentheses and em-dash pairs replaced by its
    placeholders. Each span pattern looks only at its own delimiters and backslashes,
    which the substitutions never add or remove (its escaping of ( ) [ ] - is undone
    within each substitution), so every pattern finds on the original text the spans
    it finds on pysbd's progressively substituted one."""
    spans: list[tuple[int, int, bool]] = []
    if "'" in text and not (_LEADING_APOSTROPHE.search(text) and not _QUOTE_SPACE.search(text)):
        spans += [(*m.span(), False) for m in _SINGLE_QUOTES.finditer(text)
                  if _SPAN_CHARS.search(m.group())]
    spans += [(*m.span(), True) for opener, pattern in _SPANS if opener in text
              for m in pattern.finditer(text) if _SPAN_CHARS.search(m.group())]
    if not spans:
        return text
    chars = list(text)
    for start, end, apostrophes in spans:
        for i in range(start, end):
            c = text[i]
            if c in _PROTECT and (apostrophes or c != "'"):
                chars[i] = _PROTECT[c]
    return "".join(chars)


def _has_double_punctuation(text: str) -> bool:
    return "!!" in text or "??" in text or "!?" in text or "?!" in text


def _process_text(text: str) -> list[str]:
    """pysbd's ``Processor.process_text``."""
    if text[-1] not in _PUNCTUATIONS:
        text += "ȸ"
    if _EXCLAMATION_WORDS.search(text):
        text = _EXCLAMATION_WORDS.sub(replace_punctuation, text)
    text = _between_punctuation(text)
    if _has_double_punctuation(text) and not _DOUBLE_PUNCTUATION.match(text):
        text = _apply(_DOUBLE_PUNCTUATION_RULES, text)
    if "?" in text or "!" in text:
        text = _apply(_QUOTE_AND_EXCLAMATION, text)
    if "(" in text:
        text = ListItemReplacer(text).replace_parens()
    if text.endswith("&ᓴ&"):
        return list(_processor(text).sentence_boundary_punctuation(text))
    # sentence_boundary_punctuation: English has no colon or comma rule
    return [m.group() for m in _SENTENCE_BOUNDARY.finditer(text)]


def _post_process(text: str) -> list[str]:
    """pysbd's ``Processor.post_process_segments``, always as a list."""
    if len(text) > 2 and _LETTERS_ONLY.search(text):
        return [text]
    if _REINSERT_ELLIPSIS_CHARS.search(text):
        text = _apply(_REINSERT_ELLIPSIS, text)
    if _QUOTATION_AT_END.search(text):
        return _SPLIT_AT_QUOTATION.split(text)
    text = text.replace("\n", "").strip()
    return [text] if text else []


def _fast_english(paragraph: str) -> list[str] | None:
    """pysbd's English ``Processor.process`` on ``paragraph`` (whitespace already
    normalised, so no line breaks), or ``None`` when the fast path declines.

    A stage is skipped when the paragraph lacks what every one of its patterns needs
    (a period next to a digit, a "∯" placeholder, an opening parenthesis...): a
    substitution whose pattern cannot match changes nothing."""
    if _FORBIDDEN.search(paragraph):
        return None
    periods = _Periods(paragraph)
    if ((periods.lower_letters > 1 or periods.digit_before > 1 or ")" in paragraph)
            and _lists_would_change(paragraph)):
        return None
    text = paragraph
    if periods.single_letter or ".'s" in text or "Co." in text:
        text = _apply(_ABBREVIATION_FIRST, text)
    replaced = _replace_abbreviations(text, periods.runs)
    if replaced is None:
        return None
    text = replaced
    if periods.inner:  # the multi-period pattern needs a period between letters
        replacer = _EN.AbbreviationReplacer(text, _EN)
        replacer.replace_multi_period_abbreviations()
        text = replacer.text
    if "∯M∯" in text or "∯m∯" in text:  # in every a.m./p.m. pattern
        text = _apply(_AM_PM, text)
    if "∯ " in text:  # the pattern needs a placeholder before whitespace
        text = _EN.AbbreviationReplacer(text, _EN).replace_abbreviation_as_sentence_boundary()
    if periods.numeric:
        text = _apply(_NUMBERS, text)
    if _has_double_punctuation(text):  # the pattern needs three ! or ?
        processor = _processor(text)
        processor.replace_continuous_punctuation()
        text = processor.text
    if periods.numeric:  # the pattern needs a period before a digit or "["
        processor = _processor(text)
        processor.replace_periods_before_numeric_references()
        text = processor.text
    if periods.inner or periods.space_before or "°" in text:
        text = _apply(_PERIOD_RULES, text)
    # split_into_segments
    if "(" in text:  # the pattern needs a parenthesis between quotes
        processor = _processor(text)
        processor.check_for_parens_between_quotes()
        text = processor.text
    pieces: list[str] = []
    for segment in text.split("\r") if "\r" in text else [text]:
        if not segment:
            continue
        if "..." in segment or " ." in segment:
            segment = _apply(_ELLIPSIS, segment)
        if any(p in segment for p in _PUNCTUATIONS):
            pieces += [s for s in _process_text(segment) if s]
        else:
            pieces.append(segment)
    out: list[str] = []
    for piece in pieces:
        if _SUB_SYMBOL_CHARS.search(piece):
            piece = _replace_all(_SUB_SYMBOL_STRINGS, piece)
        out += _post_process(piece)
    pattern, quote = _SINGLE_QUOTE_BACK
    return [pattern.sub(quote, s) if "&⎋&" in s else s for s in out]


def _in_order(paragraph: str, sentences: list[str]) -> bool:
    position = 0
    for sentence in sentences:
        start = paragraph.find(sentence, position)
        if start < 0:
            return False
        position = start + len(sentence)
    return True


_INNER_BOUNDARY = re.compile(r"[.!?…:;。！？]")
_TRAILING = ".!?…\"'”’»)]。！？ "


def one_sentence(paragraph: str) -> bool:
    """Whether ``paragraph`` has no punctuation that could end a sentence before its
    end: split_sentences keeps such a paragraph whole without asking pysbd (which
    would, for instance, cut "the plan is..." into "the plan is.." and ".")."""
    return not _INNER_BOUNDARY.search(paragraph.rstrip(_TRAILING))


@lru_cache(maxsize=65536)
def _split(paragraph: str, code: str) -> tuple[str, ...]:
    if one_sentence(paragraph):
        return (paragraph,)
    sentences = _fast_english(paragraph) if code == "en" and _LITERAL_SUB_SYMBOLS else None
    if sentences is None or not _in_order(paragraph, sentences):
        sentences = _segment(_segmenter(code), paragraph)
    out = [normalize_space(p) for p in sentences]
    return tuple(p for p in out if p)


def split_sentences(paragraph: str, language: str = "english") -> list[str]:
    """Split one paragraph into sentences (verbatim, whitespace normalised): the whole
    paragraph when ``one_sentence``, else pysbd's sentences, found for English
    paragraphs by ``_fast_english`` (pysbd's rules without its costly stages)."""
    paragraph = normalize_space(paragraph)
    if not paragraph:
        return []
    return list(_split(paragraph, language_code(language)))


@lru_cache(maxsize=8)
def stop_words(language: str) -> frozenset[str]:
    """sumy's stop words for ``language`` (English when sumy has none), as sumy's
    ``get_stop_words`` returns them.

    A language named in full is read from sumy's package data directly: importing
    ``sumy.utils`` also imports requests and pycountry (about 0.2 s), which a
    rebuild that only clusters does not otherwise need. Codes (``en``, ``eng``)
    go through sumy, which looks them up in pycountry."""
    import pkgutil

    name = language.lower()
    if len(name) > 3 and name.isalpha():
        try:
            data = pkgutil.get_data("sumy", f"data/stopwords/{name}.txt")
        except OSError:
            data = None
        if data is None:
            data = pkgutil.get_data("sumy", "data/stopwords/english.txt") or b""
        return frozenset(w.rstrip() for w in data.decode("utf-8").splitlines() if w)
    from sumy.utils import get_stop_words

    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset(get_stop_words("english"))


def normalize_space(text: str) -> str:
    """Runs of whitespace to one space, the ends stripped: ``re.sub(r"\\s+", " ", text)
    .strip()``, by ``str.split``, which splits at exactly the characters the ``\\s`` of
    a ``str`` pattern matches and is several times faster (tests/test_text.py)."""
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Word tokens of ``text`` (letters and digits, inner apostrophes/hyphens kept)."""
    return _WORD_RE.findall(text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def strip_accents(text: str) -> str:
    """``text`` without combining marks (NFKD), case and everything else kept."""
    if text.isascii():
        return text
    # NFKD decomposes character by character and reorders only runs of combining
    # marks, never across an ASCII character: stripping each non-ASCII run alone gives
    # the same text as stripping the whole (and is far cheaper on mostly-ASCII text).
    return _NON_ASCII.sub(_strip_run, text)


def _strip_run(match: re.Match[str]) -> str:
    return _strip_marks(match.group(0))


@lru_cache(maxsize=8192)
def _strip_marks(run: str) -> str:
    decomposed = unicodedata.normalize("NFKD", run)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` for comparisons (’ read as ')."""
    if text.isascii():
        return text.lower()
    return strip_accents(text).replace("’", "'").lower()


def slugify(text: str, max_length: int = 60) -> str:
    """A URL-safe ASCII slug: lower case, words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
