"""The ``digest`` command line: parses arguments and calls plain functions.

Each command's work lives in its stage modules; this file only turns options
into a :class:`~generator.config.Config` and reports the outcome. Expected
failures (bad config, missing folder, unwritable output) print one line and
exit with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, NoReturn

from .build import BuildError
from .config import CONFIG_NAME, Config, ConfigError, load_config

EXIT_USAGE = 2

COMMANDS = {
    "build": "Build the site into the output folder.",
    "init": "Create a new site (config, sample content, theme overrides, Pages workflow).",
    "inspect": "Show how digest reads article files: metadata, paragraphs, dropped lines.",
    "fetch": "Fetch new articles from the configured RSS and Atom feeds into the inbox.",
    "serve": "Build, serve the site locally, rebuild on change and reload open pages.",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Static-site generator for multi-source news digests.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = sub.add_parser("build", help=COMMANDS["build"], description=COMMANDS["build"])
    _common(build)
    _overrides(build)
    build.add_argument("--strict", action="store_true",
                       help="exit with status 1 when any input file had a problem")
    build.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    build.add_argument("-v", "--verbose", action="store_true", help="print the time of each stage")
    build.add_argument("--fetch", action="store_true",
                       help="run 'digest fetch' first, then build")
    build.add_argument("--jobs", type=int, metavar="N",
                       help="worker processes for cleaning, per-story work and pages, and "
                       "threads writing a new site (default: all cores)")
    build.add_argument("--no-cache", action="store_true",
                       help="ignore and do not update the build cache (.digest-cache/)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="run per-story work on a Dask cluster (needs the 'dask' extra)")
    fetch = sub.add_parser("fetch", help=COMMANDS["fetch"], description=COMMANDS["fetch"])
    _common(fetch)
    fetch.add_argument("--feed", action="append", metavar="URL",
                       help="feed to read instead of the configured ones (repeatable)")
    fetch.add_argument("--inbox", metavar="DIR", help="folder to write articles to ('inbox')")
    fetch.add_argument("--strict", action="store_true",
                       help="exit with status 1 when any feed or page failed")
    fetch.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    fetch.add_argument("-v", "--verbose", action="store_true",
                       help="show progress even when stderr is not a terminal")
    inspect = sub.add_parser("inspect", help=COMMANDS["inspect"],
                             description=COMMANDS["inspect"])
    _common(inspect)
    inspect.add_argument("paths", nargs="+", metavar="PATH", help="article file or folder")
    inspect.add_argument("--json", action="store_true",
                         help="print one JSON object per article, one per line")
    serve = sub.add_parser("serve", help=COMMANDS["serve"], description=COMMANDS["serve"])
    _common(serve)
    _overrides(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any)")
    serve.add_argument("--poll", type=float, metavar="SECONDS",
                       help="poll for changes every SECONDS instead of native file events")
    init = sub.add_parser("init", help=COMMANDS["init"], description=COMMANDS["init"])
    init.add_argument("dir", metavar="DIR", help="folder for the new site (created if missing)")
    init.add_argument("--title", help="site title (default: from the folder name)")
    return parser


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, init

    try:
        result = init(Path(args.dir), args.title)
    except ScaffoldError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Created a new site in {result.root} ({len(result.files)} files). Next:\n"
          f"  cd {args.dir} && digest build   # then open site/index.html through a server\n"
          "  Push it to GitHub and set Settings -> Pages -> Source to GitHub Actions;\n"
          "  first name the digest package to install in requirements.txt.")
    return 0


def _overrides(parser: argparse.ArgumentParser) -> None:
    """Options that replace config values for one run (see :func:`apply_overrides`)."""
    parser.add_argument("--content", action="append", metavar="DIR",
                        help="article folder to read instead of the configured ones (repeatable)")
    parser.add_argument("--output", metavar="DIR", help="output folder (replaces 'output')")
    parser.add_argument("--base-url", metavar="URL", help="public URL of the site ('base_url')")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help=f"config file (default: ./{CONFIG_NAME} when it exists)")


def read_config(args: argparse.Namespace) -> Config:
    """The config named by ``--config``, else ``./digest.toml``, else the defaults."""
    if args.config:
        return load_config(Path(args.config))
    default = Path.cwd() / CONFIG_NAME
    return load_config(default if default.is_file() else None)


def apply_overrides(config: Config, args: argparse.Namespace) -> Config:
    cwd = Path.cwd()
    if getattr(args, "content", None):
        config.articles = [str((cwd / c).resolve()) for c in args.content]
    if getattr(args, "output", None):
        config.output = str((cwd / args.output).resolve())
    if getattr(args, "base_url", None):
        config.base_url = args.base_url
    return config


def run_fetch(config: Config, args: argparse.Namespace) -> int | None:
    """Fetch into the inbox and report; the exit status when it cannot run, else None."""
    from .config import FeedConfig
    from .fetch import FetchError, fetch, inbox_is_read

    feeds = [FeedConfig(url=u) for u in args.feed] if getattr(args, "feed", None) else None
    show = args.verbose or (not args.quiet and sys.stderr.isatty())

    def progress(message: str) -> None:
        if show:
            print(f"fetch: {message}", file=sys.stderr)

    try:
        result = fetch(config, feeds, progress)
    except FetchError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not result.feeds:
        if not args.quiet:
            print("No feeds to fetch: add [[feeds]] tables to digest.toml or pass --feed.",
                  file=sys.stderr)
        args.fetch_failed = False
        return None
    if not inbox_is_read(config):
        print(f"digest: warning: the inbox {result.inbox} is not one of the 'articles' folders; "
              "digest build will not read what was fetched", file=sys.stderr)
    if not args.quiet:
        print(f"Fetched {len(result.written)} new article(s) from {result.feeds} feed(s) into "
              f"{result.inbox} ({result.known} already there, "
              f"{result.not_modified} feed(s) not modified).", file=sys.stderr)
    errors = [p for p in result.problems if p.severity == "error"]
    if result.problems:
        print(f"{len(errors)} fetch failure(s):", file=sys.stderr)
        for p in result.problems:
            print(f"  {p.severity}: {p}", file=sys.stderr)
    args.fetch_failed = bool(errors)
    return None


def cmd_fetch(args: argparse.Namespace) -> int:
    config = read_config(args)
    if args.inbox:
        config.inbox = str((Path.cwd() / args.inbox).resolve())
    status = run_fetch(config, args)
    if status is not None:
        return status
    return 1 if args.strict and args.fetch_failed else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    config = apply_overrides(read_config(args), args)
    if args.fetch:
        status = run_fetch(config, args)
        if status is not None:
            return status

    started = time.perf_counter()
    show = args.verbose or (not args.quiet and sys.stderr.isatty())

    def progress(message: str) -> None:
        if show or message.startswith("warning:"):
            print(f"[{time.perf_counter() - started:6.2f}s] {message}", file=sys.stderr)

    if args.jobs is not None and args.jobs < 1:
        print("digest: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        with dask_executor(args.scheduler) as executor:
            result = build(config, progress, jobs=args.jobs, executor=executor,
                           use_cache=not args.no_cache)
    except BuildError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problems = result.problems
    if not args.quiet:
        stories = len(result.digest.stories)
        print(f"Built {stories} {'story' if stories == 1 else 'stories'} from "
              f"{len(result.digest.articles)} articles into {result.output} "
              f"({result.files} files).")
    if problems:
        skipped = sum(p.severity == "error" for p in problems)
        print(f"{len(problems)} problem(s), {skipped} input(s) skipped:", file=sys.stderr)
        for p in problems:
            print(f"  {p.severity}: {p}", file=sys.stderr)
        if result.report_path:
            print(f"Report: {result.report_path}", file=sys.stderr)
        if args.strict:
            return 1
    if args.strict and getattr(args, "fetch_failed", False):
        return 1
    return 0


@contextlib.contextmanager
def dask_executor(address: str | None) -> Iterator[Executor | None]:
    """A concurrent.futures executor on the Dask cluster at ``address`` (or None)."""
    if not address:
        yield None
        return
    import importlib

    try:  # imported by name: dask is an optional extra with partial type hints
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError:
        raise BuildError("--scheduler needs Dask: pip install 'digest[dask]'") from None
    try:
        client = distributed.Client(address, timeout=10)
    except OSError as exc:
        raise BuildError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


def cmd_inspect(args: argparse.Namespace) -> int:
    """Read and clean the given files; print what digest makes of each (status 1 on errors)."""
    from .clean import inspect_paths, render_text

    config = read_config(args)
    entries = inspect_paths([Path(p) for p in args.paths], config.language)
    for entry in entries:
        print(json.dumps(entry, ensure_ascii=False, sort_keys=False) if args.json
              else render_text(entry))
    errors = any(p["severity"] == "error" for e in entries for p in e["problems"])
    return 1 if errors else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Live preview (see generator/serve): rebuilds re-read the config and overrides."""
    from .serve import serve

    if args.config:
        args.config = str(Path(args.config).resolve())
    elif (Path.cwd() / CONFIG_NAME).is_file():
        args.config = str(Path.cwd() / CONFIG_NAME)
    try:
        return serve(lambda: apply_overrides(read_config(args), args), args.host, args.port,
                     args.poll)
    except OSError as exc:
        print(f"digest: error: cannot serve on {args.host}:{args.port} ({exc.strerror})",
              file=sys.stderr)
        return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    return _dispatch(_parser().parse_args(argv))


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``digest`` command: :func:`main`, then exit with its status.

    After a build the process ends without tearing its heap down: a build holds every
    article, story and page, and freeing them one by one at exit takes about 0.1 s.
    Output is flushed first; the build has closed its files, worker processes and
    executors by then."""
    args = _parser().parse_args(argv)
    code = _dispatch(args)
    if args.command == "build":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Thread counts of numpy's linear-algebra library that a command sets to 1 (unless the
user set them): see :func:`_one_blas_thread`."""


def _one_blas_thread() -> None:
    """numpy's BLAS on one thread in each process, as tools that run work in several
    processes do (joblib's workers, for one). Its matrices here are small (one story's
    sentences, clustering's sparse products), and a build already keeps every core
    busy with its own processes: OpenBLAS's default thread pool, one thread per core,
    only spun waiting for work, taking CPU from the build's workers (``perf``: 0.05-0.06
    s of a cold build of the bench site in ``blas_thread_server``). Set before numpy is
    imported, and only where the user left the variable unset."""
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")


def _dispatch(args: argparse.Namespace) -> int:
    _one_blas_thread()
    try:
        if args.command == "build":
            return cmd_build(args)
        if args.command == "init":
            return cmd_init(args)
        if args.command == "inspect":
            return cmd_inspect(args)
        if args.command == "fetch":
            return cmd_fetch(args)
        if args.command == "serve":
            return cmd_serve(args)
    except ConfigError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    run()
