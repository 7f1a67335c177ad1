"""Run folders: where a run's files go, atomic writes, and the metadata that makes a run reproducible.

Layout: `results/<scenario>/<timestamp>-seed<N>/` with scenario.toml, timeseries.csv/.parquet,
schools.csv/.parquet, PNG figures and metadata.json, written last: a folder without it is incomplete.
One run owns its folder from start to end (an exclusive lock on the folder, `folder_lock`): a second
run into the same folder at the same time is refused at once, so a folder never mixes two runs, and
the leftovers of a run that died half-way are removed before a new run writes there.
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

FILES = ("scenario.toml", "metadata.json", "timeseries.csv", "timeseries.parquet", "schools.csv",
         "schools.parquet")
#: the most data rows a spreadsheet opens (Excel's 1,048,576 rows, one of them the header)
SPREADSHEET_ROWS = 1_048_575


class RunFolderError(ValueError):
    """The run folder cannot be used (it already holds a finished run, another run is writing it, or it
    cannot be created)."""


_OWNED: dict[Path, Any] = {}     # run folders this process holds the lock of -> FolderLock


def default_run_dir(scenario: Scenario, root: str | Path = "results", now: datetime | None = None) -> Path:
    """`<root>/<scenario>/<YYYYmmdd-HHMMSS>-seed<N>`, with -2, -3... if that folder already exists."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(root) / scenario.name / f"{stamp}-seed{scenario.seed}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def new_run_dir(scenario: Scenario, root: str | Path = "results") -> Path:
    """Create and return a fresh default run folder; two runs started in the same second never share one
    (the folder is made with an exclusive mkdir, and a name taken meanwhile moves on to -2, -3...)."""
    for _ in range(1000):
        path = default_run_dir(scenario, root)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir()
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise RunFolderError(f"cannot create the run folder {str(path)!r}: {exc.strerror or exc}.") from None
    raise RunFolderError(f"cannot find a free run folder name under {str(Path(root) / scenario.name)!r}.")


def _owned_key(path: Path) -> Path:
    return path.resolve()


def own_run_dir(path: str | Path) -> Path:
    """Take this folder for this process (it must exist), or raise `RunFolderError` if another run holds it."""
    from simulation.folder_lock import FolderBusy, lock_folder

    path = Path(path)
    key = _owned_key(path)
    if key in _OWNED:
        return path
    try:
        _OWNED[key] = lock_folder(path)
    except FolderBusy:
        raise RunFolderError(f"another clc-sim run is writing into the folder {str(path)!r} right now; wait for it "
                             "to finish, or choose another --out.") from None
    except OSError as exc:
        raise RunFolderError(f"cannot open the run folder {str(path)!r}: {exc.strerror or exc}.") from None
    return path


def release_run_dir(path: str | Path) -> None:
    """Let other runs write into this folder again (also done by the end of the process)."""
    lock = _OWNED.pop(_owned_key(Path(path)), None)
    if lock is not None:
        lock.release()


def run_file_names() -> tuple[str, ...]:
    """Every file name a run may write into its folder (tables, scenario, metadata, figures)."""
    from simulation.plots import FIGURES

    return (*FILES, *FIGURES, "network.png")


def _clear_run_files(path: Path) -> None:
    """Remove what a previous run left in a folder this process owns: metadata.json first (so the folder
    reads as unfinished at once), then every file a run writes and any temporary file of a run that died."""
    if next(path.iterdir(), None) is None:      # a new folder: nothing to clear (and no figure module to load)
        return
    old = []
    meta = path / "metadata.json"
    if meta.exists():
        try:
            old = [str(f) for f in json.loads(meta.read_text(encoding="utf-8")).get("files", [])]
        except (OSError, ValueError, AttributeError):
            old = []
        meta.unlink(missing_ok=True)
    for name in {*run_file_names(), *old}:
        if "/" not in name and name not in ("", ".", ".."):
            (path / name).unlink(missing_ok=True)
    for tmp in path.glob(".*.tmp-*"):
        tmp.unlink(missing_ok=True)


def prepare_run_dir(path: str | Path, overwrite: bool = False) -> Path:
    """Create the folder and own it; refuse one that already holds a finished run unless `overwrite`, and
    one another run is writing; clear what an earlier, unfinished or overwritten run left there."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunFolderError(f"the output path {str(path)!r} is a file, not a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFolderError(f"cannot create the run folder {str(path)!r}: {exc.strerror or exc}.")
    held_before = _owned_key(path) in _OWNED
    own_run_dir(path)
    if held_before:
        return path
    if (path / "metadata.json").exists() and not overwrite:
        release_run_dir(path)
        raise RunFolderError(f"the folder {str(path)!r} already holds a finished run; choose another --out "
                             "or pass --overwrite.")
    _clear_run_files(path)
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
    """Write every file of a run into `run_dir` atomically, metadata.json last; set `result.run_dir`.

    The folder is owned while it is written: if the caller (`run_scenario`) does not own it already,
    it is taken here and let go at the end.
    """
    held = _owned_key(Path(run_dir)) in _OWNED if Path(run_dir).exists() else False
    run_dir = prepare_run_dir(run_dir, overwrite=overwrite)
    try:
        return _write_run_files(result, run_dir, figures)
    finally:
        if not held:
            release_run_dir(run_dir)


def _write_run_files(result, run_dir: Path, figures: bool) -> Path:
    atomic_write_text(run_dir / "scenario.toml", result.scenario.to_toml(scenario_header(result)))
    atomic_write(run_dir / "timeseries.csv", lambda tmp: result.timeseries.to_csv(tmp, index=False))
    atomic_write(run_dir / "timeseries.parquet", lambda tmp: result.timeseries.to_parquet(tmp, index=False))
    atomic_write(run_dir / "schools.parquet", lambda tmp: result.schools.to_parquet(tmp, index=False))
    written = [name for name in FILES if name != "schools.csv"]
    notes = dict(result.metadata.get("notes") or {})
    if len(result.schools) <= SPREADSHEET_ROWS:
        atomic_write(run_dir / "schools.csv", lambda tmp: result.schools.to_csv(tmp, index=False))
        written.append("schools.csv")
    else:
        notes["schools.csv"] = (f"not written: {len(result.schools)} rows are more than a spreadsheet opens "
                                f"({SPREADSHEET_ROWS}); read schools.parquet, or collect less often (collect_every)")
    if notes:
        result.metadata["notes"] = notes
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
