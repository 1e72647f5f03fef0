"""Names: people, organisations and places each source mentions that the others don't.

No model: a careful capitalised-phrase extractor. A name is a run of capitalised
words (joined by ``of``, ``for``, ``de``, ``von``, ...) that is not at the start of a
sentence or quotation unless the same word is capitalised mid-sentence elsewhere in
the story; a single word also written in lower case in the story (``Recent``,
``Search``) is not a name. Titles (``President``, ``Foreign Minister``, ``Mayor``) are
cut off and split a run (``Kharkiv Mayor Igor Terekhov`` -> ``Kharkiv``, ``Igor Terekhov``),
possessives are dropped. Aliases are merged across the story: a single word that is
the last or first word of a longer name (``Biden`` -> ``Joe Biden``) and spellings that
differ by a letter or two (``Zelensky``/``Zelenskyy``, ``Kharkiv``/``Kharkhiv``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise

from ..model import Article
from ..text import fold
from .lexicon import STOP, fold_word

_TOKEN = re.compile(r"[^\W\d_][\w'’\-.]*[\w]|[^\W\d_]|\d[\w\-]*|[^\w\s]")
CONNECTORS = frozenset("of for de del da di von van der den al bin la le du y".split())
TITLES = frozenset(
    "president vice prime minister ministers foreign defence defense interior finance "
    "secretary secretary-general general chancellor mayor governor senator sen. rep. "
    "representative congressman congresswoman chairman chairwoman chair deputy spokesperson "
    "spokesman spokeswoman ambassador king queen prince princess pope judge justice dr. dr "
    "prof. professor gen. lt. col. colonel lieutenant commander chief head leader sir lord "
    "lady mr. mrs. ms. mr mrs ms captain advisor adviser capt. sergeant officer director minister "
    "premier emir sheikh president-elect".split()
)
ORG_WORDS = frozenset("house council department ministry union nations states center centre "
                      "committee agency party court army forces news times post press office "
                      "university institute bank security studies commission parliament "
                      "congress senate government kremlin pentagon police school college "
                      "foundation association organization organisation corporation company "
                      "fund board authority service services league republic kingdom".split())
NOT_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december gmt utc am pm i".split()
)
_OPENERS = set("“\"‘'(–—-:[…")
_PUNCTUATION = "“”\"‘’'(),.;:!?[]–—"
"""Stripped from the ends of a word when telling lower-case words from mid-sentence capitals."""
_SENTENCE_OPENERS = ".!?:“\"‘…–—("
"""A word ending in one of these puts the next word at the start of a sentence or quotation."""


def _names_in(sentence: str, lower_words: set[str], mid_caps: set[str]) -> list[str]:
    toks: list[str] = _TOKEN.findall(sentence)
    names: list[str] = []
    run: list[str] = []
    run_start = False

    def flush() -> None:
        nonlocal run
        while run and fold_word(run[-1]) in CONNECTORS:
            run.pop()
        if run:
            _add(run, run_start)
        run = []

    def _add(parts: list[str], at_start: bool) -> None:
        parts = [p[:-2] if p.endswith(("’s", "'s")) else p for p in parts]
        first = fold_word(parts[0])
        if at_start and (first in lower_words if len(parts) > 1 else first not in mid_caps):
            parts = parts[1:]  # a sentence's first word is capitalised anyway
        while parts and fold_word(parts[0]) in STOP:
            parts = parts[1:]
        if any("-" in p and not p.split("-")[-1][:1].isupper() for p in parts):
            return  # American-made, US-supplied
        if not parts:
            return
        name = " ".join(parts)
        low = fold(name)
        if len(parts) == 1:
            if low in NOT_NAMES or low in STOP or len(low) < 2:
                return
            if low in lower_words and not parts[0].isupper():
                return
            if low.endswith(("ian", "ean", "ese", "ish")) and not parts[0].isupper():
                return  # a nationality adjective
        names.append(name)

    # Only capitalised tokens start or extend a run; the tokens between them matter only
    # while a run is open (a connector extends it, anything else ends it).
    n = len(toks)
    caps = [k for k, tok in enumerate(toks) if tok[:1].isupper() and tok[:1].isalpha()]
    done = 0  # the tokens before this one are read
    for k in [*caps, n]:
        g = done
        while run and g < k:
            tok = toks[g]
            if fold_word(tok) in CONNECTORS and g + 1 < n and toks[g + 1][:1].isupper() \
                    and (len(run) == 1 or fold_word(run[-1]) in ORG_WORDS):  # Bank of England
                run.append(tok)
            else:
                flush()
            g += 1
        if k == n:
            break
        tok = toks[k]
        low = fold_word(tok)
        if low in TITLES or low.rstrip(".") in TITLES:
            flush()
        else:
            if not run:
                prev = toks[k - 1] if k else ""
                run_start = k == 0 or prev in _OPENERS or prev in ".!?"
            run.append(tok)
            if tok.endswith(("’s", "'s")):
                flush()  # Russia's Belgorod: two names
        done = k + 1
    flush()
    return names


@lru_cache(maxsize=16_384)
def _letters(text: str) -> Counter[str]:
    """Letter counts of a name (read only: shared between calls)."""
    return Counter(text)


def _similar(a: str, b: str, threshold: float = 0.9) -> bool:
    """``SequenceMatcher(None, a, b).ratio() >= threshold``, skipping it when it can't be.

    The ratio is ``2 * matches / (len(a) + len(b))``; matches are at most the shorter
    length and at most the letters the two share counted with multiplicity (difflib's
    ``real_quick_ratio`` and ``quick_ratio`` bounds), so when either bound, computed
    with the same formula, is below the threshold, so is the ratio.
    """
    length = len(a) + len(b)
    if not length:
        return threshold <= 1.0
    if 2.0 * min(len(a), len(b)) / length < threshold:
        return False
    other = _letters(b)
    shared = sum([min(n, other[c]) for c, n in _letters(a).items()])  # (a & b)'s total
    if 2.0 * shared / length < threshold:
        return False
    return SequenceMatcher(None, a, b).ratio() >= threshold


def _aliases(all_names: set[str]) -> dict[str, str]:
    """Canonical name for each name of the story (longest form, first in sort order).

    Each name not yet given one becomes canonical in turn, and every later name not yet
    given one that is an alias of it (a single word that is its first or last word or
    nearly, or a spelling of it with as many words) gets it. Only names of one word and
    names with as many words as the canonical one can be aliases, so only those are
    read (grouped by their number of words), and a spelling whose length is too far
    from the canonical name's for :func:`_similar` is passed over before calling it
    (the same bound it checks first). The same result as reading every later name
    (tests/test_compare.py); 0.055 s to 0.03 s over the bench stories.
    """
    names = sorted(all_names, key=lambda n: (-len(n.split()), -len(n), n))
    canon: dict[str, str] = {}
    folded = {n: fold(n) for n in names}
    parts = {n: f.split() for n, f in folded.items()}
    by_words: dict[int, list[str]] = defaultdict(list)  # in sort order
    for n in names:
        by_words[len(parts[n])].append(n)
    singles = by_words[1]
    for n in names:
        if n in canon:
            continue
        canon[n] = n
        fn = folded[n]
        n_parts = parts[n]
        words = len(n_parts)
        if words > 1:
            for m in singles:  # short aliases: "Biden" of "Joe Biden"
                if m in canon:
                    continue
                fm = folded[m]
                if len(fm) >= 3 and not m.isupper() and (
                        parts[m][0] in (n_parts[-1], n_parts[0])
                        or (len(fm) >= 6 and _similar(fm, n_parts[-1]))):
                    canon[m] = n
        ln = len(fn)
        if ln < 6:
            continue
        for m in by_words[words]:  # other spellings with as many words
            if m in canon:
                continue
            fm = folded[m]
            lm = len(fm)
            if lm < 6 or 2.0 * min(lm, ln) / (lm + ln) < 0.9:
                continue
            if _similar(fm, fn):
                canon[m] = n
    return canon


def _word_cases(text: str) -> tuple[set[str], set[str]]:
    """The folded words of ``text`` (split at whitespace, :data:`_PUNCTUATION` stripped
    from their ends) written in lower case somewhere, and those capitalised right after
    a word that does not end a sentence or open a quotation (:data:`_SENTENCE_OPENERS`).

    The same sets as stripping and testing every word in turn, made from the distinct
    words (a story repeats many of its words): each is stripped and tested once, and
    the pairs of words are read only for the capitalised ones. Measured on the bench
    stories: 0.073 s to 0.054 s.
    """
    toks = text.split()
    stripped = {t: t.strip(_PUNCTUATION) for t in set(toks)}
    lower_words = set(map(fold_word, {w for w in stripped.values() if w[:1].islower()}))
    capitals = {t for t, w in stripped.items() if w[:1].isupper()}
    after = {w for before, w in pairwise(toks) if w in capitals  # (before: never empty)
             and before[-1] not in _SENTENCE_OPENERS}
    return lower_words, set(map(fold_word, {stripped[w] for w in after}))


def entities(articles: list[Article]) -> dict[str, list[str]]:
    """Names each source mentions that no other source does (sorted, as the source spells them)."""
    # Every sentence's words in one list, a "." between sentences: a sentence's first
    # word then follows a word ending a sentence, as if it had none before it.
    text = " . ".join([s for article in articles for s in article.all_sentences])
    lower_words, mid_caps = _word_cases(text)
    found: dict[str, set[str]] = {}
    for article in articles:
        own: set[str] = set()
        for sentence in article.all_sentences:
            own.update(_names_in(sentence, lower_words, mid_caps))
        found[article.id] = own
    canon = _aliases(set().union(*found.values()))
    mentioned: dict[str, set[str]] = defaultdict(set)
    for aid, names in found.items():
        for n in names:
            mentioned[canon[n]].add(aid)
    out: dict[str, list[str]] = {}
    for aid in sorted(found):
        mine = {canon[n] for n in found[aid] if mentioned[canon[n]] == {aid}}
        # Show each unique name once, in the article's own longest spelling.
        shown = {c: max((n for n in found[aid] if canon[n] == c), key=lambda n: (len(n), n))
                 for c in mine}
        out[aid] = sorted(shown.values(), key=lambda n: (fold(n), n))
    return out
