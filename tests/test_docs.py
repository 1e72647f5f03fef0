"""Documentation held by tests: every config option and CLI command is in the README."""

from __future__ import annotations

import argparse
import re

from generator.cli import _parser
from generator.config import documented_options
from tests.util import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_config_option_is_documented() -> None:
    missing = [key for key, _, _ in documented_options() if f"| `{key}` |" not in README]
    assert not missing, f"options missing from README's option table: {missing}"


def test_every_cli_command_and_option_is_documented() -> None:
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sub.choices
    for name, command in sub.choices.items():
        assert f"### `digest {name}`" in README, f"command {name} has no README section"
        section = README.split(f"### `digest {name}`", 1)[1].split("\n## ", 1)[0]
        section = section.split("\n### ", 1)[0]
        for action in command._actions:
            for flag in action.option_strings:
                if flag in ("-h", "--help") or not flag.startswith("--"):
                    continue
                assert flag in section, f"digest {name} {flag} is not documented in README"


def test_readme_test_command_is_what_ci_runs() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.strip() in ci
    assert "mypy --strict generator" in ci and "ruff check" in ci


def test_quick_start_has_exactly_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert len(blocks) == 2
    assert "digest build" in blocks[0] and "pytest" in blocks[1]
    assert all(len(b.strip().splitlines()) == 1 for b in blocks)
