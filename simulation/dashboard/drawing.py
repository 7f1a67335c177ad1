"""Matplotlib pictures of a running CLCModel, shared by the dashboard and `clc-sim animate`.

Positions are computed once per model and cached, so the network does not jump between frames.

Each picture is a small class that builds its artists once and then updates them in place
(`update(model)`): `clc-sim animate` and the standalone `*_figure` functions use them directly. The
dashboard keeps one persistent figure per picture, model and size (`network_image`, `chart_image`,
`charts_image`, `teacher_image`) and draws it by blitting: the parts that do not change between weeks
(axes, ticks, legends, hubs, colour bar) are drawn once into a cached bitmap, and each frame only the
changing artists are drawn over a copy of it and encoded (JPEG, see IMAGE_FORMAT). The cached bitmap is
redrawn only when the axes limits change (a new school year on the charts' x axis, data leaving the
current y range).

Sizes are given in pixels and text in pixels too (`Type`): the dashboard draws each picture at the size
it is shown, so its smallest text is `MIN_FONT_PX` (16) pixels on the screen. Stage colours and school
numbers come from `simulation.plots` (one palette, one numbering 1..n for every figure).
"""

from __future__ import annotations

import io
import math
import threading
import weakref
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.cm import ScalarMappable  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402
from matplotlib.textpath import TextPath  # noqa: E402
from matplotlib.ticker import FixedLocator  # noqa: E402
from matplotlib.transforms import Affine2D  # noqa: E402
from PIL import Image  # noqa: E402

from simulation.links import WITHIN  # noqa: E402
from simulation.plots import STAGE_COLOURS, STAGE_LABELS, STAGE_TEXT, TICKS_PER_YEAR, school_label  # noqa: E402

ACTIVITY_LABELS = ("no contact", "information", "experience (visits)", "coaching")
ACTIVITY_STYLE = (  # colour, width, linestyle, alpha
    ("#9e9e9e", 1.0, ":", 0.8),
    ("#757575", 1.2, "-", 0.7),
    ("#1e88e5", 2.0, "--", 0.85),
    ("#d81b60", 3.2, "-", 0.95),
)
STAGE_RGBA = matplotlib.colors.to_rgba_array(STAGE_COLOURS)
STAGE_TEXT_RGBA = matplotlib.colors.to_rgba_array(STAGE_TEXT)
BIN_LINKS_ABOVE = 60  # networks with more schools draw their links in trust bands
TRUST_BANDS = 8
LABEL_SCHOOLS_UP_TO = 40  # school numbers are drawn on the circles up to this many schools
AGGREGATE_ABOVE = 500  # larger systems are drawn as hubs (one circle per hub), not one circle per school
SIZE_BY = {"attainment": (0.0, 1.0), "value_added": (-0.25, 0.25)}
SIZE_LABELS = {"attainment": "attainment", "value_added": "value added"}
MIN_FONT_PX = 16  # the smallest text on a dashboard picture, in screen pixels
DASHBOARD_DPI = 72  # at 72 dpi a point is a pixel: font sizes in points are screen pixels

_school_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_hub_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_teacher_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Type:
    """Text sizes of a picture in pixels, turned into matplotlib points for its dpi."""

    px: float = MIN_FONT_PX
    dpi: float = DASHBOARD_DPI

    def pt(self, scale: float = 1.0) -> float:
        """A font size in points that is `scale` times the base size in pixels at this dpi."""
        return self.px * scale * 72.0 / self.dpi

    @property
    def small(self) -> float:  # ticks, legends, labels: never below the base size
        return self.pt(1.0)

    @property
    def title(self) -> float:
        return self.pt(1.15)


DEFAULT_TYPE = Type()


# --- layout -----------------------------------------------------------------------------------------


def _sunflower(k: int) -> np.ndarray:
    """`k` evenly spread points on a sunflower spiral (radius grows as the square root of the index)."""
    golden = math.pi * (3 - math.sqrt(5))
    idx = np.arange(k)
    r = np.sqrt(idx + 0.5)
    return np.column_stack([r * np.cos(idx * golden), r * np.sin(idx * golden)])


def school_positions(model) -> np.ndarray:
    """Fixed (n, 2) positions of the schools: hubs placed on a spiral, each hub's schools around its centre."""
    cached = _school_layouts.get(model)
    if cached is not None:
        return cached
    n = int(model.n_schools)
    hubs = np.asarray(model.hub, dtype=int)
    unique = sorted(set(hubs.tolist()))
    pos = np.zeros((n, 2))
    if len(unique) == 1:
        centres, radius = {unique[0]: np.zeros(2)}, 1.0
    else:
        centres, radius = dict(zip(unique, _sunflower(len(unique)))), 0.42
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    if n <= AGGREGATE_ABOVE:
        pairs, trust = school_links(model)
        graph.add_weighted_edges_from((int(a), int(b), float(w)) for (a, b), w in zip(pairs, trust))
    for h in unique:
        members = np.flatnonzero(hubs == h)
        if len(members) == 1:
            pts = np.zeros((1, 2))
        elif n > AGGREGATE_ABOVE:  # drawn as hubs anyway: a plain ring is enough (and instant)
            a = np.linspace(0, 2 * np.pi, len(members), endpoint=False)
            pts = np.column_stack([np.cos(a), np.sin(a)])
        else:
            local = nx.spring_layout(graph.subgraph(members.tolist()), seed=7, k=1.2 / math.sqrt(len(members)),
                                     iterations=60)
            pts = np.array([local[int(i)] for i in members], dtype=float)
        pts = pts - pts.mean(axis=0)
        span = np.abs(pts).max() or 1.0
        pos[members] = np.asarray(centres[h]) + pts / span * radius
    _school_layouts[model] = pos
    return pos


def hub_positions(model) -> tuple[np.ndarray, np.ndarray]:
    """The hubs (sorted ids) and their fixed positions on a sunflower spiral, for the aggregated view."""
    cached = _hub_layouts.get(model)
    if cached is None:
        hubs = np.unique(np.asarray(model.hub, dtype=int))
        cached = _hub_layouts[model] = (hubs, _sunflower(len(hubs)))
    return cached


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


def _fit_limits(ax, x0: float, x1: float, y0: float, y1: float) -> None:
    """Limits that show [x0, x1] x [y0, y1] at equal scale on both axes, filling the axes box (set once)."""
    fig = ax.figure
    box = ax.get_position()
    w, h = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    dx, dy = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    scale = min(w / dx, h / dy)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - w / scale / 2, cx + w / scale / 2)
    ax.set_ylim(cy - h / scale / 2, cy + h / scale / 2)


def stage_legend(ax, type_: Type = DEFAULT_TYPE) -> None:
    """The fixed four-stage legend, always showing every stage so colours never change meaning."""
    handles = [Line2D([], [], marker="o", linestyle="", markersize=type_.small * 0.8, markerfacecolor=c,
                      markeredgecolor="#333", label=lab) for lab, c in zip(STAGE_LABELS, STAGE_COLOURS)]
    wide = ax.figure.get_figwidth() * ax.figure.dpi >= 38 * type_.px  # room for the four stages on one row
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4 if wide else 2,
              fontsize=type_.small, frameon=False, handletextpad=0.2, columnspacing=1.0)


def _week_text(ax, animated: bool, type_: Type):
    """The week number in the top left corner: short, because every drawn character costs time."""
    return ax.text(0.0, 1.0, " ", transform=ax.transAxes, ha="left", va="top", fontsize=type_.small,
                   fontweight="bold", color="#333", zorder=6, animated=animated)


def _label_paths(ax, xy: np.ndarray, labels: list[str], animated: bool, size: float) -> PathCollection:
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


def _axes_points(ax) -> float:
    """The smaller side of the axes box in points (marker sizes are in points)."""
    fig = ax.figure
    box = ax.get_position()
    w, h = fig.get_size_inches()
    return max(min(box.width * w, box.height * h) * 72.0, 50.0)


def _band_segments(pos_a: np.ndarray, pos_b: np.ndarray, w: np.ndarray):
    """Links grouped into TRUST_BANDS NaN-separated polylines (cheap to rasterise); their band levels."""
    band = np.minimum((w * TRUST_BANDS).astype(int), TRUST_BANDS - 1)
    segments, levels = [], []
    for k in range(TRUST_BANDS):
        idx = np.flatnonzero(band == k)
        if len(idx):
            verts = np.full((len(idx), 3, 2), np.nan)
            verts[:, 0], verts[:, 1] = pos_a[idx], pos_b[idx]
            segments.append(verts.reshape(-1, 2))
            levels.append((k + 0.5) / TRUST_BANDS)
    return segments, np.array(levels)


def _link_colours(shade: np.ndarray, fade: float = 1.0) -> np.ndarray:
    """Grey link colours, more opaque with more trust; `fade` < 1 thins out a crowded picture."""
    colours = np.zeros((len(shade), 4))
    colours[:, :3] = 0.3
    colours[:, 3] = (0.15 + 0.6 * np.asarray(shade)) * fade
    return colours


def _hub_pairs(hub_index: np.ndarray, pairs: np.ndarray, w: np.ndarray, k: int):
    """Links between different hubs merged per hub pair: (hub a, hub b) arrays and their mean trust."""
    if not len(pairs):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    ha, hb = hub_index[pairs[:, 0]], hub_index[pairs[:, 1]]
    between = ha != hb
    key = np.minimum(ha, hb)[between].astype(np.int64) * k + np.maximum(ha, hb)[between]
    if not len(key):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    uniq, inv = np.unique(key, return_inverse=True)
    trust = np.clip(np.bincount(inv, weights=w[between]) / np.bincount(inv), 0.0, 1.0)
    return (uniq // k).astype(int), (uniq % k).astype(int), trust


def _crowding(count: int) -> float:
    """Opacity factor for `count` lines: 1 up to 150 lines, then falling so a dense picture stays readable."""
    return min(1.0, math.sqrt(150.0 / max(count, 1)))


class SchoolNetworkArtists:
    """The school network on `ax`: schools coloured by stage, sized by attainment or value added, links by trust.

    Built once per model (hubs, legend, limits never change); `update` moves only what a week changes.
    With `animated=True` the changing artists are left out of normal draws, for blitting.
    """

    def __init__(self, ax, model, animated: bool = False, type_: Type = DEFAULT_TYPE, legend: bool = True,
                 title: bool = True):
        self.ax, self.type = ax, type_
        pos = school_positions(model)
        self.pos = pos
        n = self.n = len(pos)
        hubs = np.asarray(model.hub)
        unique_hubs = np.unique(hubs)
        self.n_hubs = len(unique_hubs)
        self.hub_index = np.searchsorted(unique_hubs, hubs)
        self.centres = np.array([pos[hubs == h].mean(axis=0) for h in unique_hubs])
        if len(unique_hubs) > 1:
            for h, c in zip(unique_hubs, self.centres):
                pts = pos[hubs == h]
                r = max(np.sqrt(((pts - c) ** 2).sum(axis=1)).max(), 0.05) * 1.15
                ax.add_patch(Circle(c, r, facecolor="#eef3fb", edgecolor="#c5d3ea", lw=0.8, zorder=0))
                if len(unique_hubs) <= 12:
                    ax.text(c[0], c[1] + r, f"hub {h + 1}", ha="center", va="bottom", fontsize=type_.small,
                            color="#5f6f8a", zorder=1)
        pad = 0.3 if len(unique_hubs) > 1 else 0.22
        _fit_limits(ax, pos[:, 0].min() - pad, pos[:, 0].max() + pad, pos[:, 1].min() - pad, pos[:, 1].max() + pad)
        _style_axes(ax)
        # a school's circle in data units (a hub spans 2 units alone, 0.84 among others), then in points
        if len(unique_hubs) == 1:
            units = min(0.4, 1.7 / math.sqrt(max(n, 1)))
        else:
            units = min(0.22, 0.75 / math.sqrt(np.bincount(self.hub_index).max()))
        per_unit = (ax.figure.get_figwidth() * ax.get_position().width * 72.0) / np.diff(ax.get_xlim())[0]
        diameter = max(units * per_unit, 4.0)
        self.base_size = diameter ** 2
        self.edge_scale = 5.0 if n <= 30 else (2.0 if n <= BIN_LINKS_ABOVE else 1.2)
        self.links = ax.add_collection(LineCollection([], zorder=2, animated=animated))
        self.pairs = None
        self.nodes = ax.scatter(pos[:, 0], pos[:, 1], s=self.base_size, c=[STAGE_COLOURS[0]] * n,
                                edgecolors="#333333", linewidths=0.8 if n <= 60 else 0.2, zorder=3,
                                animated=animated)
        self.labels = []
        if n <= LABEL_SCHOOLS_UP_TO:
            size = max(type_.small, min(diameter * 0.5, type_.pt(1.4)))
            self.labels = [_label_paths(ax, pos, [school_label(i) for i in range(n)], animated, size)]
        self.ring = ax.scatter(pos[:1, 0], pos[:1, 1], s=60, facecolors="none", edgecolors="#d81b60",
                               linewidths=3.0, zorder=5, animated=animated)
        if legend:
            stage_legend(ax, type_)
        self.title = ax.set_title(" " if title else "", fontsize=type_.small)
        self.show_title = title
        self.week = _week_text(ax, animated, type_)

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
            widths = shade = w
            colours = _link_colours(w)
        else:  # many links: one NaN-separated polyline per trust band, far cheaper to rasterise
            hub_index = self.hub_index
            within = hub_index[pairs[:, 0]] == hub_index[pairs[:, 1]] if len(pairs) else np.zeros(0, bool)
            segments, widths = _band_segments(pos[pairs[within, 0]], pos[pairs[within, 1]], w[within])
            colours = _link_colours(widths)
            if self.n_hubs > 1:  # links between hubs: one line per pair of hubs, drawn lighter
                ha, hb, trust = _hub_pairs(hub_index, pairs, w, self.n_hubs)
                more, levels = _band_segments(self.centres[ha], self.centres[hb], trust)
                segments += more
                widths = np.concatenate([widths, levels * 0.6])
                colours = np.vstack([colours, _link_colours(levels, 0.6 * _crowding(len(ha)))])
            self.links.set_segments(segments)
        self.links.set_linewidths(0.4 + self.edge_scale * widths)
        self.links.set_colors(colours)
        size_by = size_by if size_by in SIZE_BY else "attainment"
        lo, hi = SIZE_BY[size_by]
        value = np.clip((np.asarray(getattr(model, size_by), dtype=float) - lo) / (hi - lo), 0.0, 1.0)
        sizes = self.base_size * (0.35 + 0.65 * value)
        stages = np.clip(np.asarray(model.stage, dtype=int), 0, 3)
        self.nodes.set_sizes(sizes)
        self.nodes.set_facecolors(STAGE_RGBA[stages])
        for labels in self.labels:
            labels.set_facecolors(STAGE_TEXT_RGBA[stages])
        if selected is not None and 0 <= selected < n:
            self.ring.set_visible(True)
            self.ring.set_offsets(pos[selected:selected + 1])
            self.ring.set_sizes([(math.sqrt(sizes[selected]) + 9) ** 2])
        else:
            self.ring.set_visible(False)
        if self.show_title:
            self.title.set_text(f"{n} schools: size = {SIZE_LABELS[size_by]}, line width = trust")
        self.week.set_text(f"week {model.steps}")


class HubNetworkArtists:
    """A large system as hubs: one circle per hub, coloured by the stage most of its schools are at.

    Circle area grows with the hub's number of schools and its mean attainment (or value added);
    lines join hubs whose staff are linked, as wide and dark as the mean trust on those links.
    """

    def __init__(self, ax, model, animated: bool = False, type_: Type = DEFAULT_TYPE, legend: bool = True,
                 title: bool = True):
        self.ax, self.type = ax, type_
        self.hubs, self.pos = hub_positions(model)
        self.n = int(model.n_schools)
        self.hub_index = np.searchsorted(self.hubs, np.asarray(model.hub, dtype=int))
        self.members = np.bincount(self.hub_index, minlength=len(self.hubs)).astype(float)
        pad = 0.8
        _fit_limits(ax, self.pos[:, 0].min() - pad, self.pos[:, 0].max() + pad, self.pos[:, 1].min() - pad,
                    self.pos[:, 1].max() + pad)
        _style_axes(ax)
        span = max(np.ptp(self.pos[:, 0]), 1.0) + 2 * pad
        spacing = _axes_points(ax) / span  # points between neighbouring hubs (about one unit apart)
        self.base_size = (0.85 * spacing) ** 2 / max(self.members.mean(), 1.0)
        self.links = ax.add_collection(LineCollection([], zorder=2, animated=animated))
        self.nodes = ax.scatter(self.pos[:, 0], self.pos[:, 1], s=10, c=[STAGE_COLOURS[0]] * len(self.hubs),
                                edgecolors="#333333", linewidths=0.2, zorder=3, animated=animated)
        self.ring = ax.scatter(self.pos[:1, 0], self.pos[:1, 1], s=60, facecolors="none", edgecolors="#d81b60",
                               linewidths=3.0, zorder=5, animated=animated)
        if legend:
            stage_legend(ax, type_)
        self.show_title = title
        self.title = ax.set_title(" " if title else "", fontsize=type_.small)
        self.week = _week_text(ax, animated, type_)

    @property
    def dynamic(self) -> list:
        return [self.links, self.nodes, self.ring, self.week]

    def update(self, model, size_by: str = "attainment", selected: int | None = None) -> None:
        k = len(self.hubs)
        pairs, w = school_links(model)
        ha, hb, trust = _hub_pairs(self.hub_index, pairs, w, k)
        segments, levels = _band_segments(self.pos[ha], self.pos[hb], trust)
        self.links.set_segments(segments)
        self.links.set_linewidths(0.3 + 1.5 * levels)
        self.links.set_colors(_link_colours(levels * 0.6, _crowding(len(ha))))
        size_by = size_by if size_by in SIZE_BY else "attainment"
        lo, hi = SIZE_BY[size_by]
        value = np.clip((np.asarray(getattr(model, size_by), dtype=float) - lo) / (hi - lo), 0.0, 1.0)
        mean_value = np.bincount(self.hub_index, weights=value, minlength=k) / np.maximum(self.members, 1)
        stages = np.clip(np.asarray(model.stage, dtype=int), 0, 3)
        counts = np.bincount(self.hub_index * 4 + stages, minlength=4 * k).reshape(k, 4)
        sizes = self.base_size * self.members * (0.35 + 0.65 * mean_value)
        self.nodes.set_sizes(sizes)
        self.nodes.set_facecolors(STAGE_RGBA[counts.argmax(axis=1)])
        if selected is not None and 0 <= selected < self.n:
            h = self.hub_index[selected]
            self.ring.set_visible(True)
            self.ring.set_offsets(self.pos[h:h + 1])
            self.ring.set_sizes([(math.sqrt(sizes[h]) + 9) ** 2])
        else:
            self.ring.set_visible(False)
        if self.show_title:
            self.title.set_text(f"{self.n} schools in {k} hubs (one circle per hub)")
        self.week.set_text(f"week {model.steps}")


def network_artists(ax, model, animated: bool = False, type_: Type = DEFAULT_TYPE, legend: bool = True,
                    title: bool = True):
    """The network picture for `model`: every school up to AGGREGATE_ABOVE schools, hubs as circles above."""
    cls = HubNetworkArtists if int(model.n_schools) > AGGREGATE_ABOVE else SchoolNetworkArtists
    return cls(ax, model, animated=animated, type_=type_, legend=legend, title=title)


def draw_school_network(ax, model, size_by: str = "attainment", selected: int | None = None,
                        type_: Type = DEFAULT_TYPE):
    """Schools as nodes coloured by stage and sized by attainment or value added; links weighted by trust."""
    artists = network_artists(ax, model, type_=type_)
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
MARKER_SCALE = {"o": 1.0, "s": 1.0, "*": 2.4}


class TeacherNetworkArtists:
    """One school's teachers on a ring, coloured by knowledge; links styled by their last activity.

    The ring, colour bar, legend and limits are built once per school; `update` changes link
    segments and colours.
    """

    def __init__(self, ax, model, school: int, cmap: str = "viridis", animated: bool = False,
                 type_: Type = DEFAULT_TYPE):
        self.ax, self.school = ax, int(school)
        graph = model.teacher_graph(self.school)
        self.pos = teacher_positions(model, self.school, graph)
        self.norm = Normalize(*KNOWLEDGE_RANGE)
        self.links = []
        for activity in range(4):
            colour, width, style, alpha = ACTIVITY_STYLE[activity]
            self.links.append(ax.add_collection(LineCollection([], colors=colour, linewidths=width, linestyles=style,
                                                               alpha=alpha, zorder=1 + activity, animated=animated)))
        base = (type_.small * 0.9) ** 2 * max(0.5, min(2.0, 20 / max(len(self.pos), 1)))
        self.nodes = {}
        for marker in ("o", "s", "*"):
            self.nodes[marker] = ax.scatter([], [], c=[], cmap=cmap, norm=self.norm, s=base * MARKER_SCALE[marker],
                                            marker=marker, edgecolors="#222", linewidths=0.5, zorder=6,
                                            animated=animated)
        cb = ax.figure.colorbar(ScalarMappable(norm=self.norm, cmap=cmap), ax=ax, fraction=0.05, pad=0.01)
        cb.set_label("knowledge (mean of 3 areas)", fontsize=type_.small)
        cb.ax.tick_params(labelsize=type_.small)
        handles = [Line2D([], [], color=c, lw=w, linestyle=s, label=lab)
                   for lab, (c, w, s, _) in zip(ACTIVITY_LABELS, ACTIVITY_STYLE)]
        handles += [Line2D([], [], marker="*", linestyle="", color="#555", markersize=type_.small, label="headteacher"),
                    Line2D([], [], marker="s", linestyle="", color="#555", markersize=type_.small * 0.6,
                           label="middle leader")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=type_.small,
                  frameon=False, handlelength=2.2, columnspacing=1.0)
        xy = np.array(list(self.pos.values())) if self.pos else np.zeros((0, 2))
        if len(xy):
            ax.set_xlim(xy[:, 0].min() - 0.15, xy[:, 0].max() + 0.15)
            ax.set_ylim(xy[:, 1].min() - 0.15, xy[:, 1].max() + 0.15)
        ax.set_aspect("equal", adjustable="box")
        _style_axes(ax)
        name = model.school_agents[self.school].name
        ax.set_title(f"{name}: teachers and learning links", fontsize=type_.small)
        self.week = _week_text(ax, animated, type_)
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


# Each chart: title, y-axis label, (reporter, legend label) pairs.
CHARTS = (
    ("Knowledge by area", "mean knowledge (1 = world best)",
     (("knowledge_teaching_learning", "teaching & learning"), ("knowledge_leadership", "leadership"),
      ("knowledge_coaching", "coaching"), ("knowledge_accessed", "knowledge accessed"))),
    ("Trust and moral capital", "level (0 to 1)", (("mean_trust", "mean trust"), ("moral_capital", "moral capital"))),
    ("Attainment and value added", "pupil SD", (("mean_attainment_sd", "attainment vs the national mean"),
                                                ("value_added_sd", "value added"))),
    ("Schools per stage", "number of schools", (("stage_isolation", "Isolation"), ("stage_initiation", "Initiation"),
                                                ("stage_engagement", "Engagement"),
                                                ("stage_integration", "Integration"))),
)
CHART_KEYS = ("knowledge", "trust", "attainment", "stages")  # names of CHARTS for the toggle and `--chart`
CHART_COLUMNS = tuple(col for _, _, series in CHARTS for col, _ in series)
LINE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7")  # Okabe-Ito, distinct from each other
WEEKS_PER_YEAR = TICKS_PER_YEAR    # a tick is a school week
X_LABEL = f"school week ({WEEKS_PER_YEAR} weeks a year)"
Y_STEP = 0.05  # the charts' y range grows in steps of this, so it changes (and is redrawn) rarely


def model_series(model) -> dict[str, np.ndarray]:
    """The collected time series as plain arrays (no DataFrame: faster), with their weeks under "tick"."""
    collected = model.datacollector.model_vars
    out = {col: np.asarray(collected[col], dtype=float) for col in CHART_COLUMNS if col in collected}
    n = _length(out)
    out["tick"] = np.arange(n, dtype=float) * int(getattr(getattr(model, "p", None), "collect_every", 1) or 1)
    return out


def _as_series(data) -> dict[str, np.ndarray]:
    """Columns of a DataFrame (or a mapping of name to values) as float arrays."""
    if isinstance(data, dict):
        return data
    return {str(c): np.asarray(data[c], dtype=float) for c in data.columns}


def _length(data: dict) -> int:
    return max((len(v) for k, v in data.items() if k != "tick"), default=0)


def _ticks_of(df: dict) -> np.ndarray:
    n = _length(df)
    tick = df.get("tick")
    return np.asarray(tick, dtype=float)[:n] if tick is not None and len(tick) >= n else np.arange(n, dtype=float)


def year_ticks(xmax: float) -> list[float]:
    """Tick positions on the week axis at whole school years, at most about eight of them."""
    years = max(1, int(round(xmax / WEEKS_PER_YEAR)))
    every = max(1, math.ceil(years / 8))
    return [float(WEEKS_PER_YEAR * y) for y in range(0, years + 1, every)]


class ChartArtists:
    """Chart number `index` of CHARTS on `ax`, with its lines (or stacked stage areas) updated in place.

    The x axis spans whole school years (39 weeks) and the y range only grows, in steps of 0.05
    (stages: 0 to the number of schools), so a static background can be reused for many weeks.
    The legend sits above the axes, so it never hides a line.
    """

    def __init__(self, ax, df, index: int, legend: bool = True, animated: bool = False, n_schools: int | None = None,
                 type_: Type = DEFAULT_TYPE, title: bool = True, min_weeks: int = 0):
        self.ax, self.index = ax, index
        name, ylabel, series = CHARTS[index]
        self.cols = [(c, lab) for c, lab in series if c in _as_series(df)]
        self.stacked = "stage" in series[0][0]
        self.n_schools = n_schools
        self.min_weeks = int(min_weeks)
        self.ylim: tuple[float, float] | None = None
        self.applied: tuple | None = None
        if self.stacked:
            self.areas = [ax.fill_between([0, 1], [0, 0], [0, 0], label=lab, color=STAGE_COLOURS[i], alpha=0.95,
                                          linewidth=0, animated=animated)
                          for i, (_, lab) in enumerate(self.cols)]
            self.lines = []
        else:
            self.areas = []
            self.lines = [ax.plot([], [], label=lab, lw=2.5, color=LINE_COLOURS[i % len(LINE_COLOURS)],
                                  animated=animated)[0] for i, (_, lab) in enumerate(self.cols)]
        if title:
            ax.set_title(name, fontsize=type_.title, loc="left", pad=type_.small * 0.5)
        ax.tick_params(labelsize=type_.small)
        ax.set_xlabel(X_LABEL, fontsize=type_.small)
        ax.set_ylabel(ylabel, fontsize=type_.small)
        ax.grid(alpha=0.3)
        self.legend = None
        if legend and self.cols:
            self.legend = ax.legend(handles=[*self.areas, *self.lines], fontsize=type_.small, loc="lower left",
                                    bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False, borderaxespad=0.2,
                                    handlelength=1.5, columnspacing=1.0)
            if title:  # the title above the legend (room for two rows, as _chart_axes leaves)
                ax.set_title(name, fontsize=type_.title, loc="left", pad=type_.small * 3.6)

    @property
    def dynamic(self) -> list:
        return [*self.areas, *self.lines]

    def limits(self, df) -> tuple:
        """(xmax, ylo, yhi) for the data in `df`; only ever grows."""
        df = _as_series(df)
        n = _length(df)
        ticks = _ticks_of(df)
        last = max(float(ticks[-1]) if n else 0.0, float(self.min_weeks), 1.0)
        xmax = WEEKS_PER_YEAR * max(1, math.ceil(last / WEEKS_PER_YEAR))
        if self.stacked:
            total = sum((df[c][:n] for c, _ in self.cols), np.zeros(n)) if n else np.zeros(1)
            top = max(self.n_schools or 0, float(total.max()) if len(total) else 1.0, 1.0)
            ylim = (0.0, top)
        else:
            values = np.concatenate([df[c] for c, _ in self.cols]) if self.cols and n else np.zeros(1)
            values = values[np.isfinite(values)]
            lo, hi = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
            # the data's range with a margin, on the Y_STEP grid; the union with what was shown before
            ylim = (round(math.floor((lo - 0.02) / Y_STEP) * Y_STEP, 6), round(math.ceil((hi + 0.02) / Y_STEP) * Y_STEP, 6))
            if self.ylim is not None:
                ylim = (min(ylim[0], self.ylim[0]), max(ylim[1], self.ylim[1]))
        self.ylim = ylim
        return (xmax, *ylim)

    def update(self, df) -> tuple:
        """Show the series in `df`; return the axes limits (they key the static background)."""
        df = _as_series(df)
        n = _length(df)
        x = _ticks_of(df)
        if self.stacked:
            lower = np.zeros(n)
            for area, (col, _) in zip(self.areas, self.cols):
                upper = lower + df[col][:n]
                area.set_data(x, lower, upper)
                lower = upper
        else:
            for line, (col, _) in zip(self.lines, self.cols):
                line.set_data(x, df[col][:n])
        key = self.limits(df)
        if key != self.applied:  # setting limits invalidates every transform below the axes: only on change
            self.ax.set_xlim(0, key[0])
            self.ax.set_ylim(key[1], key[2])
            self.ax.xaxis.set_major_locator(FixedLocator(year_ticks(key[0])))
            self.applied = key
        return key


def draw_chart(ax, df, index: int, legend: bool = True, type_: Type = DEFAULT_TYPE) -> ChartArtists:
    """Draw chart number `index` of CHARTS from the collected time series `df`."""
    chart = ChartArtists(ax, df, index, legend=legend, type_=type_)
    chart.update(df)
    return chart


# --- standalone figures and the dashboard's blitted frames -----------------------------------------------

NETWORK_SIZE = (600, 560)  # default picture sizes in pixels (the dashboard passes the size it shows)
CHART_SIZE = (640, 520)
CHARTS_SIZE = (1000, 760)
TEACHER_SIZE = (600, 560)


def _figure(size, dpi: int, layout: str | None = "constrained") -> Figure:
    w, h = size
    fig = Figure(figsize=(max(int(w), 50) / dpi, max(int(h), 50) / dpi), dpi=dpi, layout=layout)
    if layout == "constrained":
        fig.get_layout_engine().set(w_pad=4 / 72, h_pad=4 / 72)
    return fig


def _network_fig(model, animated: bool, size, type_: Type, legend: bool = True, title: bool = True):
    fig = _figure(size, type_.dpi, layout=None)
    rows = 1 if size[0] >= 38 * type_.px else 2  # the stage legend's rows (see stage_legend)
    bottom = ((1.5 * rows + 0.7) * type_.px / size[1]) if legend else 0.01
    top = 1 - (1.8 * type_.px / size[1]) if title else 0.99
    fig.subplots_adjust(left=0.01, right=0.99, bottom=bottom, top=top)
    return fig, network_artists(fig.add_subplot(), model, animated=animated, type_=type_, legend=legend, title=title)


def _chart_axes(fig, size, type_: Type, rows: int, cols: int) -> list:
    """A rows x cols grid of chart axes with fixed margins measured in text heights (no layout engine: the
    blitted figure and a fresh one are laid out the same, and nothing moves when tick labels change)."""
    w, h = size
    em = type_.px  # the text height in pixels
    left, right, bottom, top = 5.6 * em, 1.6 * em, 3.6 * em, 5.6 * em  # labels; ticks; title and 2-row legend
    cell_w = (w - cols * (left + right)) / cols
    cell_h = (h - rows * (bottom + top)) / rows
    axes = []
    for r in range(rows):
        for c in range(cols):
            x0 = c * (left + right + cell_w) + left
            y0 = h - (r + 1) * (top + bottom + cell_h) + bottom
            axes.append(fig.add_axes((x0 / w, y0 / h, max(cell_w, 10) / w, max(cell_h, 10) / h)))
    return axes


def _chart_fig(model, index: int, animated: bool, size, type_: Type, min_weeks: int = 0):
    fig = _figure(size, type_.dpi, layout=None)
    (ax,) = _chart_axes(fig, size, type_, 1, 1)
    chart = ChartArtists(ax, model_series(model), index, animated=animated,
                         n_schools=int(model.n_schools), type_=type_, min_weeks=min_weeks)
    return fig, [chart]


def _charts_fig(model, animated: bool, size, type_: Type, min_weeks: int = 0):
    fig = _figure(size, type_.dpi, layout=None)
    df = model_series(model)
    charts = [ChartArtists(ax, df, i, animated=animated, n_schools=int(model.n_schools), type_=type_,
                           min_weeks=min_weeks)
              for i, ax in enumerate(_chart_axes(fig, size, type_, 2, 2))]
    return fig, charts


def _teacher_fig(model, school: int, animated: bool, size, type_: Type):
    fig = _figure(size, type_.dpi)
    return fig, TeacherNetworkArtists(fig.add_subplot(), model, school, animated=animated, type_=type_)


def charts_figure(model, size=CHARTS_SIZE, type_: Type = DEFAULT_TYPE) -> Figure:
    """All four time-series charts in one 2x2 figure (one image: cheaper to render than four)."""
    fig, charts = _charts_fig(model, False, size, type_)
    df = model_series(model)
    for chart in charts:
        chart.update(df)
    return fig


def chart_figure(model, index: int = 0, size=CHART_SIZE, type_: Type = DEFAULT_TYPE) -> Figure:
    """One time-series chart (number `index` of CHARTS) as a standalone figure."""
    fig, charts = _chart_fig(model, index, False, size, type_)
    charts[0].update(model_series(model))
    return fig


def network_figure(model, size_by: str = "attainment", selected: int | None = None, size=NETWORK_SIZE,
                   type_: Type = DEFAULT_TYPE, legend: bool = True, title: bool = True) -> Figure:
    """The school network as a standalone figure."""
    fig, net = _network_fig(model, False, size, type_, legend=legend, title=title)
    net.update(model, size_by=size_by, selected=selected)
    return fig


def teacher_figure(model, school: int, size=TEACHER_SIZE, type_: Type = DEFAULT_TYPE) -> Figure:
    """One school's teachers as a standalone figure."""
    fig, teachers = _teacher_fig(model, school, False, size, type_)
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
        self.full_draws = 0

    def image(self, key, dynamic) -> bytes:
        """The figure as image bytes (IMAGE_FORMAT)."""
        if self.background is None or key != self.key:
            self.canvas.draw()  # animated artists are skipped
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.key = key
            self.full_draws += 1
        else:
            self.canvas.restore_region(self.background)
        for artist in dynamic:
            self.fig.draw_artist(artist)
        return encode_image(self.canvas)


class _Frames:
    """One model's persistent dashboard figures (kept while the model lives), by picture name."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pictures: dict[str, tuple] = {}  # name -> (static key, BlitFrame, artists)

    def get(self, name: str, static_key, build):
        """The (BlitFrame, artists) for `name`, built anew by `build()` when `static_key` changed."""
        entry = self.pictures.get(name)
        if entry is None or entry[0] != static_key:
            fig, artists = build()
            entry = self.pictures[name] = (static_key, BlitFrame(fig), artists)
        return entry[1], entry[2]


# Weakly keyed, and bounded: Mesa 3.3 keeps every model alive (its agents' id counters are keyed by
# model), so without a bound each Reset would keep the figures for good. An evicted model that is
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


def _size(size) -> tuple[int, int]:
    w, h = size
    return max(int(w), 50), max(int(h), 50)


def network_image(model, size_by: str = "attainment", selected: int | None = None, size=NETWORK_SIZE,
                  type_: Type = DEFAULT_TYPE, legend: bool = True, title: bool = True) -> bytes:
    """The school network as image bytes (IMAGE_FORMAT), drawn by updating this model's persistent figure."""
    frames, size = _frames_for(model), _size(size)
    with frames.lock:
        blit, net = frames.get("network", (size, type_, legend, title),
                               lambda: _network_fig(model, True, size, type_, legend=legend, title=title))
        net.update(model, size_by=size_by, selected=selected)
        return blit.image(net.title.get_text(), net.dynamic)


def _chart_bytes(blit, charts, model) -> bytes:
    df = model_series(model)
    key = tuple(chart.update(df) for chart in charts)
    return blit.image(key, [a for chart in charts for a in chart.dynamic])


def chart_image(model, index: int = 0, size=CHART_SIZE, type_: Type = DEFAULT_TYPE, min_weeks: int = 0) -> bytes:
    """One chart (number `index` of CHARTS) as image bytes, drawn by updating a persistent figure."""
    frames, size = _frames_for(model), _size(size)
    with frames.lock:
        blit, charts = frames.get("chart", (int(index), size, type_, int(min_weeks)),
                                  lambda: _chart_fig(model, int(index), True, size, type_, min_weeks))
        return _chart_bytes(blit, charts, model)


def charts_image(model, size=CHARTS_SIZE, type_: Type = DEFAULT_TYPE, min_weeks: int = 0) -> bytes:
    """The four time-series charts as image bytes, drawn by updating this model's persistent figure."""
    frames, size = _frames_for(model), _size(size)
    with frames.lock:
        blit, charts = frames.get("charts", (size, type_, int(min_weeks)),
                                  lambda: _charts_fig(model, True, size, type_, min_weeks))
        return _chart_bytes(blit, charts, model)


def teacher_image(model, school: int, size=TEACHER_SIZE, type_: Type = DEFAULT_TYPE) -> bytes:
    """One school's teachers as image bytes; the figure is rebuilt only when another school (or size) is asked."""
    frames, size = _frames_for(model), _size(size)
    with frames.lock:
        blit, teachers = frames.get("teachers", (int(school), size, type_),
                                    lambda: _teacher_fig(model, int(school), True, size, type_))
        teachers.update(model)
        return blit.image(None, teachers.dynamic)
