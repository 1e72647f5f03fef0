"""Rebuild the golden expected output on purpose: ``python tests/golden/regenerate.py``.

Run it after an intended change of the site's output, then review ``git diff
tests/golden/expected`` before committing.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from generator.build import build  # noqa: E402
from generator.config import load_config  # noqa: E402


def main() -> None:
    config = load_config(HERE / "site" / "digest.toml")
    expected = HERE / "expected"
    config.output = str(expected)
    if expected.exists():
        shutil.rmtree(expected)
    result = build(config)
    shutil.rmtree(HERE / "site" / ".digest-cache", ignore_errors=True)
    print(f"wrote {result.files} files to {expected}")


if __name__ == "__main__":
    main()
