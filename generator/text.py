"""Text helpers shared by the stages: sentences, words, slugs, hashes.

Sentence splitting uses pysbd, whose rules ship with the package: nothing is
downloaded at run time (sumy's default NLTK punkt tokenizer would need data).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import pysbd

# ISO 639-1 codes pysbd knows, by the language names sumy uses.
PYSBD_LANGUAGES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it",
    "dutch": "nl", "russian": "ru", "polish": "pl", "greek": "el", "danish": "da",
    "japanese": "ja", "chinese": "zh", "arabic": "ar", "armenian": "hy", "hindi": "hi",
    "persian": "fa", "urdu": "ur", "amharic": "am", "burmese": "my", "kazakh": "kk",
    "marathi": "mr", "bulgarian": "bg", "slovak": "sk",
}

_WORD_RE = re.compile(r"[^\W_](?:[^\W_]|['’\-.](?=[^\W_]))*", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


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


_INNER_BOUNDARY = re.compile(r"[.!?…:;。！？]")
_TRAILING = ".!?…\"'”’»)]。！？ "


@lru_cache(maxsize=65536)
def _split(paragraph: str, code: str) -> tuple[str, ...]:
    if not _INNER_BOUNDARY.search(paragraph.rstrip(_TRAILING)):
        return (paragraph,)  # no punctuation that could end a sentence before the end
    out = [normalize_space(p) for p in _segment(_segmenter(code), paragraph)]
    return tuple(p for p in out if p)


def split_sentences(paragraph: str, language: str = "english") -> list[str]:
    """Split one paragraph into sentences (verbatim, whitespace normalised)."""
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
    return _SPACE_RE.sub(" ", text).strip()


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
