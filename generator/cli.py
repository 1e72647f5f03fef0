"""The ``digest`` command line: parses arguments and calls plain functions.

Each command's work lives in its stage modules; this file only turns options
into a :class:`~generator.config.Config` and reports the outcome. Expected
failures (bad config, missing folder, unwritable output) print one line and
exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import CONFIG_NAME, Config, ConfigError, load_config

EXIT_USAGE = 2

COMMANDS = {
    "build": "Build the site into the output folder.",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Static-site generator for multi-source news digests.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = sub.add_parser("build", help=COMMANDS["build"], description=COMMANDS["build"])
    _common(build)
    build.add_argument("--content", action="append", metavar="DIR",
                       help="article folder to read instead of the configured ones (repeatable)")
    build.add_argument("--output", metavar="DIR", help="output folder (replaces 'output')")
    build.add_argument("--base-url", metavar="URL", help="public URL of the site ('base_url')")
    build.add_argument("--strict", action="store_true",
                       help="exit with status 1 when any input file had a problem")
    build.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    build.add_argument("-v", "--verbose", action="store_true", help="print the time of each stage")
    return parser


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


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildError, build

    config = apply_overrides(read_config(args), args)

    def progress(message: str) -> None:
        if args.verbose:
            print(message, file=sys.stderr)

    try:
        result = build(config, progress)
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
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return cmd_build(args)
    except ConfigError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
