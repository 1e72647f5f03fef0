"""Where the built-in theme lives (no Jinja2 import: the build cache needs it too)."""

from __future__ import annotations

from pathlib import Path


def theme_dir() -> Path:
    """The built-in theme: packaged in the wheel, or ``templates/`` of a checkout."""
    package = Path(__file__).resolve().parent
    packaged = package / "_theme"
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"
