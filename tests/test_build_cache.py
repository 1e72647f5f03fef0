"""Incremental builds: the cache, parallel work and executors never change the output."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import build as build_module
from generator.build import build
from generator.config import Config, load_config
from generator.model import Article

GOLDEN_SITE = Path(__file__).parent / "golden" / "site"


def site_copy(tmp_path: Path) -> Config:
    root = shutil.copytree(GOLDEN_SITE, tmp_path / "site-src")
    config = load_config(root / "digest.toml")
    return config


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def messages(config: Config, **kwargs: object) -> tuple[list[str], Path]:
    seen: list[str] = []
    result = build(config, seen.append, **kwargs)  # type: ignore[arg-type]
    return seen, result.output


def set_entries(config: Config, value: str | None) -> int:
    """Give every entry of the build cache's database ``value`` (JSON text), or delete
    them all (None); returns how many there were."""
    import sqlite3

    db = sqlite3.connect(config.root / ".digest-cache" / "results" / "entries.sqlite")
    try:
        count = int(db.execute("SELECT count(*) FROM entries").fetchone()[0])
        if value is None:
            db.execute("DELETE FROM entries")
        else:
            db.execute("UPDATE entries SET value = ?", (value,))
        db.commit()
    finally:
        db.close()
    return count


def test_rebuild_uses_the_cache_and_skips_unchanged_output(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    first, out = messages(config)
    before = tree(out)
    assert any("0 from cache" in m for m in first if m.startswith("clean"))
    second, out = messages(config)
    assert any(m.startswith("clean") and "3 from cache" in m for m in second), second
    assert any("skipped" in m for m in second), second
    assert tree(out) == before


def test_a_changed_article_updates_its_pages_and_the_listings(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    messages(config)
    article = config.root / "articles" / "library-fire.txt"
    article.write_text(article.read_text().replace("Fire damages old library in Greyfield",
                                                   "Blaze guts historic Greyfield library"))
    seen, out = messages(config)
    assert any(m.startswith("clean") and "2 from cache" in m for m in seen), seen
    assert "Blaze guts historic Greyfield library" in (out / "index.html").read_text()
    assert "Blaze guts historic Greyfield library" in (out / "api" / "stories.json").read_text()
    fresh = tmp_path / "fresh"
    config_fresh = load_config(config.root / "digest.toml")
    config_fresh.output = str(fresh)
    build(config_fresh, use_cache=False)
    assert tree(out) == tree(fresh)


def test_a_changed_sidecar_alone_updates_the_article(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    sidecar = config.root / "articles" / "library-fire.txt.json"
    sidecar.write_text(sidecar.read_text().replace("Greyfield Gazette", "Greyfield Herald"))
    seen, out = messages(config)
    assert any(m.startswith("clean") and "2 from cache" in m for m in seen), seen
    assert "Greyfield Herald" in (out / "articles" / "library-fire" / "index.html").read_text()
    assert tree(out) == fresh_tree(config, tmp_path)


def test_a_deleted_article_disappears_from_the_site(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    assert (out / "articles" / "library-fire" / "index.html").is_file()
    (config.root / "articles" / "library-fire.txt").unlink()
    _, out = messages(config)
    assert not (out / "articles" / "library-fire").exists()
    assert "Greyfield" not in (out / "index.html").read_text()


def test_a_corrupt_or_foreign_cache_is_ignored_with_a_warning(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    good = tree(out)
    cache = config.root / ".digest-cache"
    assert set_entries(config, "{not json") > 0
    seen, out = messages(config)
    assert tree(out) == good
    (cache / "cache.json").write_text('{"tool": "something else"}')
    set_entries(config, '{"id": 3}')
    seen, out = messages(config)
    assert any(m.startswith("warning:") and "cache" in m for m in seen), seen
    assert tree(out) == good


def test_a_damaged_cache_database_is_replaced_with_a_warning(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    good = tree(out)
    database = config.root / ".digest-cache" / "results" / "entries.sqlite"
    database.write_bytes(b"not a database at all" * 100)
    (config.root / ".digest-cache" / "site.json").unlink()
    seen, out = messages(config)
    assert any(m.startswith("warning:") and "could not be read" in m for m in seen), seen
    assert tree(out) == good
    seen, _ = messages(config)  # the new database works
    assert any(m.startswith("clean") and "3 from cache" in m for m in seen), seen


def test_wrong_cache_entries_of_the_right_shape_are_not_trusted(tmp_path: Path) -> None:
    """An entry that decodes but does not fit the dataclass is a miss, not a wrong page."""
    config = site_copy(tmp_path)
    _, out = messages(config)
    good = tree(out)
    assert set_entries(config, '{"title": 5, "summary": "x"}') > 0
    (config.root / ".digest-cache" / "site.json").unlink()
    _, out = messages(config)
    assert tree(out) == good


def test_output_is_the_same_for_any_number_of_jobs(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 1)
    outputs = []
    for jobs in (1, 2):
        config = site_copy(tmp_path / f"jobs{jobs}")
        result = build(config, jobs=jobs, use_cache=False)
        outputs.append(tree(result.output))
    assert outputs[0] == outputs[1]


def test_per_story_work_takes_any_executor(tmp_path: Path) -> None:
    plain = build(site_copy(tmp_path / "plain"), use_cache=False, jobs=1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        other = build(site_copy(tmp_path / "pool"), use_cache=False, executor=pool)
    assert tree(plain.output) == tree(other.output)


def test_a_local_dask_cluster_gives_the_same_site(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed", reason="dask extra not installed")
    plain = build(site_copy(tmp_path / "plain"), use_cache=False, jobs=1)
    with distributed.LocalCluster(host="127.0.0.1", n_workers=1, threads_per_worker=1,
                                  processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        other = build(site_copy(tmp_path / "dask"), use_cache=False,
                      executor=client.get_executor())
    assert tree(plain.output) == tree(other.output)


# --- incremental render and write ---------------------------------------------------------


def fresh_tree(config: Config, tmp_path: Path) -> dict[str, str]:
    other = load_config(config.root / "digest.toml")
    other.output = str(tmp_path / "fresh-output")
    return tree(build(other, use_cache=False).output)


def test_unchanged_story_and_article_pages_are_kept_not_rendered(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    kept_page = out / "articles" / "harbor-bridge-ledger" / "index.html"
    before = kept_page.stat().st_mtime_ns
    article = config.root / "articles" / "library-fire.txt"
    article.write_text(article.read_text().replace(
        "\nSubscribe to our newsletter",
        "\nThe council will meet on Monday to discuss the repairs.\n\nSubscribe to our newsletter"))
    seen, out = messages(config)
    rendered = next(m for m in seen if m.startswith("render:"))
    assert "pages unchanged" in rendered and " 0 pages unchanged" not in rendered, rendered
    assert kept_page.stat().st_mtime_ns == before
    assert "The council will meet on Monday to discuss the repairs." in (
        out / "articles" / "library-fire" / "index.html").read_text()
    assert tree(out) == fresh_tree(config, tmp_path)


def test_day_pages_are_kept_unless_one_of_their_stories_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import render as render_module

    kept: list[set[str]] = []
    real_render = render_module.render

    def spy(*args: object, **kwargs: object) -> dict[str, bytes]:
        files = real_render(*args, **kwargs)  # type: ignore[arg-type]
        reuse = kwargs.get("reuse", args[2] if len(args) > 2 else None)
        kept.append(set(reuse.kept) if isinstance(reuse, render_module.Reuse) else set())
        return files

    monkeypatch.setattr(render_module, "render", spy)
    config = site_copy(tmp_path)
    _, out = messages(config)
    fire_day = out / "archive" / "2025-03-11" / "index.html"
    article = config.root / "articles" / "library-fire.txt"
    article.write_text(article.read_text().replace("Fire damages old library in Greyfield",
                                                   "Blaze guts historic Greyfield library"))
    messages(config)
    # the harbor bridge story's day was not rendered again; the fire's day was
    assert "archive/2025-03-14/index.html" in kept[-1]
    assert "archive/2025-03-11/index.html" not in kept[-1]
    assert "Blaze guts historic Greyfield library" in fire_day.read_text()
    # the saved listing of the output folder (updated for the files written) is right
    again, _ = messages(config)
    assert any("skipped" in m for m in again), again
    assert tree(out) == fresh_tree(config, tmp_path)


def test_compiled_templates_are_kept_and_a_damaged_one_is_compiled_again(
        tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    compiled = sorted((config.root / ".digest-cache" / "templates").iterdir())
    assert compiled, "templates were compiled into the build cache"
    for path in compiled:  # damage every entry: same length, different bytes
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    article = config.root / "articles" / "library-fire.txt"
    article.write_text(article.read_text().replace("Fire damages old library in Greyfield",
                                                   "Blaze guts historic Greyfield library"))
    from generator import render as render_module

    render_module._environment.cache_clear()  # as a new process: nothing compiled in memory
    messages(config)
    assert tree(out) == fresh_tree(config, tmp_path)


def test_without_a_saved_state_an_existing_site_is_updated_in_place(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    shutil.rmtree(config.root / ".digest-cache")  # as after deleting the cache
    kept_page = out / "articles" / "harbor-bridge-ledger" / "index.html"
    before = kept_page.stat().st_mtime_ns
    (out / "stray" / "deep").mkdir(parents=True)
    (out / "stray" / "deep" / "old.html").write_text("from an earlier site")
    (out / "empty" / "folder").mkdir(parents=True)
    seen, out = messages(config)
    assert any(m.startswith("write:") and "0 written" in m for m in seen), seen
    assert kept_page.stat().st_mtime_ns == before  # untouched, not replaced
    assert not (out / "stray").exists() and not (out / "empty").exists()
    assert tree(out) == fresh_tree(config, tmp_path)  # a --no-cache build elsewhere
    again, _ = messages(config)  # the listing saved after the update is right, and kept
    assert any("skipped" in m for m in again), again


def test_pages_render_finds_in_the_output_are_not_written_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build without the cache compares its story and article pages with the output
    folder where it makes them: those already there are kept as they are (left out of
    render's result, listed as the same), a page edited by hand or deleted is written."""
    from generator import render as render_module

    same: list[set[str]] = []
    real_render = render_module.render

    def spy(*args: object, **kwargs: object) -> dict[str, bytes]:
        files = real_render(*args, **kwargs)  # type: ignore[arg-type]
        reuse = kwargs.get("reuse", args[2] if len(args) > 2 else None)
        if isinstance(reuse, render_module.Reuse):  # (None: the --no-cache build below)
            assert not set(files) & reuse.same
            same.append(set(reuse.same))
        return files

    config = site_copy(tmp_path)
    _, out = messages(config)
    shutil.rmtree(config.root / ".digest-cache")
    monkeypatch.setattr(render_module, "render", spy)
    kept_page = out / "articles" / "harbor-bridge-ledger" / "index.html"
    before = kept_page.stat().st_mtime_ns
    edited = out / "articles" / "library-fire" / "index.html"
    edited.write_text("edited by hand")
    story_pages = sorted(out.glob("stories/*/index.html"))
    story_pages[0].unlink()
    seen, out = messages(config)
    assert "articles/harbor-bridge-ledger/index.html" in same[-1]
    assert "articles/library-fire/index.html" not in same[-1]
    assert story_pages[0].relative_to(out).as_posix() not in same[-1]
    assert any(m.startswith("write:") and "2 written" in m for m in seen), seen
    assert kept_page.stat().st_mtime_ns == before
    assert tree(out) == fresh_tree(config, tmp_path)


@pytest.mark.parametrize("obstacle", ["symlink", "file-for-folder", "folder-for-file"])
def test_an_output_that_cannot_be_updated_in_place_is_replaced(tmp_path: Path,
                                                               obstacle: str) -> None:
    config = site_copy(tmp_path)
    _, out = messages(config)
    shutil.rmtree(config.root / ".digest-cache")
    outside = tmp_path / "outside"
    outside.mkdir()
    if obstacle == "symlink":
        shutil.rmtree(out / "archive")
        (out / "archive").symlink_to(outside, target_is_directory=True)
    elif obstacle == "file-for-folder":
        shutil.rmtree(out / "archive")
        (out / "archive").write_text("a file where a folder belongs")
    else:
        (out / "404.html").unlink()
        (out / "404.html").mkdir()
    messages(config)
    assert not (out / "archive").is_symlink() and (out / "404.html").is_file()
    assert list(outside.iterdir()) == []  # nothing written through the link
    assert tree(out) == fresh_tree(config, tmp_path)


def test_an_edited_output_file_is_repaired(tmp_path: Path) -> None:
    """A kept page is trusted only while the output folder is as the last build left it."""
    config = site_copy(tmp_path)
    _, out = messages(config)
    good = tree(out)
    page = out / "articles" / "library-fire" / "index.html"
    page.write_text("edited by hand")
    (out / "stray.html").write_text("not from the build")
    _, out = messages(config)
    assert tree(out) == good


def test_corrupt_packed_cache_files_are_misses(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    messages(config)
    results = config.root / ".digest-cache" / "results"
    for name in ("features.json", "frequencies.json", "story-json.json"):
        (results / name).write_text('{"x": [1, 2')
    texts = results / "search-words.json"
    data = json.loads(texts.read_text())
    assert data, "search words were kept"
    texts.write_text(json.dumps({k: {"text": "forged", "check": v["check"]}
                                 for k, v in data.items()}))
    assert set_entries(config, '"a plain string"') > 0
    article = config.root / "articles" / "library-fire.txt"
    article.write_text(article.read_text() + "\n\nA second closing line.\n")
    (config.root / ".digest-cache" / "site.json").unlink()
    _, out = messages(config)
    assert tree(out) == fresh_tree(config, tmp_path)


def test_wrong_features_of_the_right_shape_fall_back_to_extracting(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    messages(config)
    packed = config.root / ".digest-cache" / "results" / "features.json"
    data = json.loads(packed.read_text())
    assert data, "features were cached"
    packed.write_text(json.dumps({k: {**v, "w": [["x"], ["not a number"]]}
                                  for k, v in data.items()}))
    (config.root / ".digest-cache" / "site.json").unlink()
    set_entries(config, None)  # cleaning and clustering results too: clustering runs again
    _, out = messages(config)
    assert tree(out) == fresh_tree(config, tmp_path)


def test_stories_json_pieces_equal_one_dump(tmp_path: Path) -> None:
    from generator.build import process
    from generator.render import Site, stories_json, story_json

    config = site_copy(tmp_path)
    digest = process(config, use_cache=False)
    site = Site(config.title, config.description, config.base_url, config.base_path, "en")
    for stories in (digest.stories, digest.stories[:1], []):
        digest.stories = stories
        payload = {"version": 1, "title": site.title,
                   "stories": [story_json(s, site) for s in stories]}
        expected = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        assert stories_json(digest, site).decode("utf-8") == expected


def reference_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40))
def test_search_fold_matches_the_whole_text_fold(text: str) -> None:
    from generator.render.machine import search_fold

    assert search_fold(text) == reference_fold(text)


@pytest.mark.parametrize("text", ["Café", "ÉCOLE", "naïve ﬁle", "e\u0301t\u00e9", "ΟΔΟΣ ΑΒ",
                                  "İstanbul", "“quoted” — dash"])
def test_search_fold_examples(text: str) -> None:
    from generator.render.machine import search_fold

    assert search_fold(text) == reference_fold(text)


def test_update_writes_changes_keeps_the_rest_and_removes_stale_files(tmp_path: Path) -> None:
    from generator.write import OutputError, publish, update

    out = tmp_path / "site"
    publish({"a/index.html": b"a1", "b/index.html": b"b1", "c/deep/x.txt": b"c"}, out)
    kept_time = (out / "b" / "index.html").stat().st_mtime_ns
    present = ["a/index.html", "b/index.html", "c/deep/x.txt"]
    stats = update({"a/index.html": b"a2", "new/index.html": b"n"}, {"b/index.html"}, out,
                   present)
    assert (stats.written, stats.unchanged) == (2, 1)
    assert (out / "a" / "index.html").read_bytes() == b"a2"
    assert (out / "b" / "index.html").stat().st_mtime_ns == kept_time
    assert (out / "new" / "index.html").read_bytes() == b"n"
    assert not (out / "c").exists()
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["index.html"] * 3
    with pytest.raises(OutputError):
        update({"a/index.html": b"a3", "../escape": b""}, set(), out, present)
    assert (out / "a" / "index.html").read_bytes() == b"a2"


def test_summarizer_set_up_leaves_no_stand_in_and_blocks_no_import() -> None:
    import sys

    from generator import summarize
    from generator.config import SummaryConfig

    summarize.prepare(SummaryConfig(), "english")
    stemmers = sys.modules.get("sumy.nlp.stemmers")
    assert stemmers is None or hasattr(stemmers, "Stemmer")  # sumy's real module, if any
    assert all(sys.modules.get(name, True) is not None for name in ("scipy.stats", "sklearn"))
    import scipy.stats

    assert callable(scipy.stats.fisher_exact)


def test_serial_loaders_reject_data_that_does_not_fit() -> None:
    from generator import serial
    from generator.model import SummarySentence

    good = serial.dump(SummarySentence(text="A fact.", articles=["a"]))
    assert serial.load(SummarySentence, good) == SummarySentence(text="A fact.", articles=["a"])
    for bad in ({**good, "text": 5}, {**good, "articles": "a"}, [good], None,
                {k: v for k, v in good.items() if k != "text"}):
        with pytest.raises(serial.SerialError):
            serial.load(SummarySentence, bad)


_SCALARS = st.one_of(st.text(max_size=3), st.integers(), st.booleans(), st.none(),
                    st.floats(allow_nan=False))


@given(st.lists(_SCALARS, max_size=6), st.dictionaries(st.text(max_size=3), _SCALARS,
                                                       max_size=4))
def test_serial_lists_and_dicts_of_str_and_int_take_exactly_what_fits(
        items: list[object], table: dict[str, object]) -> None:
    from generator import serial

    for hint, kind in ((list[str], str), (list[int], int)):
        if all(type(v) is kind for v in items):
            assert serial.load(hint, items) == items
        else:
            with pytest.raises(serial.SerialError):
                serial.load(hint, items)
    for dict_hint, kind in ((dict[str, str], str), (dict[str, int], int)):
        if all(type(v) is kind for v in table.values()):
            assert serial.load(dict_hint, table) == table
        else:
            with pytest.raises(serial.SerialError):
                serial.load(dict_hint, table)


def test_pages_made_in_worker_processes_are_the_same(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import render as render_module
    from generator.build import process

    config = site_copy(tmp_path)
    digest = process(config, use_cache=False)
    serial_files = render_module.render(digest, config, jobs=1)
    monkeypatch.setattr(render_module, "PARALLEL_PAGES", 1)
    parallel_files = render_module.render(digest, config, jobs=2)
    assert list(parallel_files) == list(serial_files)
    assert parallel_files == serial_files
    assert render_module._PENDING == {}


def test_a_few_changed_stories_go_to_a_worker_started_early(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # whatever else pytest runs
    config = site_copy(tmp_path)
    messages(config, jobs=2)
    article = config.root / "articles" / "library-fire.txt"
    article.write_text(article.read_text().replace("Fire damages old library in Greyfield",
                                                   "Blaze guts historic Greyfield library"))
    seen, out = messages(config, jobs=2)
    assert any(m.startswith("summarize+compare") and "1 in a worker started early" in m
               for m in seen), seen
    fresh = load_config(config.root / "digest.toml")
    fresh.output = str(tmp_path / "fresh")
    assert tree(out) == tree(build(fresh, use_cache=False, jobs=1).output)
    article.write_text(article.read_text().replace("Blaze guts", "Blaze ruins"))
    seen, _ = messages(config, jobs=1)  # one job: no worker
    assert any(m.startswith("clean") and "2 from cache" in m for m in seen), seen
    assert not any("worker" in m for m in seen), seen


@pytest.mark.parametrize("use_cache", [True, False])
def test_features_are_extracted_once_while_cleaning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_cache: bool) -> None:
    from generator.cluster import features

    calls: list[str] = []
    real = features.extract

    def spy(article: Article, language: str = "english") -> features.Features:
        calls.append(article.id)
        return real(article, language)

    monkeypatch.setattr(features, "extract", spy)
    config = site_copy(tmp_path)
    result = build(config, jobs=1, use_cache=use_cache)
    assert sorted(calls) == sorted(a.id for a in result.digest.articles)  # once each
    monkeypatch.setattr(features, "extract", real)
    plain = load_config(config.root / "digest.toml")
    plain.output = str(tmp_path / "plain")
    monkeypatch.setattr(build_module, "_clean_one", _clean_without_features)
    assert tree(result.output) == tree(build(plain, jobs=1, use_cache=False).output)


def _clean_without_features(task: build_module._CleanTask) -> tuple[Article, None]:
    from generator import clean

    return clean.clean(task.document, task.language), None


def _pid_of(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


@pytest.mark.parametrize("mode", ["here", "pool", "executor"])
def test_run_each_does_the_callers_work_once_while_the_items_run(
        mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``meanwhile`` runs once in the calling process: after every item was handed out
    (to the executor, or to the pool, whose workers are forked by then), or before
    the items when they run here; results keep the input order either way."""
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 4)
    items = list(range(12))
    submitted: list[int] = []
    seen: list[int] = []

    class Recording(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            submitted.append(args[0])
            return super().submit(fn, *args, **kwargs)

    def meanwhile() -> None:
        seen.append(len(submitted))

    jobs = 1 if mode == "here" else 2
    with Recording(max_workers=2) as pool:
        results = build_module.run_all(_pid_of, items, jobs,
                                       pool if mode == "executor" else None, meanwhile)
    assert [r[0] for r in results] == [i * i for i in items]
    assert len(seen) == 1
    if mode == "executor":
        assert seen == [len(items)]  # every item submitted before the caller's work
    pids = {r[1] for r in results}
    if mode == "pool":
        assert os.getpid() not in pids
    elif mode == "here":
        assert pids == {os.getpid()}


class _Unpicklable:
    """An item that cannot be pickled (it holds a lock)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.lock = threading.Lock()


def _square_of(item: _Unpicklable) -> tuple[int, int]:
    return item.n * item.n, os.getpid()


def test_forked_workers_inherit_the_items_instead_of_being_sent_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool forked by ``run_each`` is sent only the items' positions (the workers
    inherit the items): items that cannot be pickled still run in the workers, results
    in input order, and nothing is left registered afterwards."""
    if os.name != "posix":
        pytest.skip("workers are forked only on POSIX")
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 4)
    items = [_Unpicklable(n) for n in range(12)]
    results = build_module.run_all(_square_of, items, 2)
    assert [r[0] for r in results] == [n * n for n in range(12)]
    assert os.getpid() not in {r[1] for r in results}
    assert build_module._INHERITED == {}


def test_cluster_cache_writes_can_wait_for_the_story_stage(tmp_path: Path) -> None:
    """With a ``later`` list, clustering leaves its feature and frequency stores to the
    caller (the build does them while the story workers work); the stories are the
    same, and once the writes are done every article's features are stored."""
    from generator.build import clean_all, cluster_all, open_cache
    from generator.load import load

    config = site_copy(tmp_path)
    documents = load([(n, config.resolve(n)) for n in config.articles]).documents
    cache = open_cache(config, lambda _: None)
    assert cache is not None
    articles, keys, extracted = clean_all(documents, config, cache, 1)
    later: list[Callable[[], None]] = []
    stories = cluster_all(articles, config, keys, cache, extracted, later)
    features = cache.folder / "features.json"
    assert len(later) == 2 and not features.exists()
    for save in later:
        save()
    assert features.exists()
    now = cluster_all(articles, config, keys, None, extracted)
    assert [[a.id for a in s.articles] for s in now] == [[a.id for a in s.articles]
                                                          for s in stories]
    stored = json.loads(features.read_text(encoding="utf-8"))
    assert len(stored) == len(articles)
    cache.close()


def _wait_for(path_of: Callable[[], list[Path]], seconds: float = 60.0) -> list[Path]:
    import time

    deadline = time.monotonic() + seconds
    while not (found := path_of()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_word_lists_are_written_aside_checked_and_used(tmp_path: Path) -> None:
    """A cold build leaves wordfreq's list file to a background process (or writes it
    itself where it may not fork); the file starts with the sha256 of the rest, a
    damaged one is not used, and a good one answers lookups."""
    from generator.cluster import features
    from generator.cluster.cached import Frequencies

    config = site_copy(tmp_path)
    features._KNOWN.clear()  # nothing known: clustering looks words up in wordfreq's list
    build(config, jobs=1)
    folder = config.root / ".digest-cache" / "results"
    lists = _wait_for(lambda: sorted(folder.glob("words-*.tsv")))
    assert len(lists) == 1
    data = lists[0].read_bytes()
    check, _, body = data.partition(b"\n")
    assert check == hashlib.sha256(body).hexdigest().encode()
    cache = build_module.open_cache(config, lambda _: None)
    assert cache is not None
    try:
        found = Frequencies(cache).word_list("en")
        assert found is not None
        assert found.get("the") == features._frequencies("en")["the"] > 0
        lists[0].write_bytes(data[:-100])  # cut short
        assert Frequencies(cache).word_list("en") is None
    finally:
        features.use_word_lists(None)
        cache.close()


def test_background_work_runs_detached_and_never_from_a_threaded_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from generator.cluster import cached
    from generator.cluster.cached import in_background

    done = tmp_path / "done"
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # whatever else pytest runs
    assert in_background(lambda: done.write_text("yes"))
    assert _wait_for(lambda: [done] if done.exists() else []) == [done]
    # the child between this process and the detached one is reaped later, not left
    left = list(cached._STARTING)
    assert len(left) == 1
    cached.reap()
    assert cached._STARTING == []
    with pytest.raises(ChildProcessError):
        os.waitpid(left[0], os.WNOHANG)  # no longer a child of this process: reaped
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not in_background(lambda: (tmp_path / "never").write_text("no"))
    assert not (tmp_path / "never").exists()


def _many_articles(root: Path, count: int, folders: tuple[str, ...] = ("articles",)) -> Config:
    folder = root / "articles"
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"a{n:02d}.md").write_text(
            f"---\ntitle: Council vote {n % 7} on plan {n}\npublished: 2024-03-{n % 28 + 1:02d}\n"
            f"---\n\nThe council of district {n % 5} met on Monday. It voted {n} to "
            f"{count - n} for the plan.\n\nMayor Ann Lee said \"we acted\" after {n} hours.\n",
            encoding="utf-8")
    (root / "digest.toml").write_text(f"articles = {list(folders)!r}\n".replace("'", '"'),
                                      encoding="utf-8")
    return load_config(root / "digest.toml")


def test_cleaning_while_loading_gives_what_cleaning_after_gives(tmp_path: Path) -> None:
    """Once enough documents miss the cache, workers clean them while the rest are
    read; the articles, keys and features are those of cleaning them all after."""
    import multiprocessing

    from generator.build import PARALLEL_MIN, Cleaning, clean_all
    from generator.load import load
    from generator.model import Document

    config = _many_articles(tmp_path, PARALLEL_MIN * 3)
    folders = [(n, config.resolve(n)) for n in config.articles]
    cleaning = Cleaning(config, None, 2)
    seen: list[str] = []

    def add(document: Document) -> None:
        seen.append(document.id)
        cleaning.add(document)

    assert cleaning.streaming  # no cache: every document will miss
    loaded = load(folders, each=add)
    assert seen == [d.id for d in loaded.documents]
    assert cleaning.pooled  # started while the files were still being read
    streamed = cleaning.finish()
    assert not cleaning.pooled and multiprocessing.active_children() == []
    after = clean_all(loaded.documents, config, None, 1)
    assert streamed == after
    assert len(streamed[0]) == PARALLEL_MIN * 3 and len(streamed[2]) == PARALLEL_MIN * 3


def test_keys_the_workers_compute_on_a_first_build_are_those_a_rebuild_looks_up(
        tmp_path: Path) -> None:
    """With an empty cache nothing is looked up: the workers key what they clean. The
    next build, which looks every document up, finds each under that key."""
    from generator.build import PARALLEL_MIN, Cleaning, open_cache
    from generator.load import load

    config = _many_articles(tmp_path, PARALLEL_MIN * 3)
    folders = [(n, config.resolve(n)) for n in config.articles]
    cache = open_cache(config, lambda _: None)
    assert cache is not None and cache.empty()
    first = Cleaning(config, cache, 2)
    assert first.streaming
    load(folders, each=first.add)
    assert first.pooled and cache.hits == 0
    _, keys, _ = first.finish()
    assert cache.empty()  # the cleaned articles are stored when asked
    first.store()
    cache.commit()
    again = Cleaning(config, cache, 2)
    assert not again.streaming
    load(folders, each=again.add)
    articles, rekeyed, extracted = again.finish()
    assert rekeyed == keys and again.missed == 0 and extracted == {}
    assert cache.hits == len(articles) == PARALLEL_MIN * 3
    cache.close()


def test_a_load_error_after_the_cleaning_workers_started_stops_them(tmp_path: Path) -> None:
    import multiprocessing

    from generator.build import PARALLEL_MIN, BuildError

    config = _many_articles(tmp_path, PARALLEL_MIN * 2, folders=("articles", "missing"))
    with pytest.raises(BuildError, match="missing: content folder not found"):
        build(config, jobs=2)
    assert multiprocessing.active_children() == []
    assert not config.resolve(config.output).exists()


def test_a_rebuild_looks_documents_up_after_loading_and_cleans_misses_alike(
        tmp_path: Path) -> None:
    """With entries in the cache, lookups wait until every document is read (faster
    for a rebuild's many hits); many misses are still cleaned by the workers, and
    the result is what cleaning without the cache gives."""
    import multiprocessing

    from generator.build import PARALLEL_MIN, Cleaning, clean_all, open_cache
    from generator.load import load

    config = _many_articles(tmp_path, PARALLEL_MIN * 3)
    folders = [(n, config.resolve(n)) for n in config.articles]
    cache = open_cache(config, lambda _: None)
    assert cache is not None and cache.empty()
    clean_all(load(folders).documents, config, cache, 1)
    cache.commit()
    assert not cache.empty()
    for path in sorted(config.resolve("articles").glob("*.md"))[:PARALLEL_MIN + 6]:
        path.write_text(path.read_text(encoding="utf-8") + "\nA later line.\n",
                        encoding="utf-8")
    cleaning = Cleaning(config, cache, 2)
    assert not cleaning.streaming
    loaded = load(folders, each=cleaning.add)
    assert not cleaning.pooled and cleaning.missed == 0  # nothing looked up yet
    hits = cache.hits
    articles, keys, extracted = cleaning.finish()
    assert cleaning.missed == PARALLEL_MIN + 6 and cache.hits - hits == PARALLEL_MIN * 2 - 6
    assert multiprocessing.active_children() == []
    assert (articles, keys) == clean_all(loaded.documents, config, None, 1)[:2]
    assert len(extracted) == PARALLEL_MIN + 6
    cache.close()


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display names of the article files the load stage reads from now on."""
    from generator import load as load_module

    read: list[str] = []
    real = load_module.read_file

    def counted(path: Path, rel: str, folder: str, display: str,
                sidecar: dict[str, object]) -> object:
        read.append(display)
        return real(path, rel, folder, display, sidecar)

    monkeypatch.setattr(load_module, "read_file", counted)
    return read


def test_unchanged_files_are_not_read_again(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "RACY_NS", 0)
    config = site_copy(tmp_path)
    _, out = messages(config)
    before = tree(out)
    read = _reads(monkeypatch)
    seen, out = messages(config)
    assert read == []
    assert any(m.startswith("load") and "3 unchanged files not read" in m for m in seen), seen
    assert any(m.startswith("clean") and "3 from cache" in m for m in seen), seen
    assert tree(out) == before

    # Changes the index must see: the file's bytes (even with the same size and its
    # modification time set back), its own sidecar, its manifest entry.
    article = config.root / "articles" / "library-fire.txt"
    info = article.stat()
    text = article.read_text()
    article.write_text(text.replace("Greyfield", "Greyfeld!"))
    assert article.stat().st_size == info.st_size
    os.utime(article, ns=(info.st_atime_ns, info.st_mtime_ns))
    _, out = messages(config)
    assert read == ["articles/library-fire.txt"]
    assert "Greyfeld!" in (out / "articles" / "library-fire" / "index.html").read_text()

    read.clear()
    sidecar = config.root / "articles" / "harbor-bridge-courier.md.json"
    sidecar.write_text('{"author": "Ida Noor"}', encoding="utf-8")
    _, out = messages(config)
    assert read == ["articles/harbor-bridge-courier.md"]
    assert "Ida Noor" in (out / "articles" / "harbor-bridge-courier" / "index.html").read_text()

    read.clear()
    (config.root / "articles" / "manifest.json").write_text(
        '{"files": {"library-fire.txt": {"author": "Olu Park"}}}', encoding="utf-8")
    _, out = messages(config)
    assert read == ["articles/library-fire.txt"]
    assert "Olu Park" in (out / "articles" / "library-fire" / "index.html").read_text()
    assert tree(out) == fresh_tree(config, tmp_path)


def test_files_changed_just_before_a_build_are_read(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed within RACY_NS of the build is read, and not entered in the index
    (a change in the same tick of the file system's clock keeps its times)."""
    config = site_copy(tmp_path)  # just copied: every file is that recent
    messages(config)
    read = _reads(monkeypatch)
    messages(config)
    assert len(read) == 3
    monkeypatch.setattr(build_module, "RACY_NS", 0)
    read.clear()
    messages(config)  # the index is filled only now
    assert len(read) == 3
    read.clear()
    messages(config)
    assert read == []


def test_the_file_index_follows_ids_language_and_lost_cache_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "RACY_NS", 0)
    config = site_copy(tmp_path)
    messages(config)
    read = _reads(monkeypatch)
    # A new file that takes an older one's id: the older one's document changes id.
    folder = config.root / "articles"
    shutil.copy(folder / "harbor-bridge-ledger.md", folder / "library-fire.md")
    _, out = messages(config)
    assert sorted(read) == ["articles/library-fire.md", "articles/library-fire.txt"]
    assert (out / "articles" / "library-fire-2" / "index.html").is_file()
    assert tree(out) == fresh_tree(config, tmp_path)

    # Another language: nothing the index holds is used.
    read.clear()
    toml = config.root / "digest.toml"
    toml.write_text('language = "german"\n' + toml.read_text(), encoding="utf-8")
    config = load_config(toml)
    messages(config)
    assert len(read) == 4

    # An entry whose article the cache lost: the file is read after all.
    import sqlite3

    read.clear()
    db = sqlite3.connect(config.root / ".digest-cache" / "results" / "entries.sqlite")
    with db:
        lost = db.execute("DELETE FROM entries WHERE value LIKE ?",
                          ('%"path": "library-fire.txt"%',)).rowcount
    db.close()
    assert lost >= 1  # (the article as cleaned in each language)
    _, out = messages(config)
    assert read == ["articles/library-fire.txt"]
    assert tree(out) == fresh_tree(config, tmp_path)


def test_an_unread_file_gone_when_its_article_is_missing_is_reported(tmp_path: Path) -> None:
    from generator.build import Cleaning, open_cache
    from generator.load import FileRef

    config = site_copy(tmp_path)
    messages(config)
    cache = open_cache(config, lambda _: None)
    assert cache is not None and not cache.empty()
    cleaning = Cleaning(config, cache, 1)
    gone = config.root / "articles" / "gone.txt"
    cleaning.add_unread(FileRef(gone, "gone.txt", "articles", "articles/gone.txt", "gone", {}),
                        "no-such-key")
    articles, keys, _ = cleaning.finish()
    assert articles == [] and keys == {}
    assert [p.path for p in cleaning.problems] == ["articles/gone.txt"]
    cache.close()


def test_templates_are_compiled_ahead_only_when_articles_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import render as render_module

    calls: list[str] = []
    real = render_module.prepare

    def spied(config: Config, compiled: Path | None = None) -> None:
        calls.append("prepare")
        real(config, compiled)

    monkeypatch.setattr(render_module, "prepare", spied)
    config = site_copy(tmp_path)
    messages(config)
    assert calls == ["prepare"]  # a first build: everything is cleaned anew
    messages(config)
    assert calls == ["prepare"]  # nothing changed: no render, nothing compiled ahead
    article = config.root / "articles" / "library-fire.txt"
    article.write_text(article.read_text() + "\nA closing line.\n")
    _, out = messages(config)
    assert calls == ["prepare", "prepare"]
    assert tree(out) == fresh_tree(config, tmp_path)


def test_a_broken_user_template_still_fails_the_build_with_its_error(tmp_path: Path) -> None:
    import jinja2

    config = site_copy(tmp_path)
    templates = config.resolve(config.templates)
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "story.html").write_text("{% extends 'base.html' %}{% block main %}"
                                          "{% if %}{% endblock %}", encoding="utf-8")
    with pytest.raises(jinja2.TemplateSyntaxError):
        build(config)
