"""Tests for generator.cluster: events, overrides, reasons, stable slugs, scale pieces."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import clean as clean_stage
from generator import load as load_stage
from generator.cluster import cluster, group_articles, story_slug
from generator.cluster.features import extract, vectors
from generator.cluster.link import average_link, candidate_pairs
from generator.config import ClusterConfig, ConfigError, load_config
from generator.model import Article, Story

FIXTURES = Path(__file__).parent / "fixtures" / "cluster"
ROOT = Path(__file__).resolve().parent.parent


def _events() -> tuple[list[Article], dict[str, str]]:
    data = json.loads((FIXTURES / "events.json").read_text(encoding="utf-8"))
    articles = [Article(id=a["id"], path=f"{a['id']}.txt", folder="content",
                        title=a["title"], paragraphs=a["paragraphs"],
                        published=a["published"]) for a in data["articles"]]
    gold = {a["id"]: a["event"] for a in data["articles"]}
    return articles, gold


def _partition(stories: list[Story]) -> set[frozenset[str]]:
    return {frozenset(a.id for a in s.articles) for s in stories}


def _gold_partition(gold: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for article, event in gold.items():
        by.setdefault(event, set()).add(article)
    return {frozenset(v) for v in by.values()}


def _article(id: str, title: str, text: str, published: str | None = None,
             story: str | None = None) -> Article:
    return Article(id=id, path=f"{id}.txt", folder="content", title=title,
                   paragraphs=[text], published=published, story=story)


# --- same event together, different events of the same kind apart -----------------

def test_events_of_the_same_kind_stay_apart() -> None:
    articles, gold = _events()
    stories = cluster(articles, ClusterConfig())
    assert _partition(stories) == _gold_partition(gold)


def test_result_does_not_depend_on_input_order() -> None:
    articles, _ = _events()
    first = cluster(articles, ClusterConfig())
    shuffled = articles[:]
    random.Random(3).shuffle(shuffled)
    second = cluster(shuffled, ClusterConfig())
    assert [(s.slug, s.id, [a.id for a in s.articles], s.reasons) for s in first] == \
        [(s.slug, s.id, [a.id for a in s.articles], s.reasons) for s in second]


def test_articles_outside_the_window_are_never_grouped() -> None:
    articles, _ = _events()
    quake = [a for a in articles if a.id.startswith("quake-a")]
    late = dataclasses.replace(quake[0], id="quake-a-late", published="2025-03-20T06:10:00+00:00")
    stories = cluster([*quake, late], ClusterConfig(window_days=3.0))
    assert frozenset({"quake-a-late"}) in _partition(stories)
    # A window wide enough lets the copy join (half-life off so time does not decay it).
    wide = cluster([*quake, late], ClusterConfig(window_days=30.0, half_life_days=0.0))
    assert len(wide) == 1


def test_half_life_decays_similarity_with_time() -> None:
    a = _article("a", "Kestria quake", "Earthquake in Kestria kills 12 in Varnel.",
                 "2025-03-01T00:00:00+00:00")
    b = _article("b", "Kestria quake", "Earthquake in Kestria kills 12 in Varnel.",
                 "2025-03-03T00:00:00+00:00")
    features = [extract(x) for x in (a, b)]
    matrix = vectors(features)
    times = [1740787200.0, 1740960000.0]
    flat = candidate_pairs(matrix, times, 5 * 86400.0, 0.0)
    decayed = candidate_pairs(matrix, times, 5 * 86400.0, 0.0, half_life=86400.0)
    assert flat[(0, 1)] == pytest.approx(1.0)
    assert decayed[(0, 1)] == pytest.approx(0.25)


def test_seeds_make_one_story_of_five() -> None:
    loaded = load_stage.load([("seeds", ROOT / "seeds")])
    articles = [clean_stage.clean(d, "english") for d in loaded.documents]
    articles = [a for a in articles if not [p for p in a.problems if p.severity == "error"]]
    config = load_config(ROOT / "digest.toml")
    stories = cluster(articles, config.cluster)
    assert len(articles) == 5
    assert [len(s.articles) for s in stories] == [5]
    assert any(r.startswith("shared names: ") for r in stories[0].reasons)


def test_small_corpus_similarity_is_not_degenerate() -> None:
    # With corpus idf alone, five articles on one event look barely similar (every
    # shared word is "common"); the background weighting keeps them well above the
    # threshold.
    articles, _ = _events()
    quake = [a for a in articles if a.id.startswith("quake-a")]
    matrix = vectors([extract(a) for a in quake])
    sim = (matrix @ matrix.T).toarray()
    assert sim[np.triu_indices(3, 1)].min() > 3 * ClusterConfig().threshold


# --- names ---------------------------------------------------------------------

def test_names_are_capitalised_sequences_not_sentence_starts() -> None:
    article = _article("n", "Quake news", (
        "Officials said the United States sent aid. Rescue teams from the Red Cross "
        "arrived in Varnel on Tuesday. Yesterday the governor, Elena Vasquez, spoke. "
        "Varnel is calm."))
    names = extract(article).names
    assert {"united", "states", "red", "cross", "varnel", "elena", "vasquez"} <= set(names)
    assert "officials" not in names
    assert "yesterday" not in names
    assert "rescue" not in names
    assert "tuesday" not in names  # dates are not names
    assert names["varnel"] == 2  # mid-sentence use licenses the sentence start


def test_title_case_headlines_are_not_read_for_names() -> None:
    article = _article("t", "Officials Warn Of Rising River Levels", "Water rose in Oslen.")
    assert set(extract(article).names) == {"oslen"}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=60))
def test_features_never_fail_on_arbitrary_text(text: str, title: str) -> None:
    features = extract(_article("x", title, text))
    assert all(n > 0 for n in features.names.values())
    matrix = vectors([features, features])
    assert matrix.shape[0] == 2


# --- manual control ---------------------------------------------------------------

def test_pinned_articles_skip_clustering() -> None:
    articles, _ = _events()
    pinned = [dataclasses.replace(a, story="Kestria quake") if a.id == "quake-b-1" else a
              for a in articles]
    stories = cluster(pinned, ClusterConfig())
    by_slug = {s.slug: s for s in stories}
    assert [a.id for a in by_slug["kestria-quake"].articles] == ["quake-b-1"]
    assert by_slug["kestria-quake"].id == "Kestria quake"
    assert by_slug["kestria-quake"].reasons == ["pinned with front matter 'story: Kestria quake'"]
    assert frozenset({"quake-b-2", "quake-b-3"}) in _partition(stories)


def test_merge_and_split_override_the_clustering() -> None:
    articles, _ = _events()
    config = ClusterConfig(merge=[["rehab-a-1", "rehab-b-2"]],
                           split=[["quake-a-3"], ["quake-b-2", "quake-b-3", "no-such-id"]])
    stories = cluster(articles, config)
    parts = _partition(stories)
    assert frozenset({"rehab-a-1", "rehab-a-2", "rehab-b-1", "rehab-b-2"}) in parts
    assert frozenset({"quake-a-3"}) in parts
    assert frozenset({"quake-a-1", "quake-a-2"}) in parts
    assert frozenset({"quake-b-2", "quake-b-3"}) in parts
    assert frozenset({"quake-b-1"}) in parts
    reasons = {frozenset(a.id for a in s.articles): s.reasons for s in stories}
    merged = reasons[frozenset({"rehab-a-1", "rehab-a-2", "rehab-b-1", "rehab-b-2"})]
    assert merged == ["merged by cluster.merge in digest.toml: rehab-a-1, rehab-b-2"]
    assert "kept apart as one story by cluster.split in digest.toml" in \
        reasons[frozenset({"quake-a-3"})]
    assert "articles taken out by cluster.split" in reasons[frozenset({"quake-a-1", "quake-a-2"})]


def test_overrides_leave_pinned_articles_alone() -> None:
    articles, _ = _events()
    pinned = [dataclasses.replace(a, story="mine") if a.id == "rehab-a-1" else a
              for a in articles]
    stories = cluster(pinned, ClusterConfig(merge=[["rehab-a-1", "rehab-b-1"]],
                                            split=[["rehab-a-1"]]))
    ids = [a.id for s in stories for a in s.articles]
    assert sorted(ids) == sorted(a.id for a in articles)  # every article exactly once
    assert frozenset({"rehab-a-1"}) in _partition(stories)


def test_reasons_name_shared_names_and_similarity() -> None:
    articles, _ = _events()
    stories = cluster(articles, ClusterConfig())
    quake = next(s for s in stories if s.articles[0].id.startswith("quake-a"))
    names, similarity = quake.reasons
    assert names.startswith("shared names: ")
    for name in ("Kestria", "Varnel", "Vasquez"):
        assert name in names
    assert "(3 of 3 articles)" in names
    assert similarity.startswith("average similarity 0.")
    assert "(threshold 0.12)" in similarity


# --- stable identity ---------------------------------------------------------------

def test_slug_is_anchored_on_the_earliest_article() -> None:
    articles, _ = _events()
    stories = cluster(articles, ClusterConfig())
    quake = next(s for s in stories if s.articles[0].id.startswith("quake-a"))
    assert quake.id == "quake-a-1"
    assert quake.slug == "2025-03-04-strong-earthquake-hits-kestria-province-at-least-12-dead"
    assert quake.slug == story_slug(articles[0])


def test_slug_survives_a_joining_article_and_unrelated_changes() -> None:
    articles, _ = _events()
    before = {s.id: s.slug for s in cluster(articles, ClusterConfig())}
    joining = _article("quake-a-4", "Aid reaches Varnel",
                       "Aid convoys reached Varnel in Kestria province on Wednesday as "
                       "Governor Elena Vasquez said the 6.4 earthquake left 12 dead.",
                       "2025-03-05T07:00:00+00:00")
    unrelated = _article("budget", "Parliament passes budget",
                         "Lawmakers in Sorvia approved the annual budget on Thursday.",
                         "2025-03-06T10:00:00+00:00")
    changed = [dataclasses.replace(a, title=a.title + " (updated)")
               if a.id == "rehab-b-2" else a for a in articles]
    after_stories = cluster([*changed, joining, unrelated], ClusterConfig())
    after = {s.id: s.slug for s in after_stories}
    for story_id, slug in before.items():
        assert after[story_id] == slug
    quake = next(s for s in after_stories if s.id == "quake-a-1")
    assert "quake-a-4" in [a.id for a in quake.articles]


def test_slug_collisions_keep_the_earlier_story_plain() -> None:
    a = _article("x1", "Budget passes", "Lawmakers in Sorvia approved the budget.",
                 "2025-03-06T08:00:00+00:00")
    b = _article("x2", "Budget passes", "Rain flooded the valley roads near Oslen overnight.",
                 "2025-03-06T09:00:00+00:00")
    stories = cluster([b, a], ClusterConfig(threshold=0.99))
    slugs = {s.id: s.slug for s in stories}
    assert slugs["x1"] == "2025-03-06-budget-passes"
    assert slugs["x2"].startswith("2025-03-06-budget-passes-") and slugs["x2"] != slugs["x1"]


# --- linkage --------------------------------------------------------------------

def _naive_average_link(sim: np.ndarray, threshold: float) -> list[list[int]]:
    groups = [[i] for i in range(sim.shape[0])]
    while True:
        best, pair = threshold, None
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                score = float(sim[np.ix_(groups[x], groups[y])].mean())
                if score > best:
                    best, pair = score, (x, y)
        if pair is None:
            return sorted(sorted(g) for g in groups)
        x, y = pair
        groups[x] = groups[x] + groups.pop(y)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2, max_value=9), st.integers(min_value=0, max_value=10_000))
def test_sparse_average_link_matches_the_textbook_algorithm(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sim = rng.random((n, n)) * (rng.random((n, n)) < 0.6)
    sim = np.triu(sim, 1)
    sim = sim + sim.T
    pairs = {(i, j): float(sim[i, j]) for i in range(n) for j in range(i + 1, n) if sim[i, j]}
    fast = average_link(n, pairs, 0.3, [None] * n, 1.0)
    assert sorted(fast) == _naive_average_link(sim, 0.3)


def test_average_link_never_spans_more_than_the_window() -> None:
    pairs = {(0, 1): 0.9, (1, 2): 0.9, (0, 2): 0.9}
    times = [0.0, 2 * 86400.0, 4 * 86400.0]
    groups = average_link(3, pairs, 0.1, times, 3 * 86400.0)
    assert all(max(times[i] for i in g) - min(times[i] for i in g) <= 3 * 86400.0
               for g in groups)
    assert len(groups) == 2


def test_name_veto_keeps_two_established_stories_apart() -> None:
    # Two groups of four, strongly linked inside, weakly (but above threshold) across;
    # each carries its own protagonist the other lacks.
    n = 8
    pairs = {}
    for i in range(n):
        for j in range(i + 1, n):
            same = (i < 4) == (j < 4)
            pairs[(i, j)] = 0.8 if same else 0.3
    keys = [["klitschko", "rahman"]] * 4 + [["klitschko", "thompson"]] * 4
    assert len(average_link(n, pairs, 0.2, [None] * n, 1.0)) == 1
    assert len(average_link(n, pairs, 0.2, [None] * n, 1.0, keys=keys)) == 2


def test_candidate_pairs_compare_only_within_the_window() -> None:
    articles = [_article(f"a{i}", "Kestria quake", "Earthquake in Kestria kills 12 in Varnel.")
                for i in range(6)]
    matrix = vectors([extract(a) for a in articles])
    day = 86400.0
    times: list[float | None] = [0.0, 0.5 * day, 10 * day, 10.2 * day, 30 * day, None]
    pairs = candidate_pairs(matrix, times, 1.0 * day, 0.05, block=2)
    assert set(pairs) == {(0, 1), (2, 3), (0, 5), (1, 5), (2, 5), (3, 5), (4, 5)}


def test_group_articles_reports_reasons_only_for_groups() -> None:
    articles, _ = _events()
    for members, why in group_articles(articles, ClusterConfig()):
        assert bool(why) == (len(members) > 1)


def test_half_life_must_not_be_negative(tmp_path: Path) -> None:
    toml = tmp_path / "digest.toml"
    toml.write_text("[cluster]\nhalf_life_days = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="half_life_days"):
        load_config(toml)


@pytest.mark.parametrize("code", ["en", "de", "ja"])
def test_word_lists_read_directly_equal_wordfreqs(code: str) -> None:
    import wordfreq

    from generator.cluster.features import _read_word_list

    direct = _read_word_list(code)
    assert direct is not None and direct == wordfreq.get_frequency_dict(code, wordlist="best")


def test_words_looked_up_in_one_batch_get_the_whole_lists_frequencies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch lookup reads wordfreq's list as it is stored (no dict of every word) and
    gives each word the frequency of the whole list: the later centibel for a word
    listed twice, 0.0 for one not listed; English's real list included."""
    from generator.cluster import features

    features.use_word_lists(None)
    english = features._frequencies("en")
    words = sorted({*list(english)[::997], "the", "zzzqxj-not-a-word"})
    assert features._lookup_many("en", words) == {w: english.get(w, 0.0) for w in words}
    fake = [(0.1, ["a", "b"]), (0.01, ["b", "c"])]
    monkeypatch.setattr(features, "_buckets", lambda code: fake)
    assert features._lookup_many("xx", ["a", "b", "c", "d"]) \
        == {"a": 0.1, "b": 0.01, "c": 0.01, "d": 0.0}
    assert features._read_word_list("xx") == {"a": 0.1, "b": 0.01, "c": 0.01}
    features._LOADED.discard("xx")


def test_codes_that_need_language_matching_are_left_to_wordfreq() -> None:
    from generator.cluster.features import _read_word_list

    assert _read_word_list("pt-BR") is None and _read_word_list("xx") is None


# --- extraction: the faster paths against the plain ones -------------------------------

_PLAIN_TOKEN_RE = re.compile(r"[^\W_](?:[\w]|['’\-.](?=\w))*|[.!?:;\"“”()\[\]|\n]")
"""The token pattern extract() used before (alternation tried at every character)."""
_TOKEN_TEXT = st.lists(st.one_of(
    st.sampled_from([*"aZé9_ '’-.!?:;\"“”()[]|\n,", "Mr.", "U.S.", "don't", "e-mail",
                     "a.-b", "x'", "3.5", "'s", "Li’l", "Bank of England", "The"]),
    st.characters(blacklist_categories=("Cs",))), max_size=60).map("".join)


@settings(max_examples=500, deadline=None)
@given(_TOKEN_TEXT)
def test_token_pattern_finds_the_plain_patterns_tokens(text: str) -> None:
    from generator.cluster.features import _TOKEN_RE

    assert _TOKEN_RE.findall(text) == _PLAIN_TOKEN_RE.findall(text)


def _plain_extract(article: Article, language: str = "english") -> tuple[object, ...]:
    """extract() as it was: the plain pattern and a cached call per distinct token."""
    from collections import Counter

    from generator.cluster import features as f

    lang = f._sumy_language(article.language or language)
    stops = f.stop_words(lang)
    words: dict[str, float] = {}
    numbers: Counter[str] = Counter()
    names: Counter[str] = Counter()
    forms: dict[str, str] = {}
    surface: dict[str, str] = {}
    title_tokens = _PLAIN_TOKEN_RE.findall(article.title)
    body_tokens = _PLAIN_TOKEN_RE.findall(article.text)
    for tokens, weight in ((title_tokens, f.TITLE_WEIGHT), (body_tokens, 1.0)):
        for tok, count in Counter(tokens).items():
            if tok in f._BREAKS:
                continue
            kind, key, word = f._word(tok, lang)
            if kind == 1:
                words[key] = words.get(key, 0.0) + weight * count
                if key != word and (key not in surface or word < surface[key]):
                    surface[key] = word
            elif kind == 2:
                numbers[key] += count
    if not f._title_case(article.title, stops):
        f._names(title_tokens, stops, names, forms)
    f._names(body_tokens, stops, names, forms)
    return tuple(list(d.items()) for d in (words, names, numbers, forms, surface))


@settings(max_examples=200, deadline=None)
@given(_TOKEN_TEXT, st.lists(_TOKEN_TEXT, min_size=1, max_size=4))
def test_extract_gives_the_plain_extractions_features_in_order(
        title: str, paragraphs: list[str]) -> None:
    article = Article(id="a", path="a.md", folder="f", title=title, paragraphs=paragraphs)
    for _ in range(2):  # the second time from the token table
        f = extract(article)
        got = tuple(list(d.items()) for d in (f.words, f.names, f.numbers, f.forms, f.surface))
        assert got == _plain_extract(article)


def test_wordfreq_list_is_loaded_ahead_only_when_the_cache_keeps_no_list_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.cluster import cached, features

    loaded: list[str] = []
    monkeypatch.setattr(features, "load_frequencies", loaded.append)
    cached.load_unlisted(None, "english")  # no build cache: clustering will load it
    cached.load_unlisted(tmp_path, "english")  # a cache without the list file
    assert loaded == ["en", "en"]
    tag = "wordfreq " + cached.distribution_tag("wordfreq")
    cached.list_path(tmp_path, tag, "en").write_bytes(b"kept")
    cached.load_unlisted(tmp_path, "english")
    assert loaded == ["en", "en"]
