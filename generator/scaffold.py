"""``digest init DIR``: a new site that builds at once and deploys to GitHub Pages.

It writes a config, a content folder with two short sample articles (one
invented event, two invented outlets, so the story page has differences to
show), an about page, a ``templates/`` folder for theme overrides and the
GitHub Pages workflow. Existing files are never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class ScaffoldError(Exception):
    """The folder cannot take a new site (files would be overwritten, not writable)."""


INSTALL_FROM_REQUIREMENTS = """\
      - name: Install digest
        run: |
          if ! grep -qvE '^[[:space:]]*(#|$)' requirements.txt; then
            echo "::error file=requirements.txt::name the digest package to install"
            exit 1
          fi
          pip install -r requirements.txt"""

INSTALL_FROM_CHECKOUT = """\
      - name: Install digest
        run: pip install ."""


def workflow(install: str = INSTALL_FROM_REQUIREMENTS) -> str:
    """The GitHub Pages workflow: build with the Pages base URL, upload, deploy."""
    return f"""\
# Builds the site with digest and publishes it on GitHub Pages.
# Turn it on once: Settings -> Pages -> Build and deployment -> Source: GitHub Actions.
# configure-pages reports the site's address (https://<user>.github.io/<repo> for a
# project site), which becomes the build's base URL so every link works under it.
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  schedule:
    # Every day at 05:17 UTC: fetch the feeds listed in digest.toml, build, publish.
    - cron: "17 5 * * *"
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
{install}
      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@v5
      - name: Fetch the feeds and build the site
        # --fetch runs `digest fetch` first (nothing to do when digest.toml lists no
        # feeds); a failed feed or page is reported and the build goes on.
        run: >-
          digest build --fetch --output site
          --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
"""


REQUIREMENTS = """\
# What the GitHub Pages workflow installs to build this site.
# Name the digest package here, the way you install it, for example
#   digest @ git+https://github.com/<owner>/digest@main
# (the workflow stops with a clear error while this file names nothing).
"""


def _config(title: str) -> str:
    return f"""\
# digest site configuration: every option is listed in digest's README.
title = {json.dumps(title, ensure_ascii=False)}
description = "Stories from many sources, each with a cited summary and how the sources differ."
# The public address. The GitHub Pages workflow passes its own with --base-url.
base_url = "/"
articles = ["content/articles"]
pages = "content/pages"
output = "site"
templates = "templates"

[summary]
algorithm = "lexrank"
sentences = 4
"""


SAMPLE_ONE = """\
---
title: Town council approves new cycle bridge over the river
outlet: Sample Herald
url: https://herald.example/news/cycle-bridge
published: 2024-04-02T09:30:00Z
author: A. Sample
---
The town council approved a new cycle and footbridge over the river on Monday evening.

The bridge will cost 4.2 million euros and should open in the spring of 2026, the council said.

"This links the two halves of town for everyone who walks or cycles," said councillor Lena Hart.

Construction is due to start in September, after the summer festival.

This is a sample article made by `digest init`: replace the files in content/articles with your own.
"""

SAMPLE_TWO = """\
---
title: Cycle bridge gets green light, but costs worry opposition
outlet: Sample Courier
url: https://courier.example/2024/04/02/bridge
published: 2024-04-02T14:05:00Z
---
The town council approved a new cycle and footbridge over the river on Monday evening.

Opposition councillors said the price had risen from 3.5 million euros in last year's plan.

"This links the two halves of town for everyone who walks or cycles," said councillor Lena Hart.

Local shops on the east bank hope the bridge will bring more visitors.

This is a sample article made by `digest init`: replace the files in content/articles with your own.
"""

ABOUT = """\
---
title: About
---
# About this site

This site is built with **digest**. It groups articles about the same event into
stories, summarises each story only with sentences quoted word for word from the
sources (each cited to every source that carries it), and shows how the sources differ.

Edit this page in `content/pages/about.md`.
"""

TEMPLATES_README = """\
# Theme overrides

A file here replaces the built-in theme file of the same name, for example
`story.html`, `base.html` or `static/style.css`; files you do not add keep the
built-in version. Templates are Jinja2 with autoescaping on: keep article text
escaped (never use `|safe` on it).

The built-in templates are in digest's `templates/` folder (in an installed
copy, `generator/_theme/`); copy the one you want to change into this folder.
"""


@dataclass
class Scaffold:
    """What ``init`` wrote."""

    root: Path
    files: list[Path] = field(default_factory=list)


def site_files(title: str) -> dict[str, str]:
    """Every file of a new site, by path relative to its folder."""
    return {
        "digest.toml": _config(title),
        "content/articles/sample-herald.md": SAMPLE_ONE,
        "content/articles/sample-courier.md": SAMPLE_TWO,
        "content/pages/about.md": ABOUT,
        "templates/README.md": TEMPLATES_README,
        ".github/workflows/pages.yml": workflow(),
        "requirements.txt": REQUIREMENTS,
        ".gitignore": "/site/\n.digest-cache/\n",
    }


def init(folder: Path, title: str | None = None) -> Scaffold:
    """Write a new site into ``folder`` (created if missing); never overwrite a file."""
    root = folder.resolve()
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{folder} exists and is not a folder")
    if not title:
        words = root.name.replace("-", " ").replace("_", " ").split()
        title = " ".join(words)[:1].upper() + " ".join(words)[1:] if words else "digest"
    files = site_files(title)
    taken = sorted(rel for rel in files if (root / rel).exists())
    if taken:
        raise ScaffoldError(f"{folder} already has {', '.join(taken)}; nothing was written")
    result = Scaffold(root)
    try:
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            result.files.append(path)
    except OSError as exc:
        raise ScaffoldError(f"cannot write the new site into {folder}: {exc}") from None
    return result
