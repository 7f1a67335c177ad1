"""Run a scenario: build the model, step it to the horizon with a progress bar, collect the tables.

`run_scenario` is the stable entry point for the CLI, sweeps and comparisons; `build_model` and
`simulate` are its parts, for callers that want the model itself or no files.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.scenario import Scenario, load_scenario


@dataclass
class RunResult:
    """What one run produced: the resolved scenario, tidy tables, the final school graph (None when run
    without figures), metadata."""

    scenario: Scenario
    timeseries: pd.DataFrame
    schools: pd.DataFrame
    graph: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    run_dir: Path | None = None


def build_model(scenario: Scenario):
    """A `CLCModel` for the scenario, with its interventions scheduled."""
    from simulation import CLCModel

    model = CLCModel(seed=scenario.seed, **dict(scenario.params))
    for iv in scenario.interventions:
        model.schedule_intervention(iv.tick, iv.kind, list(iv.schools))
    return model


def _school_rows(model, tick: int) -> pd.DataFrame:
    frame = model.school_frame()
    frame.insert(0, "tick", tick)
    return frame


def simulate(scenario: Scenario, progress: bool = True, graph: bool = True) -> RunResult:
    """Run the scenario to its horizon in memory; nothing is written.

    `graph=False` leaves `RunResult.graph` None: only the network figure needs it, and at 24,000 schools
    building it takes about a second.
    """
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    model = build_model(scenario)
    every = int(model.p.collect_every)
    frames = [_school_rows(model, 0)]
    from tqdm import tqdm

    with tqdm(total=scenario.horizon, desc=scenario.name, unit="tick", disable=not progress,
              file=sys.stderr, dynamic_ncols=True) as bar:
        for tick in range(1, scenario.horizon + 1):
            model.step()
            if tick % every == 0:
                frames.append(_school_rows(model, tick))
            bar.update(1)
    ts = model.timeseries()
    schools = pd.concat(frames, ignore_index=True)
    wall = time.perf_counter() - t0
    metadata = {"seed": scenario.seed, "ticks": scenario.horizon, "started": started.isoformat(timespec="seconds"),
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "wall_time_s": round(wall, 3)}
    return RunResult(scenario=scenario, timeseries=ts, schools=schools, graph=model.school_graph() if graph else None,
                     metadata=metadata)


def run_scenario(scenario: Scenario | str | Path, out_dir: str | Path | None = None, progress: bool = True,
                 figures: bool = True, write: bool = True, results_root: str | Path = "results",
                 overwrite: bool = False, metadata: dict[str, Any] | None = None) -> RunResult:
    """Run a scenario (object, shipped name or path) and, unless `write=False`, write its run folder.

    The folder is `out_dir` if given, else `<results_root>/<scenario>/<timestamp>-seed<N>/`; it is
    checked and owned before the run starts, so a run is never wasted on a folder that cannot be used,
    and no other run can write into it until this one has finished. A run that fails or is interrupted
    before writing anything removes the empty folder it made.
    """
    from simulation import hubs
    from simulation.results import new_run_dir, prepare_run_dir, release_run_dir, write_run
    from simulation.validation import check_path

    scenario = load_scenario(scenario)
    run_dir, made = None, False
    if write:
        check_path("--out", out_dir)
        check_path("--results", results_root)
        if out_dir is not None:
            run_dir, made = Path(out_dir), not Path(out_dir).exists()
        else:
            run_dir, made = new_run_dir(scenario, results_root), True
        prepare_run_dir(run_dir, overwrite=overwrite)
    try:
        result = simulate(scenario, progress=progress, graph=figures)
        result.metadata["source"] = scenario.source
        result.metadata["hubs"] = hubs.summary(scenario.params)
        notes = hubs.hub_notes(scenario)
        if notes:
            result.metadata["notes"] = {"hubs": " ".join(notes)}
        result.metadata.update(metadata or {})
        if run_dir is not None:
            write_run(result, run_dir, figures=figures, overwrite=overwrite)
    except BaseException as exc:
        if run_dir is not None and made:
            try:
                run_dir.rmdir()          # only if still empty: nothing finished is ever removed
            except OSError:
                pass
        if isinstance(exc, KeyboardInterrupt) and run_dir is not None and run_dir.exists():
            exc.run_dir = run_dir        # what the interrupted run leaves, for the command's one line
        raise
    finally:
        if run_dir is not None:
            release_run_dir(run_dir)
    return result
