"""Argument checks of the commands that run replications (`compare`, `experiments`; `--ensemble` also for
`run`), made before any scenario is loaded or worker started: replication i uses seed N + i, so every seed N .. N + n - 1 is
checked like `run --seed`; counts, horizons and worker numbers are bounded; output paths are not empty.
"""

from __future__ import annotations

MAX_REPLICATIONS = 100_000
MAX_JOBS = 1024


def check_replication_arguments(args, least: int, why: str, seed_span: int | None = None) -> None:
    """`--replications` in [least, MAX_REPLICATIONS], `--seed` so that all its seeds are valid (`seed_span`
    of them when a command uses more than one per replication), `--ticks`, `--jobs` and path flags."""
    from simulation.scenario import MAX_HORIZON, MAX_SEED
    from simulation.validation import check_option, check_path, check_seed_span

    n = getattr(args, "replications", None)
    if n is not None:
        check_option("--replications", n, least, MAX_REPLICATIONS, f" ({why})" if n < least else "")
    check_option("--ticks", getattr(args, "ticks", None), 1, MAX_HORIZON)
    check_option("--jobs", getattr(args, "jobs", None), 1, MAX_JOBS)
    seed = getattr(args, "seed", None)
    if seed is not None:
        check_seed_span("--seed", seed, seed_span or n or 1, "--replications", MAX_SEED)
    for flag in ("--out", "--results"):
        check_path(flag, getattr(args, flag[2:], None))


def ensemble_members(value: int | None) -> list[dict]:
    """The ensemble members `--ensemble [N]` names (run, compare, experiments), or a CommandError saying the
    allowed range."""
    from simulation.calibration.ensemble import EnsembleError, from_flag
    from simulation.commands import CommandError

    try:
        return from_flag(value)
    except EnsembleError as exc:
        raise CommandError(str(exc)) from None
