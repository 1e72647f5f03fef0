"""Incremental builds: the cache, parallel work and executors never change the output."""

from __future__ import annotations

import hashlib
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import build
from generator.config import Config, load_config

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
    for entry in (cache / "results").rglob("*.json"):
        entry.write_text("{not json")
    seen, out = messages(config)
    assert tree(out) == good
    (cache / "cache.json").write_text('{"tool": "something else"}')
    for entry in (cache / "results").rglob("*.json"):
        entry.write_text('{"id": 3}')
    seen, out = messages(config)
    assert any(m.startswith("warning:") and "cache" in m for m in seen), seen
    assert tree(out) == good


def test_wrong_cache_entries_of_the_right_shape_are_not_trusted(tmp_path: Path) -> None:
    """An entry that decodes but does not fit the dataclass is a miss, not a wrong page."""
    config = site_copy(tmp_path)
    _, out = messages(config)
    good = tree(out)
    for entry in (config.root / ".digest-cache" / "results").rglob("*.json"):
        entry.write_text('{"title": 5, "summary": "x"}')
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
