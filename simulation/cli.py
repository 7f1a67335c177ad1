"""The `clc-sim` command line: one argparse subcommand per module under `simulation.commands`.

To add a command, write a module exposing `add_parser(subparsers)` and `run(args) -> int`, and add one
line to `COMMANDS`. Bad input raises `CommandError` or `ScenarioError` and ends with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap

from simulation.commands import CommandError

COMMANDS: list[tuple[str, str]] = [
    ("list", "simulation.commands.list"),
    ("validate", "simulation.commands.validate"),
    ("run", "simulation.commands.run"),
    ("dashboard", "simulation.commands.dashboard"),
    ("animate", "simulation.commands.animate"),
    ("sweep", "simulation.commands.sweep"),
    ("sensitivity", "simulation.commands.sensitivity"),
    ("compare", "simulation.commands.compare"),
    ("experiments", "simulation.commands.experiments"),
    ("calibrate", "simulation.commands.calibrate"),
]

EPILOG = """examples:
  clc-sim list                          the shipped scenarios
  clc-sim validate my-scenario.toml     check a scenario file
  clc-sim run voluntary-8 --ticks 39    one school year of the default scenario

Run `clc-sim COMMAND --help` for a command's options and examples."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clc-simulation")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered command's subparser."""
    parser = argparse.ArgumentParser(
        prog="clc-sim",
        description="Agent-based simulation of collaborative learning networks of schools.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"clc-sim {_version()}")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS:
        module = importlib.import_module(module_name)
        command = module.add_parser(sub)
        command.set_defaults(_run=module.run)
    return parser


def _say_error(command: str | None, message: str) -> None:
    prefix = f"clc-sim {command}: error: " if command else "clc-sim: error: "
    text = textwrap.fill(prefix + message, width=100, break_long_words=False, break_on_hyphens=False)
    print(text, file=sys.stderr)


def _say_interrupted(command: str | None, exc: KeyboardInterrupt) -> None:
    """One line for a Ctrl-C: the command's own account of what it left, else that nothing more was written."""
    message = getattr(exc, "message", None) or "interrupted; nothing more was written."
    print(f"clc-sim {command}: {message}" if command else f"clc-sim: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Parse `argv` (default `sys.argv[1:]`), run the command, and return its exit status."""
    try:
        parser = build_parser()
    except KeyboardInterrupt as exc:     # Ctrl-C while the commands load: nothing has started
        _say_interrupted(None, exc)
        return 130
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except KeyboardInterrupt as exc:
        _say_interrupted(None, exc)
        return 130
    args.argv = argv
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except (CommandError, ValueError) as exc:   # ScenarioError is a ValueError; so are the model's own checks
        _say_error(args.command, str(exc))
        return 2
    except KeyboardInterrupt as exc:
        _say_interrupted(args.command, exc)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error: short message unless debugging
        if os.environ.get("CLC_DEBUG"):
            raise
        _say_error(args.command, f"internal error ({type(exc).__name__}: {exc}). Set CLC_DEBUG=1 to see "
                   "the traceback and please report it.")
        return 1


if __name__ == "__main__":
    sys.exit(main())
