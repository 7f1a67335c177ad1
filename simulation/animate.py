"""Render a scenario as an animation for slides: the school network beside one time-series chart.

Uses matplotlib.animation: GIF with PillowWriter (always available), MP4 with FFMpegWriter when
ffmpeg is installed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import animation  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from simulation.dashboard.drawing import draw_chart, draw_school_network, model_series  # noqa: E402

CHART_INDEX = {"knowledge": 0, "trust": 1, "attainment": 2, "stages": 3}


class AnimationError(ValueError):
    """A request the animation cannot honour (bad suffix, missing ffmpeg, bad numbers), said plainly."""


def _writer(out: Path, fps: int):
    suffix = out.suffix.lower()
    if suffix == ".gif":
        return animation.PillowWriter(fps=fps)
    if suffix == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise AnimationError(f"cannot write {out}: MP4 needs ffmpeg, which is not installed "
                                 "(on Debian: apt-get install ffmpeg). Use a .gif file instead.")
        return animation.FFMpegWriter(fps=fps, bitrate=2400)
    raise AnimationError(f"--out {out} is not allowed: the file must end in .gif or .mp4")


def render(scenario, out: Path | str, ticks: int | None = None, every: int = 1, fps: int = 10,
           chart: str = "stages", dpi: int = 80, model=None) -> Path:
    """Run `scenario` (or step `model`) and write one frame every `every` weeks to `out`; return the path."""
    from simulation.runner import build_model

    out = Path(out)
    ticks = int(scenario.horizon if ticks is None else ticks)
    if ticks < 1:
        raise AnimationError(f"--ticks {ticks} is not allowed: expected an integer >= 1")
    if every < 1:
        raise AnimationError(f"--every {every} is not allowed: expected an integer >= 1")
    if not 1 <= fps <= 60:
        raise AnimationError(f"--fps {fps} is not allowed: expected an integer in [1, 60]")
    if chart not in CHART_INDEX:
        raise AnimationError(f"--chart {chart!r} is not allowed: expected one of {', '.join(CHART_INDEX)}")
    writer = _writer(out, fps)
    if not out.parent.exists():
        raise AnimationError(f"cannot write {out}: folder {out.parent} does not exist")

    model = build_model(scenario) if model is None else model
    fig = Figure(figsize=(11, 5), dpi=dpi, layout="constrained")
    ax_net, ax_chart = fig.subplots(1, 2, width_ratios=[1.1, 1])
    fig.suptitle(f"{scenario.name}", fontsize=11)
    n_frames = ticks // every + 1

    def frame(i: int):
        if i > 0:
            for _ in range(every):
                model.step()
        ax_net.clear()
        ax_chart.clear()
        draw_school_network(ax_net, model)
        draw_chart(ax_chart, model_series(model), CHART_INDEX[chart])
        ax_chart.set_xlim(0, max(ticks, 1))
        return []

    anim = animation.FuncAnimation(fig, frame, frames=n_frames, blit=False, repeat=False)
    anim.save(str(out), writer=writer, dpi=dpi)
    return out
