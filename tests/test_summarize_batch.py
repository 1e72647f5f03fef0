"""summarize_all: several stories summarised in one pass give each story exactly the
summary it gets alone, whatever else is in the batch and whatever the process saw
before; the batch's tokeniser, lexicon and LexRank agree with the per-item versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import summarize as S
from generator.cache import Cache
from generator.config import SummaryConfig
from generator.model import Article, Story, SummarySentence
from tests.test_summarize import library, make_story, split_story

TRICKY = Path(__file__).parent / "fixtures" / "summarize" / "tricky.json"

OLD_TOKEN = re.compile(r"[^\W_](?:[^\W_]|['’\-.](?=[^\W_])|,(?=\d))*")
"""The token pattern before the faster equivalent form now in S._TOKEN."""


def tricky() -> list[Story]:
    raw = json.loads(TRICKY.read_text(encoding="utf-8"))
    stories = []
    for item in raw["stories"]:
        articles = []
        for a in item["articles"]:
            article = Article(id=a["id"], path=a["id"], folder="t", title=a["id"],
                              paragraphs=[" ".join(p) for p in a["sentences"]],
                              published=a.get("published"))
            article.sentences = a["sentences"]
            articles.append(article)
        stories.append(Story(id=item["id"], slug=item["id"], articles=articles))
    return stories


def big_story() -> Story:
    """Every fixture article four times over (as other outlets): more than 63 sentences,
    so sentence sets no longer fit one machine word."""
    articles = []
    for copy in range(4):
        for story in (make_story(), library()):
            for a in story.articles:
                a.id = f"{a.id}-{copy}"
                articles.append(a)
    return Story(id="big", slug="big", articles=articles)


def every_story() -> list[Story]:
    return [make_story(), library(), *tricky(), big_story()]


def test_sentence_sets_are_the_pair_tests() -> None:
    import numpy as np
    datas = S._prepare([s.articles for s in every_story()])
    assert max(len(d) for d in datas) > 63
    batch = datas[0].batch
    close = S._same(batch, S.REDUNDANT_COSINE, S.REDUNDANT_OVERLAP, S.REDUNDANT_SHARED)
    for data in datas:
        for flat, masks in ((close, batch.close_masks), (batch.shared >= S.CLAUSE_SHARED,
                                                          batch.maybe_masks)):
            matrix = data.matrix(flat)
            for i in range(len(data)):
                mask = masks[data.start + i]
                assert [y for y in range(len(data)) if mask >> y & 1] == \
                    np.flatnonzero(matrix[i]).tolist()


def alone(stories: list[Story], config: SummaryConfig) -> list[list[S.SummarySentence]]:
    """Each story summarised by itself in a fresh lexicon (as a new worker would)."""
    out = []
    for story in stories:
        S._lexicon.cache_clear()
        out.append(S.summarize(story, config))
    return out


CONFIGS = [SummaryConfig(), SummaryConfig(sentences=2), SummaryConfig(words=40),
           SummaryConfig(algorithm="textrank", sentences=3)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.algorithm}-{c.sentences}-{c.words}")
def test_batch_gives_each_story_its_own_summary(config: SummaryConfig) -> None:
    stories = every_story()
    expected = alone(stories, config)
    S._lexicon.cache_clear()
    assert S.summarize_all(stories, config) == expected
    # Another order, a warm lexicon, and a story twice in one batch.
    again = [*reversed(stories), stories[0]]
    assert S.summarize_all(again, config) == [*reversed(expected), expected[0]]


def test_tricky_stories_still_get_sensible_summaries() -> None:
    by = {s.id: s for s in tricky()}
    got = dict(zip(by, S.summarize_all(list(by.values()), SummaryConfig()), strict=True))
    assert got["nothing"] == [] and got["blank"] == []
    assert [s.text for s in got["single"]] == [by["single"].articles[0].sentences[0][0]]
    # Only fragments: each article's first sentence stands in.
    assert [s.anchors for s in got["fragments"]] == [{"c": 0}, {"d": 0}]
    twins = got["twins"]
    ferry = [s for s in twins if s.text.startswith("The river ferry")]
    assert len(ferry) == 1 and ferry[0].articles == ["a", "b"]
    # 40,000 and 45,000: different numbers, not one fact cited to both.
    for s in twins:
        if "repairs" in s.text:
            assert len(s.articles) == 1
    # Three standalone facts: no dangling opener ("He added", "However,") among them, the
    # festival's return cited to all three outlets, a NUL inside a sentence kept verbatim.
    odd = S.summarize_all([by["odd"]], SummaryConfig(sentences=3))[0]
    sentences = [t for a in by["odd"].articles for t in a.all_sentences]
    assert len(odd) == 3 and all(s.text in sentences for s in odd)
    assert not any(s.text.startswith(("He added", "However", "It is what")) for s in odd)
    assert any(s.articles == ["h", "i", "j"] and "twelve" in s.text for s in odd)
    assert any("\x00" in s.text for s in odd)


def batch_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of stories of each batch ``summarize_all`` summarises from now on."""
    sizes: list[int] = []
    real = S._summary_batch

    def spy(batch: list[Story], *args: object) -> list[list[SummarySentence]]:
        sizes.append(len(batch))
        return real(batch, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(S, "_summary_batch", spy)
    return sizes


def test_batches_are_cut_by_sentence_count(monkeypatch: pytest.MonkeyPatch) -> None:
    stories = every_story()
    expected = S.summarize_all(stories, SummaryConfig())
    seen = batch_sizes(monkeypatch)
    monkeypatch.setattr(S, "BATCH_SENTENCES", 12)
    assert S.summarize_all(stories, SummaryConfig()) == expected
    assert len(seen) > 1 and sum(seen) == len(stories)


def test_batch_uses_and_fills_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path / "c")
    stories = every_story()
    first = S.summarize_all(stories[:3], SummaryConfig(), cache=cache)
    calls = batch_sizes(monkeypatch)
    both = S.summarize_all(stories, SummaryConfig(), cache=cache)
    assert both[:3] == first
    assert calls == [len(stories) - 3]  # only the misses are summarised
    assert [S.summarize(s, SummaryConfig(), cache=cache) for s in stories] == both
    assert calls == [len(stories) - 3]


_WORD = st.sampled_from("bridge crack span mayor review city engineers closed traffic port "
                        "old town ferry inspectors steel Monday 40,000 45,000 twelve however "
                        "he she Ortiz Lee U.S. it’s the of".split())
_SENTENCE = st.lists(_WORD, min_size=1, max_size=16).map(
    lambda ws: " ".join(ws).capitalize() + ".")
_ARTICLES = st.lists(st.lists(st.lists(_SENTENCE, min_size=0, max_size=5), min_size=1,
                              max_size=2), min_size=0, max_size=4)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ARTICLES, min_size=1, max_size=4))
def test_any_batch_equals_each_story_alone(raw: list[list[list[list[str]]]]) -> None:
    stories = [split_story(paragraphs, f"s{n}") for n, paragraphs in enumerate(raw)]
    config = SummaryConfig(sentences=3)
    expected = alone(stories, config)
    S._lexicon.cache_clear()
    assert S.summarize_all(stories, config) == expected


_TEXT = st.text(alphabet=st.sampled_from([*list("aZé9_0 ,.'’-—;\x00\n"), "ß", "٣", "x"]),
                max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_token_pattern_equals_the_old_one(text: str) -> None:
    assert S._TOKEN.findall(text) == OLD_TOKEN.findall(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | _TEXT)
def test_array_scanner_finds_what_the_regex_finds(text: str) -> None:
    scanned = S._scan(text)
    if scanned is None:  # only a string numpy cannot take (the regex is used then)
        with pytest.raises(UnicodeError):
            text.encode("utf-32-le", "surrogatepass")
        return
    starts, ends, keys, codes, upper, inside, punct = scanned
    found = [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    assert found == S._SCAN.findall(text)
    assert "".join(map(chr, codes[inside].tolist())) == "".join(found)
    assert upper.tolist() == [t[0].isupper() for t in found]
    assert punct.tolist() == [i for i, c in enumerate(text) if c in "“”\"—–;-"]
    same = {(k, t) for k, t in zip(keys.tolist(), found, strict=True)}
    assert len({k for k, _ in same}) == len(same)  # one string per key


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=30) | _TEXT, max_size=6))
def test_token_ids_across_batches_are_the_strings(texts: list[str]) -> None:
    """Ids by the scanner's remembered keys (a second batch mostly hits them) name the
    tokens the regex finds; a lexicon already holding tokens from the regex agrees."""
    lex = S._Lexicon("english")
    half = S._MARK.join(texts[: len(texts) // 2]) + S._MARK
    lex.add([t for t in dict.fromkeys(S._SCAN.findall(half)) if t not in lex.ids])
    for text in (half, S._MARK.join(texts) + S._MARK, S._MARK.join(texts[::-1]) + S._MARK):
        tids = S._token_ids(lex, text).tolist()
        assert [lex.raw[t] for t in tids] == S._SCAN.findall(text)


_SHAPE_TEXT = st.lists(st.sampled_from([*list("aZ9 .!?\"'“”‘’)»,;"), "É", "ß", "ǅ", "He ",
                                        "however, ", "They", "word ", "Mayor "]),
                       max_size=24).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SHAPE_TEXT, min_size=1, max_size=6))
def test_sentence_shapes_of_a_batch_are_each_sentences(texts: list[str]) -> None:
    import numpy as np
    joined = S._MARK.join(texts)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    got = S._shapes(joined, lengths)
    assert got is not None
    assert got[0].tolist() == [S._shaped(t) for t in texts]
    assert got[1].tolist() == [sum(len(t) + 1 for t in texts[:k]) for k in range(len(texts))]
    scanned = S._scan(joined)  # the quotation marks where the scanner found them
    assert scanned is not None
    given = S._shapes(joined, lengths, scanned[3], scanned[6])
    assert given is not None
    assert given[0].tolist() == got[0].tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(_SHAPE_TEXT, min_size=1, max_size=6))
def test_batch_quality_is_each_sentences(texts: list[str]) -> None:
    """0 standalone, 1 dangling, 2 not a candidate: as the per-sentence tests say."""
    article = Article(id="a", path="a", folder="t", title="t", paragraphs=texts,
                      sentences=[texts])
    data = S._describe(S._Batch("english"), [[article]])[0]
    for text, quality in zip(data.texts, data.quality, strict=True):
        tokens = S._TOKEN.findall(text)
        expected = (2 if not S.is_candidate(text, tokens)
                    else 1 if S.dangling(text, tokens) else 0)
        assert quality == expected, text


def test_a_hash_collision_falls_back_to_the_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np
    real = S._scan

    def colliding(text: str) -> tuple[object, ...] | None:
        got = real(text)
        assert got is not None
        return got[0], got[1], np.zeros(len(got[2]), dtype=np.uint64), *got[3:]  # keys equal

    monkeypatch.setattr(S, "_scan", colliding)
    lex = S._Lexicon("english")
    text = "Port closed; ferry 40,000.\x00Mayor U.S. it’s\x00"
    tids = S._token_ids(lex, text).tolist()
    assert [lex.raw[t] for t in tids] == S._SCAN.findall(text)


def test_keys_colliding_with_remembered_ones_fall_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys by length only: equal-length words collide within a batch and with words a
    batch before remembered; the characters tell them apart, so ids stay the strings."""
    import numpy as np
    real = S._scan

    def by_length(text: str) -> tuple[object, ...] | None:
        got = real(text)
        assert got is not None
        starts, ends = got[0], got[1]
        keys = np.where(ends - starts == 1, 0, ends - starts).astype(np.uint64)
        keys[np.asarray(got[3])[starts] != 0] += np.uint64(100)  # the mark keeps key 0
        return got[0], got[1], keys, *got[3:]

    monkeypatch.setattr(S, "_scan", by_length)
    lex = S._Lexicon("english")
    for text in ("cats dogs\x00", "ferry port\x00", "ferry\x00", "harbor dock\x00",
                 "port cats dock\x00"):
        tids = S._token_ids(lex, text).tolist()
        assert [lex.raw[t] for t in tids] == S._SCAN.findall(text)


def test_keys_whose_slot_another_key_holds_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """With two slots nearly every remembered key is found among the sorted keys: each
    token still gets one id, across batches."""
    monkeypatch.setattr(S, "_SLOT_BITS", 1)
    lex = S._Lexicon("english")
    texts = ["Port closed; ferry 40,000.\x00Mayor U.S. it’s\x00",
             "The ferry closed.\x00Port Mayor said it’s 40,000\x00",
             "Ferry port, mayor\x00"]
    seen: dict[str, int] = {}
    for text in texts:
        tids = S._token_ids(lex, text).tolist()
        assert [lex.raw[t] for t in tids] == S._SCAN.findall(text)
        for t in tids:
            assert seen.setdefault(lex.raw[t], t) == t


@settings(max_examples=100, deadline=None)
@given(st.lists(_TEXT, max_size=6))
def test_one_pass_over_a_batch_finds_each_sentences_tokens(texts: list[str]) -> None:
    article = Article(id="a", path="a", folder="t", title="t", paragraphs=texts,
                      sentences=[texts])
    batch = S._Batch("english")
    data = S._describe(batch, [[article]])[0]
    raw = batch.lexicon.raw
    for i, text in enumerate(data.texts):
        assert [raw[t] for t in batch.tokens(data.start + i)] == S._TOKEN.findall(text)


_OPENING = st.lists(st.sampled_from([*S._DANGLING_WORDS, "The", "HE", "Its", "in", "as a",
                                     "the offic", "on the", " ", "’", "'", "“", "s", "_", "-",
                                     "é", "ſ", "K", "r", "x", "9"]),
                    max_size=5).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_OPENING, max_size=6))
def test_dangling_openings_tree_finds_what_the_plain_alternation_finds(texts: list[str]) -> None:
    plain = re.compile(S._MARK + "[“\"'‘ ]*(?:" + "|".join(map(re.escape, S._DANGLING_WORDS))
                       + r")\b", re.I)
    joined = S._MARK + S._MARK.join(texts)
    assert ([m.start() for m in S._DANGLING_AT.finditer(joined)]
            == [m.start() for m in plain.finditer(joined)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab'’sS", max_size=6), max_size=6))
def test_possessive_pattern_strips_what_the_look_behind_form_strips(tokens: list[str]) -> None:
    joined = S._MARK.join(tokens) + S._MARK
    before = re.compile("(?<=[^\x00])['’]s(?=\x00)")
    assert S._POSSESSIVE.sub("", joined) == before.sub("", joined)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), max_size=4), min_size=1, max_size=4))
def test_reading_order_of_each_row(sizes: list[list[int]]) -> None:
    """(article rank, paragraph, sentence) of every row, empty paragraphs and articles
    included."""
    articles = []
    for a, paragraphs in enumerate(sizes):
        sentences = [[f"Sentence {a} {p} {k} is here." for k in range(n)]
                     for p, n in enumerate(paragraphs)]
        articles.append(Article(id=f"a{a}", path="a", folder="t", title="t",
                                paragraphs=[" ".join(x) for x in sentences],
                                sentences=sentences, published=f"2024-01-0{a + 1}"))
    data = S._describe(S._Batch("english"), [articles])[0]
    expected = [(a, p, k) for a, paragraphs in enumerate(sizes)
                for p, n in enumerate(paragraphs) for k in range(n)]
    assert data.order == expected
    assert [data.texts[i] for i in range(len(data))] == [
        f"Sentence {a} {p} {k} is here." for a, p, k in expected]


_BOILER_TEXT = st.lists(st.sampled_from([*S._BOILERPLATE_PHRASES, "Copyrights", "log  in",
                                          "a@b.c", "x@", "@y.z", "http://", "HTTPS://",
                                          "www.", "WWW", "_", " ", ".", "ſubscribe", "re",
                                          "ad", "é"]),
                        max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(_BOILER_TEXT)
def test_boilerplate_test_is_the_boilerplate_pattern(text: str) -> None:
    assert S._boilerplate(text) == bool(S._BOILERPLATE.search(text))


_CLAUSE_WORDS = st.sampled_from(["Port", "ferry", "closed", "Mayor", "while", "but", "though",
                                 "40,000", "it’s", "U.S.", "crews", "bridge", "repairs",
                                 "weeks", "city", "said", "a-b", "x"])
_CLAUSE_SEPS = st.sampled_from([" ", " ", ", while ", ", but ", "; ", " — ", " – ", " -- ",
                                "--", ", ", "-", "—", ",  as well as  ", ";"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(_CLAUSE_WORDS, _CLAUSE_SEPS), min_size=1, max_size=14)
                .map(lambda ws: "".join(w + s for w, s in ws).strip() + "."),
                min_size=1, max_size=5))
def test_clauses_by_token_position_are_the_clause_splits(sentences: list[str]) -> None:
    """Tokens placed in clauses by their position in the sentence give the clauses that
    cutting the sentence and finding each part's tokens gives."""
    article = Article(id="a", path="a", folder="t", title="t", paragraphs=sentences,
                      sentences=[sentences])
    data = S._facts([article])[1]
    batch, lex = data.batch, data.batch.lexicon
    for row, text in enumerate(data.texts):
        parts = S._CLAUSE.split(text)
        expected = None
        if len(parts) >= 2:
            g = data.start + row
            own = batch.indices[batch.indptr[g]:batch.indptr[g + 1]]
            columns = dict(zip(batch.col_stem[own].tolist(), own.tolist(), strict=True))
            expected = []
            for part in parts:
                ids = {lex.token(t).stem for t in S._TOKEN.findall(part)}
                cols = sorted(columns[i] for i in ids if i in columns)
                if len(cols) >= S.CLAUSE_SHARED:
                    weights = batch.idf[cols].tolist()
                    expected.append((cols, weights, S.CLAUSE_OVERLAP * sum(weights)))
        assert S._clauses(data, row) == expected, text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*list("aAéÉ9,'’sSΣς²İǅ٣①ﬁ\u0301"), "He", "Monday",
                                           "twelve"]),
                        min_size=1, max_size=8).map("".join), max_size=8))
def test_batch_lexicon_describes_tokens_like_token(words: list[str]) -> None:
    tokens = [t for w in words for t in S._TOKEN.findall(w)]
    lex = S._lexicon("english")
    new = [t for t in dict.fromkeys(tokens) if t not in lex.ids]
    if len(new) % 2:  # with the first characters' case given, as the scanner gives it
        lex.add(new, [t[0].isupper() for t in new])
    else:
        lex.add(new)
    for t in tokens:
        tid = lex.ids[t]
        info = lex.token(t)
        assert int(lex.stem_of[tid]) == info.stem
        bits = int(lex.flags[tid])
        assert [bits & 1, bits & 2, bits & 4, bits & 8] == [
            info.boiler * 1, info.pronoun * 2, info.capital * 4, (info.number != "") * 8]
        assert lex.low[tid] == lex._low(t)
        assert lex.raw[tid] == t


def test_batch_lexrank_scores_are_sumys() -> None:
    """One power iteration for several stories gives each sumy's own LexRank scores."""
    import numpy as np
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.summarizers.lex_rank import LexRankSummarizer

    stories = [make_story(), library(), *tricky()]
    datas = S._prepare([s.articles for s in stories])
    scores = S._lexrank_all(datas, "english")
    lex = S._lexicon("english")
    plain = LexRankSummarizer(S._stemmer("english"))
    plain.stop_words = S._stop_words("english")
    for data in datas:
        if len(data) < 2:
            continue
        # sumy's words: the stems of the content words digest counts.
        words = [tuple(lex.names[int(lex.stem_of[t])] for t in data.batch.tokens(data.start + i)
                       if lex.stem_of[t] >= 0) for i in range(len(data))]
        tf = plain._compute_tf(words)
        idf = plain._compute_idf(words)
        matrix = plain._create_matrix(words, plain.threshold, tf, idf)
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = plain.power_method(matrix, plain.epsilon)
        expected = np.where(np.isfinite(expected), expected, 0.0)
        got = scores[data.start:data.start + len(data)]
        assert np.allclose(got, expected), data.texts
    del ObjectDocumentModel, Paragraph, Sentence


def test_batches_in_threads_of_one_process_agree() -> None:
    """Tasks of a scheduler may share a process: their batches share its lexicon."""
    from concurrent.futures import ThreadPoolExecutor

    stories = every_story()
    expected = alone(stories, SummaryConfig())
    S._lexicon.cache_clear()
    orders = [stories[k:] + stories[:k] for k in range(len(stories))]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda batch: S.summarize_all(batch, SummaryConfig()), orders))
    for k, summaries in enumerate(got):
        assert summaries == expected[k:] + expected[:k]


def test_summaries_are_the_chosen_candidates_cited() -> None:
    """summarize_all builds summary sentences without Candidate objects: each is the
    candidate ``choose`` gives, its text with every carrying article (sorted) and anchor."""
    cited = 0
    for config in (SummaryConfig(), SummaryConfig(sentences=3), SummaryConfig(words=65)):
        stories = every_story()
        summaries = S.summarize_all(stories, config)
        for story, summary in zip(stories, summaries, strict=True):
            expected = [SummarySentence(c.text, sorted(c.carriers),
                                        dict(sorted(c.carriers.items())))
                        for c in S.choose(story, config)]
            assert summary == expected
            cited += sum(len(s.articles) > 1 for s in summary)
    assert cited  # facts carried by several articles are among them


_CLAUSE_PIECE = st.sampled_from(["Port", "officials", "said", " ", ",", ", ", ";", "; ", "-",
                                 "--", " -- ", "—", " – ", "while", "But", "though",
                                 "as well as", "\x00", "\t", "é"])
_CLAUSE_TEXT = st.lists(_CLAUSE_PIECE, min_size=1, max_size=12).map("".join)


def _cuttable(text: str) -> bool:
    """The test :func:`S._clauses` starts with: a sentence it may cut into clauses."""
    return ("—" in text or "–" in text or "--" in text or ";" in text
            or S._CLAUSE_COMMA.search(text) is not None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CLAUSE_TEXT, min_size=1, max_size=4), min_size=1, max_size=3),
       st.booleans())
def test_batch_finds_every_sentence_that_may_be_cut_into_clauses(
        articles: list[list[str]], regex_path: bool) -> None:
    """The batch's clausal flags (which spare the choice a clause test for every other
    sentence) are the clause test's own gate, by the array pass or the regex path."""
    story = split_story([[sentences] for sentences in articles])
    if regex_path:  # as when the scanner declines (a hash key collision)
        real = S._scan
        S._scan = lambda text: None  # type: ignore[assignment]
        try:
            datas = S._prepare([story.articles])
        finally:
            S._scan = real
    else:
        datas = S._prepare([story.articles])
    data = datas[0]
    for row, text in enumerate(data.texts):
        flag = data.batch.clausal[data.start + row]
        if "\x00" in text:  # read with the mark as a space: may say yes more often
            assert flag or not _cuttable(text)
        else:
            assert flag == _cuttable(text), text
        if S._clauses(data, row) is not None:
            assert flag


def test_choice_skips_clause_tests_only_for_sentences_without_cuts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The library story's fact told again after ', while' is still not repeated, and no
    sentence without a cut's mark is asked for its clauses."""
    asked: list[str] = []
    real = S._clauses

    def spy(story: S._Story, row: int) -> list[tuple[list[int], list[float], float]] | None:
        asked.append(story.texts[row])
        return real(story, row)

    monkeypatch.setattr(S, "_clauses", spy)
    for count in (2, 5, 9):
        summary = S.summarize(library(), SummaryConfig(sentences=count))
        assert len([s for s in summary if "Quint" in s.text]) == 1
    assert all(_cuttable(text) for text in asked)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 5), max_size=40))
def test_distinct_and_counted_are_numpys_unique(values: list[int]) -> None:
    import numpy as np
    keys = np.array(values, dtype=np.uint64)
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    got = S._distinct(keys)
    assert [a.tolist() for a in got] == [unique.tolist(), first.tolist(), inverse.tolist()]
    cells, counts = np.unique(keys.astype(np.int64), return_counts=True)
    got_cells, got_counts = S._counted(keys.astype(np.int64))
    assert (got_cells.tolist(), got_counts.tolist()) == (cells.tolist(), counts.tolist())


def test_character_classes_are_remembered_as_looked_up() -> None:
    """The scanner's class table learns a character the first time it is met (an entry
    above the Basic Multilingual Plane is never stored) and gives the same tokens after."""
    text = "Ünïcode ’quotes’ Ωmega², 𝐁old 𝟗9 and ǅ-titles\x00ⅫXII ٣3"
    first = S._scan(text)
    again = S._scan(text)
    assert first is not None and again is not None
    for a, b in zip(first, again, strict=True):
        assert a.tolist() == b.tolist()
    found = [text[a:b] for a, b in zip(first[0].tolist(), first[1].tolist(), strict=True)]
    assert found == S._SCAN.findall(text)
    table = S._classes()
    assert table[S._BEYOND] == S._UNKNOWN
    assert table[ord("Ω")] == S._wide_class(ord("Ω"))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(["\x00", "a", "É", "’", "\U0001F600", "\udfff", " "]),
               max_size=12) | st.text(max_size=12))
def test_scanner_code_points_are_the_utf32_encoding(text: str) -> None:
    import numpy as np
    scanned = S._scan(text)
    assert scanned is not None
    expected = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    assert scanned[3].tolist() == expected.tolist()
