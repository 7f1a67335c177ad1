"""`clc-sim list`: the shipped scenarios with one-line descriptions, or the model parameters."""

from __future__ import annotations

import shutil

from simulation.commands import command_parser

EXAMPLES = """
  clc-sim list                  name, size, formation and a one-line description of each scenario
  clc-sim list --long           the full description of each scenario
  clc-sim list --names          names only, one per line (for scripts)
  clc-sim list --params         every model parameter with its default, allowed and plausible range
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "list", "list the shipped scenarios (or the model parameters)",
                       "List the scenarios shipped in scenarios/ with a one-line description each.", EXAMPLES)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--long", action="store_true", help="print each scenario's full description")
    what.add_argument("--names", action="store_true", help="print scenario names only")
    what.add_argument("--params", action="store_true", help="list model parameters, defaults and ranges")
    return p


def first_sentence(text: str, width: int) -> str:
    """The description's first sentence, cut to `width` characters."""
    text = " ".join(text.split())
    end = text.find(". ")
    line = text if end < 0 else text[: end + 1]
    return line if len(line) <= width else line[: width - 3].rstrip() + "..."


def _print_params() -> int:
    from simulation.params import PARAMS

    group = None
    for p in PARAMS.values():
        if p.group != group:
            group = p.group
            print(f"\n[{group}]")
        unit = "" if p.unit == "-" else f" {p.unit}"
        print(f"  {p.name} = {p.default!r}{unit}  -- {p.allowed()}")
        print(f"      {p.doc}")
        if p.plausible is not None:
            print(f"      plausible: [{p.plausible[0]:g}, {p.plausible[1]:g}] -- {p.why}")
    return 0


def run(args) -> int:
    from simulation.scenario import ScenarioError, load_scenario, scenarios_dir, shipped_scenarios

    if args.params:
        return _print_params()
    shipped = shipped_scenarios()
    if not shipped:
        print(f"no scenarios found in {scenarios_dir()}")
        return 1
    if args.names:
        print("\n".join(shipped))
        return 0
    width = shutil.get_terminal_size((130, 24)).columns
    name_w = max(len(n) for n in shipped)
    status = 0
    for name, path in shipped.items():
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            print(f"{name:<{name_w}}  INVALID: {exc.message}")
            status = 1
            continue
        facts = f"{sc.n_schools:>4} schools  {sc.params['formation']:<9}"
        if args.long:
            print(f"{name}  ({sc.n_schools} schools, formation {sc.params['formation']}, {sc.horizon} ticks, "
                  f"seed {sc.seed}, {len(sc.interventions)} interventions)")
            print("    " + " ".join(sc.description.split()) + "\n")
        else:
            room = max(60, width - name_w - len(facts) - 5)
            print(f"{name:<{name_w}}  {facts}  {first_sentence(sc.description, room)}")
    return status
