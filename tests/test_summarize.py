"""Story summaries: sumy algorithms offline, paraphrase-aware citing, redundancy,
reading order, length, headline choice and the summary cache."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import summarize as S
from generator.cache import Cache
from generator.config import SummaryConfig
from generator.model import Article, Story
from generator.text import split_sentences

FIXTURE = Path(__file__).parent / "fixtures" / "summarize" / "harbor.json"
LIBRARY = Path(__file__).parent / "fixtures" / "summarize" / "library.json"


def make_story(data: dict[str, object] | None = None) -> Story:
    raw = data or json.loads(FIXTURE.read_text(encoding="utf-8"))
    articles = []
    for item in raw["articles"]:  # type: ignore[index]
        article = Article(id=item["id"], path=item["id"], folder="t", title=item["title"],
                          paragraphs=item["paragraphs"], published=item.get("published"))
        article.sentences = [split_sentences(p) for p in article.paragraphs]
        articles.append(article)
    return Story(id="s", slug="s", articles=articles)


def by_id(story: Story) -> dict[str, Article]:
    return {a.id: a for a in story.articles}


def test_summary_sentences_are_verbatim_and_anchors_point_at_the_reporting_sentence() -> None:
    story = make_story()
    arts = by_id(story)
    summary = S.summarize(story, SummaryConfig(sentences=3))
    assert summary
    for sentence in summary:
        assert sentence.articles == sorted(sentence.anchors)
        assert any(sentence.text in a.all_sentences for a in story.articles)
        for aid, index in sentence.anchors.items():
            assert 0 <= index < len(arts[aid].all_sentences)


def test_paraphrases_are_cited_to_every_source_and_not_repeated() -> None:
    story = make_story()
    arts = by_id(story)
    summary = S.summarize(story, SummaryConfig(sentences=4))
    closure = [s for s in summary if "crack" in s.text]
    assert len(closure) == 1, "the closure is reported three times in paraphrase: once"
    assert closure[0].articles == ["a-gazette", "b-courier", "c-tribune"]
    for aid, index in closure[0].anchors.items():
        assert "crack" in arts[aid].all_sentences[index]
    mayor = [s for s in summary if "Ortiz" in s.text]
    assert len(mayor) <= 1
    if mayor:
        assert mayor[0].articles == ["a-gazette", "b-courier", "c-tribune"]


def test_numbers_that_disagree_are_not_the_same_fact() -> None:
    story = make_story()
    groups = S._facts(story.articles)[0]
    traffic = next(c for c in groups if "40,000" in c.text)
    assert set(traffic.carriers) == {"a-gazette", "b-courier"}
    crash = next(c for c in groups if c.text.startswith("Twelve people"))
    assert set(crash.carriers) == {"c-tribune"}


def test_no_fragments_boilerplate_or_dangling_openers() -> None:
    story = make_story()
    summary = S.summarize(story, SummaryConfig(sentences=6))
    texts = [s.text for s in summary]
    assert not any(t.startswith(("However", "He added")) for t in texts)
    assert not any("newsletter" in t for t in texts)
    assert S.dangling("He added that traffic would be diverted.")
    assert S.dangling("However, the closure could last weeks.")
    assert S.dangling("In a statement on Monday, she said the bridge was safe.")
    assert not S.dangling("Mayor Lena Ortiz said she would wait for the review.")
    assert not S.is_candidate("Crack shuts bridge")
    assert not S.is_candidate("Sign up for our newsletter to get the latest traffic news daily.")


def test_dangling_sentences_are_used_when_nothing_better_exists() -> None:
    story = make_story({"articles": [{
        "id": "x", "title": "t", "paragraphs": [
            "However, the council voted to keep the old harbor crane in place for now.",
            "He added that the crane would be painted in the spring by volunteers."]}]})
    summary = S.summarize(story, SummaryConfig(sentences=2))
    assert len(summary) == 2


def test_reading_order_is_news_first_then_first_appearance_by_time() -> None:
    story = make_story()
    summary = S.summarize(story, SummaryConfig(sentences=5))
    ranked = {a.id: i for i, a in enumerate(
        sorted(story.articles, key=lambda a: a.published or ""))}

    def first(sentence: S.SummarySentence) -> tuple[int, tuple[int, int]]:
        # earliest place in an article carrying it, then first appearance by time
        return (min(sentence.anchors.values()),
                min((ranked[aid], idx) for aid, idx in sentence.anchors.items()))

    keys = [first(s) for s in summary]
    assert keys == sorted(keys)
    assert summary[0].text.startswith("City engineers closed"), "a lead comes first"


def test_word_budget_is_filled_with_whole_sentences() -> None:
    story = make_story()
    for budget in (10, 40, 80):
        summary = S.summarize(story, SummaryConfig(words=budget))
        sizes = [len(s.text.split()) for s in summary]
        assert sum(sizes) >= budget, "the budget is filled"
        # ...and no more than needed: without the last one added (at most the longest)
        # it would fall short
        assert sum(sizes) - max(sizes) < budget
    short = S.summarize(story, SummaryConfig(words=10))
    assert len(short) == 1
    assert len(S.summarize(story, SummaryConfig(words=80))) > 1


@pytest.mark.parametrize("count", [1, 2, 3])
def test_sentence_count(count: int) -> None:
    assert len(S.summarize(make_story(), SummaryConfig(sentences=count))) == count


def test_every_algorithm_runs_offline(tmp_path: Path) -> None:
    """No NLTK data anywhere: every sumy summarizer still works."""
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    script = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_summarize import make_story\n"
        "from generator import summarize as S\n"
        "from generator.config import SummaryConfig\n"
        "out = {}\n"
        "for name in sorted(S.ALGORITHMS):\n"
        "    story = make_story()\n"
        "    story.title = S.choose_headline(story)\n"
        "    out[name] = [s.text for s in S.summarize(story, SummaryConfig(algorithm=name,"
        " sentences=3))]\n"
        "print(json.dumps(out))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NLTK")}
    env.update(NLTK_DATA=str(empty), HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert sorted(result) == sorted(S.ALGORITHMS)
    for name, texts in result.items():
        assert len(texts) == 3, name


def test_vector_lexrank_ranks_like_sumy_lexrank() -> None:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.summarizers.lex_rank import LexRankSummarizer

    story = make_story()
    tok = S.OfflineTokenizer()
    sents = [s for a in story.articles for s in a.all_sentences]
    doc = ObjectDocumentModel([Paragraph([Sentence(s, tok) for s in sents])])
    stem = S._stemmer("english")
    plain = LexRankSummarizer(stem)
    plain.stop_words = S._stop_words("english")
    fast = S._fast_lexrank()(stem)
    fast.stop_words = S._stop_words("english")
    a, b = S.RankRecorder(), S.RankRecorder()
    plain(doc, a)
    fast(doc, b)
    assert a.order == b.order


def test_headline_is_the_most_representative_not_the_longest() -> None:
    story = make_story()
    longest = max(story.articles, key=lambda a: len(a.title)).title
    title = S.choose_headline(story)
    assert title != longest
    assert title == "Harbor bridge closes after crack found in main span"


def test_summaries_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path / "c")
    story = make_story()
    config = SummaryConfig(sentences=3)
    first = S.summarize(story, config, cache=cache)

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("summarised twice")

    monkeypatch.setattr(S, "_summary_batch", boom)
    again = S.summarize(make_story(), config, cache=cache)
    assert again == first
    changed = make_story()
    changed.articles[0].sentences[0][0] = "City engineers closed the bridge on Tuesday instead."
    with pytest.raises(AssertionError, match="summarised twice"):
        S.summarize(changed, config, cache=cache)
    with pytest.raises(AssertionError, match="summarised twice"):
        S.summarize(make_story(), SummaryConfig(sentences=2), cache=cache)


def test_corrupt_cache_entries_are_ignored(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    story = make_story()
    config = SummaryConfig(sentences=2)
    first = S.summarize(story, config, cache=cache)
    for damaged in ("{not json", '[{"text": 3}]'):
        cache.commit()
        with sqlite3.connect(tmp_path / "c" / "entries.sqlite") as db:
            assert db.execute("UPDATE entries SET value = ?", (damaged,)).rowcount > 0
        assert S.summarize(make_story(), config, cache=cache) == first


def test_cache_get_put_roundtrip(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("v1", {"b": 1, "a": [1, 2]}, "text")
    assert key == Cache.key("v1", {"a": [1, 2], "b": 1}, "text")
    assert cache.get(key) is None
    cache.put(key, {"x": [1, "é"]})
    assert cache.get(key) == {"x": [1, "é"]}
    assert Cache(tmp_path / "missing" / "deep").get(key) is None


def test_deterministic() -> None:
    a = S.summarize(make_story(), SummaryConfig(sentences=4))
    b = S.summarize(make_story(), SummaryConfig(sentences=4))
    assert a == b


_WORD = st.sampled_from("bridge crack span mayor review city engineers closed traffic port "
                        "old town ferry inspectors steel Monday 40,000 twelve however he".split())
_SENTENCE = st.lists(_WORD, min_size=1, max_size=14).map(
    lambda ws: " ".join(ws).capitalize() + ".")


def split_story(paragraphs: list[list[list[str]]], story_id: str = "s") -> Story:
    """A story of articles given as paragraphs of already split sentences."""
    articles = []
    for i, paras in enumerate(paragraphs):
        article = Article(id=f"a{i}", path=f"a{i}", folder="t", title=f"t{i}",
                          paragraphs=[" ".join(p) for p in paras])
        article.sentences = paras
        articles.append(article)
    return Story(id=story_id, slug=story_id, articles=articles)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.lists(_SENTENCE, min_size=1, max_size=4), min_size=1, max_size=3),
                min_size=1, max_size=3),
       st.sampled_from(sorted(S.ALGORITHMS)))
def test_any_story_gives_verbatim_cited_sentences(
        paragraphs: list[list[list[str]]], algorithm: str) -> None:
    story = split_story(paragraphs)
    summary = S.summarize(story, SummaryConfig(algorithm=algorithm, sentences=3))
    assert 1 <= len(summary) <= 3
    arts = {a.id: a for a in story.articles}
    for sentence in summary:
        assert sentence.articles
        for aid, index in sentence.anchors.items():
            assert 0 <= index < len(arts[aid].all_sentences)
        assert any(sentence.text in a.all_sentences for a in story.articles)


def library() -> Story:
    return make_story(json.loads(LIBRARY.read_text(encoding="utf-8")))


def test_a_fact_inside_a_longer_sentence_is_not_repeated() -> None:
    """Two outlets tell the fact alone, a third after ', while': one summary sentence."""
    story = library()
    for count in (2, 3, 5, 9):
        summary = S.summarize(story, SummaryConfig(sentences=count))
        quint = [s for s in summary if "Quint" in s.text]
        assert len(quint) == 1, [s.text for s in summary]
    assert quint[0].articles == ["a-post", "b-herald"]


def test_clause_containment() -> None:
    story = library()
    data = S._facts(story.articles)[1]
    row = next(i for i, t in enumerate(data.texts) if t.startswith("Readers have started"))
    hit = S._clause_rows(data, row)
    assert hit is not None
    contained = {data.article[i] for i, h in enumerate(hit) if h}
    assert contained == {"a-post", "b-herald"}
    single = next(i for i, t in enumerate(data.texts) if t.startswith("Volunteers"))
    assert S._clause_rows(data, single) is None


def test_redundancy_is_judged_against_every_copy_of_a_chosen_fact() -> None:
    story = make_story()
    groups, data = S._facts(story.articles)
    closure = next(c for c in groups if "crack" in c.text)
    assert len(closure.rows) == 3
    redundant = S._Redundancy(data)
    for row in closure.rows:
        # a sentence close to any one copy is redundant with the whole fact
        alone = S.Candidate(data.texts[row], frozenset(), data.order[row], row=row, rows=(row,))
        assert redundant(alone, closure)
        assert redundant(closure, alone)
    other = next(c for c in groups if c.text.startswith("Twelve people"))
    assert not redundant(other, closure)


def test_vector_lexrank_rates_like_sumy() -> None:
    """rate_counts on a count matrix gives sumy's own LexRank scores."""
    import numpy as np
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.summarizers.lex_rank import LexRankSummarizer

    story = make_story()
    tok = S.OfflineTokenizer()
    sents = [s for a in story.articles for s in a.all_sentences]
    doc = ObjectDocumentModel([Paragraph([Sentence(s, tok) for s in sents])])
    plain = LexRankSummarizer(S._stemmer("english"))
    plain.stop_words = S._stop_words("english")
    words = [plain._to_words_set(s) for s in doc.sentences]
    tf = plain._compute_tf(words)
    idf = plain._compute_idf(words)
    expected = plain.power_method(plain._create_matrix(words, plain.threshold, tf, idf),
                                  plain.epsilon)
    vocab = sorted({w for ws in words for w in ws})
    counts = np.zeros((len(words), len(vocab)))
    for row, ws in enumerate(words):
        for w in ws:
            counts[row, vocab.index(w)] += 1
    fast = S._fast_lexrank()(S._stemmer("english"))
    assert np.allclose(fast.rate_counts(counts), expected)
    from scipy import sparse

    assert np.allclose(fast.rate_counts(sparse.csr_matrix(counts)), expected)


def test_tokens_numbers_and_names() -> None:
    lex = S._lexicon("english")
    assert lex.token("40,000").number == "40000"
    assert lex.token("twelve").number == "12"
    assert lex.token("Ortiz").name == "ortiz"
    assert lex.token("Monday").name == ""
    assert lex.token("the").stem == -1
    assert lex.token("Kremlin’s").stem == lex.token("kremlin").stem
    assert S._TOKEN.findall("About 40,000 cars, he said.") == ["About", "40,000", "cars", "he",
                                                               "said"]


def test_fact_citations_join_the_summary() -> None:
    from generator.model import Article, Fact, SummarySentence
    from generator.summarize import add_fact_citations

    def article(aid: str, sentences: list[str]) -> Article:
        return Article(id=aid, path=aid, folder="f", title=aid, paragraphs=[" ".join(sentences)],
                       sentences=[sentences])

    articles = [article("a", ["The bridge opened on Friday.", "It cost 120 million."]),
                article("b", ["x", "y", "z", "The bridge cost 120 million dollars."]),
                article("c", ["p", "q", "A new bridge opened Friday."]),
                article("d", ["The bridge cost 135 million."])]
    summary = [SummarySentence("The bridge opened on Friday.", ["a"], {"a": 0}),
               SummarySentence("The bridge cost 120 million dollars.", ["b"], {"b": 3})]
    facts = [Fact("The bridge opened on Friday.", ["a", "c"], {"a": 0, "c": 2}),
             Fact("The bridge cost 120 million dollars.", ["a", "b", "d"],
                  {"a": 1, "b": 3, "d": 0})]
    add_fact_citations(summary, facts, articles)
    assert summary[0].articles == ["a", "c"] and summary[0].anchors == {"a": 0, "c": 2}
    # "d" reports a different number: aligned as one claim, but it does not say this.
    assert summary[1].articles == ["a", "b"] and summary[1].anchors == {"a": 1, "b": 3}


def test_summarizers_are_imported_without_nltk() -> None:
    """Every sumy algorithm is set up without importing NLTK (sumy's stemmers module
    imports it for a class digest does not use) or requests (sumy.utils's fetch_url);
    the real modules are there after."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from generator import summarize\n"
            "for name in summarize.ALGORITHMS:\n"
            "    summarize._summarizer(name, 'english')\n"
            "print('nltk' in sys.modules, 'sumy.nlp.stemmers' in sys.modules,\n"
            "      'requests' in sys.modules)\n"
            "import sumy.nlp.stemmers\n"
            "print(hasattr(sumy.nlp.stemmers, 'Stemmer'), 'nltk' in sys.modules)\n"
            "from sumy.summarizers import _summarizer\n"
            "print(_summarizer.null_stemmer('Ab\\u00c7'))\n"
            "import sumy.utils\n"  # requests, imported when sumy.utils first uses it
            "print(sumy.utils.requests.get.__module__, 'requests' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False", "False", "True", "True", "ab\u00e7",
                           "requests.api", "True"]
