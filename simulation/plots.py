"""Figures of a run (matplotlib, no pyplot: safe in scripts, workers and the dashboard's process).

Each `plot_*` function takes the tidy time series (or the school graph) and returns a Figure;
`save_figures` writes them all as PNG files, atomically.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

STAGE_LABELS = ("Isolation", "Initiation", "Engagement", "Integration")
STAGE_COLUMNS = ("stage_isolation", "stage_initiation", "stage_engagement", "stage_integration")
# The one stage palette (Okabe-Ito: distinct for colour-blind viewers and on projectors), used by the run
# figures, network.png, the dashboard and `clc-sim animate`; STAGE_TEXT is the readable text colour on each.
STAGE_COLOURS = ("#a0a0a0", "#e69f00", "#0072b2", "#009e73")
STAGE_TEXT = ("#000000", "#000000", "#ffffff", "#ffffff")
AREA_COLUMNS = {"knowledge_teaching_learning": "teaching & learning", "knowledge_leadership": "leadership",
                "knowledge_coaching": "coaching", "mean_knowledge": "mean"}
TICKS_PER_YEAR = 39


def school_label(index: int) -> str:
    """The number a person sees for school `index` (0-based in the model's arrays): 1..n everywhere."""
    return str(int(index) + 1)


def _ticks(ts: pd.DataFrame):
    return ts["tick"] if "tick" in ts.columns else ts.index


def _axes(title: str, ylabel: str, size=(7, 4)):
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel(f"week (tick; {TICKS_PER_YEAR} a school year, faint lines)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


def _years(ax, ts: pd.DataFrame) -> None:
    """Faint vertical lines at each school year."""
    last = int(_ticks(ts).max()) if len(ts) else 0
    for year in range(TICKS_PER_YEAR, last + 1, TICKS_PER_YEAR):
        ax.axvline(year, color="0.85", lw=0.8, zorder=0)


def _lines(ax, ts: pd.DataFrame, columns: dict[str, str], legend_title: str | None = None) -> None:
    """One line per column present (the mean bold); a legend naming exactly the lines drawn."""
    for column, label in columns.items():
        if column in ts.columns:
            style = {"lw": 2.2, "color": "black"} if column == "mean_knowledge" else {"lw": 1.5}
            ax.plot(_ticks(ts), ts[column], label=label, **style)
    if ax.get_lines():
        ax.legend(loc="best", fontsize=8, title=legend_title, title_fontsize=8)


def plot_knowledge(ts: pd.DataFrame, title: str = "") -> Figure:
    """Mean teacher knowledge in each Olevi area over time."""
    fig, ax = _axes(f"Teachers' knowledge in each area {title}".strip(),
                    "mean teacher knowledge (0-1, 1 = world best practice)")
    _years(ax, ts)
    _lines(ax, ts, AREA_COLUMNS, "area")
    return fig


def plot_trust(ts: pd.DataFrame, title: str = "") -> Figure:
    """Mean trust on learning links, the network's moral capital and the knowledge staff access."""
    fig, ax = _axes(f"Trust, moral capital and knowledge accessed {title}".strip(), "level (0-1)")
    _years(ax, ts)
    _lines(ax, ts, {"mean_trust": "trust between teachers", "moral_capital": "moral capital of the network",
                    "knowledge_accessed": "knowledge accessed (share of the best in the building)"})
    return fig


def plot_outcomes(ts: pd.DataFrame, title: str = "") -> Figure:
    """Mean attainment (top panel) and mean value added against the national expectation (bottom panel), in
    pupil standard deviations (ODD 7.15).

    Two panels rather than two y axes on one: the two series move together, and on a shared panel one
    line would hide the other.
    """
    fig = Figure(figsize=(7, 5.6), layout="constrained")
    ax, low = fig.subplots(2, 1, sharex=True)
    fig.suptitle(f"Pupils' attainment and value added {title}".strip())
    t = _ticks(ts)
    for panel, column, label, colour, name in (
            (ax, "mean_attainment_sd", "mean attainment\n(pupil SD from the national mean)", "#1f77b4",
             "Attainment against the national mean at the start"),
            (low, "value_added_sd", "mean value added\n(pupil SD above the national expectation)", "#d62728",
             "Value added: attainment against what each school's context predicts nationally")):
        panel.set_title(name, fontsize=10)
        _years(panel, ts)
        panel.grid(alpha=0.3)
        panel.set_ylabel(label)
        if column in ts.columns:
            panel.plot(t, ts[column], color=colour, lw=2)
    low.axhline(0, color="0.3", lw=0.8, ls=":")
    low.set_xlabel(f"week (tick; {TICKS_PER_YEAR} a school year, faint lines)")
    return fig


def plot_stages(ts: pd.DataFrame, title: str = "") -> Figure:
    """Schools in each stage over time, stacked."""
    fig, ax = _axes(f"Schools in each stage {title}".strip(), "schools")
    present = [c for c in STAGE_COLUMNS if c in ts.columns and ts[c].any()]   # the legend names only what shows
    if present:
        ax.stackplot(_ticks(ts), *[ts[c] for c in present],
                     labels=[STAGE_LABELS[STAGE_COLUMNS.index(c)] for c in present],
                     colors=[STAGE_COLOURS[STAGE_COLUMNS.index(c)] for c in present], alpha=0.9)
        ax.legend(loc="upper left", fontsize=8, title="stage", title_fontsize=8)
    ax.margins(x=0)
    return fig


HUB_RADIUS = 0.35      # a hub's circle in network_layout, in layout units (hub centres are 1 apart)


def hub_members(graph) -> dict[int, list]:
    """The schools of each hub (the graph's node attribute "hub"), hubs in order."""
    hubs: dict[int, list] = {}
    for v, data in graph.nodes(data=True):
        hubs.setdefault(int(data.get("hub", 0)), []).append(v)
    return dict(sorted(hubs.items()))


def _hub_clusters(graph, hubs: dict[int, list], seed: int) -> dict:
    """Each hub's schools by a spring layout of the hub alone, scaled into a circle of HUB_RADIUS round the
    hub's centre; the centres evenly on a ring, one unit apart."""
    import math

    import networkx as nx

    k = len(hubs)
    ring = 1.0 / (2 * math.sin(math.pi / k)) if k > 1 else 0.0
    pos = {}
    for i, members in enumerate(hubs.values()):
        angle = math.pi / 2 - 2 * math.pi * i / k
        cx, cy = ring * math.cos(angle), ring * math.sin(angle)
        if len(members) == 1:
            pos[members[0]] = (cx, cy)
            continue
        local = nx.spring_layout(graph.subgraph(members), seed=seed, weight="weight")
        span = max(max(abs(x), abs(y)) for x, y in local.values()) or 1.0
        for v in members:
            x, y = local[v]
            pos[v] = (cx + 0.8 * HUB_RADIUS * x / span, cy + 0.8 * HUB_RADIUS * y / span)
    return pos


def hub_centres(pos: dict, hubs: dict[int, list]) -> dict[int, tuple[float, float]]:
    """The centre of each hub's schools in a layout (where its circle is drawn)."""
    return {h: (sum(pos[v][0] for v in m) / len(m), sum(pos[v][1] for v in m) / len(m)) for h, m in hubs.items()}


def draw_hubs(ax, graph, pos: dict) -> str:
    """Draw a dashed circle round each hub (named 'hub 1 (10 schools)' when there are few) and return the hub
    structure in words, e.g. '30 schools in 3 hubs of 10', for the legend."""
    from matplotlib.patches import Circle

    from simulation.hubs import describe_sizes

    hubs = hub_members(graph)
    words = describe_sizes([len(m) for m in hubs.values()])
    if len(hubs) < 2:
        return words
    for i, (hub, (cx, cy)) in enumerate(hub_centres(pos, hubs).items()):
        ax.add_patch(Circle((cx, cy), HUB_RADIUS * 1.15, fill=False, ls="--", lw=0.8, ec="0.55", zorder=0))
        if len(hubs) <= 12:
            ax.text(cx, cy + HUB_RADIUS * 1.2, f"hub {i + 1} ({len(hubs[hub])} schools)", ha="center",
                    va="bottom", fontsize=7, color="0.35")
    ax.set_aspect("equal")
    ax.autoscale_view()
    return words + " (dashed circles)"


def network_layout(graph, seed: int = 0, spring_limit: int = 60) -> dict:
    """Node positions grouped by hub: one hub, a spring layout; a few hubs in a small network, each hub's own
    spring layout in its own circle, the circles on a ring; a system, hubs on a grid with schools ringed round."""
    import math

    import networkx as nx

    hubs = hub_members(graph)
    if graph.number_of_nodes() <= spring_limit:
        if len(hubs) == 1:
            return nx.spring_layout(graph, seed=seed, weight="weight")
        return _hub_clusters(graph, hubs, seed)
    side = math.ceil(math.sqrt(len(hubs)))
    pos = {}
    for i, (hub, members) in enumerate(sorted(hubs.items())):
        cx, cy = i % side, -(i // side)
        for j, v in enumerate(members):
            angle = 2 * math.pi * j / len(members)
            pos[v] = (cx + 0.35 * math.cos(angle), cy + 0.35 * math.sin(angle))
    return pos


def plot_network(graph, title: str = "", seed: int = 0) -> Figure:
    """The school network: nodes coloured by stage, edge width by trust."""
    import networkx as nx

    fig = Figure(figsize=(7, 7))
    ax = fig.add_subplot()
    ax.set_title(f"The school network at the end {title}".strip() + "\ncolour: stage; line width: trust between "
                 "the schools' teachers", fontsize=11)
    ax.set_axis_off()
    n = graph.number_of_nodes()
    if n == 0:
        return fig
    pos = network_layout(graph, seed=seed)
    stages = [int(graph.nodes[v].get("stage", 0)) for v in graph.nodes]
    hub = {v: graph.nodes[v].get("hub", 0) for v in graph.nodes}
    inner = [e for e in graph.edges if hub[e[0]] == hub[e[1]]]
    outer = [e for e in graph.edges if hub[e[0]] != hub[e[1]]]
    node_size = max(25, min(400, 8000 / n))
    scale = 2.5 if n <= 60 else 1.0
    for edges, alpha in ((outer, 0.35 if n <= 60 else 0.04), (inner, 0.35)):
        widths = [0.3 + scale * float(graph.edges[e].get("weight", 0.5)) for e in edges]
        nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=edges, width=widths, alpha=alpha, edge_color="0.4")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=[STAGE_COLOURS[s] for s in stages],
                           node_size=node_size, edgecolors="white", linewidths=0.5)
    if n <= 40:
        for stage, colour in enumerate(STAGE_TEXT):  # school numbers 1..n, readable on each stage colour
            labels = {v: school_label(v) for v, s in zip(graph.nodes, stages) if s == stage}
            nx.draw_networkx_labels(graph, pos, ax=ax, labels=labels, font_size=7, font_color=colour)
    from matplotlib.patches import Patch

    hub_words = draw_hubs(ax, graph, pos)      # the schools grouped by hub, and the structure in words
    ax.legend(handles=[Patch(color=c, label=lab) for c, lab in zip(STAGE_COLOURS, STAGE_LABELS)],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=8, frameon=False,
              title=hub_words, title_fontsize=8)
    return fig


FIGURES = {
    "knowledge.png": plot_knowledge,
    "trust_moral_capital.png": plot_trust,
    "attainment_value_added.png": plot_outcomes,
    "stages.png": plot_stages,
}


def save_figures(run_dir: str | Path, ts: pd.DataFrame, graph, title: str = "") -> list[str]:
    """Write every run figure as PNG into `run_dir`; return the file names."""
    from simulation.results import atomic_write_bytes, figure_bytes

    run_dir = Path(run_dir)
    label = f"({title})" if title else ""
    names = []
    for name, plot in FIGURES.items():
        atomic_write_bytes(run_dir / name, figure_bytes(plot(ts, label), dpi=110))
        names.append(name)
    atomic_write_bytes(run_dir / "network.png", figure_bytes(plot_network(graph, label), dpi=110))
    names.append("network.png")
    return names
