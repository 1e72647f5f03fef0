from __future__ import annotations

import pysbd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.text import fold, normalize_space, slugify, split_sentences, stop_words, words

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
