"""Run folders: where a run's files go, atomic writes, and the metadata that makes a run reproducible.

Layout: `results/<scenario>/<timestamp>-seed<N>/` with scenario.toml, timeseries.csv/.parquet,
schools.parquet, PNG figures and metadata.json, written last: a folder without it is incomplete.
"""

from __future__ import annotations

import io
import json
import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from simulation.scenario import Scenario

FILES = ("scenario.toml", "metadata.json", "timeseries.csv", "timeseries.parquet", "schools.parquet")


class RunFolderError(ValueError):
    """The run folder cannot be used (it already holds a finished run, or cannot be created)."""


def default_run_dir(scenario: Scenario, root: str | Path = "results", now: datetime | None = None) -> Path:
    """`<root>/<scenario>/<YYYYmmdd-HHMMSS>-seed<N>`, with -2, -3... if that folder already exists."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(root) / scenario.name / f"{stamp}-seed{scenario.seed}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def prepare_run_dir(path: str | Path, overwrite: bool = False) -> Path:
    """Create the folder; refuse one that already holds a finished run unless `overwrite`."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunFolderError(f"the output path {str(path)!r} is a file, not a folder.")
    if (path / "metadata.json").exists() and not overwrite:
        raise RunFolderError(f"the folder {str(path)!r} already holds a finished run; choose another --out "
                             "or pass --overwrite.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFolderError(f"cannot create the run folder {str(path)!r}: {exc.strerror or exc}.")
    if overwrite:
        (path / "metadata.json").unlink(missing_ok=True)
    return path


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> Path:
    """Call `write(tmp)` on a temporary name beside `path`, then rename it into place (all or nothing)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("clc-simulation", "mesa", "numba", "numpy", "pandas", "networkx", "pyarrow"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out


def provenance() -> dict[str, Any]:
    """Versions, git commit and, when run as `clc-sim`, the command line: for a run's or sweep's metadata."""
    return {"versions": _versions(), "git": git_commit(),
            "command": sys.argv if Path(sys.argv[0]).name in ("clc-sim", "cli.py", "__main__.py") else None}


def git_commit() -> dict[str, Any] | None:
    """The project's git commit and whether the work tree has changes, or None outside a git checkout."""
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def scenario_header(result) -> str:
    """The comment block at the top of a resolved scenario.toml."""
    return (f"Resolved scenario '{result.scenario.name}' as run on {result.metadata.get('started', '')}:\n"
            "every parameter is written out, so this file re-runs to identical numbers with\n"
            "  clc-sim run <this file>\n"
            f"Source: {result.metadata.get('source') or result.scenario.source or 'in memory'}")


def write_run(result, run_dir: str | Path, figures: bool = True, overwrite: bool = False) -> Path:
    """Write every file of a run into `run_dir` atomically, metadata.json last; set `result.run_dir`."""
    run_dir = prepare_run_dir(run_dir, overwrite=overwrite)
    atomic_write_text(run_dir / "scenario.toml", result.scenario.to_toml(scenario_header(result)))
    atomic_write(run_dir / "timeseries.csv", lambda tmp: result.timeseries.to_csv(tmp, index=False))
    atomic_write(run_dir / "timeseries.parquet", lambda tmp: result.timeseries.to_parquet(tmp, index=False))
    atomic_write(run_dir / "schools.parquet", lambda tmp: result.schools.to_parquet(tmp, index=False))
    written = list(FILES)
    if figures:
        from simulation.plots import save_figures

        written += save_figures(run_dir, result.timeseries, result.graph, title=result.scenario.name)
    meta = dict(result.metadata)
    prov = provenance()
    meta.update({"scenario": result.scenario.name, **prov, "files": sorted(written)})
    # the caller's own record of the command (clc-sim run passes its arguments) wins over the guess from sys.argv
    meta["command"] = result.metadata.get("command") or prov["command"]
    atomic_write_text(run_dir / "metadata.json", json.dumps(meta, indent=2, default=str) + "\n")
    result.metadata = meta
    result.run_dir = run_dir
    return run_dir


def figure_bytes(fig, dpi: int = 120) -> bytes:
    """A matplotlib figure as PNG bytes (so figures are written atomically too)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()
