"""Helpers shared by the tests (plain functions, no fixtures)."""

from __future__ import annotations

from pathlib import Path

from generator.build import build
from generator.config import Config, load_config
from generator.model import BuildResult

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def seeds_config(tmp: Path, base_url: str = "/") -> Config:
    """The demo config, with its output redirected into ``tmp``."""
    config = load_config(ROOT / "digest.toml")
    config.output = str(tmp / "site")
    config.base_url = base_url
    return config


def build_seeds(tmp: Path, base_url: str = "/") -> BuildResult:
    return build(seeds_config(tmp, base_url))
