"""`clc-sim dashboard`: serve the workshop dashboard (Mesa SolaraViz) on localhost and print its address."""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager

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
                       "dropdown. Stop it with Ctrl+C (or SIGTERM / SIGHUP, which stop it the same way).", EXAMPLES)
    p.add_argument("scenario", metavar="FILE|NAME", nargs="?", default=None,
                   help="a scenario file (path to .toml) or the name of a shipped scenario "
                        "(default: the shipped default scenario)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: only this computer can connect)")
    return p


# Ctrl+C, `kill PID` and a closed terminal all stop the dashboard the same way.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _stop_requested(signum, frame):
    """Signal handler: ignore further stop signals (stopping is bounded) and unwind like Ctrl+C."""
    _set_handlers(signal.SIG_IGN)
    raise KeyboardInterrupt


def _set_handlers(handler) -> dict:
    return {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}


@contextmanager
def _stop_signals_handled():
    """`_stop_requested` on every stop signal while the server runs; the old handlers afterwards."""
    try:
        old = _set_handlers(_stop_requested)
    except ValueError:  # not the main thread: signals cannot be caught here, Ctrl+C stays as it is
        yield
        return
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


def run(args) -> int:
    """Serve until stopped; the server process is stopped however this ends.

    Ctrl+C (SIGINT), SIGTERM and SIGHUP are a requested stop: "stopping the dashboard" on stderr, the
    server terminated (killed after 10 s) and exit status 0. A port that cannot be used, or a server
    that exits before it answers, is a CommandError (status 2).
    """
    from simulation.dashboard import assets, server
    from simulation.scenario import load_scenario

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port} is not allowed: expected an integer in [0, 65535].")
    scenario = None
    if args.scenario is not None:
        load_scenario(args.scenario)  # a bad name or file (an empty one too) fails here, with what is allowed
        scenario = args.scenario
    try:
        server.check_port(args.host, args.port)  # at once, not after the asset download; start checks again
        assets.install()
    except RuntimeError as exc:  # server.PortUnavailable is one
        raise CommandError(str(exc)) from exc
    proc = None
    with _stop_signals_handled():
        try:
            proc, url = server.start(scenario, port=args.port, host=args.host)
            server.wait_ready(proc, url)
            print(f"Dashboard running at {url}  (press Ctrl+C to stop)", flush=True)
            proc.wait()
        except KeyboardInterrupt:
            try:
                print("\nstopping the dashboard", file=sys.stderr, flush=True)
            except OSError:  # the terminal is gone (SIGHUP)
                pass
        except (RuntimeError, TimeoutError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if proc is not None:
                try:
                    _set_handlers(signal.SIG_IGN)  # a second Ctrl+C must not cut the stop short
                except ValueError:
                    pass
                server.stop(proc)
    return 0
