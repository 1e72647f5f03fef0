from __future__ import annotations

import os
import re

import pysbd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pysbd.lang.english import English as EnglishRules

from generator.text import (
    _fast_english,
    _split,
    fold,
    normalize_space,
    one_sentence,
    slugify,
    split_sentences,
    stop_words,
    words,
)

PARAGRAPHS = [
    "Mr. Smith went to Washington on Jan. 5. He met U.S. officials at 3 p.m. and left.",
    "The bill passed 52-48. \"It is a good day,\" she said. Critics disagreed!",
    "Prices rose 2.5% in May (up from 2.1%). Analysts expected 2.4%; they were wrong.",
    "A single sentence without any inner boundary",
    "Dr. Jane Roe, Ph.D., spoke first. Then the U.N. envoy spoke… Briefly.",
    "“Are you sure?” he asked. “Yes.” The vote was held at 10.30 a.m. on Friday.",
]


@pytest.mark.parametrize("paragraph", PARAGRAPHS)
def test_same_sentences_as_pysbd(paragraph: str) -> None:
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
    expected = [normalize_space(s) for s in segmenter.segment(paragraph)]
    assert split_sentences(paragraph) == [s for s in expected if s]


def test_a_trailing_ellipsis_stays_with_its_sentence() -> None:
    assert split_sentences("The minister said the plan is...") == [
        "The minister said the plan is..."]


def test_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Mr.", "Smith", "said", "U.S.", "3.5", "it.", "Yes!",
                                 "why?", "“Go.”", "(AFP)", "a", "…", "e.g.", "Jan.", "5,"]),
                min_size=1, max_size=25))
def test_sentences_are_verbatim_and_in_order(tokens: list[str]) -> None:
    paragraph = " ".join(tokens)
    sentences = split_sentences(paragraph)
    position = 0
    for sentence in sentences:
        found = paragraph.find(sentence, position)
        assert found >= 0, (sentence, paragraph)
        position = found + len(sentence)


# --- the English fast path gives pysbd's sentences ---------------------------------
#
# Paragraphs built from news-like pieces, with the shapes pysbd has rules for:
# abbreviations from pysbd's own list (any case), initials, numbers, decimals,
# ellipses, quotes of every kind, brackets, lists, URLs, e-mails, ?! runs...

_ABBREVIATIONS = sorted(EnglishRules.Abbreviation.ABBREVIATIONS)
_WORDS = ["the", "said", "a", "in", "it", "was", "officials", "may", "no", "is", "us",
          "ice", "egg", "van", "co", "v", "p", "I", "I'm", "players'", "don't", "Trump’s",
          "Smith", "Washington", "The", "He", "She", "They", "However", "In", "It", "We",
          "A", "Being", "More", "Millions", "KG", "AP", "COVID-19", "PM", "AM", "U", "S",
          "Yahoo!", "Yum!", "x", "iv", "ii", "mix", "D-W.Va", "café", "Ünal", "1990s"]
_NUMBERS = ["1", "2", "3", "9", "10", "12", "0", "2020", "3.5", "52-48", "1,000", "$5",
            "10%", "4:30", "1.", "2.", "3)", "4)", "0.45", "45°", "°C", "12.5.", "(2)"]
_SPECIAL = ["U.S.", "u.s.", "U.S.A.", "U.K.", "E.U.", "D.C.", "a.m.", "p.m.", "A.M.", "P.M.",
            "e.g.", "i.e.", "Ph.D.", "J.", "A.", "a.", "b.", "c)", "(a)", "(b)", "i.", "ii.",
            "(i)", "(iv)", "...", "…", ". . .", ". . . .", "....", "?!", "!?", "??", "!!",
            "!!!", "???", "www.example.com", "https://x.org/a.b", "news@example.com",
            "file .pdf", "Co. KG", "Jr.'s", "--", "—", "–", "-", ",", ";", ":", ".", "!",
            "?", "'", "‘", "’", '"', "“", "”", "(", ")", "[", "]", "«", "»", "[1]", "[2, 3]",
            "No. 5", "p. 7", "Art. (1)", "St. Louis", "Mr. Smith", "Gov.", "Sen.", "Rep."]


def _abbreviation(abbr: str, case: int) -> str:
    return [abbr, abbr.capitalize(), abbr.upper()][case] + "."


_PIECE = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_NUMBERS),
    st.sampled_from(_SPECIAL),
    st.builds(_abbreviation, st.sampled_from(_ABBREVIATIONS), st.integers(0, 2)),
)
_OPEN = st.sampled_from(["", "", "", "“", '"', "(", "‘", "'", "[", "«", "--"])
_CLOSE = st.sampled_from(["", "", "", "", ".", ",", "?", "!", ".”", ",”", "?”", "!”", '."',
                          '?"', ")", ").", ".)", "’", ".’", "'", ".'", "]", "»", ":", ";",
                          "...", "…", "!\"", "-”", "--"])
_SEPARATOR = st.sampled_from([" ", " ", " ", " ", " ", "", "  ", "\n"])


@st.composite
def _news_paragraph(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(_OPEN, _PIECE, _CLOSE, _SEPARATOR), min_size=1,
                           max_size=30))
    return "".join(o + p + c + s for o, p, c, s in pieces)


def _pysbd_sentences(paragraph: str) -> list[str]:
    """Plain pysbd with split_sentences' own handling around it: whitespace normalised
    in the paragraph and each sentence, empty sentences dropped, and a paragraph with
    no possible stop before its end kept whole (``one_sentence``, older than the fast
    path)."""
    paragraph = normalize_space(paragraph)
    if not paragraph:
        return []
    if one_sentence(paragraph):
        return [paragraph]
    segmenter = pysbd.Segmenter(language="en", clean=False)
    out = [normalize_space(s) for s in segmenter.segment(paragraph)]
    return [s for s in out if s]


_EXAMPLES = int(os.environ.get("DIGEST_SPLIT_EXAMPLES", "300"))
_SOUP = st.text(alphabet=list(" .!?,;:'\"“”‘’()[]«»-—…°aAbBiIvVxXsSmMpPuU019\n"), max_size=60)


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.one_of(_news_paragraph(), _SOUP))
def test_fast_path_is_pysbds_processor(paragraph: str) -> None:
    """Where the fast path answers, it answers what pysbd's Processor.process does."""
    paragraph = normalize_space(paragraph)
    if not paragraph:
        return
    fast = _fast_english(paragraph)
    if fast is not None:
        processor = pysbd.Segmenter(language="en", clean=False).processor(paragraph)
        assert fast == processor.process(), paragraph


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.one_of(_news_paragraph(), _SOUP))
def test_split_sentences_is_plain_pysbd(paragraph: str) -> None:
    _split.cache_clear()
    assert split_sentences(paragraph) == _pysbd_sentences(paragraph), paragraph


def test_the_fast_path_answers_ordinary_news_and_declines_what_it_does_not_model() -> None:
    for paragraph in [*PARAGRAPHS, "He said “we will win.” Then he left (briefly). Why? No!",
                      "Gov. Jane Roe, a Democrat, met U.S. and E.U. envoys at 3 p.m. today."]:
        assert _fast_english(normalize_space(paragraph)) is not None, paragraph
    for paragraph in ["a) apples. b) pears c) plums", "Items: 1. one 2. two 3. three",
                      "Placeholder ∯ here. And.", "Back\\slash. Here.", "We saw thin ice. and",
                      "Full stop。Next"]:
        assert _fast_english(paragraph) is None, paragraph
        assert split_sentences(paragraph) == _pysbd_sentences(paragraph), paragraph


@pytest.mark.parametrize("paragraph", [
    "The items 1) apples 2) pears and 3) plums. Then more",  # pysbd's list items
    "He said “rock-” Then it ended. Yes",  # pysbd splits after -” before a capital
    "Roe v. Wade was decided in 1973. It stood for decades.",
    "He arrived at 5 p.m. The talks began.",
    "It was raining... Then it stopped. The end…",
    "He asked “why?” and left. “No.” She agreed!",
    "The U.S. I think is right. Yes.",
    "Dr. No. 5 (see p. 7) is here. Art. (1) applies. Co. KG wins.",
])
def test_shapes_pysbd_has_rules_for(paragraph: str) -> None:
    _split.cache_clear()
    assert split_sentences(paragraph) == _pysbd_sentences(paragraph)


def test_words_fold_and_slugify() -> None:
    assert words("U.S. talks, Zelenskyy’s well-known plan: 3.5%") == [
        "U.S", "talks", "Zelenskyy’s", "well-known", "plan", "3.5"]
    assert fold("Café ÉLAN’s") == "cafe elan's"
    assert fold("plain ASCII") == "plain ascii"
    assert slugify("Biden allows Ukraine to hit Russian targets!") == (
        "biden-allows-ukraine-to-hit-russian-targets")
    assert len(slugify("word " * 40)) <= 60


def _reference_fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed
                   if not unicodedata.combining(c)).replace("’", "'").lower()


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40))
def test_fold_of_non_ascii_runs_equals_folding_the_whole_text(text: str) -> None:
    assert fold(text) == _reference_fold(text)


SUMY_LANGUAGES = ["english", "german", "french", "czech", "japanese", "chinese", "spanish",
                  "ukrainian", "Greek"]


@pytest.mark.parametrize("language", [*SUMY_LANGUAGES, "klingon", "en", "deu", "xx"])
def test_stop_words_are_sumys(language: str) -> None:
    from sumy.utils import get_stop_words

    try:
        expected = frozenset(get_stop_words(language))
    except LookupError:
        expected = frozenset(get_stop_words("english"))
    assert stop_words(language) == expected


def test_stop_words_of_a_named_language_do_not_import_sumy_utils() -> None:
    import subprocess
    import sys

    code = ("import sys; from generator.text import stop_words; stop_words('german'); "
            "stop_words('nonesuch'); print('sumy.utils' in sys.modules, 'requests' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


@given(st.text(st.sampled_from(list("ab .\n\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680"
                                     "\u2000\u2007\u200b\u2028\u2029\u202f\u205f\u3000\ufeff")))
       | st.text())
def test_normalize_space_is_the_whitespace_substitution(text: str) -> None:
    assert normalize_space(text) == re.sub(r"\s+", " ", text).strip()


def test_str_split_and_backslash_s_agree_on_every_character() -> None:
    import sys

    space = re.compile(r"\s")
    disagree = [hex(c) for c in range(sys.maxunicode + 1)
                if bool(space.match(chr(c))) != chr(c).isspace()]
    assert disagree == []
