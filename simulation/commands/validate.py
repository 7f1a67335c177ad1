"""`clc-sim validate`: check scenarios and say what is wrong, or that they are fine."""

from __future__ import annotations

import sys

from simulation.commands import CommandError, command_parser

EXAMPLES = """
  clc-sim validate forced-8                 a shipped scenario, by name
  clc-sim validate my-scenario.toml         a file of your own
  clc-sim validate --all                    every shipped scenario
  clc-sim validate my.toml --show           also print the resolved scenario (every default written out)
  clc-sim validate my.toml --build          also build the model, to catch combinations it refuses
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "validate", "check scenario files and say what is wrong",
                       "Check one or more scenarios against the schema: known keys, types, ranges, "
                       "intervention ticks and school indices. Exit status 0 when all are fine, 2 otherwise.",
                       EXAMPLES)
    p.add_argument("scenarios", metavar="FILE|NAME", nargs="*",
                   help="scenario files or names of shipped scenarios")
    p.add_argument("--all", action="store_true", help="validate every shipped scenario")
    p.add_argument("--show", action="store_true", help="print the resolved scenario as TOML")
    p.add_argument("--build", action="store_true",
                   help="also construct the model (slower; catches what only the model checks)")
    return p


def _describe(sc) -> str:
    from simulation.hubs import describe

    ivs = len(sc.interventions)
    return (f"{describe(sc.params)}, formation {sc.params['formation']}, links {sc.params['link_policy']}, "
            f"{sc.horizon} ticks, seed {sc.seed}, {len(sc.overrides)} parameters set, "
            f"{ivs} intervention{'s' if ivs != 1 else ''}")


def run(args) -> int:
    from simulation.hubs import hub_notes
    from simulation.scenario import ScenarioError, load_scenario, shipped_scenarios

    targets = list(args.scenarios)
    if args.all:
        targets += [str(p) for p in shipped_scenarios().values()]
    if not targets:
        raise CommandError("name a scenario file or shipped scenario to validate, or use --all.")
    failed = 0
    for target in targets:
        try:
            sc = load_scenario(target)
            if args.build:
                from simulation.runner import build_model

                build_model(sc)
        except (ScenarioError, ValueError) as exc:
            failed += 1
            if len(targets) == 1:
                raise
            print(f"INVALID {target}: {exc}", file=sys.stderr)
            continue
        print(f"OK {sc.name}: {_describe(sc)} ({sc.source})")
        for note in hub_notes(sc):
            print(f"  {note}")
        if args.show:
            print(sc.to_toml())
    if failed:
        print(f"{failed} of {len(targets)} scenarios are invalid.", file=sys.stderr)
        return 2
    return 0
