"""``interop generate``: write a random instance of a preset size (for benchmarks and tests).

Registered on the main CLI by the import at the bottom of :mod:`interop.cli`.
The file is written atomically; its format follows the suffix (``.json`` gives
JSON, anything else YAML).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml

from interop.cli.app import Failure, app, err, out
from interop.exitcodes import BAD_INPUT
from interop.safeio import error_line

Count = Annotated[int | None, typer.Option(min=1, help="Override the preset's count.")]


def _unreadable(doc: dict, text: str) -> str | None:
    """Why ``validate`` would refuse the file ``text`` of ``doc`` for its size, or None."""
    from interop.instance import loading
    from interop.instance.generate import document_nodes

    size = len(text.encode())
    if size > loading.MAX_FILE_BYTES:
        return f"it would be {size} bytes; the limit is {loading.MAX_FILE_BYTES}"
    nodes = document_nodes(doc)
    if nodes > loading.MAX_YAML_NODES:
        return f"it would hold {nodes} nodes; the limit is {loading.MAX_YAML_NODES}"
    return None


@app.command()
def generate(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="File to write (.yaml or .json).")],
    size: Annotated[str, typer.Option("--size", help="Preset: S, M, L or XL.")] = "S",
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed (0 or more).")] = 0,
    nations: Count = None,
    platforms: Count = None,
    tasks: Count = None,
    nodes: Count = None,
    theaters: Count = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a random, valid and feasible instance (deterministic per size and seed).

    Counts go up to 1000 nations, 100000 platforms, 10000 tasks, 500 nodes and 1000 theaters,
    with platforms × tasks × nodes at most 3e8 (XL: 2.4e8); larger ones are refused before
    anything is built.
    """
    from interop.instance.generate import PRESETS
    from interop.instance.generate import generate as make
    from interop.solution.files import atomic_write

    if size.upper() not in PRESETS:
        err.print(error_line(f"--size: unknown preset '{size}' (known: {', '.join(PRESETS)})"))
        raise Failure(BAD_INPUT)
    if out_file.exists() and not force:
        err.print(error_line(f"{out_file} exists; use --force or another --out"))
        raise Failure(BAD_INPUT)
    if not out_file.parent.is_dir():
        err.print(error_line(f"--out: no directory {out_file.parent}"))
        raise Failure(BAD_INPUT)
    try:
        doc = make(size, seed=seed, nations=nations, platforms=platforms, tasks=tasks, nodes=nodes, theaters=theaters)
    except ValueError as exc:  # counts too large to build or to read back, a negative seed
        err.print(error_line(exc))
        raise Failure(BAD_INPUT) from None
    if out_file.suffix.lower() == ".json":
        text = json.dumps(doc, indent=1) + "\n"
    else:
        text = yaml.dump(
            doc,
            Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
            sort_keys=False,
            default_flow_style=None,
            width=200,
        )
    too_big = _unreadable(doc, text)
    if too_big:
        err.print(error_line(f"{out_file}: not written: {too_big}; give smaller counts"))
        raise Failure(BAD_INPUT)
    atomic_write(out_file, text)
    counts = ", ".join(
        f"{len(doc[k])} {k.replace('_', ' ')}" for k in ("nations", "platforms", "tasks", "command_nodes", "links")
    )
    out.print(f"{out_file}: {doc['name']} ({counts})", markup=False)
