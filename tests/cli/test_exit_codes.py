"""Every exit code is documented once, in interop/exitcodes.py; README.md and --help say the same (issue 15)."""

from __future__ import annotations

import ast
import re
import signal

from interop.cli import run
from interop.exitcodes import BAD_INPUT, EXIT_CODES, INTERNAL_ERROR, NO_SOLUTION, OK, SIGNAL_BASE, help_text
from interop.solver import stop
from tests.conftest import ROOT


def _words(text: str) -> str:
    """Text as it reads: no Markdown code marks, whitespace collapsed."""
    return " ".join(text.replace("`", "").split())


def _readme_codes() -> list[tuple[str, str]]:
    """The README's "Exit codes" list as (code, meaning) pairs."""
    text = (ROOT / "README.md").read_text()
    start = text.index("\nExit codes")
    block = text[start:].split("\n\n")[1]  # the list after the heading line
    items = re.split(r"^- ", block, flags=re.M)[1:]
    pairs = []
    for item in items:
        code, meaning = item.split(":", 1)
        pairs.append((_words(code), _words(meaning)))
    return pairs


def test_readme_lists_the_codes_of_the_table():
    assert _readme_codes() == [(code, _words(meaning)) for code, meaning in EXIT_CODES]


def test_help_prints_the_table(capsys):
    assert run(["--help"]) == 0
    assert _words(help_text()) in _words(capsys.readouterr().out)


def test_the_table_has_the_codes_the_cli_returns():
    assert [code for code, _ in EXIT_CODES] == [str(OK), str(NO_SOLUTION), str(BAD_INPUT), str(INTERNAL_ERROR), "128+N"]
    assert SIGNAL_BASE == 128
    for name, code in (("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)):
        if hasattr(signal, name):
            assert stop.exit_code(getattr(signal, name)) == code
            assert f"{code} {name}" in EXIT_CODES[-1][1]


def test_no_command_returns_a_bare_number():
    """Every ``Failure(...)`` in interop/cli names a constant of the table, not a number."""
    bare = []
    for path in sorted((ROOT / "interop" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Failure":
                if node.args and isinstance(node.args[0], ast.Constant):
                    bare.append(f"{path.name}:{node.lineno}")
    assert not bare, bare


def test_an_internal_error_exits_3(monkeypatch, capsys):
    import interop.instance.loading

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(interop.instance.loading, "validate_file", broken)
    assert run(["validate", str(ROOT / "instances" / "tiny" / "format-example.yaml")]) == INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "RuntimeError: a bug" in err and "--debug" in err and "Traceback" not in err
