"""Subcommands of `clc-sim`; each module has `add_parser(subparsers)` and `run(args) -> int`."""

from __future__ import annotations

import argparse
import textwrap


class CommandError(Exception):
    """Bad command-line input that is not a scenario problem; reported in one paragraph, exit status 2."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, carrying the one line that says truly what it left; the CLI prints it and exits 130."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def command_parser(subparsers, name: str, help: str, description: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand parser with the shared layout: a one-line help, a description and an examples epilog."""
    return subparsers.add_parser(
        name, help=help, description=textwrap.fill(" ".join(description.split()), 90), epilog="examples:\n" + examples.strip("\n"),
        formatter_class=argparse.RawDescriptionHelpFormatter)


def add_scenario_argument(parser: argparse.ArgumentParser, nargs=None, default=None) -> None:
    """The positional FILE|NAME argument shared by commands that take scenarios."""
    parser.add_argument("scenario", metavar="FILE|NAME", nargs=nargs, default=default,
                        help="a scenario file (path to .toml) or the name of a shipped scenario"
                        + (f" (default: {default})" if default else ""))
