"""compare: facts, unique facts, numeric conflicts, quotes, headlines, copies, names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import process
from generator.compare import compare, conflicts, entities, headlines, quotes, syndication
from generator.compare.numbers import aligned_pairs, extract
from generator.model import Article, Conflict, Differences, Story
from generator.text import split_sentences
from tests.util import seeds_config

FIXTURES = Path(__file__).parent / "fixtures" / "compare"


def art(aid: str, *paragraphs: str, title: str = "A headline") -> Article:
    return Article(id=aid, path=f"{aid}.txt", folder="x", title=title,
                   paragraphs=list(paragraphs),
                   sentences=[split_sentences(p) for p in paragraphs])


def story(*articles: Article) -> Story:
    return Story(id="s", slug="s", articles=list(articles))


# --- the seeds ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Story, Differences, dict[str, str]]:
    digest = process(seeds_config(tmp_path_factory.mktemp("seeds")))
    assert len(digest.stories) == 1
    s = digest.stories[0]
    assert s.differences is not None
    ids = {a.id[:3]: a.id for a in s.articles}
    return s, s.differences, ids


@pytest.fixture(scope="module")
def findings() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (FIXTURES / "seed_findings.json").read_text(encoding="utf-8"))
    return data


def test_seed_conflicts(seeds: tuple[Story, Differences, dict[str, str]],
                        findings: dict[str, object]) -> None:
    _, diff, ids = seeds
    expected = findings["conflicts"]
    assert isinstance(expected, list)
    for want in expected:
        values = {ids[k]: float(v) for k, v in want["values"].items()}
        match = [c for c in diff.conflicts if c.about.startswith(f"people {want['measure']}")
                 and all(any(aid in v.articles and v.number == n for v in c.values)
                         for aid, n in values.items())]
        assert match, f"not flagged: {want['about']}"
        assert match[0].kind == want["kind"], want["about"]
    assert len(diff.conflicts) <= int(str(findings["max_conflicts"])), \
        [c.about for c in diff.conflicts]


def test_seed_quotes(seeds: tuple[Story, Differences, dict[str, str]],
                     findings: dict[str, object]) -> None:
    _, diff, ids = seeds
    expected = findings["quotes"]
    assert isinstance(expected, list)
    for want in expected:
        theirs = [q for q in diff.quotes if q.speaker and want["speaker"] in q.speaker]
        assert theirs, f"no quote of {want['speaker']}"
        carried = sorted({a for q in theirs for a in q.articles})
        assert carried == sorted(ids[k] for k in want["articles"]), want["speaker"]
        assert all(q.only_source == want["only_source"] for q in theirs), want["speaker"]


def test_seed_facts_and_unique(seeds: tuple[Story, Differences, dict[str, str]],
                               findings: dict[str, object]) -> None:
    _, diff, ids = seeds
    shared = findings["shared_facts"]
    assert isinstance(shared, list)
    for want in shared:
        fact = next(f for f in diff.facts if want["contains"] in f.text)
        assert set(fact.articles) >= {ids[k] for k in want["articles"]}
        for aid in fact.articles:  # each carrier's own sentence is linked
            assert fact.anchors[aid] >= 0
    unique = findings["unique"]
    assert isinstance(unique, dict)
    for key, needles in unique.items():
        texts = [f.text for f in diff.unique[ids[key]]]
        for needle in needles:
            assert any(needle in t for t in texts), (key, needle)
    # "only here" never lists what another source carries.
    for aid, facts in diff.unique.items():
        for f in facts:
            assert f.articles == [aid]


def test_seed_entities_headlines_copies(seeds: tuple[Story, Differences, dict[str, str]],
                                        findings: dict[str, object]) -> None:
    _, diff, ids = seeds
    names = findings["entities"]
    assert isinstance(names, dict)
    for key, wanted in names.items():
        for name in wanted:
            assert name in diff.entities[ids[key]], (key, name)
    shared = findings["entities_shared"]
    assert isinstance(shared, list)
    for listed in diff.entities.values():
        assert not set(listed) & set(shared)
    words = findings["headline_words"]
    assert isinstance(words, dict)
    by_article = {h.article: h for h in diff.headlines}
    for key, wanted in words.items():
        assert set(wanted) <= set(by_article[ids[key]].distinct_words)
    assert diff.syndication == findings["syndication"]
    assert diff.independent_reports == findings["independent_reports"]


# --- numbers ---------------------------------------------------------------------------

def test_word_and_digit_numbers_are_the_same_value() -> None:
    a = art("a", "Five people were killed in the blast at the market in Lagos on Sunday.")
    b = art("b", "5 people were killed in the blast at the market in Lagos on Sunday.")
    assert conflicts([a, b]) == []


def test_different_count_of_same_thing_is_flagged_with_its_sentences() -> None:
    a = art("a", "Five people were killed in the blast at the market in Lagos on Sunday, "
                 "police said.")
    b = art("b", "Eight people were killed in the blast at the market in Lagos on Sunday.")
    found = conflicts([a, b])
    assert len(found) == 1
    c = found[0]
    assert c.about.startswith("people killed")
    assert c.kind == "differ"
    assert {v.number for v in c.values} == {5.0, 8.0}
    assert {tuple(v.articles) for v in c.values} == {("a",), ("b",)}
    five = next(v for v in c.values if v.number == 5.0)
    assert five.text == a.all_sentences[0]
    assert five.according_to == "police"
    assert five.as_of is not None and "Sunday" in five.as_of


def test_numbers_about_different_things_are_not_a_conflict() -> None:
    a = art("a", "Rebels shot down 29 drones over the port of Novorossiysk overnight.",
            "The ministry approved a package worth 500 million euros for farmers.")
    b = art("b", "The flood destroyed 40 houses in the valley north of the capital.",
            "A court fined the bank 20 million euros for money laundering failures.")
    assert conflicts([a, b]) == []


def test_years_dates_times_and_conversions_are_not_claims() -> None:
    a = art("a", "The war began in February 2022 and the talks opened on May 10 at 21:00 GMT.")
    claims = extract(a, 0, a.all_sentences[0])
    assert claims == []
    b = art("b", "The city is 19 miles (30 km) from the border.")
    assert [c.value for c in extract(b, 0, b.all_sentences[0])] == [19.0]


def test_bounds_and_updates_are_labelled() -> None:
    a = art("a", "At least three people were killed in the night attack on the apartment "
                 "block in Dnipro, officials said.")
    b = art("b", "Five people were killed in the night attack on the apartment block in Dnipro.")
    found = conflicts([a, b])
    assert [c.kind for c in found] == ["bound"]
    c = art("c", "The death toll in the night attack on the apartment block in Dnipro rose to "
                 "12 on Tuesday.")
    found = conflicts([b, c])
    assert len(found) == 1 and found[0].kind == "update"
    assert any(v.update for v in found[0].values)


def test_lower_bound_broken_is_a_contradiction() -> None:
    a = art("a", "At least 23 people were injured in the strike on the school in Sumy.")
    b = art("b", "16 people were injured in the strike on the school in Sumy.")
    assert [c.kind for c in conflicts([a, b])] == ["differ"]


def test_approximate_values_close_together_agree() -> None:
    a = art("a", "About 500 people were evacuated from the flooded villages near the dam.")
    b = art("b", "Some 520 people were evacuated from the flooded villages near the dam.")
    assert conflicts([a, b]) == []


def test_bare_numbers_in_sentences_stating_one_fact_are_compared() -> None:
    # No counted noun: compared only because the two sentences state one fact.
    a = art("a", "The town's population dropped below 150,000 after the mine closed, the "
                 "census office said.")
    b = art("b", "The town's population dropped below 120,000 after the mine closed, the "
                 "census office said.")
    found = conflicts([a, b])
    assert len(found) == 1
    assert {v.number for v in found[0].values} == {150_000.0, 120_000.0}
    # The same bare number in sentences about other things is not compared.
    c = art("c", "Ticket sales dropped below 120,000 for the first time at the stadium.")
    assert conflicts([a, c]) == []


def test_rounded_figures_agree_with_precise_ones() -> None:
    a = art("a", "The House delayed a vote on the $1 trillion infrastructure bill on Thursday.")
    b = art("b", "The House delayed a vote on the $1.2 trillion infrastructure bill on Thursday.")
    assert conflicts([a, b]) == []
    c = art("c", "Ellzey won the runoff with 53 percent of the vote in the district.")
    d = art("d", "Ellzey won the runoff with 53.4 percent of the vote in the district.")
    assert conflicts([c, d]) == []
    e = art("e", "The House delayed a vote on the $2 trillion infrastructure bill on Thursday.")
    assert len(conflicts([a, e])) == 1


def test_counts_on_different_days_are_not_a_conflict() -> None:
    a = art("a", "Police made 86 arrests during the protests in Athens on Saturday.")
    b = art("b", "Police made 120 arrests during the protests in Athens on Sunday.")
    assert conflicts([a, b]) == []


def test_ratios_ranges_and_labels_are_not_claims() -> None:
    a = art("a", "Manning completed 29 of 34 passes, and children aged 5 to 11 can vote on "
                 "Amendment 64 between 20 and 30 times.")
    assert extract(a, 0, a.all_sentences[0]) == []


def test_different_named_subjects_are_not_a_conflict() -> None:
    a = art("a", "On Sunday, Vaughn finished with 16 points in the home win over the league "
                 "leaders.")
    b = art("b", "On Sunday, Clark finished with 25 points in the home win over the league "
                 "leaders.")
    assert conflicts([a, b]) == []
    c = art("c", "On Sunday, Vaughn finished with 25 points in the home win over the league "
                 "leaders.")
    assert len(conflicts([a, c])) == 1


_NEUTRAL = " More details were expected later."


@pytest.mark.parametrize(("first", "second"), [
    ("Vaughn won 40 percent of the vote in the district race on Tuesday.",
     "Clark won 52 percent of the vote in the district race on Tuesday."),
    ("The governor, Maria Lopez, won 52 percent of the vote on Tuesday.",
     "Her challenger, Tom Reed, won 46 percent of the vote on Tuesday."),
    ("Smith scored 20 points in the win over Boston on Friday.",
     "Jones scored 14 points in the win over Boston on Friday."),
    ("Apple reported revenue of $90 billion for the quarter.",
     "Microsoft reported revenue of $62 billion for the quarter."),
    ("In Ohio, 40 people were injured in the storms on Monday.",
     "In Texas, 12 people were injured in the storms on Monday."),
])
def test_sentences_alike_about_different_named_subjects_are_not_a_conflict(
        first: str, second: str) -> None:
    # Each sentence names its own subject or place in the figure's clause (a name
    # opening the sentence counts, unless the story also writes it in lower case).
    d = compare(story(art("a", first + _NEUTRAL), art("b", second + _NEUTRAL)))
    assert d.conflicts == []


@pytest.mark.parametrize(("first", "second", "values"), [
    # The same named subject with another figure: a real disagreement.
    ("Smith won 52 percent of the vote, beating Jones, who took 45 percent.",
     "Jones took 45 percent of the vote while Smith won 53 percent.",
     ["52 percent", "53 percent"]),
    # Names before "said" are who gives the figure, not what it counts: sources disagree.
    ("Officials said 40 people were injured in the storms on Monday.",
     "Police said 12 people were injured in the storms on Monday.",
     ["40 people", "12 people"]),
    ("Forty people were injured in the storms on Monday, according to Ohio officials.",
     "Twelve people were injured in the storms on Monday, according to the Red Cross.",
     ["Forty people", "Twelve people"]),
])
def test_attributions_and_the_same_named_subject_still_conflict(
        first: str, second: str, values: list[str]) -> None:
    d = compare(story(art("a", first + _NEUTRAL), art("b", second + _NEUTRAL)))
    assert [(c.kind, sorted(v.value for v in c.values)) for c in d.conflicts] == [
        ("differ", sorted(values))]


def test_a_name_the_story_writes_in_lower_case_does_not_separate_subjects() -> None:
    # "President" opens one sentence and is a title in the other; the story also writes
    # "president" in lower case, so it is a common word: both are about Biden.
    a = art("a", "President Biden will propose a $6 trillion budget on Friday.",
            "It is his first budget as president.")
    b = art("b", "President Joe Biden will unveil a $9 trillion budget on Friday.")
    d = compare(story(a, b))
    assert [sorted(v.value for v in c.values) for c in d.conflicts] == [
        ["$6 trillion", "$9 trillion"]]


def test_stat_lines_are_not_compared() -> None:
    # Counts of two different things in one sentence (a box score) are not claims.
    a = art("a", "Jon Ortega finished with 25 points and 16 rebounds in the home win over the "
                 "league leaders.")
    b = art("b", "Jon Ortega finished with 22 points and nine rebounds in the home win over the "
                 "league leaders.")
    assert conflicts([a, b]) == []
    # A line of a score and several figures: not compared with a line of another game.
    c = art("c", "Ortega had five points during a 15-2 run as the home side beat the league "
                 "leaders 65-53.")
    d = art("d", "Ortega had 23 points during a 12-4 run as the home side beat the league "
                 "leaders 71-60.")
    assert conflicts([c, d]) == []


def test_two_figures_of_one_sentence_are_not_mixed_up() -> None:
    a = art("a", "Police said there were six arrests at the march on Wednesday, compared to 47 "
                 "the night before.")
    b = art("b", "Police made 47 arrests at the march overnight, officials said.")
    assert conflicts([a, b]) == []
    # Several figures of one kind: paired only when the words around them match.
    c = art("c", "Consumer prices rose 0.9% from May and 5.4% over the past year, the report "
                 "showed.")
    d = art("d", "Consumer prices rose 0.9 percent in the past month after rising 0.6 percent "
                 "in May, the report showed.")
    assert conflicts([c, d]) == []
    # ... and the same name after them when both give one.
    e = art("e", "As of Tuesday, 6 percent of Ohio gas stations and 4 percent of Utah gas "
                 "stations had no fuel, analysts said.")
    f = art("f", "As of Tuesday, 7 percent of Idaho gas stations and 5 percent of Ohio gas "
                 "stations had no fuel, analysts said.")
    assert [{v.number for v in c.values} for c in conflicts([e, f])] == [{6.0, 5.0}]


def test_a_part_or_a_total_is_not_compared_with_another_figure() -> None:
    a = art("a", "Police made 86 arrests during the protests in Athens, officials said.")
    b = art("b", "Police made 200 arrests in total during the protests in Athens, officials "
                 "said.")
    assert conflicts([a, b]) == []
    c = art("c", "The plan includes $300 billion of the $5 trillion total for roads and rail.")
    scopes = {cl.value: cl.scope for cl in extract(c, 0, c.all_sentences[0])}
    assert scopes == {300e9: "part", 5e12: "total"}


def test_figures_of_different_named_subjects_are_not_crossed() -> None:
    a = art("a", "In the loss to Drake, Carter scored 14 points and Smith scored 9 points.")
    b = art("b", "In the loss to Drake, Smith scored 18 points and Carter scored 11 points.")
    found = conflicts([a, b])
    assert found
    for c in found:  # Carter's figures together, Smith's together, never crossed
        assert {v.number for v in c.values} in ({14.0, 11.0}, {9.0, 18.0})


def test_spans_of_time_compare_only_in_one_fact() -> None:
    a = art("a", "The city was calm on Sunday after four days of the worst riots in decades.")
    b = art("b", "Shops reopened after eight days of riots, the mayor told a local radio.")
    assert conflicts([a, b]) == []


def test_reports_days_apart_are_labelled_as_of() -> None:
    a = art("a", "Five people were killed in the blast at the market in Lagos, police said.")
    b = art("b", "Eight people were killed in the blast at the market in Lagos, police said.")
    a.published, b.published = "2024-05-01", "2024-05-04T10:00:00+00:00"
    (c,) = conflicts([a, b])
    assert c.kind == "as_of"
    assert c.note is not None and "2024-05-01" in c.note
    b.published = "2024-05-02"
    assert [x.kind for x in conflicts([a, b])] == ["differ"]


def test_about_uses_the_words_of_the_sentence() -> None:
    a = art("a", "Eight vehicles crossed the damaged bridge before it was closed by police.")
    b = art("b", "Five vehicles crossed the damaged bridge before it was closed by police.")
    (c,) = conflicts([a, b])
    assert c.about.startswith("vehicles (")
    assert "damaged" in c.about and "bridge" in c.about
    e = art("e", "Officials said almost $139 million was committed to the programme.")
    (claim,) = extract(e, 0, e.all_sentences[0])
    assert claim.written == "almost $139 million"


# --- quotes ----------------------------------------------------------------------------

def test_quotes_speakers_pronouns_and_merging() -> None:
    a = art("a", "“We will never give up the city to the invaders,” Mayor Anna Kovalenko said "
                 "on Monday.",
            "She added: “Every street will be defended by its people.”")
    b = art("b", "Kovalenko told reporters that “we will never give up the city to the "
                 "invaders.”",
            "“The bridges are closed,” a police spokesman said.")
    found = quotes([a, b])
    city = next(q for q in found if "give up the city" in q.text)
    assert city.speaker == "Anna Kovalenko"
    assert city.articles == ["a", "b"]
    assert not city.only_source
    street = next(q for q in found if "Every street" in q.text)
    assert street.speaker == "Anna Kovalenko"
    bridges = next(q for q in found if "bridges" in q.text)
    assert bridges.articles == ["b"]
    assert not bridges.only_source  # an unnamed speaker is not flagged


def test_speaker_quoted_by_one_source_stands_out() -> None:
    a = art("a", "“This is the right move,” Alexander Petrov, a retired colonel, told Reuters.")
    b = art("b", "The government did not comment on the decision on Friday evening.")
    (q,) = quotes([a, b])
    assert q.speaker == "Alexander Petrov" and q.only_source


# --- headlines, copies, names ----------------------------------------------------------

def test_headline_distinct_words_use_stems_and_skip_stop_words() -> None:
    a = art("a", "x", title="Russia strikes Kharkiv after talks fail")
    b = art("b", "y", title="Russian strike on Kharkiv kills five")
    h = {x.article: x.distinct_words for x in headlines([a, b])}
    assert h["a"] == ["talks", "fail"]
    assert h["b"] == ["kills", "five"]


def test_copies_are_grouped_and_independent_reports_counted() -> None:
    text = ("The central bank raised its main interest rate by half a point on Thursday. "
            "Governor Maria Lopez said inflation remained too high. Markets fell after the "
            "announcement, with the main index down two percent by the close of trading. "
            "Economists had expected a smaller rise given the slowing economy.")
    a = art("a", text)
    b = art("b", text.replace("Thursday", "Thursday afternoon"))
    c = art("c", "A storm closed schools across the north of the country, officials said. "
                 "Rivers burst their banks in three provinces and roads were cut.")
    assert syndication([a, b, c]) == [["a", "b"]]
    diff = compare(story(a, b, c))
    assert diff.syndication == [["a", "b"]]
    assert diff.independent_reports == 2


def test_entities_aliases_titles_and_sentence_starts() -> None:
    a = art("a", "President Joe Biden met Chancellor Olaf Scholz in Berlin.",
            "Recent talks were tense, Biden said.")
    b = art("b", "Biden and Scholz spoke about Ukraine with Mayor Vitali Klitschko of Kyiv.",
            "Search teams worked through the night in Kyiv.")
    names = entities([a, b])
    assert names["a"] == ["Berlin"]
    assert names["b"] == ["Kyiv", "Ukraine", "Vitali Klitschko"]


# --- whole story -----------------------------------------------------------------------

def test_single_source_story_has_no_differences() -> None:
    diff = compare(story(art("a", "One article alone about the storm in the north.")))
    assert diff.facts == [] and diff.independent_reports == 1


def test_compare_is_deterministic_and_order_independent() -> None:
    a = art("a", "Five people were killed in the blast at the market in Lagos on Sunday.",
            "“We are shocked,” Governor Babajide Sanwo-Olu said.")
    b = art("b", "Eight people were killed in the blast at the market in Lagos on Sunday.",
            "Rescue teams searched the rubble for survivors through the night.")
    one = compare(story(a, b))
    two = compare(story(b, a))
    assert one == two
    assert one.unique["b"][0].text.startswith("Rescue teams")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
                min_size=2, max_size=3))
def test_compare_never_fails_on_arbitrary_text(texts: list[str]) -> None:
    articles = [art(f"a{i}", t or "x") for i, t in enumerate(texts)]
    diff = compare(story(*articles))
    assert diff.independent_reports >= 1
    for aid, facts in diff.unique.items():
        assert all(f.articles == [aid] for f in facts)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aeiklmnorsvyz -", max_size=14),
       st.text(alphabet="aeiklmnorsvyz -", max_size=14))
def test_similar_is_sequencematcher_ratio(a: str, b: str) -> None:
    from difflib import SequenceMatcher

    from generator.compare.entities import _similar
    for threshold in (0.5, 0.8, 0.9):
        assert _similar(a, b, threshold) == (SequenceMatcher(None, a, b).ratio() >= threshold)


def test_similarities_same_with_an_article_split_in_two_runs() -> None:
    from generator.compare.facts import Sentence, similarities
    texts = [("a", "troops crossed the river at dawn"), ("b", "troops crossed a river"),
             ("a", "the river was high at dawn"), ("c", "dawn attack on the river town")]
    grouped = [Sentence(aid, k, t, t.split(), 0.0, {w: 0.5 for w in t.split()})
               for k, (aid, t) in enumerate(sorted(texts, key=lambda x: x[0]))]
    split = [Sentence(aid, k, t, t.split(), 0.0, {w: 0.5 for w in t.split()})
             for k, (aid, t) in enumerate(texts)]

    def by_text(sents: list[Sentence]) -> dict[frozenset[str], float]:
        return {frozenset((sents[i].text, sents[j].text)): v
                for (i, j), v in similarities(sents).items()}
    assert by_text(grouped) == by_text(split)
    assert frozenset(("troops crossed the river at dawn", "the river was high at dawn")) \
        not in by_text(split)  # same article: never paired
    assert by_text(split)[frozenset(texts[0][1:] + texts[1][1:])] == pytest.approx(0.75)


def _aliases_reference(all_names: set[str]) -> dict[str, str]:
    """entities._aliases as first written (every pair, difflib every time): the oracle."""
    from difflib import SequenceMatcher

    from generator.text import fold
    names = sorted(all_names, key=lambda n: (-len(n.split()), -len(n), n))
    canon: dict[str, str] = {}
    for n in names:
        if n in canon:
            continue
        canon[n] = n
        fn = fold(n)
        n_parts = fn.split()
        for m in names:
            if m in canon:
                continue
            fm = fold(m)
            m_parts = fm.split()
            short_alias = len(m_parts) == 1 and len(n_parts) > 1 and len(fm) >= 3 \
                and not m.isupper() and (
                    m_parts[0] in (n_parts[-1], n_parts[0]) or (
                        len(fm) >= 6 and SequenceMatcher(None, fm, n_parts[-1]).ratio() >= 0.9))
            spelling = len(m_parts) == len(n_parts) and min(len(fm), len(fn)) >= 6 \
                and SequenceMatcher(None, fm, fn).ratio() >= 0.9
            if short_alias or spelling:
                canon[m] = n
    return canon


_NAME = st.lists(st.sampled_from(["Zelensky", "Zelenskyy", "Volodymyr", "Kharkiv", "Kharkhiv",
                                  "Biden", "Joe", "NATO", "Jens", "Stoltenberg", "Stoltenburg",
                                  "Oblast", "Ann", "Anna"]), min_size=1, max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.sets(_NAME.map(" ".join), max_size=12))
def test_aliases_same_as_reference(names: set[str]) -> None:
    from generator.compare.entities import _aliases
    assert _aliases(names) == _aliases_reference(names)


def _values(found: list[Conflict]) -> list[list[str]]:
    return [[v.value for v in c.values] for c in found]


def test_a_number_before_a_comma_is_a_claim() -> None:
    # "$1,657," was read as one token "1,657," and dropped.
    a = art("a", "The rise brings the average monthly payment to $1,657, the agency said.")
    b = art("b", "The rise brings the average monthly payment to $1,700, the agency said.")
    assert _values(conflicts([a, b])) == [["$1,657", "$1,700"]]


def test_stat_lines_pair_when_they_share_two_other_figures() -> None:
    # One season's line in two reports: 59 catches and 1,098 yards agree, the touchdowns
    # do not.
    a = art("a", "Marlow had his best season in 2008 with 59 receptions for 1,098 yards and "
                 "seven touchdowns for the champions.")
    b = art("b", "Marlow enjoyed the best of his four seasons in 2008 with 59 catches for "
                 "1,098 yards and nine touchdowns.")
    assert _values(conflicts([a, b])) == [["seven touchdowns", "nine touchdowns"]]
    # Two lines sharing only a small count ("two") are different lines.
    c = art("c", "He finished with 269 yards and two touchdowns rushing and caught 29 passes "
                 "for 201 yards.")
    d = art("d", "He had 793 yards and six touchdowns on 147 carries and caught 39 passes for "
                 "302 yards and another two touchdowns.")
    assert conflicts([c, d]) == []


def test_several_figures_of_one_kind_pair_by_order_when_the_rest_agree() -> None:
    a = art("a", "He had only 269 yards and two touchdowns on 83 carries and another 201 yards "
                 "on 29 catches this season.")
    b = art("b", "He finished with 269 yards and two touchdowns rushing and caught 29 passes for "
                 "301 yards this season.")
    assert _values(conflicts([a, b])) == [["201 yards", "301 yards"]]


def test_a_clock_time_is_not_another_figure() -> None:
    # The "2" of "2:18 p.m." does not make "two other mothers" a mix-up of two figures.
    a = art("a", "At 2:18 p.m., Horton and two other mothers are seen waiting at the corner "
                 "as the school bus pulls up.")
    b = art("b", "Around 2:18 p.m., Horton and four other mothers are seen waiting at the "
                 "corner as the school bus pulls up.")
    assert _values(conflicts([a, b])) == [["two other mothers", "four other mothers"]]


def test_a_set_term_of_time_is_compared() -> None:
    # A sentence or a budget period does not grow with the time of writing.
    a = art("a", "A man who breached the chamber was sentenced on Monday to eight months in "
                 "prison in a closely watched case.")
    b = art("b", "A Florida man charged after breaching the chamber during the riot was "
                 "sentenced Monday to ten months in jail.")
    assert _values(conflicts([a, b])) == [["eight months", "ten months"]]
    # Time elapsed so far still is not: "four days of riots" depends on when one writes.
    c = art("c", "After four days of riots the city imposed a curfew on the centre.")
    d = art("d", "Residents counted eight days of riots before the army arrived in the city.")
    assert conflicts([c, d]) == []


def test_a_shared_specific_figure_ties_two_counts() -> None:
    a = art("a", "Almost all of the 288 candidates running for 125 seats in the parliament came "
                 "from the ruling party.")
    b = art("b", "But more than half of the 301 candidates running for the parliament's 125 "
                 "seats on Sunday are from the ruling party, while others come from unions.")
    assert _values(conflicts([a, b])) == [["288 candidates", "301 candidates"]]


def test_word_numbers_are_left_out_when_sentences_are_aligned_without_numbers() -> None:
    # "two" and "four" are numbers too: the two sentences are one fact without them
    # (with them, two rare words of the story that differ keep the pair below ALIGN).
    shared = ("The chase began near the harbour shortly after midnight. Officers followed "
              "the car through the old town. The driver was arrested a few blocks away. ")
    a = art("a", shared + "During the chase the driver struck two other vehicles, police said.")
    b = art("b", shared + "While fleeing, the driver struck four other vehicles in the old town.")
    assert (("a", 3), ("b", 3)) in aligned_pairs([a, b])
    found = conflicts([a, b])
    assert [{v.number for v in c.values} for c in found] == [{2.0, 4.0}]


def test_a_part_marker_reaches_across_a_list_in_its_clause() -> None:
    a = art("a", "Several people, including a choir and seven children, were inside the church.")
    b = art("b", "He has coached 12 seasons, which includes nearly four years in Denver.")
    c = art("c", "Many people were inside, and later that night seven children were rescued.")
    assert [cl.scope for cl in extract(a, 0, a.all_sentences[0])] == ["part"]
    assert [cl.scope for cl in extract(b, 0, b.all_sentences[0])] == ["", "part"]
    assert [cl.scope for cl in extract(c, 0, c.all_sentences[0])] == [""]
    # Two parts are compared with each other, not with a figure that is no part.
    d = art("d", "Several people, including a choir and two children, were inside the church.")
    assert [{v.number for v in x.values} for x in conflicts([a, d])] == [{7.0, 2.0}]


def test_the_numbers_of_a_score_are_no_mix_up() -> None:
    # "9-3" holds a 9, but the nine in favour is another figure than the 9 of the tally.
    a = art("a", "The jury deadlocked at 9-3 after four days, with nine in favor of the death "
                 "penalty and three against it.")
    b = art("b", "The jury deadlocked at 9-3 after four days, with eleven in favor of the death "
                 "penalty and three against it.")
    assert [{v.number for v in c.values} for c in conflicts([a, b])] == [{9.0, 11.0}]
    # A value both sentences also give to something else is no sign of a mix-up.
    c = art("c", "The dead included seven children aged one to 12, three women and two men.")
    d = art("d", "The dead included seven children aged one to 12, three women and seven men.")
    assert [{v.number for v in x.values} for x in conflicts([c, d])] == [{2.0, 7.0}]


def test_parallel_sentences_compare_a_figure_in_the_same_slot() -> None:
    # One fact written alike, only the figure differs: compared even in a line of
    # statistics, since the rest of the sentence pins down what is counted.
    a = art("a", "Ortega went 7-for-14 from the field and had nine rebounds for the Hawks "
                 "(10-0), who pulled away in the second half.")
    b = art("b", "Ortega went 7-for-14 from the field and had twelve rebounds for the Hawks "
                 "(10-0), who pulled away in the second half.")
    assert [{v.number for v in c.values} for c in conflicts([a, b])] == [{9.0, 12.0}]
    c = art("c", "Ortega had five points during a 15-2 run as the home side beat the league "
                 "leaders 65-53.")
    d = art("d", "Ortega had 23 points during a 15-2 run as the home side beat the league "
                 "leaders 65-53.")
    assert [{v.number for v in x.values} for x in conflicts([c, d])] == [{5.0, 23.0}]


def test_parallel_sentences_with_other_figures_that_differ_are_not_compared() -> None:
    # Another game or season: the other figures of the line differ.
    a = art("a", "He finished with 269 yards and two touchdowns and caught 29 passes for "
                 "201 yards.")
    b = art("b", "He had 793 yards and six touchdowns on 147 carries and caught 39 passes for "
                 "302 yards.")
    assert conflicts([a, b]) == []
    # A part of the game sharing one figure with the whole game's line.
    c = art("c", "Ortega scored 11 points in the second half, grabbed 11 rebounds and blocked "
                 "six shots.")
    d = art("d", "During the deciding 15-2 run, Ortega scored two baskets, grabbed 3 of his 11 "
                 "rebounds and blocked two shots.")
    assert conflicts([c, d]) == []
    # Different named subjects in the same slot (the same subject is compared).
    e = art("e", "On Sunday, Vaughn had nine rebounds and 7 assists for the Hawks (10-0), who "
                 "won 71-57.")
    f = art("f", "On Sunday, Clark had twelve rebounds and 7 assists for the Hawks (10-0), who "
                 "won 71-57.")
    g = art("g", "On Sunday, Vaughn had twelve rebounds and 7 assists for the Hawks (10-0), who "
                 "won 71-57.")
    assert conflicts([e, f]) == []
    assert [{v.number for v in x.values} for x in conflicts([e, g])] == [{9.0, 12.0}]


def test_citizens_of_a_nation_are_its_people() -> None:
    a = art("a", "About 1,500 American citizens remain in the country and wait to leave, the "
                 "minister said on Wednesday.")
    b = art("b", "About 2,100 Americans remain in the country and wait to leave, the minister "
                 "said on Wednesday.")
    assert [{v.number for v in c.values} for c in conflicts([a, b])] == [{1500.0, 2100.0}]
    # A nationality before other things is still skipped: drones are counted, not people.
    c = art("c", "The army said it shot down 29 Ukrainian drones over the border region.")
    assert [cl.label for cl in extract(c, 0, c.all_sentences[0])] == ["drones"]


def test_a_figure_over_a_span_of_time_pairs_with_one_over_the_same_span() -> None:
    a = art("a", "The plan would cost $974 billion over five years or $1.2 trillion over eight "
                 "years, analysts said.")
    b = art("b", "The plan would cost $1.5 trillion over eight years, analysts said.")
    found = conflicts([a, b])
    assert [sorted(v.number for v in c.values) for c in found] == [[1.2e12, 1.5e12]]
    c = art("c", "The plan would cost $974 billion over five years, analysts said.")
    assert all(1.5e12 not in {v.number for v in x.values} for x in conflicts([b, c]))


def test_the_same_named_subject_outweighs_other_names_nearby() -> None:
    a = art("a", "The new poll shows Huckabee in the crowded primary field at 17 percent "
                 "(Romney leads the pack).")
    b = art("b", "In the new poll, Huckabee is in the crowded primary field at 19 percent, tied "
                 "with Trump.")
    assert [sorted(v.number for v in c.values) for c in conflicts([a, b])] == [[17.0, 19.0]]
    c = art("c", "In the new poll, Palin is in the crowded primary field at 19 percent, tied "
                 "with Trump.")
    assert conflicts([a, c]) == []


def test_ranges_of_money_and_ratios_with_a_possessive_are_not_claims() -> None:
    a = art("a", "The firm expects between $70.5 billion and $72.5 billion in revenue, and he "
                 "has three of his four touchdowns in that stretch.")
    assert extract(a, 0, a.all_sentences[0]) == []
    # "the" is no possessive: the seven bullets fired are a count.
    b = art("b", "An autopsy shows he was hit by three of the seven bullets fired by officers.")
    assert 7.0 in [cl.value for cl in extract(b, 0, b.all_sentences[0])]
    c = art("c", "The firm paid $5 million and $7 million in fees.")
    assert [cl.value for cl in extract(c, 0, c.all_sentences[0])] == [5e6, 7e6]


def test_money_or_a_percentage_of_different_things_is_not_compared() -> None:
    a = art("a", "Jackson pleaded guilty to using campaign funds to buy a $43,000 watch and "
                 "other personal items, prosecutors said.")
    b = art("b", "Jackson pleaded guilty to using $750,000 in campaign funds to buy personal "
                 "items, prosecutors said.")
    assert conflicts([a, b]) == []
    c = art("c", "The poll of voters published by the newspaper gave a 4.5 percent margin of "
                 "error.")
    d = art("d", "The poll of voters published by the newspaper said 83 percent were unhappy.")
    assert conflicts([c, d]) == []
    # The same thing on both sides is compared; an adverb ("daily") is no thing.
    e = art("e", "The number of victims was increasing at a rate of 50 percent daily, the firm "
                 "said.")
    f = art("f", "The number of victims was increasing at a rate of 80 percent every day, the "
                 "firm said.")
    assert [sorted(v.number for v in x.values) for x in conflicts([e, f])] == [[50.0, 80.0]]


def test_a_depth_is_not_a_distance() -> None:
    a = art("a", "The quake struck at a depth of 10 kilometres near the town of Bireun, the "
                 "survey said.")
    b = art("b", "The quake struck 55 kilometres south of the town of Bireun, the survey said.")
    assert conflicts([a, b]) == []
    c = art("c", "The quake struck at a depth of 35 kilometres near the town of Bireun, the "
                 "survey said.")
    assert [sorted(v.number for v in x.values) for x in conflicts([a, c])] == [[10.0, 35.0]]


def test_a_span_before_another_event_is_not_a_span_from_now() -> None:
    a = art("a", "The new rules take effect nine days before the inauguration, officials said.")
    b = art("b", "The new rules take effect in 30 days, officials said.")
    assert conflicts([a, b]) == []
    # Two offsets of one kind ("before", "prior to") are compared.
    c = art("c", "His arrest came eleven days before the playoff loss at Pittsburgh.")
    d = art("d", "His arrest came five days prior to the playoff loss at Pittsburgh.")
    assert [sorted(v.number for v in x.values) for x in conflicts([c, d])] == [[5.0, 11.0]]
    # An action after the span makes no offset: "deliberated seven hours before convicting".
    e = art("e", "The jury deliberated almost seven hours before convicting him of murder.")
    assert [cl.offset for cl in extract(e, 0, e.all_sentences[0])] == [""]


def test_a_share_of_a_price_or_a_remainder_is_a_part() -> None:
    a = art("a", "AMD said $281 million of the purchase price will be paid in cash.")
    b = art("b", "AMD is paying $281 million in cash and the remainder in stock, he said.")
    for x in (a, b):
        assert [cl.scope for cl in extract(x, 0, x.all_sentences[0])] == ["part"]
    c = art("c", "AMD agreed to buy the chipmaker for $334 million in cash, he said.")
    assert conflicts([b, c]) == []


# --- bounds, spans and needed figures (round 4) -----------------------------------------

def test_two_bounds_the_same_way_do_not_contradict() -> None:
    # Independent reports: two lower bounds, two upper bounds ("within" is one) agree.
    a = art("a", "The flooding killed at least nine people across the region, swept away cars "
                 "and closed the subway lines.")
    b = art("b", "The storm's remnants brought a historic downpour that killed at least eight "
                 "people across the region.")
    assert conflicts([a, b]) == []
    c = art("c", "More than 180 people were killed in shootings across the country over the "
                 "holiday weekend, the archive said.")
    d = art("d", "Gun violence left at least 150 people dead across the country over the "
                 "holiday weekend, the archive said.")
    assert conflicts([c, d]) == []
    e = art("e", "There were no casualties at the refugee camp, less than 25 km from the border.")
    f = art("f", "An air strike hit the refugee camp on Thursday, within 50 km of the border.")
    assert conflicts([e, f]) == []
    # A bound against a figure that breaks it is still a contradiction.
    g = art("g", "The flooding killed seven people across the region, swept away cars and "
                 "closed the subway lines.")
    assert [c.kind for c in conflicts([a, g])] == ["differ"]


def test_a_bound_worded_identically_but_changed_is_shown() -> None:
    # One report and a copy of it with the bound changed: an edit of the figure.
    a = art("a", "He obtained at least five military deferments from 1965 to 1970, records "
                 "show.")
    b = art("b", "He obtained at least seven military deferments from 1965 to 1970, records "
                 "show.")
    assert [c.kind for c in conflicts([a, b])] == ["bound"]


def test_within_is_an_upper_bound() -> None:
    a = art("a", "One rocket landed within 20 miles of the coastal city, police said.")
    b = art("b", "One rocket landed 17 miles from the coastal city, police said.")
    assert [c.kind for c in conflicts([a, b])] == ["bound"]
    c = art("c", "One rocket landed 27 miles from the coastal city, police said.")
    assert [c.kind for c in conflicts([a, c])] == ["differ"]


def test_a_bound_that_rounds_the_figure_agrees() -> None:
    a = art("a", "Republicans unveiled an infrastructure offer on Thursday that would spend "
                 "$928 billion on roads and bridges.")
    b = art("b", "Republicans unveiled an infrastructure offer on Thursday that would spend "
                 "more than $920 billion on roads and bridges.")
    assert conflicts([a, b]) == []
    c = art("c", "The governor committed almost $139 million to reverse the rise in shootings "
                 "across the state.")
    d = art("d", "The governor committed $138 million to reverse the rise in shootings across "
                 "the state.")
    assert conflicts([c, d]) == []
    # Far from the bound: still shown as a bound ("five" vs "at least three").
    e = art("e", "The governor committed almost $139 million to reverse the rise in shootings "
                 "across the state.")
    f = art("f", "The governor committed $90 million to reverse the rise in shootings across "
                 "the state.")
    assert [c.kind for c in conflicts([e, f])] == ["bound"]


def test_over_after_a_figure_is_its_span_not_a_bound() -> None:
    a = art("a", "The proposal would cost $1.2 trillion over eight years and include new "
                 "spending.")
    claims = extract(a, 0, a.all_sentences[0])
    years = [c for c in claims if c.noun == "year"]
    assert len(years) == 1 and years[0].qualifier is None and years[0].written == "eight years"
    b = art("b", "The proposal would cost $1.2 trillion over ten years and include new "
                 "spending.")
    assert len(conflicts([a, b])) == 1
    c = art("c", "Over 20 people were hurt in the crash on the motorway, police said.")
    assert [x.qualifier for x in extract(c, 0, c.all_sentences[0])] == ["more than"]


def test_a_needed_figure_is_not_compared_with_one_reached() -> None:
    a = art("a", "The senior needed nine points in the game against Evansville on Thursday "
                 "to pass the record.")
    b = art("b", "The senior passed the record while posting 20 points in the game against "
                 "Evansville on Thursday.")
    assert conflicts([a, b]) == []
    c = art("c", "The senior needed 12 points in the game against Evansville on Thursday to "
                 "pass the record.")
    assert len(conflicts([a, c])) == 1


def test_a_copy_of_one_report_is_compared_whatever_else_it_holds() -> None:
    # One report and a copy with the figure changed: compared though the line of statistics
    # alone (a box score) would keep it out.
    a = art("a", "Ortega generated a double-double with 11 points, 11 rebounds and six swats, "
                 "with most of that production after half.")
    b = art("b", "Ortega generated a double-double with 11 points, 11 rebounds and twelve swats, "
                 "with most of that production after half.")
    assert [{v.number for v in x.values} for x in conflicts([a, b])] == [{6.0, 12.0}]
    # ... and a part marker in one copy ("included") with the rest worded alike.
    c = art("c", "At least 12 of one family, seven children aged from one to 12, three women "
                 "and two men, were killed in an air strike on their house.")
    d = art("d", "The dead of the air strike included nine children aged from one to 12 years, "
                 "three women and two men.")
    assert [{v.number for v in x.values} for x in conflicts([c, d])] == [{7.0, 9.0}]


def test_a_copy_needs_the_same_other_figures_and_the_same_kind_of_figure() -> None:
    # Other figures differ: another game, not a copy.
    a = art("a", "Ortega finished with 25 points and 16 rebounds in the home win over the "
                 "league leaders on Sunday.")
    b = art("b", "Ortega finished with 22 points and nine rebounds in the home win over the "
                 "league leaders on Sunday.")
    assert conflicts([a, b]) == []
    # A figure needed is not one reached, however alike the words after it.
    c = art("c", "The senior needed nine points in the game against the visitors on Thursday "
                 "to pass the record.")
    d = art("d", "The senior passed the record while posting 20 points in the game against "
                 "the visitors on Thursday.")
    assert conflicts([c, d]) == []
    # Different named subjects in the same words.
    e = art("e", "On Tuesday, Vaughn won 40 percent of the vote in the state primary, results "
                 "showed.")
    f = art("f", "On Tuesday, Clark won 52 percent of the vote in the state primary, results "
                 "showed.")
    assert conflicts([e, f]) == []


def test_a_name_opening_the_sentence_counts_as_a_name() -> None:
    # "Locke" opens one sentence and "Salazar" the other: both name the same two people.
    a = art("a", "Salazar and Locke said the two departments will jointly decide if any "
                 "changes are needed to the rules.")
    b = art("b", "Locke and Salazar said the five departments will jointly decide if any "
                 "changes are needed to the rules.")
    assert [{v.number for v in x.values} for x in conflicts([a, b])] == [{2.0, 5.0}]


def test_a_set_term_for_a_span_of_time_is_compared() -> None:
    # "suspended ... for two years" in both: a set term, compared when the sentences agree.
    a = art("a", "Acme Inc has banned ex-Governor Jane Doe's video and photo channels for two "
                 "years.")
    b = art("b", "On Friday, Acme's policy chief, John Roe, said the company has banned Jane "
                 "Doe's video channels for six years and could let her return only under strict "
                 "rules.")
    assert [{v.number for v in x.values} for x in conflicts([a, b])] == [{2.0, 6.0}]
    # Spans after "for" in sentences about different things are not compared.
    c = art("c", "The network has suspended the former governor's accounts for two years, the "
                 "company said.")
    d = art("d", "Protesters have camped outside the offices of the network for six years, "
                 "residents said.")
    assert conflicts([c, d]) == []


# --- cheaper, same results --------------------------------------------------------------

_WORDISH = st.lists(st.sampled_from(
    [*"abcXYZ019 _'’-.,;é", "e\u0301", "İ", "ß", "٣", "\u00a0", "\u200b", "ﬁ", "Ⅻ"]),
    max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(_WORDISH)
def test_lexicon_words_are_text_words(text: str) -> None:
    from generator.compare.lexicon import folded_words, word_count, words
    from generator.text import fold
    from generator.text import words as text_words
    assert words(text) == text_words(text)
    assert list(folded_words(text)) == text_words(fold(text))
    assert word_count(text) == len(text_words(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("a b c d the of 5 x".split()), max_size=12),
       st.integers(min_value=-2, max_value=6))
def test_shingles_are_every_run_of_n_words(tokens: list[str], n: int) -> None:
    from generator.compare.syndication import shingles
    expected = {tuple(tokens[i:i + n]) for i in range(max(0, len(tokens) - n + 1))}
    assert shingles(" ".join(tokens), n) == expected


def test_aligned_pairs_same_with_the_alignments_claims() -> None:
    from generator.compare.facts import align
    a = art("a", "Rescuers said 12 people were killed when the bridge collapsed on Monday.",
            "The bridge had been closed for repairs since the spring, officials said.")
    b = art("b", "Officials said 14 people were killed when the bridge collapsed on Monday.",
            "It was the second collapse in the region this year.")
    aligned = align([a, b])
    before = [(s.text, list(s.terms), dict(s.vec)) for s in aligned.sentences]
    assert aligned_pairs([a, b], aligned.facts, alignment=aligned) \
        == aligned_pairs([a, b], aligned.facts)
    assert (("a", 0), ("b", 0)) in aligned_pairs([a, b], aligned.facts, alignment=aligned)
    assert [(s.text, s.terms, s.vec) for s in aligned.sentences] == before  # read, not changed


_FACT_WORDS = st.sampled_from(
    "troops crossed the river at dawn bridge collapsed killed 12 14 two seven people "
    "officials said rescuers town 1,500 flood water rose".split())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.lists(_FACT_WORDS, min_size=6,
                                                          max_size=12)),
                min_size=2, max_size=8))
def test_number_free_similarities_are_those_computed_again(
        sents: list[tuple[str, list[str]]]) -> None:
    from generator.compare.facts import Sentence, align, similarities, vectorise
    from generator.compare.numbers import _number_free, _number_free_similarities
    paragraphs: dict[str, list[str]] = {}
    for aid, ws in sents:
        paragraphs.setdefault(aid, []).append(" ".join(ws).capitalize() + ".")
    articles = [art(aid, *ps) for aid, ps in sorted(paragraphs.items())]
    aligned = align(articles)
    again = [Sentence(s.article, s.index, s.text, _number_free(s.terms), s.position)
             for s in aligned.sentences]
    vectorise(again)
    assert _number_free_similarities(aligned) == similarities(again)  # the same floats


def _names_in_reference(sentence: str, lower_words: set[str], mid_caps: set[str]) -> list[str]:
    """entities._names_in as first written (every token read in turn): the oracle."""
    import re

    from generator.compare.entities import (
        _OPENERS,
        _TOKEN,
        CONNECTORS,
        NOT_NAMES,
        ORG_WORDS,
        STOP,
        TITLES,
    )
    from generator.text import fold
    toks = [m.group() for m in re.finditer(_TOKEN, sentence)]
    names: list[str] = []
    run: list[str] = []
    run_start = False

    def add(parts: list[str], at_start: bool) -> None:
        parts = [p[:-2] if p.endswith(("’s", "'s")) else p for p in parts]
        first = fold(parts[0])
        if at_start and (first in lower_words if len(parts) > 1 else first not in mid_caps):
            parts = parts[1:]
        while parts and fold(parts[0]) in STOP:
            parts = parts[1:]
        if any("-" in p and not p.split("-")[-1][:1].isupper() for p in parts) or not parts:
            return
        name = " ".join(parts)
        low = fold(name)
        if len(parts) == 1 and (low in NOT_NAMES or low in STOP or len(low) < 2
                                or (low in lower_words and not parts[0].isupper())
                                or (low.endswith(("ian", "ean", "ese", "ish"))
                                    and not parts[0].isupper())):
            return
        names.append(name)

    def flush() -> None:
        nonlocal run
        while run and fold(run[-1]) in CONNECTORS:
            run.pop()
        if run:
            add(run, run_start)
        run = []

    prev = ""
    for k, tok in enumerate(toks):
        at_start = k == 0 or prev in _OPENERS or prev in ".!?"
        low = fold(tok)
        if tok[:1].isupper() and tok[:1].isalpha():
            if low in TITLES or low.rstrip(".") in TITLES:
                flush()
            else:
                if not run:
                    run_start = at_start
                run.append(tok)
                if tok.endswith(("’s", "'s")):
                    flush()
        elif run and low in CONNECTORS and k + 1 < len(toks) and toks[k + 1][:1].isupper() \
                and (len(run) == 1 or fold(run[-1]) in ORG_WORDS):
            run.append(tok)
        else:
            flush()
        prev = tok
    flush()
    return names


_NAME_WORDS = st.sampled_from(
    "Joe Biden Bank of England the The Mayor President Igor Terekhov Russia's Kharkiv said "
    "on In a US-supplied American-made Ukrainian de la von Der “ ” \" ( ) . , : ! ? — "
    "Ⅻ Éric McDonald's NATO of and Monday i I 12 Al bin Salman’s UN".split())


@settings(max_examples=400, deadline=None)
@given(st.lists(_NAME_WORDS, max_size=14), st.sets(st.sampled_from(
    "the bank kharkiv russia of said joe".split())), st.sets(st.sampled_from(
        "joe biden kharkiv the in nato".split())))
def test_names_in_is_the_token_by_token_reading(words: list[str], lower: set[str],
                                                mid: set[str]) -> None:
    from generator.compare.entities import _names_in
    sentence = " ".join(words)
    assert _names_in(sentence, lower, mid) == _names_in_reference(sentence, lower, mid)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    "two twenty-one 12 1,500 3.5 -4 five-year ten x-ray ½ ٣ ① one zero the - million "
    "fifty-five seven-eleven".split()), max_size=10))
def test_maybe_numbers_keeps_every_number(tokens: list[str]) -> None:
    from generator.compare.numbers import _maybe_numbers, _number_value
    from generator.text import fold
    low = [fold(t) for t in tokens]
    maybe = set(_maybe_numbers(low))
    assert all(k in maybe for k, t in enumerate(low) if _number_value(t) is not None)
    assert all(k in maybe for k, t in enumerate(tokens) if _number_value(t) is not None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    [*"aZ09 ,.-'’$%()[]:_", "US", "Mr.", "12,500", "3.5", "G7", "COVID-19", "é", "İ", "٣"]),
    max_size=30).map("".join))
def test_folded_number_tokens_by_lower_casing_ascii(sentence: str) -> None:
    from generator.compare.numbers import _TOKEN
    from generator.text import fold
    if sentence.isascii():
        assert _TOKEN.findall(sentence.lower()) == [fold(t) for t in _TOKEN.findall(sentence)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(
    [*"Aa ,.;’'\")-\n", "Kyiv", "the", "Biden's", "said", "NATO", "ok", "(", "”", "x-ray"]),
    max_size=12).map("".join), min_size=1, max_size=5))
def test_story_words_are_those_of_each_sentence(sentences: list[str]) -> None:
    import re

    from generator.compare.numbers import _MID_NAME, _story_lower, _story_names
    from generator.text import fold
    a = Article(id="a", path="a.txt", folder="x", title="t", paragraphs=sentences,
                sentences=[[s] for s in sentences])
    names = {fold(m.group(1)).removesuffix("'s").removesuffix("’s")
             for s in sentences for m in _MID_NAME.finditer(s)}
    lower = {w for s in sentences for w in re.findall(r"\b[a-z][\w’'\-]*", s)}
    assert _story_names([a]) == names
    assert _story_lower([a]) == lower


def _word_cases_reference(text: str) -> tuple[set[str], set[str]]:
    """entities' lower-case and mid-sentence capital words as first written: the oracle."""
    from generator.compare.entities import _PUNCTUATION, _SENTENCE_OPENERS
    from generator.compare.lexicon import fold_word
    toks = text.split()
    stripped = [t.strip(_PUNCTUATION) for t in toks]
    lower_words = set(map(fold_word, {w for w in stripped if w[:1].islower()}))
    mid_caps = set(map(fold_word, {w for w, before in zip(stripped[1:], toks, strict=False)
                                   if w[:1].isupper() and before[-1:] not in _SENTENCE_OPENERS}))
    return lower_words, mid_caps


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    "Joe joe “Biden” biden. The the Kyiv, (Kyiv) “We said: . ! ? — … É é ‘Oh’ "
    "\t \n NATO nato".split(" ")), max_size=20))
def test_word_cases_same_as_reference(words: list[str]) -> None:
    from generator.compare.entities import _word_cases
    text = " ".join(words)
    assert _word_cases(text) == _word_cases_reference(text)
