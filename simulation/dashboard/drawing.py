"""Matplotlib pictures of a running CLCModel, shared by the dashboard and `clc-sim animate`.

Positions are computed once per model and cached, so the network does not jump between frames.

Each picture is a small class that builds its artists once and then updates them in place
(`update(model)`): `clc-sim animate` and the standalone `*_figure` functions use them directly. The
dashboard keeps one persistent figure per picture and model (`network_image`, `charts_image`,
`teacher_image`) and draws it by blitting: the parts that do not change between weeks (axes, ticks,
legends, hubs, colour bar) are drawn once into a cached bitmap, and each frame only the changing
artists are drawn over a copy of it and encoded (JPEG, see IMAGE_FORMAT). The cached
bitmap is redrawn only when the axes limits change (a new school year on the charts' x axis, data
leaving the current y range).
"""

from __future__ import annotations

import io
import math
import threading
import weakref

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.cm import ScalarMappable  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402
from matplotlib.textpath import TextPath  # noqa: E402
from matplotlib.transforms import Affine2D  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from PIL import Image  # noqa: E402

from simulation.links import WITHIN  # noqa: E402
from simulation.plots import STAGE_LABELS, TICKS_PER_YEAR  # noqa: E402

STAGE_COLOURS = ("#9aa0a6", "#f4b400", "#4285f4", "#0f9d58")
ACTIVITY_LABELS = ("no contact", "information", "experience (visits)", "coaching")
ACTIVITY_STYLE = (  # colour, width, linestyle, alpha
    ("#9e9e9e", 0.9, ":", 0.8),
    ("#757575", 0.9, "-", 0.7),
    ("#1e88e5", 1.6, "--", 0.85),
    ("#d81b60", 2.6, "-", 0.95),
)
STAGE_RGBA = matplotlib.colors.to_rgba_array(STAGE_COLOURS)
BIN_LINKS_ABOVE = 60  # networks with more schools draw their links in trust bands
TRUST_BANDS = 8
SIZE_BY = {"attainment": (0.0, 1.0), "value_added": (-0.25, 0.25)}

_school_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_teacher_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def school_positions(model) -> np.ndarray:
    """Fixed (n, 2) positions of the schools: hubs placed on a ring, each hub's schools around its centre."""
    cached = _school_layouts.get(model)
    if cached is not None:
        return cached
    n = int(model.n_schools)
    hubs = np.asarray(model.hub, dtype=int)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    pairs, trust = school_links(model)
    graph.add_weighted_edges_from((int(a), int(b), float(w)) for (a, b), w in zip(pairs, trust))
    unique = sorted(set(hubs.tolist()))
    pos = np.zeros((n, 2))
    n_hubs = len(unique)
    if n_hubs == 1:
        centres = {unique[0]: (0.0, 0.0)}
        radius = 1.0
    else:
        # hubs on a sunflower spiral: even spacing for any number of hubs
        golden = math.pi * (3 - math.sqrt(5))
        centres = {}
        for k, h in enumerate(unique):
            r = math.sqrt(k + 0.5)
            centres[h] = (r * math.cos(k * golden), r * math.sin(k * golden))
        radius = 0.42
    for h in unique:
        members = np.flatnonzero(hubs == h)
        sub = graph.subgraph(members.tolist())
        if len(members) == 1:
            local = {int(members[0]): np.zeros(2)}
        else:
            local = nx.spring_layout(sub, seed=7, k=1.2 / math.sqrt(len(members)), iterations=60)
        pts = np.array([local[int(i)] for i in members], dtype=float)
        pts -= pts.mean(axis=0)
        span = np.abs(pts).max() or 1.0
        pos[members] = np.asarray(centres[h]) + pts / span * radius
    _school_layouts[model] = pos
    return pos


def school_links(model) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of linked schools (k, 2), a < b, and the mean trust over their staff links (k,).

    The same edges and weights as `model.school_graph()`, computed with NumPy (no networkx, no
    pandas groupby): the dashboard needs them every frame, also for 500 schools.
    """
    L, n_t, n = model.links, model.n_teachers, int(model.n_schools)
    mask = (L.kind != WITHIN) & (L.b < n_t)
    sa, sb = model.school_of[L.a[mask]], model.school_of[L.b[mask]]
    if not len(sa):
        return np.zeros((0, 2), dtype=int), np.zeros(0)
    key = np.minimum(sa, sb).astype(np.int64) * n + np.maximum(sa, sb)
    uniq, inv = np.unique(key, return_inverse=True)
    mean = np.bincount(inv, weights=L.pair_trust()[mask]) / np.bincount(inv)
    pairs = np.column_stack([uniq // n, uniq % n]).astype(int)
    return pairs, mean


def _style_axes(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_aspect("equal", adjustable="box")


def stage_legend(ax) -> None:
    """The fixed four-stage legend, always showing every stage so colours never change meaning."""
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=c, markeredgecolor="#333", label=lab)
        for lab, c in zip(STAGE_LABELS, STAGE_COLOURS)
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=8,
              frameon=False, handletextpad=0.2, columnspacing=1.0)


def _week_text(ax, animated: bool):
    """The week number in the top left corner: short, because every drawn character costs time."""
    return ax.text(0.0, 1.0, " ", transform=ax.transAxes, ha="left", va="top", fontsize=9, fontweight="bold",
                   color="#333", zorder=6, animated=animated)


def _label_paths(ax, xy: np.ndarray, labels: list[str], animated: bool, size: float = 7.0) -> PathCollection:
    """Short labels centred on `xy` as one collection of glyph outlines (much cheaper to draw than Text)."""
    paths = []
    for label in labels:
        outline = TextPath((0, 0), label, size=size)
        ext = outline.get_extents()
        paths.append(outline.transformed(Affine2D().translate(-(ext.x0 + ext.x1) / 2, -(ext.y0 + ext.y1) / 2)))
    coll = PathCollection(paths, offsets=xy, offset_transform=ax.transData, facecolors="#111", edgecolors="none",
                          linewidths=0, zorder=4, animated=animated)
    coll.set_transform(Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans)  # outlines are in points
    ax.add_collection(coll, autolim=False)
    return coll


class SchoolNetworkArtists:
    """The school network on `ax`: schools coloured by stage, sized by attainment or value added, links by trust.

    Built once per model (hubs, legend, limits never change); `update` moves only what a week changes.
    With `animated=True` the changing artists are left out of normal draws, for blitting.
    """

    def __init__(self, ax, model, animated: bool = False):
        self.ax = ax
        pos = school_positions(model)
        self.pos = pos
        n = self.n = len(pos)
        hubs = np.asarray(model.hub)
        unique_hubs = np.unique(hubs)
        if len(unique_hubs) > 1:
            for h in unique_hubs:
                pts = pos[hubs == h]
                c = pts.mean(axis=0)
                r = max(np.sqrt(((pts - c) ** 2).sum(axis=1)).max(), 0.05) * 1.15
                ax.add_patch(Circle(c, r, facecolor="#eef3fb", edgecolor="#c5d3ea", lw=0.8, zorder=0))
                if len(unique_hubs) <= 60:
                    ax.text(c[0], c[1] + r, f"hub {h}", ha="center", va="bottom", fontsize=6, color="#5f6f8a",
                            zorder=1)
        self.edge_scale = 4.0 if n <= 30 else 1.5
        self.links = ax.add_collection(LineCollection([], zorder=2, animated=animated))
        self.pairs = None
        self.base_size = 900.0 if n <= 15 else (350.0 if n <= 60 else 60.0)
        self.nodes = ax.scatter(pos[:, 0], pos[:, 1], s=self.base_size, c=[STAGE_COLOURS[0]] * n,
                                edgecolors="#333333", linewidths=0.6 if n <= 60 else 0.2, zorder=3,
                                animated=animated)
        self.labels = [_label_paths(ax, pos, [str(i + 1) for i in range(n)], animated)] if n <= 30 else []
        self.ring = ax.scatter(pos[:1, 0], pos[:1, 1], s=60, facecolors="none", edgecolors="#d81b60",
                               linewidths=2.0, zorder=5, animated=animated)
        pad = 0.25
        ax.set_xlim(pos[:, 0].min() - pad, pos[:, 0].max() + pad)
        ax.set_ylim(pos[:, 1].min() - pad, pos[:, 1].max() + pad)
        _style_axes(ax)
        stage_legend(ax)
        self.title = ax.set_title(" ", fontsize=9)
        self.week = _week_text(ax, animated)

    @property
    def dynamic(self) -> list:
        """The artists that change between weeks, in drawing order (the title only with the size toggle)."""
        return [self.links, self.nodes, *self.labels, self.ring, self.week]

    def update(self, model, size_by: str = "attainment", selected: int | None = None) -> None:
        pos, n = self.pos, self.n
        pairs, w = school_links(model)
        w = np.clip(w, 0.0, 1.0)
        if n <= BIN_LINKS_ABOVE:  # every link its own width and shade
            if self.pairs is None or not np.array_equal(pairs, self.pairs):  # links rarely change: keep the paths
                self.links.set_segments(pos[pairs] if len(pairs) else [])
                self.pairs = pairs
            widths, shade = w, w
        else:  # many links: one NaN-separated polyline per trust band, far cheaper to rasterise
            band = np.minimum((w * TRUST_BANDS).astype(int), TRUST_BANDS - 1)
            segments, levels = [], []
            for k in range(TRUST_BANDS):
                idx = np.flatnonzero(band == k)
                if len(idx):
                    verts = np.full((len(idx), 3, 2), np.nan)
                    verts[:, 0], verts[:, 1] = pos[pairs[idx, 0]], pos[pairs[idx, 1]]
                    segments.append(verts.reshape(-1, 2))
                    levels.append((k + 0.5) / TRUST_BANDS)
            self.links.set_segments(segments)
            widths = shade = np.array(levels)
        colours = np.zeros((len(shade), 4))
        colours[:, :3] = 0.35
        colours[:, 3] = 0.15 + 0.6 * shade
        self.links.set_linewidths(0.3 + self.edge_scale * widths)
        self.links.set_colors(colours)
        size_by = size_by if size_by in SIZE_BY else "attainment"
        lo, hi = SIZE_BY[size_by]
        value = np.clip((np.asarray(getattr(model, size_by), dtype=float) - lo) / (hi - lo), 0.0, 1.0)
        sizes = self.base_size * (0.15 + 0.85 * value)
        stages = np.clip(np.asarray(model.stage, dtype=int), 0, 3)
        self.nodes.set_sizes(sizes)
        self.nodes.set_facecolors(STAGE_RGBA[stages])
        if selected is not None and 0 <= selected < n:
            self.ring.set_visible(True)
            self.ring.set_offsets(pos[selected:selected + 1])
            self.ring.set_sizes([sizes[selected] * 1.6 + 60])
        else:
            self.ring.set_visible(False)
        self.title.set_text(f"{n} schools  (size: {size_by.replace('_', ' ')}, line width: trust)")
        self.week.set_text(f"week {model.steps}")


def draw_school_network(ax, model, size_by: str = "attainment", selected: int | None = None) -> SchoolNetworkArtists:
    """Schools as nodes coloured by stage and sized by attainment or value added; links weighted by trust."""
    artists = SchoolNetworkArtists(ax, model)
    artists.update(model, size_by=size_by, selected=selected)
    return artists


def teacher_positions(model, school: int, graph: nx.Graph) -> dict:
    """Fixed positions of one school's teachers, computed the first time that school is shown."""
    per_model = _teacher_layouts.setdefault(model, {})
    if school not in per_model:
        # a ring ordered by knowledge at first sight: chain links (small steps) become short chords
        nodes = sorted(graph.nodes, key=lambda v: graph.nodes[v].get("knowledge", 0.0))
        angles = np.linspace(0.5 * np.pi, 2.5 * np.pi, len(nodes), endpoint=False)
        per_model[school] = {v: np.array([np.cos(a), np.sin(a)]) for v, a in zip(nodes, angles)}
    return per_model[school]


KNOWLEDGE_RANGE = (0.2, 0.8)  # fixed colour scale, so colours stay comparable between weeks
ROLE_MARKERS = {"headteacher": "*", "middle leader": "s"}
MARKER_SIZES = {"o": 110, "s": 110, "*": 260}


class TeacherNetworkArtists:
    """One school's teachers on a ring, coloured by knowledge; links styled by their last activity.

    The ring, colour bar, legend and limits are built once per school; `update` changes link
    segments, colours and the title.
    """

    def __init__(self, ax, model, school: int, cmap: str = "viridis", animated: bool = False):
        self.ax, self.school = ax, int(school)
        graph = model.teacher_graph(self.school)
        self.pos = teacher_positions(model, self.school, graph)
        self.norm = Normalize(*KNOWLEDGE_RANGE)
        self.links = []
        for activity in range(4):
            colour, width, style, alpha = ACTIVITY_STYLE[activity]
            self.links.append(ax.add_collection(LineCollection([], colors=colour, linewidths=width, linestyles=style,
                                                               alpha=alpha, zorder=1 + activity, animated=animated)))
        self.nodes = {}
        for marker in ("o", "s", "*"):
            self.nodes[marker] = ax.scatter([], [], c=[], cmap=cmap, norm=self.norm, s=MARKER_SIZES[marker],
                                            marker=marker, edgecolors="#222", linewidths=0.5, zorder=6,
                                            animated=animated)
        cb = ax.figure.colorbar(ScalarMappable(norm=self.norm, cmap=cmap), ax=ax, fraction=0.04, pad=0.01)
        cb.set_label("knowledge (mean of 3 areas)", fontsize=7)
        cb.ax.tick_params(labelsize=7)
        handles = [Line2D([], [], color=c, lw=w, linestyle=s, label=lab)
                   for lab, (c, w, s, _) in zip(ACTIVITY_LABELS, ACTIVITY_STYLE)]
        handles += [Line2D([], [], marker="*", linestyle="", color="#555", markersize=10, label="headteacher"),
                    Line2D([], [], marker="s", linestyle="", color="#555", markersize=6, label="middle leader")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=7, frameon=False)
        xy = np.array(list(self.pos.values())) if self.pos else np.zeros((0, 2))
        if len(xy):
            ax.set_xlim(xy[:, 0].min() - 0.3, xy[:, 0].max() + 0.3)
            ax.set_ylim(xy[:, 1].min() - 0.3, xy[:, 1].max() + 0.3)
        _style_axes(ax)
        name = model.school_agents[self.school].name
        ax.set_title(f"{name}: teachers and learning links", fontsize=9)
        self.week = _week_text(ax, animated)
        self._graph = graph  # the first update reuses the graph built here

    @property
    def dynamic(self) -> list:
        return [*self.links, *self.nodes.values(), self.week]

    def update(self, model) -> None:
        graph = self._graph if self._graph is not None else model.teacher_graph(self.school)
        self._graph = None
        pos = self.pos
        segs = [[] for _ in range(4)]
        for a, b, act in graph.edges(data="activity", default=0):
            segs[min(max(int(act), 0), 3)].append([pos[a], pos[b]])
        for coll, seg in zip(self.links, segs):
            coll.set_segments(seg)
        nodes = list(graph.nodes)
        xy = np.array([pos[v] for v in nodes]).reshape(-1, 2)
        knowledge = np.array([float(graph.nodes[v].get("knowledge", 0.0)) for v in nodes])
        markers = np.array([ROLE_MARKERS.get(str(graph.nodes[v].get("role", "teacher")), "o") for v in nodes])
        for marker, sc in self.nodes.items():
            idx = np.flatnonzero(markers == marker)
            sc.set_offsets(xy[idx])
            sc.set_array(knowledge[idx])
        self.week.set_text(f"week {model.steps}")


CHARTS = (
    ("Knowledge by area", (("knowledge_teaching_learning", "teaching & learning"),
                           ("knowledge_leadership", "leadership"), ("knowledge_coaching", "coaching"),
                           ("knowledge_accessed", "knowledge accessed"))),
    ("Trust and moral capital", (("mean_trust", "mean trust"), ("moral_capital", "moral capital"))),
    ("Attainment and value added", (("mean_attainment", "attainment"), ("mean_value_added", "value added"))),
    ("Schools per stage", (("stage_isolation", "Isolation"), ("stage_initiation", "Initiation"),
                           ("stage_engagement", "Engagement"), ("stage_integration", "Integration"))),
)
CHART_COLUMNS = tuple(col for _, series in CHARTS for col, _ in series)
WEEKS_PER_YEAR = TICKS_PER_YEAR    # a tick is a school week
Y_STEP = 0.05  # the charts' y range grows in steps of this, so it changes (and is redrawn) rarely


def model_series(model) -> dict[str, np.ndarray]:
    """The collected time series as plain arrays, straight from the DataCollector (no DataFrame: faster)."""
    collected = model.datacollector.model_vars
    return {col: np.asarray(collected[col], dtype=float) for col in CHART_COLUMNS if col in collected}


def _as_series(data) -> dict[str, np.ndarray]:
    """Columns of a DataFrame (or a mapping of name to values) as float arrays."""
    if isinstance(data, dict):
        return data
    return {str(c): np.asarray(data[c], dtype=float) for c in data.columns}


def _length(data: dict) -> int:
    return len(next(iter(data.values()))) if data else 0


class ChartArtists:
    """Chart number `index` of CHARTS on `ax`, with its lines (or stacked stage areas) updated in place.

    The x axis spans whole school years (39 weeks) and the y range only grows, in steps of 0.05
    (stages: 0 to the number of schools), so a static background can be reused for many weeks.
    """

    def __init__(self, ax, df, index: int, legend: bool = True, animated: bool = False, n_schools: int | None = None):
        self.ax, self.index = ax, index
        title, series = CHARTS[index]
        self.cols = [(c, lab) for c, lab in series if c in _as_series(df)]
        self.stacked = "stage" in series[0][0]
        self.n_schools = n_schools
        self.ylim: tuple[float, float] | None = None
        self.applied: tuple | None = None
        if self.stacked:
            self.areas = [ax.fill_between([0, 1], [0, 0], [0, 0], label=lab, color=STAGE_COLOURS[i], alpha=0.9,
                                          linewidth=0, animated=animated)
                          for i, (_, lab) in enumerate(self.cols)]
            self.lines = []
        else:
            self.areas = []
            self.lines = [ax.plot([], [], label=lab, lw=1.5, animated=animated)[0] for _, lab in self.cols]
        ax.set_title(title, fontsize=10)
        ax.locator_params(nbins=4)  # fewer ticks: tick layout dominates the cost of a chart frame
        ax.tick_params(labelsize=7)
        ax.set_xlabel("week", fontsize=7)
        ax.grid(alpha=0.3)
        self.legend = None
        if legend and self.cols:
            self.legend = ax.legend(fontsize=8, loc="upper left", framealpha=0.8)

    @property
    def dynamic(self) -> list:
        return [*self.areas, *self.lines]

    def limits(self, df) -> tuple:
        """(xmax, ylo, yhi) for the data in `df`; only ever grows."""
        df = _as_series(df)
        n = _length(df)
        xmax = WEEKS_PER_YEAR * max(1, math.ceil((n - 1) / WEEKS_PER_YEAR))
        if self.stacked:
            total = sum((df[c] for c, _ in self.cols), np.zeros(n)) if n else np.zeros(1)
            top = max(self.n_schools or 0, float(total.max()) if len(total) else 1.0, 1.0)
            ylim = (0.0, top)
        else:
            values = np.concatenate([df[c] for c, _ in self.cols]) if self.cols and n else np.zeros(1)
            values = values[np.isfinite(values)]
            lo, hi = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
            if self.ylim is not None and self.ylim[0] <= lo and hi <= self.ylim[1]:
                ylim = self.ylim
            else:
                if self.ylim is not None:
                    lo, hi = min(lo, self.ylim[0]), max(hi, self.ylim[1])
                ylim = (math.floor((lo - 0.02) / Y_STEP) * Y_STEP, math.ceil((hi + 0.02) / Y_STEP) * Y_STEP)
        self.ylim = ylim
        return (xmax, *ylim)

    def update(self, df) -> tuple:
        """Show the series in `df`; return the axes limits (they key the static background)."""
        df = _as_series(df)
        n = _length(df)
        x = np.arange(n, dtype=float)
        if self.stacked:
            lower = np.zeros(n)
            for area, (col, _) in zip(self.areas, self.cols):
                upper = lower + df[col]
                area.set_data(x, lower, upper)
                lower = upper
        else:
            for line, (col, _) in zip(self.lines, self.cols):
                line.set_data(x, df[col])
        key = self.limits(df)
        if key != self.applied:  # setting limits invalidates every transform below the axes: only on change
            self.ax.set_xlim(0, key[0])
            self.ax.set_ylim(key[1], key[2])
            self.applied = key
        return key


def draw_chart(ax, df, index: int, legend: bool = True) -> ChartArtists:
    """Draw chart number `index` of CHARTS from the collected time series `df`."""
    chart = ChartArtists(ax, df, index, legend=legend)
    chart.update(df)
    return chart


# --- standalone figures and the dashboard's blitted frames -----------------------------------------------


def _network_fig(model, animated: bool, dpi: int):
    fig = Figure(figsize=(6.0, 5.0), dpi=dpi)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.08, top=0.94)
    return fig, SchoolNetworkArtists(fig.add_subplot(), model, animated=animated)


def _charts_fig(model, animated: bool, dpi: int):
    fig = Figure(figsize=(6.6, 5.4), dpi=dpi)  # fixed margins: constrained layout costs more than drawing
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.08, top=0.95, wspace=0.22, hspace=0.38)
    df = model_series(model)
    charts = [ChartArtists(ax, df, i, animated=animated, n_schools=int(model.n_schools))
              for i, ax in enumerate(fig.subplots(2, 2).flat)]
    return fig, charts


def _teacher_fig(model, school: int, animated: bool, dpi: int):
    fig = Figure(figsize=(6.0, 4.6), dpi=dpi)
    fig.subplots_adjust(left=0.01, right=0.92, bottom=0.12, top=0.93)
    return fig, TeacherNetworkArtists(fig.add_subplot(), model, school, animated=animated)


def charts_figure(model, dpi: int = 72) -> Figure:
    """All four time-series charts in one 2x2 figure (one image: cheaper to render than four)."""
    fig, charts = _charts_fig(model, False, dpi)
    df = model_series(model)
    for chart in charts:
        chart.update(df)
    return fig


def network_figure(model, size_by: str = "attainment", selected: int | None = None, dpi: int = 72) -> Figure:
    """The school network as a standalone figure."""
    fig, net = _network_fig(model, False, dpi)
    net.update(model, size_by=size_by, selected=selected)
    return fig


def teacher_figure(model, school: int, dpi: int = 72) -> Figure:
    """One school's teachers as a standalone figure."""
    fig, teachers = _teacher_fig(model, school, False, dpi)
    teachers.update(model)
    return fig


# The dashboard's pictures go to the browser as JPEG at quality 95 without chroma subsampling: on the
# plain line art of these figures it looks the same as PNG, and encodes 4-8 times faster (PNG's zlib,
# even at level 1, was a quarter of a frame's time). Set IMAGE_FORMAT = "png" for lossless frames.
IMAGE_FORMAT = "jpeg"
JPEG_QUALITY = 95


def encode_image(canvas, fmt: str | None = None) -> bytes:
    """The canvas's current pixels as an opaque RGB image in `fmt` (IMAGE_FORMAT): JPEG or fast PNG."""
    fmt = (fmt or IMAGE_FORMAT).lower()
    w, h = canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, format="png", compress_level=1)
    else:
        img.save(buf, format="jpeg", quality=JPEG_QUALITY, subsampling=0)
    return buf.getvalue()


class BlitFrame:
    """A persistent figure drawn by blitting: the static part is kept as a bitmap, keyed by `key`.

    `image(key, dynamic)` redraws the whole figure (without the animated artists) only when `key`
    differs from the last one, otherwise restores the saved bitmap; then draws `dynamic` on top.
    """

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.background = None
        self.key = None
        self.overlays = []
        self.full_draws = 0

    def image(self, key, dynamic, overlays=()) -> bytes:
        """The figure as image bytes (IMAGE_FORMAT); `overlays` (static, drawn with alpha 0.8: legends) stay over `dynamic`."""
        if self.background is None or key != self.key:
            self.canvas.draw()  # animated artists are skipped
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.overlays = [self._pixels(a) for a in overlays]
            self.key = key
            self.full_draws += 1
        else:
            self.canvas.restore_region(self.background)
        for artist in dynamic:
            self.fig.draw_artist(artist)
        if self.overlays:
            # a legend with framealpha 0.8 over the changing lines: 80 % legend as drawn, 20 % what is below
            buf = np.asarray(self.canvas.buffer_rgba())
            for rows, cols, pixels in self.overlays:
                buf[rows, cols] = (pixels * 0.8 + buf[rows, cols] * 0.2).astype(np.uint8)
        return encode_image(self.canvas)

    def _pixels(self, artist):
        """The rows and columns `artist` covers in the canvas buffer, and its pixels there, as drawn now."""
        h = self.canvas.get_width_height(physical=True)[1]
        box = artist.get_window_extent(self.canvas.get_renderer())
        rows = slice(max(int(h - box.y1), 0), max(int(math.ceil(h - box.y0)), 0))
        cols = slice(max(int(box.x0), 0), max(int(math.ceil(box.x1)), 0))
        return rows, cols, np.asarray(self.canvas.buffer_rgba())[rows, cols].astype(np.float32)


class _Frames:
    """One model's persistent dashboard figures (kept while the model lives)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.network = None  # (BlitFrame, SchoolNetworkArtists)
        self.charts = None  # (BlitFrame, [ChartArtists])
        self.teachers = None  # (BlitFrame, TeacherNetworkArtists)


# Weakly keyed, and bounded: Mesa 3.3 keeps every model alive (its agents' id counters are keyed by
# model), so without a bound each Reset would keep three figures for good. An evicted model that is
# still shown simply gets new figures.
MAX_CACHED_MODELS = 12
_frames: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_recent: list = []  # weak references to the models in _frames, oldest first
_frames_lock = threading.Lock()


def _frames_for(model) -> _Frames:
    with _frames_lock:
        frames = _frames.get(model)
        if frames is None:
            frames = _frames[model] = _Frames()
            _recent.append(weakref.ref(model))
            while len(_frames) > MAX_CACHED_MODELS and _recent:
                old = _recent.pop(0)()
                if old is not None and old is not model:
                    _frames.pop(old, None)
            _recent[:] = [r for r in _recent if r() is not None]
        return frames


def network_image(model, size_by: str = "attainment", selected: int | None = None, dpi: int = 72) -> bytes:
    """The school network as image bytes (IMAGE_FORMAT), drawn by updating this model's persistent figure."""
    frames = _frames_for(model)
    with frames.lock:
        if frames.network is None:
            fig, net = _network_fig(model, True, dpi)
            frames.network = (BlitFrame(fig), net)
        blit, net = frames.network
        net.update(model, size_by=size_by, selected=selected)
        return blit.image(net.title.get_text(), net.dynamic)


def charts_image(model, dpi: int = 72) -> bytes:
    """The four time-series charts as image bytes, drawn by updating this model's persistent figure."""
    frames = _frames_for(model)
    with frames.lock:
        if frames.charts is None:
            fig, charts = _charts_fig(model, True, dpi)
            frames.charts = (BlitFrame(fig), charts)
        blit, charts = frames.charts
        df = model_series(model)
        key = tuple(chart.update(df) for chart in charts)
        return blit.image(key, [a for chart in charts for a in chart.dynamic],
                        overlays=[chart.legend for chart in charts if chart.legend is not None])


def teacher_image(model, school: int, dpi: int = 72) -> bytes:
    """One school's teachers as image bytes; the figure is rebuilt only when another school is chosen."""
    frames = _frames_for(model)
    with frames.lock:
        if frames.teachers is None or frames.teachers[1].school != int(school):
            fig, teachers = _teacher_fig(model, school, True, dpi)
            frames.teachers = (BlitFrame(fig), teachers)
        blit, teachers = frames.teachers
        teachers.update(model)
        return blit.image(None, teachers.dynamic)
