"""The typed parameter object: one table, attribute access, and no misspelt parameter name anywhere in the code."""

import ast
import dataclasses
from pathlib import Path

import pytest

from simulation.model import CLCModel
from simulation.params import DEFAULTS, PARAMS, Params, resolve
from simulation.validation import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
PARAMS_METHODS = {"as_dict"}


def _is_params(value) -> bool:
    """Whether an expression gives the model's parameters: `<x>.p`, `resolve(...)`, `replace(DEFAULT_PARAMS, ...)`."""
    if isinstance(value, ast.Attribute):
        return value.attr == "p"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id in ("resolve", "Params") or (
            value.func.id == "replace" and bool(value.args) and getattr(value.args[0], "id", "") == "DEFAULT_PARAMS")
    return False


def _params_names(fn) -> set[str]:
    """Names bound to the parameters in one function: annotated `Params` arguments and `p = m.p`-like assignments."""
    names = {a.arg for a in fn.args.args + fn.args.kwonlyargs
             if a.annotation is not None and "Params" in ast.unparse(a.annotation)}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (zip(target.elts, node.value.elts) if isinstance(target, ast.Tuple)
                         and isinstance(node.value, ast.Tuple) else [(target, node.value)])
                names |= {t.id for t, v in pairs if isinstance(t, ast.Name) and _is_params(v)}
    return names


def _parameter_reads(path: Path):
    """(line, name) for every attribute read of the parameters in one file: `<x>.p.name` anywhere, and
    `p.name` inside a function where `p` holds the parameters."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "p":
            yield node.lineno, node.attr
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = _params_names(fn)
            for node in ast.walk(fn):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id in names):
                    yield node.lineno, node.attr


def test_every_parameter_read_in_the_code_names_a_parameter(tmp_path):
    files = [f for folder in ("simulation", "experiments", "benchmarks", "scripts", "tests")
             for f in (ROOT / folder).rglob("*.py")]
    assert len(files) > 40
    bad = sorted({f"{f.relative_to(ROOT)}:{line}: p.{name}" for f in files for line, name in _parameter_reads(f)
                  if name not in PARAMS and name not in PARAMS_METHODS and f.name != "test_params.py"})
    assert bad == [], "misspelt parameter names:\n" + "\n".join(bad)
    # the scan sees the model's reads: the model reads dozens of parameters as attributes
    reads = {name for line, name in _parameter_reads(ROOT / "simulation/activities.py")}
    assert {"contact_rate", "trust_coaching", "staff_learning_time"} <= reads
    # and it would see a misspelt one
    probe = tmp_path / "probe.py"
    probe.write_text("def f(m):\n    p = m.p\n    return p.trust_gian + m.p.hub_sise\n")
    assert {name for line, name in _parameter_reads(probe)} == {"trust_gian", "hub_sise"}


def test_the_table_is_the_class():
    assert list(PARAMS) == [f.name for f in dataclasses.fields(Params)]
    assert Params().as_dict() == DEFAULTS
    for name, spec in PARAMS.items():
        field_type = {f.name: f.type for f in dataclasses.fields(Params)}[name]
        assert field_type == type(spec.default).__name__, name
        if spec.choices is None and spec.kind is not bool:
            assert spec.lo <= spec.default <= spec.hi, name


def test_resolve_checks_and_types_and_the_result_is_frozen():
    p = resolve({"n_schools": 12.0, "formation": "forced"})
    assert p.n_schools == 12 and type(p.n_schools) is int and p.formation == "forced"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.trust_gain = 0.1
    with pytest.raises(ScenarioError, match=r"did you mean 'trust_gain'"):
        resolve({"trust_gian": 0.1})
    with pytest.raises(ScenarioError, match=r"trust_gain = 2\.0 is out of range: expected a number in \[0\.0, 1\.0\]"):
        resolve({"trust_gain": 2.0})
    with pytest.raises(AttributeError):
        _ = p.trust_gian


def test_dict_style_access_still_works_with_a_deprecation_warning():
    m = CLCModel(seed=0, n_schools=3)
    with pytest.warns(DeprecationWarning, match=r"model.p\['hub_size'\] is deprecated: use model.p.hub_size"):
        assert m.p["hub_size"] == m.p.hub_size == 12
