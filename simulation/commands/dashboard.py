"""`clc-sim dashboard`: serve the workshop dashboard (Mesa SolaraViz) on localhost and print its address."""

from __future__ import annotations

import sys

from simulation.commands import CommandError, command_parser

EXAMPLES = """
  clc-sim dashboard                       the default scenario on http://127.0.0.1:8765/
  clc-sim dashboard forced-8 --port 9000  open on another shipped scenario and port
  clc-sim dashboard my-scenario.toml      a scenario file of your own
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "dashboard", "serve the live workshop dashboard in the browser",
                       "Start the workshop dashboard (a Mesa SolaraViz page served by Solara) on localhost and "
                       "print its address. It opens on SCENARIO and can load any shipped scenario from a "
                       "dropdown. Stop it with Ctrl+C.", EXAMPLES)
    p.add_argument("scenario", metavar="FILE|NAME", nargs="?", default=None,
                   help="a scenario file (path to .toml) or the name of a shipped scenario "
                        "(default: the shipped default scenario)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: only this computer can connect)")
    return p


def run(args) -> int:
    from simulation.dashboard import assets, server
    from simulation.scenario import load_scenario

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port} is not allowed: expected an integer in [0, 65535].")
    scenario = None
    if args.scenario:
        load_scenario(args.scenario)  # a bad name or file fails here, with the field and what is allowed
        scenario = args.scenario
    try:
        assets.install()
    except RuntimeError as exc:
        raise CommandError(str(exc)) from exc
    proc, url = server.start(scenario, port=args.port, host=args.host)
    try:
        server.wait_ready(proc, url)
        print(f"Dashboard running at {url}  (press Ctrl+C to stop)", flush=True)
        proc.wait()
    except KeyboardInterrupt:
        print("\nstopping the dashboard", file=sys.stderr)
    except (RuntimeError, TimeoutError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        server.stop(proc)
    return 0
