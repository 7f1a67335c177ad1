"""Matplotlib pictures of a running CLCModel, shared by the dashboard and `clc-sim animate`.

Positions are computed once per model and cached, so the network does not jump between frames.
"""

from __future__ import annotations

import math
import weakref

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

STAGE_LABELS = ("Isolation", "Initiation", "Engagement", "Integration")
STAGE_COLOURS = ("#9aa0a6", "#f4b400", "#4285f4", "#0f9d58")
ACTIVITY_LABELS = ("no contact", "information", "experience (visits)", "coaching")
ACTIVITY_STYLE = (  # colour, width, linestyle, alpha
    ("#9e9e9e", 0.9, ":", 0.8),
    ("#757575", 0.9, "-", 0.7),
    ("#1e88e5", 1.6, "--", 0.85),
    ("#d81b60", 2.6, "-", 0.95),
)
SIZE_BY = {"attainment": (0.0, 1.0), "value_added": (-0.25, 0.25)}

_school_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_teacher_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def school_positions(model, graph: nx.Graph | None = None) -> np.ndarray:
    """Fixed (n, 2) positions of the schools: hubs placed on a ring, each hub's schools around its centre."""
    cached = _school_layouts.get(model)
    if cached is not None:
        return cached
    graph = model.school_graph() if graph is None else graph
    n = graph.number_of_nodes()
    hubs = np.array([graph.nodes[i].get("hub", 0) for i in range(n)])
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


def draw_school_network(ax, model, size_by: str = "attainment", selected: int | None = None) -> None:
    """Schools as nodes coloured by stage and sized by attainment or value added; links weighted by trust."""
    graph = model.school_graph()
    frame = model.school_frame()
    pos = school_positions(model, graph)
    n = len(pos)
    hubs = frame["hub"].to_numpy()
    unique_hubs = np.unique(hubs)
    if len(unique_hubs) > 1:
        for h in unique_hubs:
            pts = pos[hubs == h]
            c = pts.mean(axis=0)
            r = max(np.sqrt(((pts - c) ** 2).sum(axis=1)).max(), 0.05) * 1.15
            ax.add_patch(matplotlib.patches.Circle(c, r, facecolor="#eef3fb", edgecolor="#c5d3ea", lw=0.8,
                                                   zorder=0))
            if len(unique_hubs) <= 60:
                ax.text(c[0], c[1] + r, f"hub {h}", ha="center", va="bottom", fontsize=6, color="#5f6f8a",
                        zorder=1)
    edges = list(graph.edges(data="weight", default=0.0))
    if edges:
        seg = np.array([[pos[a], pos[b]] for a, b, _ in edges])
        w = np.clip(np.array([float(x) for _, _, x in edges]), 0.0, 1.0)
        scale = 4.0 if n <= 30 else 1.5
        colours = np.zeros((len(w), 4))
        colours[:, :3] = 0.35
        colours[:, 3] = 0.15 + 0.6 * w
        ax.add_collection(LineCollection(seg, linewidths=0.3 + scale * w, colors=colours, zorder=2))
    lo, hi = SIZE_BY.get(size_by, SIZE_BY["attainment"])
    value = np.clip((frame[size_by].to_numpy(dtype=float) - lo) / (hi - lo), 0.0, 1.0)
    base = 900.0 if n <= 15 else (350.0 if n <= 60 else 60.0)
    sizes = base * (0.15 + 0.85 * value)
    stages = np.clip(frame["stage"].to_numpy(dtype=int), 0, 3)
    colours = [STAGE_COLOURS[s] for s in stages]
    ax.scatter(pos[:, 0], pos[:, 1], s=sizes, c=colours, edgecolors="#333333", linewidths=0.6 if n <= 60 else 0.2,
               zorder=3)
    if n <= 30:
        for i in range(n):
            ax.annotate(str(i + 1), pos[i], ha="center", va="center", fontsize=7, zorder=4, color="#111")
    if selected is not None and 0 <= selected < n:
        ax.scatter([pos[selected, 0]], [pos[selected, 1]], s=sizes[selected] * 1.6 + 60, facecolors="none",
                   edgecolors="#d81b60", linewidths=2.0, zorder=5)
    pad = 0.25
    ax.set_xlim(pos[:, 0].min() - pad, pos[:, 0].max() + pad)
    ax.set_ylim(pos[:, 1].min() - pad, pos[:, 1].max() + pad)
    _style_axes(ax)
    stage_legend(ax)
    ax.set_title(f"{n} schools, week {model.steps}  (size: {size_by.replace('_', ' ')}, "
                 "line width: trust)", fontsize=9)


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


def draw_teacher_network(ax, model, school: int, cmap: str = "viridis") -> None:
    """One school's teachers coloured by knowledge; coaching links drawn distinct from visits and information."""
    graph = model.teacher_graph(int(school))
    pos = teacher_positions(model, int(school), graph)
    for activity in range(4):
        colour, width, style, alpha = ACTIVITY_STYLE[activity]
        seg = [[pos[a], pos[b]] for a, b, act in graph.edges(data="activity", default=0) if int(act) == activity]
        if seg:
            ax.add_collection(LineCollection(seg, colors=colour, linewidths=width, linestyles=style, alpha=alpha,
                                             zorder=1 + activity))
    nodes = list(graph.nodes)
    xy = np.array([pos[v] for v in nodes])
    knowledge = np.array([float(graph.nodes[v].get("knowledge", 0.0)) for v in nodes])
    roles = [str(graph.nodes[v].get("role", "teacher")) for v in nodes]
    markers = {"headteacher": "*", "middle leader": "s"}
    sc = None
    for marker in ("o", "s", "*"):
        idx = [i for i, r in enumerate(roles) if markers.get(r, "o") == marker]
        if idx:
            sc = ax.scatter(xy[idx, 0], xy[idx, 1], c=knowledge[idx], cmap=cmap, vmin=KNOWLEDGE_RANGE[0], vmax=KNOWLEDGE_RANGE[1],
                            s=260 if marker == "*" else 110, marker=marker, edgecolors="#222", linewidths=0.5,
                            zorder=6)
    if sc is not None:
        cb = ax.figure.colorbar(sc, ax=ax, fraction=0.04, pad=0.01)
        cb.set_label("knowledge (mean of 3 areas)", fontsize=7)
        cb.ax.tick_params(labelsize=7)
    handles = [Line2D([], [], color=c, lw=w, linestyle=s, label=lab)
               for lab, (c, w, s, _) in zip(ACTIVITY_LABELS, ACTIVITY_STYLE)]
    handles += [Line2D([], [], marker="*", linestyle="", color="#555", markersize=10, label="headteacher"),
                Line2D([], [], marker="s", linestyle="", color="#555", markersize=6, label="middle leader")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=7, frameon=False)
    if len(xy):
        ax.set_xlim(xy[:, 0].min() - 0.3, xy[:, 0].max() + 0.3)
        ax.set_ylim(xy[:, 1].min() - 0.3, xy[:, 1].max() + 0.3)
    _style_axes(ax)
    name = model.school_frame()["name"].iloc[int(school)]
    ax.set_title(f"{name}: teachers and learning links, week {model.steps}", fontsize=9)


CHARTS = (
    ("Knowledge by area", (("knowledge_teaching_learning", "teaching & learning"),
                           ("knowledge_leadership", "leadership"), ("knowledge_coaching", "coaching"),
                           ("knowledge_accessed", "knowledge accessed"))),
    ("Trust and moral capital", (("mean_trust", "mean trust"), ("moral_capital", "moral capital"))),
    ("Attainment and value added", (("mean_attainment", "attainment"), ("mean_value_added", "value added"))),
    ("Schools per stage", (("stage_isolation", "Isolation"), ("stage_initiation", "Initiation"),
                           ("stage_engagement", "Engagement"), ("stage_integration", "Integration"))),
)


def model_frame(model):
    """The model's collected time series (one row per collection) as a DataFrame."""
    return model.datacollector.get_model_vars_dataframe()


def draw_chart(ax, df, index: int, legend: bool = True) -> None:
    """Draw chart number `index` of CHARTS from the collected time series `df`."""
    title, series = CHARTS[index]
    x = np.arange(len(df))
    if "stage" in series[0][0]:
        cols = [c for c, _ in series if c in df.columns]
        if cols:
            ax.stackplot(x, *[df[c].to_numpy(dtype=float) for c in cols],
                         labels=[lab for c, lab in series if c in df.columns], colors=STAGE_COLOURS[: len(cols)],
                         alpha=0.9)
    else:
        for col, label in series:
            if col in df.columns:
                ax.plot(x, df[col].to_numpy(dtype=float), label=label, lw=1.5)
    ax.set_title(title, fontsize=10)
    ax.locator_params(nbins=4)  # fewer ticks: tick layout dominates the cost of a chart frame
    ax.tick_params(labelsize=7)
    ax.set_xlabel("week", fontsize=7)
    ax.set_xlim(0, max(len(df) - 1, 39))
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=8, loc="upper left", framealpha=0.8)


def charts_figure(model, dpi: int = 72) -> Figure:
    """All four time-series charts in one 2x2 figure (one image: cheaper to render than four)."""
    fig = Figure(figsize=(6.6, 5.4), dpi=dpi)  # fixed margins: constrained layout costs more than drawing
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.08, top=0.95, wspace=0.22, hspace=0.38)
    axes = fig.subplots(2, 2)
    df = model_frame(model)
    for i, ax in enumerate(axes.flat):
        draw_chart(ax, df, i)
    return fig


def network_figure(model, size_by: str = "attainment", selected: int | None = None, dpi: int = 72) -> Figure:
    """The school network as a standalone figure."""
    fig = Figure(figsize=(6.0, 5.0), dpi=dpi)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.08, top=0.94)
    draw_school_network(fig.add_subplot(), model, size_by=size_by, selected=selected)
    return fig


def teacher_figure(model, school: int, dpi: int = 72) -> Figure:
    """One school's teachers as a standalone figure."""
    fig = Figure(figsize=(6.0, 4.6), dpi=dpi)
    fig.subplots_adjust(left=0.01, right=0.92, bottom=0.12, top=0.93)
    draw_teacher_network(fig.add_subplot(), model, school)
    return fig
