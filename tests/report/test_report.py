"""interop report: one self-contained HTML file covering every scenario."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interop.cli import run
from interop.report.html import build_report, html_table

TINY = Path(__file__).resolve().parents[2] / "instances" / "tiny"


def assert_self_contained(text: str) -> None:
    """No asset from elsewhere: every src/href is a data URI or a page anchor, every img inlined."""
    refs = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", text, flags=re.I)
    assert all(r.startswith("data:") or r.startswith("#") for r in refs), refs
    assert not re.search(r"<(script|link|iframe|object|embed)\b", text, flags=re.I)
    assert not re.search(r"url\(\s*['\"]?(?!data:)", text, flags=re.I)  # no CSS fetches
    imgs = re.findall(r"<img\b[^>]*>", text, flags=re.I)
    assert imgs and all('src="data:image/png;base64,' in i for i in imgs)


@pytest.fixture(scope="module")
def page():
    return build_report(TINY / "hand-compare.yaml", frontier_points=4)


def test_report_is_self_contained_and_covers_every_scenario(page):
    assert_self_contained(page)
    for s in ("base", "aaa-leads", "tie", "crowded"):
        assert f"<h3>{s}</h3>" in page  # a network per plan
        assert f"<td>{s}</td>" in page  # a row in the side-by-side tables
    # one comparison figure, the frontier (weighted and unweighted autonomy loss), four networks
    assert len(re.findall(r"<img\b", page)) == 7
    assert 'alt="frontier, unweighted autonomy loss"' in page
    # the forced move and the lead change are in the tables
    assert "<td>A-inf</td><td>AAA</td>" in page and "<td>A-HQ</td>" in page
    assert "Knee:" in page


def test_assert_self_contained_catches_a_network_asset():
    with pytest.raises(AssertionError):
        assert_self_contained('<img src="https://example.org/x.png">')
    with pytest.raises(AssertionError):
        assert_self_contained('<img src="data:image/png;base64,AA"><link href="http://cdn/x.css">')


def test_sources_are_listed_as_text_not_links(tmp_path):
    assert run(["report", str(TINY / "format-example.yaml"), "--points", "3", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "report.html").read_text()
    assert_self_contained(text)
    assert "Example source" in text


def test_html_table_rounds_and_escapes():
    import pandas as pd

    out = html_table(pd.DataFrame({"a": [0.9717499999999999], "b": ["<x>"]}))
    assert '<td class="num">0.9717</td>' in out and "&lt;x&gt;" in out


def test_a_sweep_is_in_the_report_when_asked(tmp_path, capsys):
    """Issue 11: "sweeps if asked". hand-lead aaa-leads: Z = max(0, 4 − 1.5 λ) (AAA leads, κ_ℓ = 0.25)."""
    args = ["report", str(TINY / "hand-lead.yaml"), "--scenarios", "aaa-leads", "--points", "2"]
    assert run([*args, "--out", str(tmp_path), "--sweep", "parameters.autonomy_scale=0,1,4"]) == 0
    text = (tmp_path / "report.html").read_text()
    assert_self_contained(text)
    assert "<h2>Sweep (aaa-leads): parameters.autonomy_scale</h2>" in text
    assert 'alt="sweep of parameters.autonomy_scale"' in text
    section = text.split("<h2>Sweep (aaa-leads)", 1)[1].split("<h2>", 1)[0]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", section, flags=re.S)]
    rows = [r for r in rows if r]
    assert [(r[0], r[1], r[2]) for r in rows] == [("0", "optimal", "4"), ("1", "optimal", "2.5"), ("4", "optimal", "0")]
    # no sweep unless asked
    assert run([*args, "--out", str(tmp_path / "plain")]) == 0
    assert "<h2>Sweep" not in (tmp_path / "plain" / "report.html").read_text()


@pytest.mark.parametrize("spec", ["parameters.autonomy_scale", "=0,1", "parameters.autonomy_scale=a,b"])
def test_a_bad_sweep_spec_is_exit_2_before_any_solve(tmp_path, capsys, spec):
    assert run(["report", str(TINY / "hand-lead.yaml"), "--out", str(tmp_path), "--sweep", spec]) == 2
    assert "--sweep" in capsys.readouterr().err and not (tmp_path / "report.html").exists()


def test_a_sweep_of_an_unknown_path_is_exit_2(tmp_path, capsys):
    assert run(["report", str(TINY / "hand-lead.yaml"), "--out", str(tmp_path), "--sweep", "parameters.nope=0,1"]) == 2
    assert "nope" in capsys.readouterr().err
