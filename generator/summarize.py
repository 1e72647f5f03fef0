"""Stage 4, summarize: an extractive, cited summary for every story.

1. **Sentences** of every article are read in time order and described once:
   content words (sumy's stop words out, Snowball stems), numbers, names, and
   whether the sentence can stand alone (not a fragment, not boilerplate or a
   caption, not leaning on missing context such as a leading "He added" or
   "However,"). Words are looked up in a per-language lexicon that remembers
   every token it has seen (lower case, stem id, number, name), so each
   distinct word is stemmed once per process, not once per occurrence.
2. **Matrices**: the story's sentences become a term-count matrix, from which
   every pairwise measure is computed at once: an idf-weighted cosine, the
   share of the lighter sentence's idf mass found in the other (containment),
   and shared words. :func:`summarize_all` does steps 1, 2 and LexRank for many
   stories in one pass (one regex pass, one matrix, numpy sums into flat
   per-story pair arrays, one power iteration); every number of a story comes
   from that story alone in a fixed order, so its summary is the one
   :func:`summarize` (a batch of one) gives it.
3. **Facts**: sentences that report the same fact are grouped across sources,
   paraphrases included (cosine, or containment with enough shared words;
   neither may have a number the other lacks while lacking one of the other's,
   and names must meet when both sentences have some). Each
   group becomes one :class:`Candidate` that remembers, for every article
   reporting it, the index of the matching sentence (the ``#s<N>`` anchor).
4. **Ranking**: a sumy summarizer (LexRank by default) rates *every* sentence
   of the story, repeats across outlets included, so a fact many outlets carry
   gathers the centrality of all its copies. LexRank computes sumy's tf, idf,
   idf-modified cosine, threshold graph and power method with numpy from the
   term-count matrix (sentences whose scores are equal to 12 decimals rank by
   position); the other algorithms run through sumy's
   document model with :class:`OfflineTokenizer` (pysbd and a regex: nothing
   is downloaded). A fact's score blends its best copy's rank with how many
   sources carry it and how early it comes in its articles (news puts the news
   first).
5. **Choice**: the best facts fill the length budget (a number of sentences,
   or of words, the last sentence kept whole), skipping any fact redundant with
   one already chosen: close overall (looser than the grouping test), or one
   clause of a sentence mostly contained in the other. They are then put in
   reading order: first appearance, articles taken by publication time.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib
import itertools
import operator
import re
import sys
import threading
import types
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, cast

from .cache import Cache
from .config import SummaryConfig
from .model import Article, Fact, Story, SummarySentence
from .text import fold, stop_words, words

ALGORITHMS: dict[str, str] = {
    "lexrank": "sumy.summarizers.lex_rank:LexRankSummarizer",
    "textrank": "sumy.summarizers.text_rank:TextRankSummarizer",
    "lsa": "sumy.summarizers.lsa:LsaSummarizer",
    "luhn": "sumy.summarizers.luhn:LuhnSummarizer",
    "kl": "sumy.summarizers.kl:KLSummarizer",
    "sumbasic": "sumy.summarizers.sum_basic:SumBasicSummarizer",
    "edmundson": "sumy.summarizers.edmundson:EdmundsonSummarizer",
}

MIN_WORDS = 8
MAX_WORDS = 60
SAME_FACT = 0.5
"""Two sentences whose content-word overlap (Jaccard) reaches this report the same fact
(the plain test :mod:`generator.compare` uses for quotes)."""

PARAPHRASE_COSINE = 0.5
"""idf-weighted cosine at or above which two sentences of different sources carry one fact."""
PARAPHRASE_OVERLAP = 0.6
"""...or when this share of the lighter sentence's idf mass is found in the other
(with at least PARAPHRASE_SHARED content words in common)."""
PARAPHRASE_SHARED = 5
IDF_FLOOR = 0.2
"""Added to every word's idf (log((n+1)/(df+1)) over the story's sentences)."""
REDUNDANT_COSINE = 0.3
"""Looser test for the summary itself: a sentence this close to a chosen one is not added."""
REDUNDANT_OVERLAP = 0.45
REDUNDANT_SHARED = 4
CLAUSE_OVERLAP = 0.5
"""A clause (a sentence cut at ", while", ", but", "; ", a dash...) of which this share
of idf mass is in a chosen sentence makes its sentence redundant with it..."""
CLAUSE_SHARED = 4
"""...when they share at least this many content words."""
WEIGHT_RANK = 1.0
"""Blend of a fact's score, from its best copy: the sumy rank (1 best .. 0 worst) ..."""
WEIGHT_CENTRAL = 4.0
"""... plus its summed cosine with the other articles' sentences (scaled to 1 at most) ..."""
WEIGHT_LEAD = 1.5
"""... plus 1 / (1 + its position in its article): news puts the news first ..."""
WEIGHT_SUPPORT = 0.5
"""... plus the share of the story's sources reporting the fact. Tuned on NeuS train
(bench/bench_summary.py), confirmed on val."""

_DANGLING_WORDS = tuple(word.replace("_", " ") for word in (
    "he she they it this that these those his her their its him them but and or so however "
    "meanwhile also still yet then moreover furthermore additionally in_addition instead "
    "otherwise nevertheless nonetheless thus therefore as_a_result in_turn besides likewise "
    "similarly by_contrast on_the_other_hand even_so in_response the_official "
    "the_spokesperson the_spokesman the_spokeswoman the_statement the_move the_decision "
    "the_report the_comments the_remarks such").split())
"""Openings of a sentence that leans on context it does not carry ("_" joins a phrase)."""


def _alternatives(words: Sequence[str]) -> str:
    """A regex matching exactly ``words`` at a position, as a tree of common prefixes
    (``he(?:r)?`` for he, her): the engine tests each character once instead of trying
    every word in turn."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(char) + emit(node[char]) for char in sorted(node) if char]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(tree)


_DANGLING = re.compile(r"^(?:" + "|".join(map(re.escape, _DANGLING_WORDS)) + r")\b", re.I)
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)
_PRONOUN = frozenset("he she they him them his her their".split())
_BOILERPLATE = re.compile(
    r"\b(?:all rights reserved|copyright|terms of (?:use|service)|privacy policy|cookies?|"
    r"subscribe|newsletter|sign up|log ?in|click here|read more|related (?:articles|stories)|"
    r"follow us|share this|advertisement|getty images|ap photo|photo credit|"
    r"contributed to this report|this story has been updated|this article was)\b|"
    r"https?://|www\.|\S+@\S+\.\w",
    re.I,
)
_BOILERPLATE_PHRASES = (
    "all rights reserved|copyright|terms of use|terms of service|privacy policy|cookie|"
    "cookies|subscribe|newsletter|sign up|log in|login|click here|read more|related articles|"
    "related stories|follow us|share this|advertisement|getty images|ap photo|photo credit|"
    "contributed to this report|this story has been updated|this article was").split("|")
_BOILERPLATE_FAST = re.compile(r"\b" + _alternatives(_BOILERPLATE_PHRASES) + r"\b|https?://|www\.",
                               re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w", re.I)


def _boilerplate(text: str) -> bool:
    """``_BOILERPLATE.search(text)`` found something: its phrases as a tree of common
    prefixes, the address pattern (slow: it tries every non-space run) only with an @."""
    return bool(_BOILERPLATE_FAST.search(text) or ("@" in text and _EMAIL.search(text)))


_BOILERPLATE_WORDS = frozenset(
    "rights copyright terms privacy cookie cookies subscribe newsletter sign log login click "
    "read related follow share advertisement getty photo contributed story article http https "
    "www".split()
)
_CLAUSE = re.compile(r",\s+(?:while|but|whereas|although|though|as well as)\s+|;\s+|\s+[—–]\s+"
                     r"|\s+--\s+", re.I)
_CLAUSE_PLAIN = re.compile(r",\s+(?:while|but|whereas|although|though|as well as)\s+|;\s+", re.I)
"""_CLAUSE for a sentence without a dash or "--" (each branch starts with one character,
which the regex engine looks for quickly; _CLAUSE tries its \\s+ at every space)."""
_CLAUSE_COMMA = re.compile(r",\s+(?:while|but|whereas|although|though|as well as)\s", re.I)
"""A sentence _CLAUSE cuts has this, or a semicolon, a dash or "--" (quicker to look for)."""
_TOKEN = re.compile(r"[^\W_]+(?:(?:['’\-.]|,(?=\d))[^\W_]+)*")
"""A word: letters and digits, inner apostrophes, hyphens and dots kept, commas inside numbers."""
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "dozen": "12",
}
"""Number words. Scale words (hundred, thousand, million...) are left out: "120 million"
and "135 million" must not agree through "million"."""
_STOP = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being "
    "it its this that these those he she they them his her their we our you your i not no "
    "has have had do does did will would can could should may might must said says say "
    "also than then there here which who whom whose what when where why how all any some "
    "more most other such only own same so too very just over into out up down about after "
    "before while during against between through under again further once".split()
)


class OfflineTokenizer:
    """sumy's tokenizer interface backed by pysbd: ships its rules, downloads nothing."""

    def __init__(self, language: str = "english") -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        from .text import split_sentences

        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return _words(sentence)


@lru_cache(maxsize=65536)
def _words(sentence: str) -> tuple[str, ...]:
    return tuple(words(sentence))


def _stem(word: str) -> str:
    return word if word[0].isdigit() else word[:6]


def content_words(sentence: str) -> frozenset[str]:
    """Lower-cased words of a sentence minus stop words, crudely stemmed."""
    return frozenset(_stem(w) for w in words(fold(sentence)) if w not in _STOP and len(w) > 1)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# --- words --------------------------------------------------------------------------------


class _Token(NamedTuple):
    """What a summary needs to know about one token (computed once per distinct token)."""

    stem: int
    """Id of its Snowball stem in the lexicon, -1 for a stop word or a single character."""
    number: str
    """Its value when it is a number ("40,000" -> "40000", "twelve" -> "12"), else ""."""
    name: str
    """Its lower-case form when capitalised and neither a stop word nor a calendar word."""
    capital: bool
    """Capitalised and not a calendar word (a name for the dangling-pronoun test)."""
    pronoun: bool
    boiler: bool
    """One of the words boilerplate lines use (then the boilerplate pattern is tried)."""


_WORD_KIND = {
    **dict.fromkeys(_CALENDAR, 16), **dict.fromkeys(_NUMBER_WORDS, 8),
    **dict.fromkeys(_PRONOUN, 2), **dict.fromkeys(_BOILERPLATE_WORDS, 1)}
"""Lower-case word -> 1 boilerplate word, 2 pronoun, 8 number word, 16 calendar word (the
sets are disjoint)."""
_MARK = "\x00"
"""Put after every sentence of a batch before one regex pass finds all their tokens."""
_POSSESSIVE = re.compile("['’](?<=[^\x00]['’])s(?=\x00)")
"""A final 's or ’s of a token of two or more other characters, in tokens joined by _MARK
(the look-behind after the apostrophe: a pattern starting with a character class is
searched for quickly)."""
_SCAN = re.compile(_TOKEN.pattern + "|" + _MARK)


_HASH = 0x9E3779B97F4A7C15
"""Odd multiplier of the polynomial hash (mod 2**64) the array scanner keys tokens by."""
_POWERS: list[tuple[Any, Any]] = []
"""[(_HASH ** k, _HASH ** -k) for k < their length (mod 2**64)], replaced by a longer
pair when needed (one item, read once, so threads always see a matching pair)."""
_UNKNOWN = 255
"""A class not yet looked up (real classes use the low seven bits, see :func:`_scan`)."""
_BEYOND = 0x10000
"""Where :func:`_classes` puts every code point above the Basic Multilingual Plane."""


def _powers(n: int) -> tuple[Any, Any]:
    import numpy as np
    pair = _POWERS[0] if _POWERS else None
    if pair is None or len(pair[0]) < n:
        size = max(n, 2 * len(pair[0]) if pair is not None else 1 << 16)
        out = []
        for base in (_HASH, pow(_HASH, -1, 1 << 64)):
            series = np.full(size, base, dtype=np.uint64)
            series[0] = 1
            out.append(np.cumprod(series))  # unsigned: wraps mod 2**64
        pair = (out[0], out[1])
        _POWERS[:] = [pair]
    return pair


def _scan(text: str) -> tuple[Any, Any, Any, Any, Any, Any, Any] | None:
    """What ``_SCAN.findall(text)`` finds, as arrays: (start, end, key) of every token and
    every mark, in order, the text's code points, whether each item's first character
    is upper case, which code points are in an item (the items' characters, in order,
    are ``codes[inside]``), and where the characters that sentence shapes and clause
    cuts look for are (“ ” " — – ; -, ascending); equal strings have equal keys (a
    polynomial hash). None for a string numpy cannot take (then the caller uses the
    regex).

    A token is a run of alphanumeric characters and of single joiners (' ’ - .) between
    two of them, or commas between one and a decimal digit: exactly the strings the
    pattern's greedy repetition takes, since a joiner only continues a token when an
    alphanumeric character follows it."""
    import numpy as np
    try:  # the code points: numpy's own UTF-32 copy (a third of the time of encoding)
        codes = np.array([text]).view(np.uint32) if text else np.zeros(0, dtype=np.uint32)
    except (UnicodeError, ValueError):
        return None
    n = len(codes)
    if not n:
        empty = np.zeros(0, np.int64)
        return (empty, empty, np.zeros(0, np.uint64), codes, np.zeros(0, bool),
                np.zeros(0, bool), empty)
    # Character classes, padded with a class-0 character at either end: bit 1
    # alphanumeric, 2 decimal digit, 4 joiner, 8 comma, 16 the mark, 32 upper case,
    # 64 one of “ ” " — – ; -.
    kind = np.zeros(n + 2, dtype=np.uint8)
    table = _classes()
    kind[1:-1] = table[np.minimum(codes, _BEYOND)]
    todo = (kind == _UNKNOWN).nonzero()[0]  # characters met for the first time
    if len(todo):
        distinct, back = np.unique(codes[todo - 1], return_inverse=True)
        known = np.array([_wide_class(c) for c in distinct.tolist()], dtype=np.uint8)
        kind[todo] = known[back]
        plane = distinct < _BEYOND  # remembered, except above the plane
        table[distinct[plane]] = known[plane]
    middle = kind[1:-1]
    alnum = np.bitwise_and(kind, 1).view(bool)  # 0 or 1: a bool array as it is
    # A joiner with alphanumeric characters on both sides, a comma between one and a digit.
    join = (((middle & 4) != 0) & alnum[2:]) | (((middle & 8) != 0) & ((kind[2:] & 2) != 0))
    mark = np.zeros(n + 2, dtype=bool)
    mark[1:-1] = (middle & 16) != 0
    inside = alnum.copy()
    inside[1:-1] |= (join & alnum[:-2]) | mark[1:-1]
    # Position i (0..n) starts an item when inside[i] and (not inside[i - 1] or a mark at
    # i or i - 1); it ends one when inside[i - 1] and the same holds.
    cur, prev = inside[1:], inside[:-1]
    cut = (cur != prev) | mark[1:] | mark[:-1]
    starts = (cut & cur).nonzero()[0]
    ends = (cut & prev).nonzero()[0]
    power, inverse = _powers(n + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(codes * power[:n], out=prefix[1:])
        key = (prefix[ends] - prefix[starts]) * inverse[starts]
    return (starts, ends, key, codes, (kind[starts + 1] & 32) > 0, inside[1:-1],
            (middle & 64).nonzero()[0])


def _wide_class(code: int) -> int:
    """Class bits (see :func:`_scan`) of a code point above 127."""
    char = chr(code)
    return (char.isalnum() | char.isdecimal() << 1 | (char == "’") << 2
            | char.isupper() << 5 | (char in "“”—–") << 6)


@lru_cache(maxsize=1)
def _classes() -> Any:
    """Code point -> its class bits (see :func:`_scan`), for the code points below
    _BEYOND: the ASCII ones from the start, each other one once it is met (_UNKNOWN
    until then; entry _BEYOND, any code point above the plane, stays _UNKNOWN). One
    table per process: every entry is a fixed function of its code point."""
    import numpy as np
    table = np.full(_BEYOND + 1, _UNKNOWN, dtype=np.uint8)
    table[:128] = [chr(c).isalnum() | chr(c).isdecimal() << 1 | (chr(c) in "'-.") << 2
                   | (chr(c) == ",") << 3 | (c == 0) << 4 | chr(c).isupper() << 5
                   | (chr(c) in '"-;') << 6 for c in range(128)]
    return table


def _token_ids(lex: _Lexicon, text: str) -> Any:
    """Token ids of every token and mark of ``text`` (new tokens added to the lexicon in
    order of first appearance), by the array scanner, or by the regex when it declines.
    Hold ``lex.lock``."""
    tids: Any = _tokens_at(lex, text)[0]
    return tids


def _tokens_at(lex: _Lexicon, text: str) -> tuple[Any, Any, Any, Any]:
    """:func:`_token_ids`, where in ``text`` each token or mark starts, the text's code
    points and where its “ ” " — – ; - are (both None when the scanner declined)."""
    import numpy as np
    scanned = _scan(text)
    if scanned is not None:
        tids = _scanned_ids(lex, text, *scanned[:6])
        if tids is not None:
            return tids, scanned[0], scanned[3], scanned[6]
    matches = list(_SCAN.finditer(text))
    raw = [m.group() for m in matches]
    ids = _add_new(lex, list(dict.fromkeys(raw)))
    found = operator.itemgetter(*raw)(ids) if len(raw) > 1 else [ids[t] for t in raw]
    return (np.fromiter(found, dtype=np.int64, count=len(raw)),
            np.fromiter((m.start() for m in matches), dtype=np.int64, count=len(raw)), None,
            None)


def _scanned_ids(lex: _Lexicon, text: str, starts: Any, ends: Any, key: Any, codes: Any,
                 upper: Any, inside: Any) -> Any:
    """Token ids of the scanner's items; None (nothing added) when two different strings
    share a key. Keys the lexicon remembers are found in its slot table (or, for the few
    whose slot another key holds, among its sorted keys); the new keys are grouped. Every
    item is checked to be the characters of the token it names (a remembered token's,
    or a new key's first occurrence's), all items in one comparison; then the new keys
    are added as tokens."""
    import numpy as np
    lengths = ends - starts
    slot = _slot(key)
    tids = lex.slot_tid[slot]
    known = (tids >= 0) & (lex.slot_key[slot] == key)
    rest = (~known).nonzero()[0]
    if len(rest) and len(lex.keys):  # not in its slot: maybe among the sorted keys
        pos = np.minimum(np.searchsorted(lex.keys, key[rest]), len(lex.keys) - 1)
        found = lex.keys[pos] == key[rest]
        tids[rest] = np.where(found, lex.key_tid[pos], -1)
        known[rest] = found
    # Where each item's characters should be: in the lexicon's buffer, or (a new key)
    # in the text at its first occurrence, counted after the buffer's filled part.
    filled = lex.code_end
    ref = lex.code_at[tids]
    ref_len = lex.code_len[tids]
    miss = (~known).nonzero()[0]
    if len(miss):
        unique, first, back = _distinct(key[miss])
        at = miss[first]
        rep = at[back]
        ref[miss] = filled + starts[rep]
        ref_len[miss] = lengths[rep]
        pool = np.concatenate((lex.codes[:filled], codes))
    else:
        pool = lex.codes
    # The items' characters are the scanner's inside positions, in order.
    if not ((ref_len == lengths).all()
            and (pool[_segments(ref, lengths)] == codes[inside]).all()):
        return None
    if not len(miss):
        return tids
    opening = np.zeros(len(miss), dtype=bool)  # new keys by first appearance
    opening[first] = True
    order = back[opening.nonzero()[0]]
    at = at[order]
    size = lengths[at]
    chars = codes[_segments(starts[at], size)]  # the new tokens' characters, in order
    # ... each followed by a mark, so that one decoding gives all their strings.
    marked = np.zeros(len(chars) + len(at), dtype=np.uint32)
    marked[_segments((size + 1).cumsum() - size - 1, size)] = chars
    distinct = marked.tobytes().decode("utf-32-le", "surrogatepass").split(_MARK)[:-1]
    if len(lex.raw) > 1 and len(lex.raw) + len(distinct) > lex.LIMIT:
        lex._reset_ids()  # forget old tokens (stem ids are kept) ...
        return _scanned_ids(lex, text, starts, ends, key, codes, upper, inside)  # again
    new = np.empty(len(unique), dtype=np.int64)
    new[order] = np.arange(len(lex.raw), len(lex.raw) + len(distinct))
    lex.add(distinct, upper[at], index=False)
    lex.remember(unique[order], new[order], chars, size)
    tids[miss] = new[back]
    return tids


_SLOT_BITS = 17
_SLOT_MULT = 0xD6E8FEB86659FD93
"""The lexicon's slot of a hash key: the top _SLOT_BITS bits of key * _SLOT_MULT."""


def _slot(key: Any) -> Any:
    import numpy as np
    return ((key * np.uint64(_SLOT_MULT)) >> np.uint64(64 - _SLOT_BITS)).astype(np.intp)


def _add_new(lex: _Lexicon, distinct: list[str]) -> dict[str, int]:
    """Give the tokens of ``distinct`` the lexicon has not seen by their strings ids; the
    ids by string (the regex path: tokens the scanner added are known by their keys, a
    string may get a second id here, with the same description)."""
    ids = lex.ids
    new = [t for t in distinct if t not in ids]
    if new:
        if len(lex.raw) + len(new) > lex.LIMIT:  # forget old tokens (stem ids are kept)
            lex._reset_ids()
            new = [t for t in distinct if t != _MARK]
        lex.add(new)
    return lex.ids


class _Lexicon:
    """Tokens of one language, described once each, with ids for their stems.

    Every token seen also gets a token id (``ids``), and numpy arrays indexed by token
    id give its stem id and flags, so a batch of sentences is described with array
    look-ups. Token id 0 is the sentence mark.
    """

    LIMIT = 500_000

    def __init__(self, language: str) -> None:
        self.stem_word: Callable[[str], str] = _stemmer(language)
        # A stemmer without PyStemmer's word cache: each word is stemmed once per lexicon
        # anyway, and filling a 10,000-word cache costs more than the stemming.
        self.stem_words: Callable[[list[str]], list[str]] = _pystemmer(language,
                                                                      False).stemWords
        self.stop = _stop_words(language)
        self.kinds: dict[str, int] = {word: _WORD_KIND.get(word, 0) | (word in self.stop) << 6
                                      for word in [*_WORD_KIND, *self.stop]}
        """Lower-case word -> its :data:`_WORD_KIND` bits, and 64 for a stop word."""
        self.stems: dict[str, int] = {}
        self.names: list[str] = []
        self.tokens: dict[str, _Token] = {}
        self.lock = threading.Lock()
        """Held while a batch adds tokens and reads their ids (tasks may share a process)."""
        self._reset_ids()

    def _reset_ids(self) -> None:
        import numpy as np
        self.ids: dict[str, int] = {_MARK: 0}
        """Token -> token id, for the tokens the regex path (not the scanner) added."""
        self.raw: list[str] = [_MARK]
        """Token id -> the token."""
        self.stem_of: Any = np.full(1024, -1, dtype=np.int64)
        """Token id -> stem id (-1: stop word, single character, the mark)."""
        self.flags: Any = np.zeros(1024, dtype=np.uint8)
        """Token id -> bits: 1 boilerplate word, 2 pronoun, 4 capital, 8 number."""
        self.low: list[str] = [_MARK]
        """Token id -> its lower-case form (as :meth:`_low` gives it)."""
        self.slot_tid: Any = np.full(1 << _SLOT_BITS, -1, dtype=np.int64)
        """Slot (see :func:`_slot`) -> token id of the first hash key the array scanner
        remembered in it (-1: none; the mark's key is 0)..."""
        self.slot_key: Any = np.zeros(1 << _SLOT_BITS, dtype=np.uint64)
        """...and that key."""
        self.slot_tid[_slot(np.zeros(1, dtype=np.uint64))] = 0
        self.keys: Any = np.zeros(0, dtype=np.uint64)
        """Remembered keys another key's slot holds (ascending)..."""
        self.key_tid: Any = np.zeros(0, dtype=np.int64)
        """...and their token ids."""
        self.codes: Any = np.zeros(1 << 16, dtype=np.uint32)
        """The remembered tokens' characters: token id t's are
        codes[code_at[t]:][:code_len[t]] (filled up to code_end)."""
        self.code_end = 1
        self.code_at: Any = np.zeros(1024, dtype=np.int64)
        self.code_len: Any = np.full(1024, -1, dtype=np.int64)
        self.code_len[0] = 1

    def remember(self, keys: Any, tids: Any, codes: Any, lengths: Any) -> None:
        """Remember the hash keys and characters of tokens (``codes``: theirs, in order)."""
        import numpy as np
        if len(self.code_at) < len(self.stem_of):
            grow = len(self.stem_of) - len(self.code_at)
            self.code_at = np.concatenate([self.code_at, np.zeros(grow, np.int64)])
            self.code_len = np.concatenate([self.code_len, np.full(grow, -1, np.int64)])
        end = self.code_end + len(codes)
        if end > len(self.codes):
            grown = np.zeros(max(end, 2 * len(self.codes)), dtype=np.uint32)
            grown[:self.code_end] = self.codes[:self.code_end]
            self.codes = grown
        self.codes[self.code_end:end] = codes
        self.code_at[tids] = self.code_end + lengths.cumsum() - lengths
        self.code_len[tids] = lengths
        self.code_end = end
        # Each key in its slot; keys whose slot is taken (by another key, or by one
        # of the same batch) among the sorted keys.
        slots = _slot(keys)
        order = np.argsort(slots, kind="stable")
        first = np.ones(len(keys), dtype=bool)
        first[order[1:]] = slots[order[1:]] != slots[order[:-1]]
        free = first & (self.slot_tid[slots] < 0)
        self.slot_tid[slots[free]] = tids[free]
        self.slot_key[slots[free]] = keys[free]
        if not free.all():
            keys = np.concatenate([self.keys, keys[~free]])
            order = np.argsort(keys, kind="stable")
            self.keys = keys[order]
            self.key_tid = np.concatenate([self.key_tid, tids[~free]])[order]

    @staticmethod
    def _low(raw: str) -> str:
        low = raw.lower() if raw.isascii() else fold(raw)
        if low.endswith(("'s", "’s")) and len(low) > 2:
            low = low[:-2]
        return low

    def _stem_id(self, stem: str) -> int:
        sid = self.stems.get(stem, -1)
        if sid < 0:
            sid = self.stems[stem] = len(self.stems)
            self.names.append(stem)
        return sid

    def token(self, raw: str) -> _Token:
        """Everything about one token (remembered)."""
        if len(self.tokens) > self.LIMIT:
            self.tokens.clear()
        low = self._low(raw)
        if low[0].isdigit():
            number = stem = low.replace(",", "")
        else:
            number = _NUMBER_WORDS.get(low, "")
            stem = self.stem_word(low)
        sid = self._stem_id(stem) if low not in self.stop and len(low) > 1 else -1
        capital = raw[0].isupper() and low not in _CALENDAR
        name = low if capital and low not in self.stop else ""
        info = _Token(sid, number, name, capital, low in _PRONOUN, low in _BOILERPLATE_WORDS)
        self.tokens[raw] = info
        return info

    def add(self, raws: Sequence[str], upper: Any = None, index: bool = True) -> None:
        """Give token ids to new tokens: what the batch needs of each (stem id, flags) is
        computed list by list, all Snowball stems in one call (``upper``: whether each
        token's first character is upper case, when the caller knows; ``index``: find
        them by their strings in ``ids``, not needed when the scanner remembers them)."""
        import numpy as np
        # Lower case and without a final 's, the whole list at once (tokens hold no mark;
        # fold changes each character run alone, so folding the joined text folds each;
        # its ’ -> ' done first leaves its accent stripping fewer non-ASCII runs).
        folded = _POSSESSIVE.sub("", fold(_MARK.join(raws).replace("’", "'")) + _MARK)
        lows = folded.split(_MARK)[:-1]
        count = len(lows)
        if count == len(raws):  # each word's length and first character from the text
            codes = np.array([folded]).view(np.uint32)  # (see _scan)
            ends = (codes == 0).nonzero()[0][:count]  # the mark after each word
            begins = ends - ends
            begins[1:] = ends[:-1] + 1
            lengths = ends - begins
            head = codes[begins]
            digit = (head >= 48) & (head <= 57)  # 0-9: the ASCII digits
            wide = (head >= 128).nonzero()[0]
            digit[wide] = [chr(c).isdigit() for c in head[wide].tolist()]
        else:
            lows = [raw.lower() if raw.isascii() else fold(raw) for raw in raws]
            lows = [low[:-2] if low.endswith(("'s", "’s")) and len(low) > 2 else low
                    for low in lows]
            count = len(lows)
            lengths = np.fromiter(map(len, lows), dtype=np.int64, count=count)
            digit = np.fromiter(map(str.isdigit, map(operator.itemgetter(0), lows)),
                                dtype=bool, count=count)
        # One look-up per word for its kind and whether it is a stop word.
        kind = np.fromiter(map(self.kinds.get, lows, itertools.repeat(0)), dtype=np.uint8,
                           count=count)
        at = ((lengths > 1) & ((kind & 64) == 0)).nonzero()[0]
        content = at.tolist()
        words = list(map(lows.__getitem__, content))
        stem_list = self.stem_words(words)
        for i in digit[at].nonzero()[0].tolist():  # numbers: digits only
            stem_list[i] = words[i].replace(",", "")
        # A new stem gets the next id (ids are places in the dict, names its keys).
        known = self.stems
        before = len(known)
        sids = [known.setdefault(stem, len(known)) for stem in stem_list]
        if len(known) > before:  # the new stems: the dict's last keys
            self.names.extend(reversed([*itertools.islice(reversed(known), len(known) - before)]))
        first = len(self.raw)
        end = first + len(raws)
        self.raw.extend(raws)
        if index:
            self.ids.update(zip(raws, range(first, end), strict=True))
        if end > len(self.stem_of):
            size = max(end, 2 * len(self.stem_of))
            self.stem_of = np.concatenate([self.stem_of,
                                           np.full(size - len(self.stem_of), -1, np.int64)])
            self.flags = np.concatenate([self.flags,
                                         np.zeros(size - len(self.flags), dtype=np.uint8)])
        if content:
            self.stem_of[at + first] = sids
        if upper is None:
            upper = [raw[0].isupper() for raw in raws]
        capital = np.asarray(upper, dtype=bool) & ((kind & 16) == 0)
        number = digit | ((kind & 8) > 0)
        self.flags[first:end] = (kind & 3) | (capital.astype(np.uint8) << 2) | (
            number.astype(np.uint8) << 3)
        self.low.extend(lows)


@lru_cache(maxsize=8)
def _lexicon(language: str) -> _Lexicon:
    return _Lexicon(language)


def dangling(sentence: str, tokens: Sequence[str] | None = None) -> bool:
    """The sentence leans on context it does not carry (leading connective or pronoun)."""
    text = sentence.lstrip("“\"'‘ ")
    if _DANGLING.match(text):
        return True
    lex = _lexicon("english")
    return _pronoun_first([lex.tokens.get(t) or lex.token(t)
                           for t in (tokens if tokens is not None else _TOKEN.findall(text))])


def _pronoun_first(infos: Sequence[_Token]) -> bool:
    """"In a statement Friday, he said ...": a pronoun before any name."""
    for i, info in enumerate(infos[:8]):
        if info.pronoun:
            return True
        if i and info.capital:
            return False
    return False


def _shaped(sentence: str) -> bool:
    """Ends like a sentence, starts with a capital or a quotation mark, quotes balanced."""
    stripped = sentence.rstrip("\"'”’)» ")
    if not stripped or stripped[-1] not in ".!?":
        return False
    if not sentence[:1].isupper() and sentence[:1] not in "“\"‘'":
        return False
    return not (sentence.count("“") != sentence.count("”") or sentence.count('"') % 2)


def _whole(sentence: str, count: int, infos: Sequence[_Token] | None = None) -> bool:
    """A whole sentence of MIN_WORDS to MAX_WORDS words, not boilerplate or a caption
    (``infos``: its tokens, when known, tell whether the boilerplate pattern is worth trying)."""
    if count < MIN_WORDS or count > MAX_WORDS or not _shaped(sentence):
        return False
    if infos is not None:
        boiler = any([i.boiler for i in infos])
    else:
        boiler = not _BOILERPLATE_WORDS.isdisjoint(w.lower() for w in _TOKEN.findall(sentence))
    return not (boiler and _boilerplate(sentence))


def is_candidate(sentence: str, tokens: Sequence[str] | None = None) -> bool:
    """A self-contained sentence worth putting in a summary (dangling ones excepted):
    a whole sentence of MIN_WORDS to MAX_WORDS words, not boilerplate or a caption."""
    toks = tokens if tokens is not None else _TOKEN.findall(sentence)
    return _whole(sentence, len(toks))


# --- the stories as matrices --------------------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """One fact of a story: a sentence and every article that reports it."""

    text: str
    words: frozenset[str]
    order: tuple[int, int, int]
    """(article rank by time, paragraph, sentence) of its first appearance."""
    carriers: dict[str, int] = field(default_factory=dict)
    """article id -> sentence index in that article (counted across paragraphs)."""
    position: int = 0
    """Earliest index of the fact's sentence in an article carrying it (0 = a lead)."""
    standalone: bool = True
    """False when it leans on missing context: used only if nothing better exists."""
    row: int = -1
    """Its row in the story's matrices (internal)."""
    rows: tuple[int, ...] = ()
    """Rows of every copy of the fact (internal)."""


class _Batch:
    """Every sentence of several stories, described and measured together.

    Sentences are numbered across the batch (a story's are consecutive); pairwise
    measures are kept for the pairs of sentences of one story only, in one flat array
    per measure: story ``s`` of ``n`` sentences starting at pair offset ``p`` keeps
    ``(i, j)`` (its own sentence numbers) at ``p + i * n + j``. Every number of a story
    is computed from that story alone in a fixed order (sparse products accumulate
    over its columns in order; sums run sentence by sentence), so a story's summary
    does not depend on which other stories share its batch.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self.lexicon = _lexicon(language)
        self.tids: Any = None
        """Token ids of all sentences, each sentence followed by the mark (id 0)."""
        self.bounds: list[int] = []
        """Sentence k's tokens are tids[bounds[k]:bounds[k + 1] - 1]."""
        self.indptr: Any = None
        """Sentence x column counts in CSR form (a column: one stem of one story):
        sentence g's columns are indices[indptr[g]:indptr[g + 1]], ascending..."""
        self.indices: Any = None
        self.counts: Any = None
        """...and their counts (cell by cell: sentence cell_row, column indices)."""
        self.cell_row: Any = None
        self.df: Any = None
        """Number of sentences using each column..."""
        self.n_col: Any = None
        """...and of sentences in its story (float)."""
        self.terms: Any = None
        """(cell, cell, flat pair) for every two cells of one column, column by column."""
        self.cell_sent: Any = None
        """Sentence of each content-word occurrence (token order)."""
        self.cell_stem: Any = None
        """Stem id of each content-word occurrence..."""
        self.word_col: Any = None
        """...its column..."""
        self.word_at: Any = None
        """...and where it starts in its sentence: sentence g's content words are
        word_ptr[g]:word_ptr[g + 1] of these."""
        self.word_ptr: list[int] = []
        self.col_stem: Any = None
        """Stem id of each column."""
        self.left: Any = None
        """Batch sentence number of the first sentence of every pair (flat)..."""
        self.right: Any = None
        """...and of the second."""
        self.base: Any = None
        """Sentence g's pairs start at base[g] (its row of its story's block)."""
        self.idf: Any = None
        self.cosine: Any = None
        self.overlap: Any = None
        self.shared: Any = None
        self.paraphrase: Any = None
        self.close_masks: list[int] = []
        """Each sentence's REDUNDANT_* pairs (bit y: its story's sentence y)."""
        self.maybe_masks: list[int] = []
        """Each sentence's pairs sharing CLAUSE_SHARED content words (bit y: sentence y)."""
        self.clausal: list[bool] = []
        """Whether each sentence may be cut into clauses (it has a dash, "--", a semicolon
        or :data:`_CLAUSE_COMMA`; :func:`_clauses` is None for every other sentence)."""
        self.raw: list[str] = []
        """The lexicon's token of each token id (as when the batch was described)..."""
        self.stem_of: Any = None
        """...and its stem id."""
        self._tokens: dict[int, list[int]] = {}
        self._infos: dict[int, list[_Token]] = {}
        self._marks: dict[int, tuple[set[str], set[str]]] = {}
        self.sizes: Any = None
        """Number of sentences of each story..."""
        self.starts: Any = None
        """...and batch number of its first sentence."""
        self.story_of: Any = None
        """Story of each sentence (its number in the batch)..."""
        self.local: Any = None
        """...its number in its story..."""
        self.quality: Any = None
        """...its quality (see :attr:`_Story.quality`)..."""
        self.own: Any = None
        """...its score as a fact's copy (rank, centrality, lead), set by the ranking..."""
        self.rank: Any = None
        """...the rank (by time) in its story of its article..."""
        self.index: Any = None
        """...and the sentence's index in its article."""
        self.flags: Any = None
        """The lexicon's token flags and lower-case forms (as when the batch was described)."""
        self.low: list[str] = []

    def tokens(self, g: int) -> list[int]:
        """Sentence g's token ids."""
        if g not in self._tokens:
            self._tokens[g] = self.tids[self.bounds[g]:self.bounds[g + 1] - 1].tolist()
        return self._tokens[g]

    def infos(self, g: int) -> list[_Token]:
        """Everything about sentence g's tokens (numbers, names: described when asked)."""
        if g not in self._infos:
            lex = self.lexicon
            known, raw = lex.tokens, self.raw
            self._infos[g] = [known.get(raw[t]) or lex.token(raw[t]) for t in self.tokens(g)]
        return self._infos[g]

    def marks(self, g: int) -> tuple[set[str], set[str]]:
        """Sentence g's numbers, and its names after its first token, as :class:`_Token`
        gives them (looked at only for number and capitalised tokens)."""
        got = self._marks.get(g)
        if got is None:
            self.mark_all([g])
            got = self._marks[g]
        return got

    def mark_all(self, sentences: list[int]) -> None:
        """Find :meth:`marks` of these sentences in one pass (the same sets)."""
        import numpy as np
        todo = [g for g in dict.fromkeys(sentences) if g not in self._marks]
        if not todo:
            return
        rows = np.array(todo, dtype=np.int64)
        bounds = np.array(self.bounds, dtype=np.int64)
        first = bounds[rows]
        sizes = bounds[rows + 1] - 1 - first
        where = _segments(first, sizes)
        tids = self.tids[where]
        bits = self.flags[tids]
        capital, number = (bits & 4) > 0, (bits & 8) > 0
        at = (capital | number).nonzero()[0]
        found: list[tuple[set[str], set[str]]] = [(set(), set()) for _ in todo]
        low, stop = self.low, self.lexicon.stop
        which = np.arange(len(todo)).repeat(sizes)[at]
        place = (where - first.repeat(sizes))[at]
        for s, k, cap, t in zip(which.tolist(), place.tolist(), capital[at].tolist(),
                                tids[at].tolist(), strict=True):
            numbers, names = found[s]
            word = low[t]
            if word[0].isdigit():
                numbers.add(word.replace(",", ""))
            elif word in _NUMBER_WORDS:
                numbers.add(_NUMBER_WORDS[word])
            if cap and k and word not in stop:
                names.add(word)
        self._marks.update(zip(todo, found, strict=True))


@dataclass
class _Story:
    """A story's sentences (reading order) and where its numbers are in its batch."""

    batch: _Batch
    start: int = 0
    """Number of its first sentence in the batch."""
    pairs: int = 0
    """Offset of its pairs in the batch's flat pair arrays."""
    texts: list[str] = field(default_factory=list)
    article: list[str] = field(default_factory=list)
    article_at: list[int] = field(default_factory=list)
    """First row of each article, in reading order (its rank)..."""
    paragraphs: list[list[list[str]]] = field(default_factory=list)
    """...and its sentences by paragraph."""
    index: list[int] = field(default_factory=list)
    """Index of each sentence in its article."""
    quality: list[int] = field(default_factory=list)
    """0 standalone, 1 dangling, 2 not a candidate."""
    _sets: dict[int, frozenset[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def order_of(self, row: int) -> tuple[int, int, int]:
        """(article rank by time, paragraph, sentence) of a row: its place in reading order."""
        rank = bisect.bisect_right(self.article_at, row) - 1  # empty articles before it
        index = row - self.article_at[rank]
        for paragraph, sentences in enumerate(self.paragraphs[rank]):
            if index < len(sentences):
                return rank, paragraph, index
            index -= len(sentences)
        raise IndexError(row)

    @property
    def order(self) -> list[tuple[int, int, int]]:
        """:meth:`order_of` every row."""
        return [self.order_of(row) for row in range(len(self))]

    @property
    def language(self) -> str:
        return self.batch.language

    def matrix(self, flat: Any) -> Any:
        """This story's block of one of the batch's flat pair arrays, as an n x n view."""
        n = len(self)
        return flat[self.pairs:self.pairs + n * n].reshape(n, n)

    def words(self, row: int) -> frozenset[int]:
        """Columns of one sentence's content words."""
        if row not in self._sets:
            batch = self.batch
            g = self.start + row
            self._sets[row] = frozenset(
                batch.indices[batch.indptr[g]:batch.indptr[g + 1]].tolist())
        return self._sets[row]


def _distinct(keys: Any) -> tuple[Any, Any, Any]:
    """What ``np.unique(keys, return_index=True, return_inverse=True)`` gives for a 1-D
    array (the distinct keys ascending, where each first occurs, each key's place
    among them), without its general wrapper's dozen small steps per call."""
    import numpy as np
    order = keys.argsort(kind="stable")  # equal keys by position: the first one first
    ordered = keys[order]
    head = np.empty(len(keys), dtype=bool)
    head[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = head.cumsum() - 1
    return ordered[head], order[head], inverse


def _counted(keys: Any) -> tuple[Any, Any]:
    """What ``np.unique(keys, return_counts=True)`` gives for a 1-D array."""
    import numpy as np
    ordered = np.sort(keys)
    head = np.empty(len(keys), dtype=bool)
    head[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
    at = head.nonzero()[0]
    counts = np.empty(len(at), dtype=np.intp)
    counts[:-1] = at[1:] - at[:-1]
    counts[-1:] = len(keys) - at[-1:]
    return ordered[head], counts


def _segments(starts: Any, lengths: Any) -> Any:
    """Concatenated aranges: starts[k] .. starts[k] + lengths[k] - 1 for every k."""
    import numpy as np
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = lengths.cumsum() - lengths
    return (starts - offsets).repeat(lengths) + np.arange(total)


_SHAPE_WIDE: dict[int, int] = {}
_DANGLING_AT = re.compile(_MARK + "[“\"'‘ ]*" + _alternatives(_DANGLING_WORDS) + r"\b", re.I)
"""_DANGLING at the start of a sentence, after its mark and the quotes and spaces that
:func:`dangling` strips."""


def _shape_class(char: str) -> int:
    """Bits: 1 stripped at the end by _shaped, 2 ends a sentence, 4 may open one,
    8 upper case, 16 “, 32 ”, 64 \"."""
    return ((char in "\"'”’)» ") | (char in ".!?") << 1 | (char in "“\"‘'") << 2
            | char.isupper() << 3 | (char == "“") << 4 | (char == "”") << 5
            | (char == '"') << 6)


@lru_cache(maxsize=1)
def _ascii_shapes() -> Any:
    import numpy as np
    return np.array([_shape_class(chr(c)) for c in range(128)], dtype=np.uint8)


def _shape_classes(codes: Any) -> Any:
    """:func:`_shape_class` of some code points, as an array."""
    import numpy as np
    ascii_ = codes < 128
    kind = _ascii_shapes()[np.where(ascii_, codes, 0)]
    wide = (~ascii_).nonzero()[0]
    if len(wide):
        kind[wide] = [_SHAPE_WIDE.get(c) or _SHAPE_WIDE.setdefault(c, _shape_class(chr(c)))
                      for c in codes[wide].tolist()]
    return kind


def _shapes(joined: str, lengths: Any, codes: Any = None,
            punct: Any = None) -> tuple[Any, Any] | None:
    """:func:`_shaped` of every sentence of ``joined`` (sentences of these lengths, one
    mark between two), as one bool array, and where each sentence starts; None when
    numpy cannot take the text (``codes``: its code points, when known; ``punct``: where
    its quotation marks may be, ascending, when known). Only each sentence's first and
    last characters and the quotation marks are looked at."""
    import numpy as np
    if codes is None:
        try:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"),
                                  dtype=np.uint32)
        except UnicodeError:
            return None
    starts = (lengths + 1).cumsum() - lengths - 1
    ends = starts + lengths
    ok = lengths > 0
    # The last character rstrip keeps ends the sentence: walk back over stripped ones.
    at = ends - 1
    live = ok.nonzero()[0]
    while len(live):
        kind = _shape_classes(codes[at[live]])
        stripped = (kind & 1) > 0
        final = live[~stripped]
        ok[final] = (kind[~stripped] & 2) > 0
        live = live[stripped]
        at[live] -= 1
        gone = at[live] < starts[live]  # nothing left once stripped
        ok[live[gone]] = False
        live = live[~gone]
    # It starts with a capital or a quotation mark.
    first = ok.nonzero()[0]
    ok[first] = (_shape_classes(codes[starts[first]]) & 12) > 0
    # Quotes balanced.
    counts = []
    found = None if punct is None else codes[punct]
    for quote in "“”\"":
        if found is not None or quote in joined:
            where = (punct[found == ord(quote)] if found is not None
                     else (codes == ord(quote)).nonzero()[0])
            counts.append(np.searchsorted(where, ends) - np.searchsorted(where, starts))
        else:
            counts.append(np.zeros(len(starts), dtype=np.int64))
    ok &= (counts[0] == counts[1]) & (counts[2] % 2 == 0)
    return ok, starts


def _reading_order(article: Article) -> tuple[bool, str, str]:
    return article.published is None, article.published or "", article.id


def _describe(batch: _Batch, stories: Sequence[Sequence[Article]]) -> list[_Story]:
    """Each story's sentences in reading order, their tokens and quality."""
    import numpy as np
    lex = batch.lexicon
    datas: list[_Story] = []
    texts: list[str] = []
    ranks: list[int] = []
    counts: list[int] = []  # sentences of each article
    for articles in stories:
        data = _Story(batch, start=len(texts))
        own = data.texts
        # Reading order: dated articles by time, undated ones after them.
        ranked = sorted(articles, key=_reading_order)
        for article in ranked:
            begin = len(own)
            data.article_at.append(begin)
            data.paragraphs.append(article.sentences)
            own.extend(itertools.chain.from_iterable(article.sentences))
            size = len(own) - begin
            counts.append(size)
            data.article.extend([article.id] * size)
        ranks.extend(range(len(ranked)))
        texts.extend(own)
        datas.append(data)
    count_of = np.array(counts, dtype=np.int64)
    batch.rank = np.array(ranks, dtype=np.int64).repeat(count_of)
    batch.index = np.arange(len(texts)) - (count_of.cumsum() - count_of).repeat(count_of)
    indexes = batch.index.tolist()
    sizes = np.array([len(d.texts) for d in datas], dtype=np.int64)
    batch.sizes, batch.starts = sizes, sizes.cumsum() - sizes
    batch.story_of = np.arange(len(datas)).repeat(sizes)
    batch.local = np.arange(len(texts)) - batch.starts[batch.story_of]
    for data in datas:
        data.index = indexes[data.start:data.start + len(data.texts)]
    joined = _MARK.join(texts)
    clean = joined.count(_MARK) == max(len(texts) - 1, 0)
    if not clean:
        joined = _MARK.join(t.replace(_MARK, " ") for t in texts)
    with lex.lock:
        tids, token_at, codes, punct = (_tokens_at(lex, joined + _MARK) if texts
                                        else (np.zeros(0, dtype=np.int64),) * 4)
        flags, stem_of, raws = lex.flags, lex.stem_of, lex.raw
    batch.raw, batch.stem_of, batch.flags = raws, stem_of, flags
    batch.low = lex.low
    marks = (tids == 0).nonzero()[0]
    batch.tids = tids
    # Where each sentence opens and its length: its mark (a token) ends it.
    opens = np.concatenate(([0], token_at[marks] + 1))[:len(texts)]
    lengths = token_at[marks] - opens
    bounds = np.concatenate(([0], marks + 1))
    batch.bounds = bounds.tolist()
    count = (bounds[1:] - bounds[:-1]) - 1
    sent = np.arange(len(texts)).repeat(count + 1)
    pos = np.arange(len(tids)) - bounds[:-1].repeat(count + 1)
    bits = flags[tids]
    boiler, pronoun, capital = (bits & 1) > 0, (bits & 2) > 0, (bits & 4) > 0
    boiled = np.bincount(sent, weights=boiler, minlength=len(texts)) > 0
    # "In a statement Friday, he said": a pronoun among the first 8 tokens, no name before.
    first = []
    for hit in (pronoun & (pos < 8), capital & (pos >= 1) & (pos < 8)):
        at = np.full(len(texts), 99)
        where = hit.nonzero()[0]
        if len(where):
            rows = sent[where]
            lead = np.concatenate(([True], rows[1:] != rows[:-1]))
            at[rows[lead]] = pos[where[lead]]
        first.append(at)
    pronoun_first = ((first[0] < 8) & (first[0] <= first[1])).tolist()
    quality: list[int] = []
    shaped = (_shapes(joined, lengths, None if codes is None else codes[:-1], punct)
              if clean and texts else None)
    # Sentences with a clause cut's mark: the characters among those the scanner found,
    # ", while"... by one regex pass over its text (same positions in either joined
    # text: a mark inside a sentence became a space; no match spans one).
    if codes is None:
        clausal = np.array(["—" in t or "–" in t or "--" in t or ";" in t for t in texts],
                           dtype=bool)
        cut_at = []
    else:
        found = codes[punct]
        hyphen = punct[found == 45]
        clausal = np.zeros(len(texts), dtype=bool)
        cut_at = (punct[(found == 0x2014) | (found == 0x2013) | (found == 59)].tolist()  # — – ;
                  + hyphen[:-1][hyphen[1:] - hyphen[:-1] == 1].tolist())  # --
    cut_at += [m.start() for m in _CLAUSE_COMMA.finditer(joined)]
    if cut_at:
        clausal[np.searchsorted((lengths + 1).cumsum() - lengths - 1, cut_at, side="right")
                - 1] = True
    batch.clausal = clausal.tolist()
    if shaped is None:
        for k, (text, c, boil) in enumerate(zip(texts, count.tolist(), boiled.tolist(),
                                                strict=True)):
            if (c < MIN_WORDS or c > MAX_WORDS or not _shaped(text)
                    or (boil and _boilerplate(text))):
                quality.append(2)
            elif pronoun_first[k] or _DANGLING.match(text.lstrip("“\"'‘ ")):
                quality.append(1)
            else:
                quality.append(0)
    else:
        # Whole sentences (the boilerplate pattern tried only where its words are), then
        # those leaning on missing context, found by one pass over the batch.
        shapes, starts = shaped
        whole = (count >= MIN_WORDS) & (count <= MAX_WORDS) & shapes
        for k in (whole & boiled).nonzero()[0].tolist():
            if _boilerplate(texts[k]):
                whole[k] = False
        lean = np.array(pronoun_first, dtype=bool)
        hits = [m.start() for m in _DANGLING_AT.finditer(_MARK + joined)]
        if hits:
            lean[np.searchsorted(starts, hits)] = True
        quality = np.where(whole, np.where(lean, 1, 0), 2).tolist()
    batch.quality = np.array(quality, dtype=np.int64)
    for data in datas:
        data.quality = quality[data.start:data.start + len(data)]
    stems = stem_of[tids]
    content = stems >= 0
    batch.cell_sent = sent[content]
    batch.cell_stem = stems[content]
    batch.word_at = (token_at - opens.repeat(count + 1))[content]  # in its sentence
    batch.word_ptr = np.concatenate(
        ([0], np.bincount(batch.cell_sent, minlength=len(texts)).cumsum())).tolist()
    return datas


def _measure(batch: _Batch, datas: list[_Story]) -> None:
    """The batch's term matrix and, for every pair of sentences of one story, the
    idf-weighted cosine, containment (overlap), shared words and the paraphrase test."""
    import numpy as np

    sizes, starts, story_of, local = batch.sizes, batch.starts, batch.story_of, batch.local
    total = len(story_of)
    sent, stem = batch.cell_sent, batch.cell_stem
    # Columns: one per (story, stem), a story's in order of first appearance (not by
    # stem id, which depends on what the process saw before).
    width = max(len(batch.lexicon.stems), 1)
    key = story_of[sent] * width + stem
    unique, first, inverse = _distinct(key)
    # The distinct keys in order of first appearance: those found at first occurrences.
    opening = np.zeros(len(key), dtype=bool)
    opening[first] = True
    by_first = inverse[opening.nonzero()[0]]
    column = np.empty(len(unique), dtype=np.int64)
    column[by_first] = np.arange(len(unique))
    cols = max(len(unique), 1)
    batch.col_stem = (unique % width)[by_first]
    col_story = (unique // width)[by_first]
    batch.word_col = column[inverse]
    cell, counts = _counted(sent * cols + batch.word_col)
    rows, cc = cell // cols, cell % cols
    batch.indptr = np.concatenate(([0], np.bincount(rows, minlength=total).cumsum()))
    batch.indices, batch.counts = cc, counts.astype(float)
    df = np.bincount(cc, minlength=cols)
    n_col = sizes[col_story].astype(float) if len(unique) else np.ones(1)
    idf = np.log((n_col + 1) / (df.astype(float) + 1)) + IDF_FLOOR
    batch.idf = idf
    batch.cell_row, batch.df, batch.n_col = rows, df, n_col
    weight = idf[cc]
    squares = np.bincount(rows, weight * weight, minlength=total)
    mass = np.bincount(rows, weight, minlength=total)
    # The flat pair arrays.
    square = sizes * sizes
    offsets = square.cumsum() - square
    for data, p in zip(datas, offsets.tolist(), strict=True):
        data.pairs = p
    pair_story = np.arange(len(datas)).repeat(square)
    within = np.arange(int(square.sum())) - offsets.repeat(square)
    n_pair = sizes[pair_story]
    left = starts[pair_story] + within // np.maximum(n_pair, 1)
    right = starts[pair_story] + within % np.maximum(n_pair, 1)
    batch.left, batch.right = left, right
    base = offsets[story_of] + local * sizes[story_of]
    batch.base = base
    pairs = len(left)
    # Every two occurrences of one column (the same word in two sentences of a story, or
    # twice the same sentence): a term of that pair's sums. Terms come column by column,
    # so each pair's sums add its shared words in column order.
    by_column = np.argsort(cc, kind="stable")
    repeat = df[cc[by_column]]
    one = by_column[np.arange(len(cc)).repeat(repeat)]
    other = by_column[_segments((df.cumsum() - df)[cc[by_column]], repeat)]
    at = base[rows[one]] + local[rows[other]]
    batch.terms = (one, other, at)
    term = weight[one]
    gram = np.bincount(at, term * term, minlength=pairs)
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    batch.cosine = gram / norms[left] / norms[right]
    lighter = np.minimum(mass[left], mass[right])
    lighter[lighter == 0] = 1.0
    batch.overlap = np.bincount(at, term, minlength=pairs) / lighter
    batch.shared = np.bincount(at, minlength=pairs).astype(float)
    close = _same(batch, PARAPHRASE_COSINE, PARAPHRASE_OVERLAP, PARAPHRASE_SHARED)
    local_l = local.tolist()
    near = (close & (left < right)).nonzero()[0]
    batch.mark_all(left[near].tolist() + right[near].tolist())
    for p, i, j in zip(near.tolist(), left[near].tolist(), right[near].tolist(), strict=True):
        if not _agree(batch, i, j):
            close[p] = False
            close[base[j] + local_l[i]] = False
    batch.paraphrase = close
    # A pair's bit in its row's masks (one array for both).
    bits, row_sizes = _bits(right - left + local[left]), sizes[story_of]
    batch.close_masks = _masks(_same(batch, REDUNDANT_COSINE, REDUNDANT_OVERLAP,
                                     REDUNDANT_SHARED), bits, base, row_sizes)
    batch.maybe_masks = _masks(batch.shared >= CLAUSE_SHARED, bits, base, row_sizes)


def _bits(bit: Any) -> Any:
    """``1 << bit`` for each bit number below 63, 0 for the others (see :func:`_masks`)."""
    import numpy as np
    small = bit < 63
    return np.where(small, np.left_shift(1, np.where(small, bit, 0)), 0)


def _masks(test: Any, bits: Any, row_starts: Any, row_sizes: Any) -> list[int]:
    """For every sentence, the pairs of its row that pass ``test`` as a bit mask (bit y:
    the story's sentence y; ``bits``: :func:`_bits` of each pair's y, rows of stories of
    more than 63 sentences made apart)."""
    import numpy as np
    if not len(row_starts):
        return []
    values = np.where(test, bits, 0)
    masks: list[int] = np.bitwise_or.reduceat(values, row_starts).tolist()
    big = (row_sizes > 63).nonzero()[0].tolist()  # stories of more than 63 sentences
    while big:
        g, n = big[0], int(row_sizes[big[0]])
        rows = np.packbits(test[row_starts[g]:row_starts[g] + n * n].reshape(n, n), axis=1,
                           bitorder="little")
        masks[g:g + n] = [int.from_bytes(r.tobytes(), "little") for r in rows]
        big = big[n:]
    return masks


def _same(batch: _Batch, cosine: float, overlap: float, shared: int) -> Any:
    return (batch.cosine >= cosine) | ((batch.overlap >= overlap) & (batch.shared >= shared))


def _agree(batch: _Batch, i: int, j: int) -> bool:
    """Numbers (and names, when both have some) do not contradict."""
    (a, names_a), (b, names_b) = batch.marks(i), batch.marks(j)
    if a - b and b - a:  # each has a number the other lacks: "135 million" vs "120 million"
        return False
    a, b = names_a, names_b
    return not (a and b and a.isdisjoint(b))


def _prepare(stories: Sequence[Sequence[Article]], language: str = "english",
             ) -> list[_Story]:
    """Describe and measure several stories (each given as its articles) at once."""
    batch = _Batch(language)
    datas = _describe(batch, stories)
    _measure(batch, datas)
    return datas


class _Grouped(NamedTuple):
    """A batch's facts: sentences grouped with their paraphrases in other articles."""

    rep: Any
    """Batch number of each fact's own sentence, ascending (a story's facts are
    consecutive, in reading order)..."""
    joined: dict[int, list[int]]
    """...and, for a fact other articles report too (key: its ``rep``), the rows in its
    story of every copy, its own sentence first, then one per other article."""


def _group_rows(datas: list[_Story]) -> _Grouped:
    """Each story's facts. A sentence that is not a candidate, or that paraphrases an
    earlier fact's sentence of its story, starts no fact; each other article's sentence
    closest to a fact's sentence (the first one on a tie) joins the fact when it is a
    paraphrase."""
    import numpy as np
    batch = datas[0].batch
    para = batch.paraphrase
    left, right = batch.left, batch.right
    ok = (batch.quality != 2).tolist()
    later = (para & (left > right)).nonzero()[0]
    if len(later):
        same: dict[int, list[int]] = {}
        for g, j in zip(left[later].tolist(), right[later].tolist(), strict=True):
            same.setdefault(g, []).append(j)
        for g in sorted(same):  # the earlier sentences' fate is settled first
            if ok[g] and any(ok[j] for j in same[g]):
                ok[g] = False
    rep = np.array(ok, dtype=bool).nonzero()[0]
    joined: dict[int, list[int]] = {}
    if not len(rep):
        return _Grouped(rep, joined)
    # For every fact and every other article: the article's sentence closest to the
    # fact's sentence (the first one on a tie) joins the fact when it is a paraphrase.
    # A story's articles are runs of its sentences, so (fact, article) are runs too.
    story_of = batch.story_of
    article = batch.rank
    sizes = batch.sizes[story_of[rep]]
    first = batch.starts[story_of[rep]]
    which = np.arange(len(rep)).repeat(sizes)
    other = _segments(first, sizes)
    pair = batch.base[rep][which] + (other - first[which])
    ok_pair = para[pair] & (article[other] != article[rep[which]])
    if not ok_pair.any():
        return _Grouped(rep, joined)
    cosine = batch.cosine[pair]
    run = np.concatenate(([True], (which[1:] != which[:-1])
                          | (article[other][1:] != article[other][:-1])))
    heads = run.nonzero()[0]
    run_id = run.cumsum() - 1
    top = np.maximum.reduceat(cosine, heads)
    at_top = (cosine == top[run_id]).nonzero()[0]
    best = at_top[np.concatenate(([True], run_id[at_top][1:] != run_id[at_top][:-1]))]
    best = best[ok_pair[best]]
    story_list = story_of.tolist()
    for g, j in zip(rep[which[best]].tolist(), other[best].tolist(), strict=True):
        data = datas[story_list[j]]
        start = data.start
        rows = joined.get(g)
        if rows is None:
            rows = joined[g] = [g - start]
        name = data.article[j - start]
        if any(data.article[r] == name for r in rows):  # two articles with one id
            continue
        rows.append(j - start)
    return _Grouped(rep, joined)


_NO_WORDS: frozenset[str] = frozenset()


def _candidate(data: _Story, rows: Sequence[int], row: int, standalone: bool) -> Candidate:
    """The fact of these rows (its own sentence first), told in sentence ``row``."""
    index = data.index
    if len(rows) == 1:
        one = rows[0]
        return Candidate(data.texts[row], _NO_WORDS, data.order_of(one),
                         {data.article[one]: index[one]},
                         index[one], standalone, row, (one,))
    return Candidate(data.texts[row], _NO_WORDS, data.order_of(min(rows)),
                     {data.article[r]: index[r] for r in rows},
                     min(index[r] for r in rows), standalone, row, tuple(rows))


def _group(datas: list[_Story]) -> list[list[Candidate]]:
    """Each story's facts as candidates (see :func:`_group_rows`)."""
    if not datas:
        return []
    rep, joined = _group_rows(datas)
    batch = datas[0].batch
    story_of, quality = batch.story_of, batch.quality
    out: list[list[Candidate]] = [[] for _ in datas]
    for g in rep.tolist():
        s = int(story_of[g])
        data = datas[s]
        own = g - data.start
        out[s].append(_candidate(data, joined.get(g) or (own,), own, quality[g] == 0))
    return out


def _facts(articles: Sequence[Article], language: str = "english",
           ) -> tuple[list[Candidate], _Story]:
    data = _prepare([articles], language)[0]
    return _group([data])[0], data


def _stems(story: _Story, row: int) -> frozenset[str]:
    lex = story.batch.lexicon
    stems = story.batch.stem_of[story.batch.tokens(story.start + row)].tolist()
    return frozenset(lex.names[i] for i in stems if i >= 0)


def candidates(articles: Sequence[Article]) -> list[Candidate]:
    """The facts of a story: standalone sentences, paraphrases across sources merged."""
    groups, story = _facts(articles)
    for c in groups:
        c.words = _stems(story, c.row)
    return [c for c in groups if c.standalone]


# --- ranking with sumy -------------------------------------------------------------------


@lru_cache(maxsize=8)
def _pystemmer(language: str, cached: bool = True) -> Any:
    import Stemmer as pystemmer

    name = language.lower()
    stemmer = pystemmer.Stemmer(name if name in pystemmer.algorithms() else "english")
    if not cached:
        stemmer.maxCacheSize = 0
    return stemmer


def _stemmer(language: str) -> Callable[[str], str]:
    """One word's Snowball stem (PyStemmer: the algorithms sumy's NLTK stemmer runs, in C),
    the callable sumy's summarizers take."""
    return cast(Callable[[str], str], _pystemmer(language).stemWord)


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    """sumy's stop words (English when sumy has none for ``language``), read without
    importing sumy.utils's requests and pycountry (see :func:`text.stop_words`)."""
    return stop_words(language)


class _Deferred(types.ModuleType):
    """A stand-in for a module that imports the real one on first use of any of its
    names (once the stand-in has left ``sys.modules``)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)


def _import_summarizer(module_name: str) -> Any:
    """Import a sumy summarizer module without importing NLTK (0.2-0.3 s) or requests
    (about 0.1 s).

    sumy's summarizers take one name from ``sumy.nlp.stemmers``: ``null_stemmer``,
    their default stemmer (lower case), which digest never uses (it passes its own).
    That module imports NLTK for its ``Stemmer`` class. So while a summarizer module
    is imported, ``sumy.nlp.stemmers`` is a stand-in holding only ``null_stemmer``
    (sumy's own definition: the text in lower case); the stand-in is then removed,
    and a later import of ``sumy.nlp.stemmers`` gets sumy's real module. When the
    real module is already imported, it is used. ``sumy.utils`` imports requests
    for ``fetch_url`` alone: it gets a :class:`_Deferred` stand-in, which imports
    requests if ``fetch_url`` is ever called. The stand-ins last only while the
    interpreter's import lock is held, so no other thread's import sees them.
    """
    if module_name in sys.modules:
        return sys.modules[module_name]
    import _imp

    _imp.acquire_lock()
    try:
        stand_in = None
        deferred = None
        if "requests" not in sys.modules and "sumy.utils" not in sys.modules:
            deferred = sys.modules["requests"] = _Deferred("requests")
        if "sumy.nlp.stemmers" not in sys.modules:
            from sumy._compat import to_unicode

            def null_stemmer(object: Any) -> str:  # sumy's signature
                return cast(str, to_unicode(object).lower())

            stand_in = types.ModuleType("sumy.nlp.stemmers", "digest's stand-in for "
                                        "sumy.nlp.stemmers while a summarizer is imported")
            stand_in.null_stemmer = null_stemmer  # type: ignore[attr-defined]
            sys.modules["sumy.nlp.stemmers"] = stand_in
        try:
            return importlib.import_module(module_name)
        finally:
            if stand_in is not None and sys.modules.get("sumy.nlp.stemmers") is stand_in:
                del sys.modules["sumy.nlp.stemmers"]
            if deferred is not None and sys.modules.get("requests") is deferred:
                del sys.modules["requests"]
    finally:
        _imp.release_lock()


@lru_cache(maxsize=1)
def _fast_lexrank() -> type:
    """sumy's LexRankSummarizer with its O(n^2) Python loops replaced by numpy.

    Same tf (count / the sentence's largest count), idf (log(n / (1 + df))),
    idf-modified cosine, threshold graph and power method (sumy's own) as sumy.
    ``rate_counts`` rates sentences given as a term-count matrix (what
    :func:`_measure` builds); called on a sumy document it counts sumy's words.
    """
    import numpy as np

    LexRankSummarizer: Any = _import_summarizer("sumy.summarizers.lex_rank").LexRankSummarizer

    class VectorLexRank(LexRankSummarizer):  # type: ignore[misc]
        def __call__(self, document: Any, sentences_count: Any) -> Any:
            sentences = document.sentences
            words_ = [self._to_words_set(s) for s in sentences]
            if not words_:
                return ()
            vocab: dict[str, int] = {}
            cells = [(row, vocab.setdefault(w, len(vocab)))
                     for row, ws in enumerate(words_) for w in ws]
            counts = np.zeros((len(words_), max(len(vocab), 1)))
            for row, col in cells:
                counts[row, col] += 1
            ratings = dict(zip(sentences, self.rate_counts(counts).tolist(), strict=True))
            return self._get_best_sentences(sentences, sentences_count, ratings)

        def rate_counts(self, counts: Any) -> Any:
            n = counts.shape[0]
            if isinstance(counts, np.ndarray):
                top = counts.max(axis=1) if counts.shape[1] else np.zeros(n)
                top[top == 0] = 1.0
                idf = np.log(n / (1.0 + (counts > 0).sum(axis=0)))
                tf = counts / top[:, None]
                weighted = tf * idf
                numerator = (weighted * idf) @ tf.T
                squares = (weighted * weighted).sum(axis=1)
            else:
                from scipy import sparse

                top = counts.max(axis=1).toarray().ravel()
                top[top == 0] = 1.0
                idf = np.log(n / (1.0 + np.asarray((counts > 0).sum(axis=0)).ravel()))
                tf = (sparse.diags(1.0 / top) @ counts).tocsr()
                weighted = tf.multiply(idf).tocsr()
                numerator = (weighted.multiply(idf).tocsr() @ tf.T).toarray()
                squares = np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel()
            norms = np.sqrt(squares)
            denominator = norms[:, None] * norms[None, :]
            safe = np.where(denominator > 0, denominator, 1.0)
            cosine = np.where(denominator > 0, numerator / safe, 0.0)
            matrix = (cosine > self.threshold).astype(float)
            degrees = matrix.sum(axis=1)
            degrees[degrees == 0] = 1.0
            with np.errstate(invalid="ignore", divide="ignore"):
                scores = LexRankSummarizer.power_method(matrix / degrees[:, None], self.epsilon)
            return np.where(np.isfinite(scores), scores, 0.0)  # all-zero matrix: 0/0

    return VectorLexRank


@lru_cache(maxsize=32)
def _summarizer(algorithm: str, language: str) -> Any:
    """One configured sumy summarizer per algorithm and language (setting sumy's
    stop words normalises the whole list, so it is done once)."""
    stop = _stop_words(language)
    if algorithm == "lexrank":
        cls = _fast_lexrank()
    else:
        module_name, class_name = ALGORITHMS[algorithm].split(":")
        cls = getattr(_import_summarizer(module_name), class_name)
    summarizer = cls(_stemmer(language))
    if algorithm == "edmundson":
        summarizer.stigma_words = {"reportedly"}
        summarizer.null_words = stop
    else:
        summarizer.stop_words = stop
    return summarizer


def prepare(config: SummaryConfig, language: str = "english") -> None:
    """Import and set up the configured sumy summarizer now (sumy imports NLTK, which
    takes seconds): worker processes forked afterwards inherit it instead of each
    importing it again."""
    _summarizer(config.algorithm.lower(), language)


class RankRecorder:
    """A sumy ``sentences_count`` that keeps every sentence and records sumy's ranking.

    sumy sorts sentences by rating, best first, and hands that list to a callable
    count; we keep all of them and remember the order.
    """

    def __init__(self) -> None:
        self.order: list[str] = []

    def __call__(self, infos: Sequence[Any]) -> Sequence[Any]:
        self.order = [str(info.sentence) for info in infos]
        return infos


def rank(cands: list[Candidate], algorithm: str, language: str, title: str = "",
         stems: dict[str, list[str]] | None = None) -> list[Candidate]:
    """Candidates ordered best first by the sumy summarizer run over their texts alone."""
    if len(cands) <= 1:
        return list(cands)
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    del stems  # the vector LexRank counts sumy's own words of the texts
    tokenizer = OfflineTokenizer(language)
    document = ObjectDocumentModel([Paragraph([Sentence(c.text, tokenizer) for c in cands])])
    summarizer = _summarizer(algorithm, language)
    if algorithm == "edmundson":
        summarizer.bonus_words = {w.lower() for w in _words(title)} or {"said"}
    ranking = RankRecorder()
    summarizer(document, ranking)
    position = {text: i for i, text in enumerate(ranking.order)}
    return sorted(cands, key=lambda c: (position.get(c.text, len(position)), c.order))


def _lexrank_all(datas: list[_Story], language: str) -> Any:
    """sumy's LexRank score of every sentence of the batch (each story on its own):
    sumy's tf (count / the sentence's largest count), idf (log(n / (1 + df))),
    idf-modified cosine, threshold graph and power method, computed for all stories
    at once on the batch's term matrix."""
    import numpy as np

    batch = datas[0].batch
    summarizer = _summarizer("lexrank", language)
    sizes, story_of = batch.sizes, batch.story_of
    total = len(story_of)
    indptr, cc, counts, rows = batch.indptr, batch.indices, batch.counts, batch.cell_row
    lengths = indptr[1:] - indptr[:-1]
    top = np.zeros(total)
    filled = lengths.nonzero()[0]
    if len(filled):
        top[filled] = np.maximum.reduceat(counts, indptr[filled])
    top[top == 0] = 1.0
    # Every column is used by df >= 1 of its story's n_col sentences: no log of 0.
    idf = np.log(batch.n_col / (1.0 + batch.df))
    tf = counts / top[rows]
    weighted = tf * idf[cc]
    one, other, at = batch.terms
    left, right = batch.left, batch.right
    numerator = np.bincount(at, (weighted * idf[cc])[one] * tf[other], minlength=len(left))
    norms = np.sqrt(np.bincount(rows, weighted * weighted, minlength=total))
    denominator = norms[left] * norms[right]
    safe = np.where(denominator > 0, denominator, 1.0)
    cosine = np.where(denominator > 0, numerator / safe, 0.0)
    edge = (cosine > summarizer.threshold).nonzero()[0]
    source, target = left[edge], right[edge]
    degrees = np.bincount(source, minlength=total).astype(float)
    degrees[degrees == 0] = 1.0
    # next[j] = sum over i of M[i, j] p[i], M[i, j] = edge / degree of i (i ascending).
    share = 1.0 / degrees[source]
    p = 1.0 / sizes[story_of].astype(float) if total else np.zeros(0)
    active = sizes > 1
    count = len(datas)
    with np.errstate(invalid="ignore", divide="ignore"):
        while active.any():
            nxt: Any = np.bincount(target, share * p[source], minlength=total)
            nxt = nxt / np.sqrt(np.bincount(story_of, nxt * nxt, minlength=count))[story_of]
            change = np.sqrt(np.bincount(story_of, (nxt - p) ** 2, minlength=count))
            p = np.where(active[story_of], nxt, p)
            active &= change > summarizer.epsilon
    return np.where(np.isfinite(p), p, 0.0)  # an all-zero matrix: 0/0


def _ranks_sumy(data: _Story, algorithm: str, language: str, title: str = "") -> list[float]:
    """Each sentence's rank by a sumy summarizer run on sumy's document model."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    n = len(data)
    if n <= 1:
        return [1.0] * n
    summarizer = _summarizer(algorithm, language)
    tokenizer = OfflineTokenizer(language)
    document = ObjectDocumentModel([Paragraph([Sentence(t, tokenizer) for t in data.texts])])
    if algorithm == "edmundson":
        summarizer.bonus_words = {w.lower() for w in _words(title)} or {"said"}
    ranking = RankRecorder()
    summarizer(document, ranking)
    first: dict[str, int] = {}
    for i, text in enumerate(ranking.order):
        first.setdefault(text, i)
    order = sorted(range(n), key=lambda i: (first.get(data.texts[i], n), i))
    rank = [0.0] * n
    for position, i in enumerate(order):
        rank[i] = 1.0 - position / n
    return rank


def _score(datas: list[_Story], algorithm: str, language: str,
           titles: Sequence[str]) -> None:
    """Set each sentence's score as a fact's copy: its rank by the sumy summarizer
    (1 best .. 0 worst), centrality across outlets (summed cosine with the other
    articles' sentences, scaled to 1 at most in its story), and lead position."""
    import numpy as np
    batch = datas[0].batch
    sizes, starts, story_of, local = batch.sizes, batch.starts, batch.story_of, batch.local
    total = len(story_of)
    if not total:
        batch.own = np.zeros(0)
        return
    if algorithm == "lexrank":
        # Best first; scores equal to 12 decimals (sumy's power method ends on float
        # noise for sentences that are mathematically tied) by position. Rank 1 - place / n.
        scores = np.round(_lexrank_all(datas, language), 12)
        order = np.lexsort((local, -scores, story_of))
        place = np.empty(total)
        place[order] = np.arange(total) - starts[story_of[order]]
        ranks = 1.0 - place / sizes[story_of]
    else:
        ranks = np.array([r for d, title in zip(datas, titles, strict=True)
                          for r in _ranks_sumy(d, algorithm, language, title)])
    rank_of = batch.rank
    left, right = batch.left, batch.right
    central = np.bincount(left, np.where(rank_of[left] != rank_of[right], batch.cosine, 0.0),
                          minlength=total)
    top = np.zeros(len(datas))
    filled = sizes.nonzero()[0]
    top[filled] = np.maximum.reduceat(central, starts[filled])
    scale = top[story_of]
    central = np.where(scale > 0, central / np.where(scale > 0, scale, 1.0), central)
    index = batch.index
    batch.own = WEIGHT_RANK * ranks + WEIGHT_CENTRAL * central + WEIGHT_LEAD / (1.0 + index)


# --- choosing -----------------------------------------------------------------------------


def _clauses(story: _Story, row: int) -> list[tuple[list[int], list[float], float]] | None:
    """The clauses of a sentence cut at ", while", ", but", "; ", a dash... that have
    CLAUSE_SHARED or more content words: (their columns, idf weights, CLAUSE_OVERLAP of
    their idf mass). None when the sentence has a single clause."""
    text = story.texts[row]
    dash = "—" in text or "–" in text or "--" in text
    if not (dash or ";" in text or ("," in text and _CLAUSE_COMMA.search(text))):
        return None
    cuts = [m.span() for m in (_CLAUSE if dash else _CLAUSE_PLAIN).finditer(text)]
    if not cuts:
        return None
    batch = story.batch
    # Each content word's clause: words after k cuts are the (k + 1)th clause's, those
    # inside a cut (", while") none's (a cut never splits a word).
    g = story.start + row
    lo, hi = batch.word_ptr[g], batch.word_ptr[g + 1]
    ends = [b for _, b in cuts]
    last = len(cuts)
    parts: list[set[int]] = [set() for _ in range(last + 1)]
    for at, col in zip(batch.word_at[lo:hi].tolist(), batch.word_col[lo:hi].tolist(),
                       strict=True):
        k = bisect.bisect_right(ends, at)
        if k == last or at < cuts[k][0]:
            parts[k].add(col)
    out = []
    for part in parts:
        if len(part) >= CLAUSE_SHARED:
            cols = sorted(part)
            weights = batch.idf[cols].tolist()
            out.append((cols, weights, CLAUSE_OVERLAP * sum(weights)))
    return out


def _contains(story: _Story, clauses: list[tuple[list[int], list[float], float]],
              other: int) -> bool:
    """Sentence ``other`` contains one of the clauses: CLAUSE_SHARED or more of its
    content words, CLAUSE_OVERLAP of its idf mass."""
    words = story.words(other)
    for cols, weights, need in clauses:
        present = [w for c, w in zip(cols, weights, strict=True) if c in words]
        if len(present) >= CLAUSE_SHARED and sum(present) >= need:
            return True
    return False


def _clause_rows(story: _Story, row: int) -> list[bool] | None:
    """Sentences that contain one of this sentence's clauses (see :func:`_clauses`)."""
    clauses = _clauses(story, row)
    if clauses is None:
        return None
    return [y != row and _contains(story, clauses, y) for y in range(len(story))]


class _Redundancy:
    """Which facts are too close to both be in one summary: a copy of one close overall to
    a copy of the other (looser than the grouping test), or a clause of one fact's
    sentence mostly contained in a copy of the other. Clauses are only looked at for the
    pairs of sentences the choice actually compares. Sets of a story's sentences are
    bit masks (bit y: its sentence y)."""

    def __init__(self, story: _Story) -> None:
        self.story = story
        end = story.start + len(story)
        self.close = story.batch.close_masks[story.start:end]
        self.maybe = story.batch.maybe_masks[story.start:end]
        self.clauses: dict[int, list[tuple[list[int], list[float], float]] | None] = {}

    def masks(self, rows: Sequence[int]) -> tuple[int, int]:
        """(sentences close to one of these sentences, these sentences) as bit masks."""
        close = self.close
        reach = bits = 0
        for x in rows:
            reach |= close[x]
            bits |= 1 << x
        return reach, bits

    def contained(self, row: int, hits: int, others: Sequence[int]) -> bool:
        """A clause of sentence ``row`` is contained in one of ``others`` that ``hits``
        has (the sentences sharing CLAUSE_SHARED content words with it: a clause can
        only be contained in those)."""
        if row in self.clauses:
            clauses = self.clauses[row]
        else:
            clauses = self.clauses[row] = _clauses(self.story, row)
        if not clauses:
            return False
        return any(hits >> y & 1 and y != row and _contains(self.story, clauses, y)
                   for y in others)

    def __call__(self, a: Candidate, b: Candidate) -> bool:
        reach, bits = self.masks(a.rows)
        other = self.masks(b.rows)[1]
        if reach & other:
            return True
        return (self.contained(a.row, self.maybe[a.row] & other, b.rows)
                or self.contained(b.row, self.maybe[b.row] & bits, a.rows))


def _choose_all(datas: list[_Story], grouped: _Grouped,
                config: SummaryConfig) -> list[list[Candidate]]:
    """The summary's candidates of every scored story, in reading order."""
    return [[_candidate(data, rows, row, standalone) for rows, row, standalone in chosen]
            for data, chosen in zip(datas, _choose_rows(datas, grouped, config), strict=True)]


_Chosen = tuple[Sequence[int], int, bool]
"""A chosen fact: the story rows of its copies, the row it is told in, standalone."""


def _choose_rows(datas: list[_Story], grouped: _Grouped,
                 config: SummaryConfig) -> list[list[_Chosen]]:
    """The summary's facts of every scored story, in reading order.

    A fact is told in the words of its best copy (as standalone as its own sentence)
    and scored from it; the best facts fill the length budget, each skipped when
    redundant with one already taken. A story without facts falls back to each
    article's first sentence."""
    import numpy as np
    if not datas:
        return []
    batch = datas[0].batch
    rep, joined = grouped
    story_of, quality, own = batch.story_of, batch.quality, batch.own
    fallback = np.zeros(len(rep), dtype=bool)
    has = np.zeros(len(datas), dtype=bool)
    has[story_of[rep]] = True
    if not has.all():
        lone = (~has[story_of] & (batch.index == 0)).nonzero()[0]
        rep = np.concatenate([rep, lone])
        fallback = np.concatenate([fallback, np.ones(len(lone), dtype=bool)])
        by_row = np.argsort(rep, kind="stable")
        rep, fallback = rep[by_row], fallback[by_row]
    fact_story = story_of[rep]
    starts = [d.start for d in datas]
    # Each fact's best copy, first row in reading order, earliest place in an
    # article and number of articles (its own sentence's, for most facts).
    best, first, position = rep.copy(), rep.copy(), batch.index[rep]
    carriers = np.ones(len(rep))
    if joined:
        at = np.searchsorted(rep, list(joined))
        own_l, quality_l, index = own.tolist(), quality.tolist(), batch.index
        for k, (g, copies) in zip(at.tolist(), joined.items(), strict=True):
            start = g - copies[0]
            level = quality_l[g]
            pick = [r + start for r in copies if quality_l[r + start] <= level]
            best[k] = max(pick, key=lambda r: (own_l[r], -r))
            first[k] = min(copies) + start
            position[k] = min(index[r + start] for r in copies)
            carriers[k] = len(copies)
    sources = np.array([max(1, len(set(d.article))) for d in datas])
    standalone = fallback | (quality[rep] == 0)
    score = (own[best] + WEIGHT_SUPPORT * carriers / sources[fact_story]
             - np.where(standalone, 0, 2))
    # Best first; equal scores in reading order.
    order = np.lexsort((first, -score, fact_story)).tolist()
    counts = np.bincount(fact_story, minlength=len(datas)).tolist()
    rep_l, best_l, first_l = rep.tolist(), best.tolist(), first.tolist()
    position_l, standalone_l = position.tolist(), standalone.tolist()
    out: list[list[_Chosen]] = []
    done = 0
    for data, start, n in zip(datas, starts, counts, strict=True):
        ranked = order[done:done + n]
        done += n
        redundant = _Redundancy(data)
        contained, maybe, close = redundant.contained, redundant.maybe, redundant.close
        clausal = batch.clausal
        wanted = config.sentences if not config.words else n
        taken: list[tuple[int, Sequence[int], int, int]] = []
        chosen: list[tuple[int, int, int, Sequence[int]]] = []
        total = 0
        for k in ranked:
            g = rep_l[k]
            several = joined.get(g)
            if several is None:  # one copy (most facts)
                rows: Sequence[int] = (g - start,)
                reach, bits = close[g - start], 1 << (g - start)
            else:
                rows = several
                reach, bits = redundant.masks(rows)
            row = best_l[k] - start
            # Only a sentence that may be cut into clauses can have one contained.
            words = maybe[row] if clausal[start + row] else 0
            skip = False
            for one, others, other, near in taken:
                if (reach & other
                        or (words & other and contained(row, words & other, others))
                        or (near & bits and contained(one, near & bits, rows))):
                    skip = True
                    break
            if skip:
                continue
            taken.append((row, rows, bits, words))
            chosen.append((position_l[k], first_l[k], k, rows))
            if config.words:
                total += len(data.texts[row].split())
            if len(taken) >= wanted or (config.words and total >= config.words):
                break
        # Reading order: the news first (a fact's earliest place in an article), then
        # first appearance with articles taken by publication time.
        chosen.sort(key=lambda c: (c[0], c[1]))
        out.append([(rows, best_l[k] - start, standalone_l[k]) for _, _, k, rows in chosen])
    return out


def choose_all(stories: Sequence[Story], config: SummaryConfig,
               language: str = "english") -> list[list[Candidate]]:
    """Every story's summary candidates, in reading order, computed as one batch."""
    datas, chosen = _chosen(stories, config, language)
    return [[_candidate(data, rows, row, standalone) for rows, row, standalone in facts]
            for data, facts in zip(datas, chosen, strict=True)]


def _chosen(stories: Sequence[Story], config: SummaryConfig,
            language: str) -> tuple[list[_Story], list[list[_Chosen]]]:
    """Every story described, scored and its facts chosen, as one batch."""
    if not stories:
        return [], []
    datas = _prepare([s.articles for s in stories], language)
    grouped = _group_rows(datas)
    _score(datas, config.algorithm.lower(), language, [s.title for s in stories])
    return datas, _choose_rows(datas, grouped, config)


def _summary_batch(stories: Sequence[Story], config: SummaryConfig,
                   language: str) -> list[list[SummarySentence]]:
    """Every story's summary, computed as one batch (no :class:`Candidate` objects)."""
    datas, chosen = _chosen(stories, config, language)
    return [[_cited(data, rows, row) for rows, row, _ in facts]
            for data, facts in zip(datas, chosen, strict=True)]


def choose(story: Story, config: SummaryConfig,
           language: str = "english") -> list[Candidate]:
    """The summary's candidates, in reading order."""
    return choose_all([story], config, language)[0]


BATCH_SENTENCES = 20_000
"""summarize_all measures at most this many sentences together (flat pair arrays grow
with the sum of each story's squared size, a batch's term matrix with its words)."""


def summarize_all(stories: Sequence[Story], config: SummaryConfig, language: str = "english",
                  cache: Cache | None = None) -> list[list[SummarySentence]]:
    """``summarize`` for several stories at once: one tokenising pass, one term matrix,
    one set of similarity products and one LexRank power iteration for all of them,
    then each story's choice. Each story's summary is the one ``summarize`` gives it
    alone (nothing one story computes depends on the others)."""
    out: list[list[SummarySentence] | None] = [None] * len(stories)
    keys = [""] * len(stories)
    if cache is not None:
        for k, story in enumerate(stories):
            keys[k] = cache.key(code_version(), asdict(config), language, story.title,
                                [(a.id, a.published, a.sentences) for a in story.articles])
            out[k] = _from_cache(cache.get(keys[k]))
    missing = [k for k, o in enumerate(out) if o is None]
    batches: list[list[int]] = []
    size = 0
    for k in missing:
        n = sum([len(para) for a in stories[k].articles for para in a.sentences])
        if not batches or (batches[-1] and size + n > BATCH_SENTENCES):
            batches.append([])
            size = 0
        batches[-1].append(k)
        size += n
    for batch in batches:
        summaries = _summary_batch([stories[k] for k in batch], config, language)
        for k, summary in zip(batch, summaries, strict=True):
            out[k] = summary
            if cache is not None:
                cache.put(keys[k], [{"text": s.text, "articles": s.articles,
                                     "anchors": s.anchors} for s in summary])
    return [o if o is not None else [] for o in out]


def _cited(data: _Story, rows: Sequence[int], row: int) -> SummarySentence:
    """A chosen fact (the rows of its copies, told in sentence ``row``) as a summary
    sentence citing every article carrying it (what :func:`_candidate` gives as its
    carriers)."""
    index = data.index
    if len(rows) == 1:
        one = rows[0]
        article = data.article[one]
        return SummarySentence(data.texts[row], [article], {article: index[one]})
    carriers = {data.article[r]: index[r] for r in rows}
    return SummarySentence(data.texts[row], sorted(carriers), dict(sorted(carriers.items())))


def _from_cache(hit: Any) -> list[SummarySentence] | None:
    if not isinstance(hit, list):
        return None
    try:
        return [SummarySentence(text=str(h["text"]), articles=list(h["articles"]),
                                anchors={str(k): int(v) for k, v in h["anchors"].items()})
                for h in hit]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def summarize(story: Story, config: SummaryConfig, language: str = "english",
              cache: Cache | None = None) -> list[SummarySentence]:
    """Choose, order and cite the summary sentences of one story.

    ``cache`` (a :class:`generator.cache.Cache`) skips stories already summarised
    with the same code, options and sentences.
    """
    return summarize_all([story], config, language, cache)[0]


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of this module's source and sumy's version: a new one invalidates cached summaries."""
    from importlib.metadata import version

    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + version("sumy").encode()).hexdigest()[:16]


def choose_headline(story: Story) -> str:
    """The member headline most representative of the story (closest to the others)."""
    titled = [a for a in story.articles if a.origin.get("title") not in
              ("file name", "inferred from the first sentence")]
    pool = titled or story.articles
    if len(pool) == 1:
        return pool[0].title
    bags = {a.id: content_words(a.title) | content_words(" ".join(a.all_sentences[:2]))
            for a in story.articles}

    def score(article: Article) -> tuple[float, str]:
        own = content_words(article.title)
        total = sum(jaccard(own, bags[o.id]) for o in story.articles if o.id != article.id)
        return (-total, article.id)

    return min(pool, key=score).title


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def _numbers(sentence: str) -> frozenset[str]:
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(sentence))


def add_fact_citations(summary: list[SummarySentence], facts: Sequence[Fact],
                       articles: Sequence[Article]) -> None:
    """Cite, for each summary sentence, every source that ``compare`` aligned with it.

    The summary and the facts-by-sources view come from two alignments; a reader
    must see the same sources under a sentence as in its row of the coverage
    matrix. A fact matches a summary sentence when they share a source sentence
    (the same article and sentence index). Its other carriers are added only when
    their sentence states the same numbers: compare aligns "cost 120 million" with
    "cost 135 million" as one claim (a disagreement), but the second source does
    not say what the summary sentence says.
    """
    sentences = {a.id: a.all_sentences for a in articles}
    for sentence in summary:
        own = set(sentence.anchors.items())
        numbers = _numbers(sentence.text)
        for fact in facts:
            if not own & set(fact.anchors.items()):
                continue
            for article, index in fact.anchors.items():
                if article in sentence.anchors:
                    continue
                text = sentences.get(article, [])
                if 0 <= index < len(text) and _numbers(text[index]) == numbers:
                    sentence.anchors[article] = index
        sentence.anchors = dict(sorted(sentence.anchors.items()))
        sentence.articles = sorted(set(sentence.articles) | set(sentence.anchors))
