from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import Config, ConfigError, documented_options, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    config = load_config(None, root=tmp_path)
    assert config.title == "digest"
    assert config.articles == ["content/articles"]
    assert config.summary.algorithm == "lexrank"
    assert config.root == tmp_path.resolve()


def test_reads_every_kind_of_option(tmp_path: Path) -> None:
    path = write(tmp_path, """
title = "My digest"
base_url = "https://user.github.io/repo"
articles = ["a", "b"]
output = "out"
[cluster]
threshold = 1
window_days = 2
merge = [["x", "y"]]
[summary]
algorithm = "TextRank"
sentences = 3
""")
    config = load_config(path)
    assert config.title == "My digest"
    assert config.articles == ["a", "b"]
    assert config.cluster.threshold == 1.0 and isinstance(config.cluster.threshold, float)
    assert config.cluster.merge == [["x", "y"]]
    assert config.summary.sentences == 3
    assert config.base_path == "/repo/"
    assert config.resolve("out") == tmp_path.resolve() / "out"
    assert config.source == path.resolve()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("titel = 'x'", ["unknown option 'titel'"]),
        ("[summary]\nsentense = 3", ["unknown option 'summary.sentense'"]),
        ("title = 3", ["'title'", "string"]),
        ("articles = 'seeds'", ["'articles'", "list"]),
        ("articles = [1]", ["'articles[0]'"]),
        ("[summary]\nsentences = 'five'", ["'summary.sentences'", "whole number"]),
        ("[summary]\nsentences = true", ["'summary.sentences'"]),
        ("[cluster]\nthreshold = 'high'", ["'cluster.threshold'", "number"]),
        ("summary = 3", ["'summary' must be a table"]),
        ("[summary]\nalgorithm = 'gpt'", ["'summary.algorithm'", "lexrank"]),
        ("title = ", ["invalid TOML"]),
    ],
)
def test_errors_name_the_key_and_the_file(tmp_path: Path, text: str, words: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_every_option_has_a_type_default_and_description() -> None:
    rows = documented_options()
    assert len(rows) >= 10
    for key, type_name, doc in rows:
        assert doc and doc[0].isupper() and doc.endswith("."), key
        assert type_name, key
    Config()  # every option has a default


def test_base_path_forms() -> None:
    for url, path in [("/", "/"), ("", "/"), ("https://x.org", "/"), ("https://x.org/a/b", "/a/b/"),
                      ("/repo", "/repo/"), ("repo/", "/repo/")]:
        assert Config(base_url=url).base_path == path, url
