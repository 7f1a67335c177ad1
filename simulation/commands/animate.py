"""`clc-sim animate`: render a scenario as a GIF or MP4 (network beside a chart) for slides."""

from __future__ import annotations

from pathlib import Path

from simulation.commands import CommandError, add_scenario_argument, command_parser

EXAMPLES = """
  clc-sim animate voluntary-8 --out voluntary.gif              the whole horizon, a frame a week
  clc-sim animate defection-shock --out shock.mp4 --ticks 78   two school years as MP4 (needs ffmpeg)
  clc-sim animate forced-8 --out forced.gif --every 2 --fps 8  every second week, 8 frames a second
  clc-sim animate voluntary-8 --out small.gif --size 1280x720  a smaller frame (default 1920x1080)
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
    p.add_argument("--size", default="1920x1080", metavar="WxH",
                   help="frame size in pixels (default 1920x1080, a full-HD slide)")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    return p


def run(args) -> int:
    from simulation.animate import AnimationError, render
    from simulation.scenario import MAX_HORIZON, MAX_SEED, load_scenario
    from simulation.validation import check_option

    check_option("--seed", args.seed, 0, MAX_SEED)
    check_option("--ticks", args.ticks, 1, MAX_HORIZON)
    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        scenario = scenario.with_overrides(seed=args.seed)
    try:
        extra = {"progress": None} if args.quiet else {}
        out = render(scenario, args.out, ticks=args.ticks, every=args.every, fps=args.fps, chart=args.chart,
                     size=args.size, **extra)
    except AnimationError as exc:
        raise CommandError(str(exc)) from exc
    print(f"wrote {out}")
    return 0
