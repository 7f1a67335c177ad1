"""Render a scenario as an animation for slides: the school network beside one time-series chart.

The pictures are the dashboard's (same stage colours, school numbers 1..n, hubs as groups, hubs as
circles above 500 schools), drawn once and updated in place every frame by blitting (the axes,
legends and hubs are drawn again only when the chart's range grows). Frames are 1920x1080 by default
(`size`), with text sized for a slide. GIF is written with Pillow (always available; one palette for
all frames), MP4 by piping frames to ffmpeg when it is installed. The file appears only when complete
(written under a temporary name, then renamed). Progress goes to stderr (or to `progress`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from simulation.dashboard.drawing import (  # noqa: E402
    CHART_KEYS,
    ChartArtists,
    Type,
    model_series,
    network_artists,
)

CHART_INDEX = {name: i for i, name in enumerate(CHART_KEYS)}
DEFAULT_SIZE = (1920, 1080)
DPI = 100
MAX_PIXELS = 3840 * 2160


class AnimationError(ValueError):
    """A request the animation cannot honour (bad suffix, missing ffmpeg, bad numbers), said plainly."""


def parse_size(text: str) -> tuple[int, int]:
    """"1920x1080" -> (1920, 1080); AnimationError naming what is allowed otherwise."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(text))
    if not m:
        raise AnimationError(f"--size {text!r} is not allowed: expected WIDTHxHEIGHT in pixels, e.g. 1920x1080")
    w, h = int(m.group(1)), int(m.group(2))
    if w < 320 or h < 240 or w * h > MAX_PIXELS:
        raise AnimationError(f"--size {text} is not allowed: expected at least 320x240 and at most 3840x2160 pixels")
    return w, h


class _GifWriter:
    """Frames quantised to one palette (taken from the first frame, which shows every colour in its legends)."""

    def __init__(self, out: Path, fps: int):
        self.out, self.duration, self.frames, self.palette = out, round(1000 / fps), [], None

    def add(self, rgb: Image.Image) -> None:
        if self.palette is None:
            self.palette = rgb.quantize(colors=255, method=Image.Quantize.FASTOCTREE)
        self.frames.append(rgb.quantize(palette=self.palette, dither=Image.Dither.NONE))

    def close(self, tmp: Path) -> None:
        first, *rest = self.frames
        first.save(tmp, format="GIF", save_all=True, append_images=rest, duration=self.duration, loop=0)


class _Mp4Writer:
    """Raw RGB frames piped to the ffmpeg command (H.264, playable in presentation software)."""

    def __init__(self, out: Path, fps: int):
        self.out, self.fps, self.proc = out, fps, None

    def add(self, rgb: Image.Image) -> None:
        if self.proc is None:
            w, h = rgb.size
            self.tmp = self.out.with_name(f".{self.out.stem}.{os.getpid()}.tmp.mp4")
            cmd = [shutil.which("ffmpeg"), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                   "-s", f"{w}x{h}", "-r", str(self.fps), "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                   "-crf", "20", str(self.tmp)]
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self.proc.stdin.write(rgb.tobytes())

    def close(self, tmp: Path) -> None:
        self.proc.stdin.close()
        err = self.proc.stderr.read().decode(errors="replace")
        if self.proc.wait() != 0:
            raise AnimationError(f"ffmpeg could not write {self.out}: {err.strip()[-400:]}")
        os.replace(self.tmp, tmp)


def _writer(out: Path, fps: int):
    suffix = out.suffix.lower()
    if suffix == ".gif":
        return _GifWriter(out, fps)
    if suffix == ".mp4":
        if shutil.which("ffmpeg") is None:
            raise AnimationError(f"cannot write {out}: MP4 needs ffmpeg, which is not installed "
                                 "(on Debian: apt-get install ffmpeg). Use a .gif file instead.")
        return _Mp4Writer(out, fps)
    raise AnimationError(f"--out {out} is not allowed: the file must end in .gif or .mp4")


def _axes(fig, size: tuple[int, int], px: float):
    """The network (left half) and the chart (right half) with fixed margins, in text heights `px`:
    room for the title, the legends, tick labels and axis labels; nothing moves between frames."""
    w, h = size
    top = 1 - 2.4 * px / h  # below the figure's title
    rows = 1 if w / 2 >= 38 * px else 2  # the stage legend under the network (see drawing.stage_legend)
    net_bottom = (1.5 * rows + 0.8) * px / h
    ax_net = fig.add_axes((0.01, net_bottom, 0.47, top - 2.0 * px / h - net_bottom))
    left, bottom = 0.5 + 5.0 * px / w, 3.4 * px / h
    chart_top = top - (1.6 + 2 * 1.5 + 0.8) * px / h  # chart title and a two-row legend above the axes
    ax_chart = fig.add_axes((left, bottom, 0.985 - left, chart_top - bottom))
    return ax_net, ax_chart


def _stderr_progress(done: int, total: int, started: float) -> None:
    """One line on stderr, rewritten in place: frames done, percent, elapsed and remaining time."""
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done) if done else 0.0
    end = "\n" if done == total else ""
    print(f"\rrendering frame {done}/{total} ({100 * done // max(total, 1)} %), {elapsed:.0f} s, "
          f"about {left:.0f} s left   ", end=end, file=sys.stderr, flush=True)


def render(scenario, out: Path | str, ticks: int | None = None, every: int = 1, fps: int = 10,
           chart: str = "stages", size: tuple[int, int] = DEFAULT_SIZE, model=None,
           progress: Callable[[int, int, float], None] | None = _stderr_progress) -> Path:
    """Run `scenario` (or step `model`) and write one frame every `every` weeks to `out`; return the path.

    `size` is the frame size in pixels; `progress(done, total, started)` is called after each frame
    (None: silent).
    """
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
    size = parse_size(f"{size[0]}x{size[1]}") if not isinstance(size, str) else parse_size(size)
    writer = _writer(out, fps)
    if not out.parent.exists():
        raise AnimationError(f"cannot write {out}: folder {out.parent} does not exist")

    model = build_model(scenario) if model is None else model
    type_ = Type(px=max(14.0, size[1] / 45), dpi=DPI)  # 24 px text on a 1080-pixel slide
    fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax_net, ax_chart = _axes(fig, size, type_.px)
    fig.suptitle(f"{scenario.name}: {int(model.n_schools)} schools, week by week", fontsize=type_.title,
                 y=1 - 0.4 * type_.px / size[1], va="top")
    net = network_artists(ax_net, model, animated=True, type_=type_)
    line_chart = ChartArtists(ax_chart, model_series(model), CHART_INDEX[chart], animated=True,
                              n_schools=int(model.n_schools), type_=type_, min_weeks=ticks)
    n_frames = ticks // every + 1
    started = time.monotonic()
    background, key = None, None
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        for i in range(n_frames):
            if i > 0:
                for _ in range(every):
                    model.step()
            net.update(model)
            limits = line_chart.update(model_series(model))
            if background is None or limits != key:  # the static part, redrawn only when the axes change
                canvas.draw()
                background, key = canvas.copy_from_bbox(fig.bbox), limits
            else:
                canvas.restore_region(background)
            for artist in (*net.dynamic, *line_chart.dynamic):
                fig.draw_artist(artist)
            w, h = canvas.get_width_height(physical=True)
            writer.add(Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB"))
            if progress is not None:
                progress(i + 1, n_frames, started)
        writer.close(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
