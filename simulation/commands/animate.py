"""`clc-sim animate`: render a scenario as a GIF or MP4 (network beside a chart) for slides."""

from __future__ import annotations

from pathlib import Path

from simulation.commands import CommandError, add_scenario_argument, command_parser

EXAMPLES = """
  clc-sim animate voluntary-8 --out voluntary.gif              the whole horizon, a frame a week
  clc-sim animate defection-shock --out shock.mp4 --ticks 78   two school years as MP4 (needs ffmpeg)
  clc-sim animate forced-8 --out forced.gif --every 2 --fps 8  every second week, 8 frames a second
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "animate", "render a scenario as an animation for slides",
                       "Run a scenario and render the school network (coloured by stage) beside a time-series "
                       "chart, one frame per collected week, to a GIF (always available) or MP4 (needs "
                       "ffmpeg).", EXAMPLES)
    add_scenario_argument(p)
    p.add_argument("--out", required=True, type=Path, help="output file ending in .gif or .mp4")
    p.add_argument("--ticks", type=int, default=None, help="weeks to run (default: the scenario's horizon)")
    p.add_argument("--every", type=int, default=1, help="weeks between frames (default 1)")
    p.add_argument("--fps", type=int, default=10, help="frames per second of the animation (default 10)")
    p.add_argument("--chart", choices=["knowledge", "trust", "attainment", "stages"], default="stages",
                   help="the chart beside the network (default stages)")
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    return p


def run(args) -> int:
    from simulation.animate import AnimationError, render
    from simulation.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        scenario = scenario.with_overrides(seed=args.seed)
    try:
        out = render(scenario, args.out, ticks=args.ticks, every=args.every, fps=args.fps, chart=args.chart)
    except AnimationError as exc:
        raise CommandError(str(exc)) from exc
    print(f"wrote {out}")
    return 0
