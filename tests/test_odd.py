"""docs/ODD.md: all ODD 2020 headings in order, and parameter tables that match simulation/params.py."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from simulation.params import PARAMS

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"

MAIN_HEADINGS = [
    "Purpose and patterns",
    "Entities, state variables, and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
]
DESIGN_CONCEPTS = [
    "Basic principles", "Emergence", "Adaptation", "Objectives", "Learning", "Prediction",
    "Sensing", "Interaction", "Stochasticity", "Collectives", "Observation",
]


def _load_script():
    spec = importlib.util.spec_from_file_location("odd_params", ROOT / "scripts" / "odd_params.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def text() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def headings(text) -> list[tuple[int, str]]:
    """(level, title without numbering) of every Markdown heading outside code blocks."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        m = re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if m and not fenced:
            title = re.sub(r"^\d+(\.\d+)*\.?\s+", "", m.group(2))
            out.append((len(m.group(1)), title))
    return out


def _index(headings, title: str, level: int | None = None, start: int = 0) -> int:
    for k in range(start, len(headings)):
        lvl, t = headings[k]
        if t.lower() == title.lower() and (level is None or lvl == level):
            return k
    raise AssertionError(f"heading {title!r} not found in docs/ODD.md (after heading #{start})")


def test_main_headings_in_odd_order(headings):
    positions = [_index(headings, h) for h in MAIN_HEADINGS]
    assert positions == sorted(positions), f"ODD headings out of order: {list(zip(MAIN_HEADINGS, positions))}"
    levels = {headings[k][0] for k in positions}
    assert len(levels) == 1, "the seven ODD headings should be at the same heading level"


def test_eleven_design_concepts_inside_design_concepts(headings):
    start = _index(headings, "Design concepts")
    end = _index(headings, "Initialization")
    level = headings[start][0]
    positions = [_index(headings, c, start=start) for c in DESIGN_CONCEPTS]
    assert positions == sorted(positions), "design concepts out of the ODD 2020 order"
    for c, k in zip(DESIGN_CONCEPTS, positions):
        assert start < k < end, f"design concept {c!r} is not inside the Design concepts section"
        assert headings[k][0] > level, f"design concept {c!r} should be a subheading of Design concepts"


def test_submodels_cover_the_sixteen_mechanisms(headings):
    start = _index(headings, "Submodels")
    subs = [t for lvl, t in headings[start + 1:] if lvl == headings[start][0] + 1]
    assert len(subs) >= 16, f"expected one Submodels subsection per mechanism (16), found {len(subs)}"


def test_parameter_tables_are_up_to_date(text):
    script = _load_script()
    assert script.START in text and script.END in text, "parameter markers missing from docs/ODD.md"
    assert script.embedded(text) == script.tables(), (
        "docs/ODD.md parameter tables are out of date: run python scripts/odd_params.py --write docs/ODD.md")


def test_every_parameter_with_its_current_default(text):
    script = _load_script()
    block = script.embedded(text)
    rows = {}
    for line in block.splitlines():
        m = re.match(r"^\| `([a-z0-9_]+)` \| ([^|]*) \|", line)
        if m:
            rows[m.group(1)] = m.group(2).strip()
    missing = sorted(set(PARAMS) - set(rows))
    assert not missing, f"parameters missing from docs/ODD.md: {missing}"
    extra = sorted(set(rows) - set(PARAMS))
    assert not extra, f"docs/ODD.md lists parameters params.py does not have: {extra}"
    stale = {name: (rows[name], script.fmt_default(p)) for name, p in PARAMS.items()
             if rows[name] != script.fmt_default(p)}
    assert not stale, f"stale defaults in docs/ODD.md (table, params.py): {stale}"


def test_write_mode_replaces_only_between_markers(tmp_path):
    script = _load_script()
    doc = tmp_path / "ODD.md"
    doc.write_text(f"before\n{script.START}\nold table\n{script.END}\nafter\n", encoding="utf-8")
    assert script.main(["--write", str(doc)]) == 0
    new = doc.read_text(encoding="utf-8")
    assert new.startswith(f"before\n{script.START}\n") and new.endswith(f"{script.END}\nafter\n")
    assert "old table" not in new and script.embedded(new) == script.tables()
    assert script.main(["--check", str(doc)]) == 0
