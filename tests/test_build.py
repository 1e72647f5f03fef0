"""End to end: the seeds build into one real story, offline, safely and reproducibly."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildError, build
from generator.model import BuildResult
from generator.summarize import content_words, jaccard
from tests.sitecheck import broken
from tests.util import ROOT, SEEDS, build_seeds, seeds_config

SHARED_SEEDS_FIELDS = ("id", "slug", "title", "page", "summary", "articles")
ARTICLE_FIELDS = ("id", "path", "outlet", "url", "title", "published", "page")


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_seeds(tmp_path_factory.mktemp("seeds"))


def stories_json(result: BuildResult) -> dict:  # type: ignore[type-arg]
    return json.loads((result.output / "api" / "stories.json").read_text(encoding="utf-8"))


def test_seeds_make_exactly_one_story_with_all_five(seeds_site: BuildResult) -> None:
    data = stories_json(seeds_site)
    assert len(data["stories"]) == 1
    story = data["stories"][0]
    paths = sorted(a["path"] for a in story["articles"])
    assert paths == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert not seeds_site.problems


def test_stories_json_contract(seeds_site: BuildResult) -> None:
    data = stories_json(seeds_site)
    story = data["stories"][0]
    for field in SHARED_SEEDS_FIELDS:
        assert field in story
    ids = {a["id"] for a in story["articles"]}
    for article in story["articles"]:
        for field in ARTICLE_FIELDS:
            assert field in article
        assert article["published"] == "2024-05-31"
        assert article["url"] is None  # never invented
        assert (seeds_site.output / article["page"].lstrip("/") / "index.html").is_file()
    assert (seeds_site.output / story["page"].lstrip("/") / "index.html").is_file()
    assert story["summary"]
    for sentence in story["summary"]:
        assert sentence["articles"] and set(sentence["articles"]) <= ids


def test_summary_sentences_are_verbatim_and_cited(seeds_site: BuildResult) -> None:
    story = stories_json(seeds_site)["stories"][0]
    texts = {p.stem.replace("_", "-"): " ".join(p.read_text(encoding="utf-8").split())
             for p in SEEDS.glob("*.txt")}
    for sentence in story["summary"]:
        assert any(sentence["text"] in texts[a] for a in sentence["articles"]), sentence


def test_summary_has_no_boilerplate_caption_or_meta_lines(seeds_site: BuildResult) -> None:
    labels = json.loads((Path(__file__).parent / "fixtures" / "seed_roles.json").read_text())
    story = stories_json(seeds_site)["stories"][0]
    bad: list[str] = []
    for name, roles in labels.items():
        if name == "about":
            continue
        lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
        for role in ("boilerplate", "caption", "meta"):
            bad.extend(" ".join(lines[n - 1].split()) for n in roles.get(role, []))
    for sentence in story["summary"]:
        for line in bad:
            assert sentence["text"] not in line and line not in sentence["text"], (sentence, line)


def test_summary_sentences_do_not_repeat_a_fact(seeds_site: BuildResult) -> None:
    summary = [s["text"] for s in stories_json(seeds_site)["stories"][0]["summary"]]
    assert len(summary) >= 3
    for i, a in enumerate(summary):
        for b in summary[i + 1:]:
            assert jaccard(content_words(a), content_words(b)) < 0.35, (a, b)


def test_every_internal_link_and_asset_resolves(seeds_site: BuildResult) -> None:
    problems, checked = broken(seeds_site.output, "/")
    assert problems == []
    assert checked > 20


def test_pages_show_sources_and_unknown_originals(seeds_site: BuildResult) -> None:
    story = stories_json(seeds_site)["stories"][0]
    html = (seeds_site.output / story["page"].lstrip("/") / "index.html").read_text()
    assert "Al Jazeera" in html
    assert "original address unknown" in html.lower()
    for article in story["articles"]:
        assert article["page"] in html
    about = seeds_site.output / "about" / "index.html"
    assert "<h1>About this digest</h1>" in about.read_text()


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build_seeds(tmp_path / "a")
    second = build_seeds(tmp_path / "b")
    assert tree_digest(first.output) == tree_digest(second.output)


def test_stale_files_never_survive_and_failures_keep_the_old_site(tmp_path: Path) -> None:
    config = seeds_config(tmp_path)
    result = build(config)
    stale = result.output / "stories" / "old-story" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    build(config)
    assert not stale.exists()
    before = tree_digest(result.output)
    config.articles = [str(tmp_path / "missing")]
    with pytest.raises(BuildError, match="missing"):
        build(config)
    assert tree_digest(result.output) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert leftovers == []


def test_refuses_an_output_folder_holding_the_inputs(tmp_path: Path) -> None:
    config = seeds_config(tmp_path)
    config.output = str(ROOT)
    with pytest.raises(BuildError, match="output folder"):
        build(config)


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_builds_offline_with_empty_nltk_data(tmp_path: Path) -> None:
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {**os.environ, "NLTK_DATA": str(empty), "NO_PROXY": "*",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    out = tmp_path / "site"
    proc = run_cli("build", "--output", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Built 1 story from 5 articles" in proc.stdout
    data = json.loads((out / "api" / "stories.json").read_text())
    assert len(data["stories"][0]["summary"]) >= 3


def test_commands_run_numpys_blas_on_one_thread_unless_the_user_chose(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A command sets the BLAS thread counts to 1 before numpy is imported (its thread
    pool only spun beside the build's own processes), leaving a value the user set."""
    from generator import cli

    for name in cli.ONE_THREAD:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    cli._one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "3"
    # in a real command, before numpy's import
    env = {k: v for k, v in os.environ.items() if k not in cli.ONE_THREAD}
    code = ("import os, sys\n"
            "from generator.cli import main\n"
            "assert 'numpy' not in sys.modules\n"
            "main(['inspect', sys.argv[1]])\n"
            "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(SEEDS)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--content", "no-such-folder"], "no-such-folder"),
        (["build", "--config", "missing.toml"], "missing.toml"),
    ],
)
def test_cli_errors_are_one_line_with_status_2(tmp_path: Path, args: list[str],
                                                message: str) -> None:
    proc = run_cli(*args, "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_bad_config_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text("titel = 'x'\n")
    proc = run_cli("build", cwd=tmp_path)
    assert proc.returncode == 2
    assert "titel" in proc.stderr and "digest.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_unwritable_output(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_cli("build", "--output", str(blocker / "site"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and str(blocker) in proc.stderr


def test_theme_found_from_an_installed_layout(tmp_path: Path) -> None:
    """Outside the checkout, the theme packaged as generator/_theme is used."""
    import shutil

    pkg = tmp_path / "installed"
    shutil.copytree(ROOT / "generator", pkg / "generator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", pkg / "generator" / "_theme")
    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "articles")
    env = {**os.environ, "PYTHONPATH": str(pkg)}
    proc = subprocess.run(
        [sys.executable, "-c", "import generator.render as r, sys; print(r.theme_dir()); "
         "from generator.cli import main; sys.exit(main(['build', '--content', 'articles', "
         "'--output', 'out']))"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert str(pkg / "generator" / "_theme") in proc.stdout
    assert (work / "out" / "static" / "style.css").is_file()
    assert (work / "out" / "index.html").is_file()


def test_the_build_command_flushes_its_output_and_exit_status(tmp_path: Path) -> None:
    """``python -m generator build`` ends the process without tearing the heap down
    (cli.run): what it printed still arrives, and the status is the build's."""
    import shutil

    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "articles")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "generator", "build", "--content", "articles",
               "--output", "out"]
    proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Built ") and proc.stdout.endswith("files).\n")
    assert (work / "out" / "index.html").is_file()
    (work / "articles" / "broken.html").write_bytes(b"\xff\xfe\x00 not text")
    proc = subprocess.run([*command, "--strict"], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1
    assert "broken.html" in proc.stderr and "Report: " in proc.stderr


def test_the_garbage_collector_is_paused_while_a_build_runs(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    import gc

    from generator import build as build_module
    from generator import render as render_module

    seen: list[bool] = []
    render = render_module.render

    def watched(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render_module, "render", watched)
    assert gc.isenabled()
    build(seeds_config(tmp_path))
    assert seen == [False]
    assert gc.isenabled()  # back on after the build

    # Builds overlapping in threads: on again only when the last one ends.
    first, second = build_module.collection_paused(), build_module.collection_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()

    gc.disable()  # a caller that turned it off keeps it off
    try:
        with build_module.collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
