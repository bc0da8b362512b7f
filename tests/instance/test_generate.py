"""The instance generator: deterministic, valid, feasible, and its CLI command."""

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interop.cli import run
from interop.instance.generate import PRESETS, generate
from interop.instance.loading import load_instance, parse_instance
from interop.model.data import model_data
from interop.solve import solve


def test_same_seed_same_document_other_seed_other_document():
    assert generate("S", seed=3) == generate("S", seed=3)
    assert generate("S", seed=3) != generate("S", seed=4)
    assert generate("M", seed=1) == generate("M", seed=1)


@pytest.mark.parametrize("seed", range(5))
def test_small_instances_validate_with_the_intended_structure(seed):
    doc = generate("S", seed=seed)
    inst = parse_instance(doc)
    size = PRESETS["S"]
    assert (len(inst.nations), len(inst.platforms), len(inst.tasks), len(inst.command_nodes)) == (
        size.nations,
        size.platforms,
        size.tasks,
        size.nodes,
    )
    assert any(c.root for c in inst.command_nodes)
    assert any(c.multinational and c.members for c in inst.command_nodes)
    assert all(1 <= p.count <= 4 and 1 <= len(p.effects) <= 2 for p in inst.platforms)
    assert model_data(inst).assignments.shape[0] > 0


def test_structure_features_appear_across_seeds():
    docs = [generate("M", seed=s) for s in range(3)]
    nations = [n for d in docs for n in d["nations"]]
    assert any(n.get("caveats") for n in nations)
    assert any(n.get("max_nonnational_share", 1) < 1 for n in nations)
    assert any(n.get("shares_networks") is False for n in nations)
    assert any(n.get("min_commitment", 0) > 0 for n in nations)
    assert any(t.get("min_coverage", 0) > 0 for d in docs for t in d["tasks"])
    standards = {s for d in docs for link in d["links"] for s in link["standards"]}
    assert {"link16", "fmn"} <= standards and any(s.startswith("nat-") for s in standards)


def test_medium_preset_is_near_the_issue_size():
    data = model_data(parse_instance(generate("M", seed=1)))
    assert 25_000 <= len(data.assignments) <= 60_000
    n = len(data.nodes)
    assert 0.3 * n * (n - 1) / 2 <= len(generate("M", seed=1)["links"]) <= 0.5 * n * (n - 1) / 2


def test_overrides_change_the_counts():
    doc = generate("S", seed=0, platforms=7, tasks=3, nodes=4, nations=2, theaters=1)
    inst = parse_instance(doc)
    assert (len(inst.platforms), len(inst.tasks), len(inst.command_nodes), len(inst.nations)) == (7, 3, 4, 2)
    with pytest.raises(ValueError):
        generate("S", platforms=0)
    with pytest.raises(KeyError):
        generate("XXL")


@pytest.mark.parametrize("seed", range(3))
def test_small_preset_has_a_solution(seed):
    sol = solve(parse_instance(generate("S", seed=seed)), profile="fast", time_limit=20)
    assert sol.has_solution, sol.message


@pytest.mark.parametrize("seed", range(20))
def test_tiny_generated_instances_solve_to_optimality(seed):
    doc = generate("S", seed=seed, nations=3, platforms=10, tasks=4, nodes=5, theaters=2)
    sol = solve(parse_instance(doc), time_limit=30)
    assert sol.status == "optimal", sol.message


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_cli_writes_a_loadable_file(tmp_path, capsys, suffix):
    path = tmp_path / f"m{suffix}"
    assert run(["generate", "--size", "S", "--seed", "2", "--platforms", "20", "--out", str(path)]) == 0
    assert "20 platforms" in capsys.readouterr().out
    doc = json.loads(path.read_text()) if suffix == ".json" else yaml.safe_load(path.read_text())
    assert doc == generate("S", seed=2, platforms=20)
    assert len(load_instance(path).platforms) == 20
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_cli_refuses_bad_size_and_overwrite(tmp_path, capsys):
    path = tmp_path / "x.yaml"
    assert run(["generate", "--size", "Q", "--out", str(path)]) == 2
    assert run(["generate", "--out", str(path)]) == 0
    assert run(["generate", "--out", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert run(["generate", "--out", str(path), "--force", "--seed", "5"]) == 0


# --- sizes and seeds checked (issue 15, item 15) ----------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seed", "-1"], "--seed"),
        (["--platforms", "100000000"], "--platforms 100000000: give 1 to 100000"),
        (["--nodes", "10000"], "--nodes 10000: give 1 to 500"),
        (["--size", "XL", "--platforms", "100000"], "candidate assignments; the limit is"),
    ],
)
def test_huge_counts_and_negative_seeds_refused_before_building(args, message, tmp_path, capsys, monkeypatch):
    import interop.instance.generate as gen

    def never(*a, **k):
        raise AssertionError("built although refused")

    monkeypatch.setattr(gen, "_nations", never)
    assert run(["generate", "--out", str(tmp_path / "g.yaml"), *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "g.yaml").exists()


def test_library_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="--seed -1"):
        generate("S", seed=-1)


def test_a_file_validate_would_refuse_is_not_written(tmp_path, capsys, monkeypatch):
    import interop.instance.loading as loading

    monkeypatch.setattr(loading, "MAX_YAML_NODES", 500)
    assert run(["generate", "--out", str(tmp_path / "g.yaml")]) == 2
    assert "nodes; the limit is 500" in capsys.readouterr().err
    assert not (tmp_path / "g.yaml").exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    nations=st.integers(1, 6),
    platforms=st.integers(1, 30),
    tasks=st.integers(1, 8),
    nodes=st.integers(1, 8),
    theaters=st.integers(1, 4),
    seed=st.integers(0, 2**32),
    suffix=st.sampled_from([".yaml", ".json"]),
)
def test_whatever_generate_writes_validates(tmp_path, nations, platforms, tasks, nodes, theaters, seed, suffix):
    """Any allowed counts and seed: the file written passes ``validate`` (exit 0)."""
    path = tmp_path / f"g{suffix}"
    counts = dict(nations=nations, platforms=platforms, tasks=tasks, nodes=nodes, theaters=theaters)
    args = [x for k, v in counts.items() for x in (f"--{k}", str(v))]
    assert run(["generate", "--out", str(path), "--force", "--seed", str(seed), *args]) == 0
    assert run(["validate", str(path)]) == 0, counts
