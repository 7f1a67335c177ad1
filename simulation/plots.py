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
STAGE_COLOURS = ("#9e9e9e", "#f4a261", "#2a9d8f", "#264653")
AREA_COLUMNS = {"knowledge_teaching_learning": "teaching & learning", "knowledge_leadership": "leadership",
                "knowledge_coaching": "coaching", "mean_knowledge": "mean"}
TICKS_PER_YEAR = 39


def _ticks(ts: pd.DataFrame):
    return ts["tick"] if "tick" in ts.columns else ts.index


def _axes(title: str, ylabel: str, size=(7, 4)):
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_xlabel(f"tick (school week; {TICKS_PER_YEAR} a year)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


def _years(ax, ts: pd.DataFrame) -> None:
    """Faint vertical lines at each school year."""
    last = int(_ticks(ts).max()) if len(ts) else 0
    for year in range(TICKS_PER_YEAR, last + 1, TICKS_PER_YEAR):
        ax.axvline(year, color="0.85", lw=0.8, zorder=0)


def _lines(ax, ts: pd.DataFrame, columns: dict[str, str]) -> None:
    for column, label in columns.items():
        if column in ts.columns:
            style = {"lw": 2.2, "color": "black"} if column == "mean_knowledge" else {"lw": 1.5}
            ax.plot(_ticks(ts), ts[column], label=label, **style)
    ax.legend(loc="best", fontsize=8)


def plot_knowledge(ts: pd.DataFrame, title: str = "") -> Figure:
    """Mean teacher knowledge in each Olevi area over time."""
    fig, ax = _axes(f"Knowledge by area {title}".strip(), "mean teacher knowledge (1 = world best practice)")
    _years(ax, ts)
    _lines(ax, ts, AREA_COLUMNS)
    return fig


def plot_trust(ts: pd.DataFrame, title: str = "") -> Figure:
    """Mean trust on learning links and the network's moral capital."""
    fig, ax = _axes(f"Trust and moral capital {title}".strip(), "level (0-1)")
    _years(ax, ts)
    _lines(ax, ts, {"mean_trust": "mean trust", "moral_capital": "moral capital",
                    "knowledge_accessed": "knowledge accessed"})
    return fig


def plot_outcomes(ts: pd.DataFrame, title: str = "") -> Figure:
    """Mean attainment (left axis) and mean value added (right axis)."""
    fig, ax = _axes(f"Attainment and value added {title}".strip(), "mean attainment")
    _years(ax, ts)
    t = _ticks(ts)
    if "mean_attainment" in ts.columns:
        ax.plot(t, ts["mean_attainment"], color="#1f77b4", lw=2, label="attainment")
    right = ax.twinx()
    if "mean_value_added" in ts.columns:
        right.plot(t, ts["mean_value_added"], color="#d62728", lw=1.5, label="value added")
    right.axhline(0, color="#d62728", lw=0.6, ls=":")
    right.set_ylabel("mean value added", color="#d62728")
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="best", fontsize=8)
    return fig


def plot_stages(ts: pd.DataFrame, title: str = "") -> Figure:
    """Schools in each stage over time, stacked."""
    fig, ax = _axes(f"Stages of schools {title}".strip(), "schools")
    present = [c for c in STAGE_COLUMNS if c in ts.columns]
    if present:
        ax.stackplot(_ticks(ts), *[ts[c] for c in present],
                     labels=[STAGE_LABELS[STAGE_COLUMNS.index(c)] for c in present],
                     colors=[STAGE_COLOURS[STAGE_COLUMNS.index(c)] for c in present], alpha=0.9)
        ax.legend(loc="upper left", fontsize=8)
    ax.margins(x=0)
    return fig


def network_layout(graph, seed: int = 0, spring_limit: int = 60) -> dict:
    """Node positions: a spring layout for a small network; hubs on a grid, schools ringed round them, for a system."""
    import math

    import networkx as nx

    if graph.number_of_nodes() <= spring_limit:
        return nx.spring_layout(graph, seed=seed, weight="weight")
    hubs: dict[int, list] = {}
    for v, data in graph.nodes(data=True):
        hubs.setdefault(int(data.get("hub", 0)), []).append(v)
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
    ax.set_title(f"School network at the end {title}".strip())
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
        nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7, font_color="white")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=lab) for c, lab in zip(STAGE_COLOURS, STAGE_LABELS)],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=8, frameon=False)
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
