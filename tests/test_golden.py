"""Golden output: build the fixture site and compare every file with tests/golden/expected.

After an intended change of output, run ``python tests/golden/regenerate.py`` and review
the diff of tests/golden/expected.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import build
from generator.config import load_config

GOLDEN = Path(__file__).parent / "golden"


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_fixture_site_matches_expected_output(tmp_path: Path) -> None:
    site = shutil.copytree(GOLDEN / "site", tmp_path / "site")
    config = load_config(site / "digest.toml")
    result = build(config)
    got, want = files(result.output), files(GOLDEN / "expected")
    assert sorted(got) == sorted(want), "the set of output files changed"
    changed = [name for name in sorted(want) if got[name] != want[name]]
    assert not changed, (
        f"output differs from tests/golden/expected in {changed}; if intended, run "
        "python tests/golden/regenerate.py and review the diff"
    )
