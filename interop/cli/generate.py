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
from interop.safeio import error_line

Count = Annotated[int | None, typer.Option(min=1, help="Override the preset's count.")]


@app.command()
def generate(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="File to write (.yaml or .json).")],
    size: Annotated[str, typer.Option("--size", help="Preset: S, M, L or XL.")] = "S",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    nations: Count = None,
    platforms: Count = None,
    tasks: Count = None,
    nodes: Count = None,
    theaters: Count = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a random, valid and feasible instance (deterministic per size and seed)."""
    from interop.instance.generate import PRESETS
    from interop.instance.generate import generate as make
    from interop.solution.files import atomic_write

    if size.upper() not in PRESETS:
        err.print(error_line(f"--size: unknown preset '{size}' (known: {', '.join(PRESETS)})"))
        raise Failure(2)
    if out_file.exists() and not force:
        err.print(error_line(f"{out_file} exists; use --force or another --out"))
        raise Failure(2)
    if not out_file.parent.is_dir():
        err.print(error_line(f"--out: no directory {out_file.parent}"))
        raise Failure(2)
    doc = make(size, seed=seed, nations=nations, platforms=platforms, tasks=tasks, nodes=nodes, theaters=theaters)
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
    atomic_write(out_file, text)
    counts = ", ".join(
        f"{len(doc[k])} {k.replace('_', ' ')}" for k in ("nations", "platforms", "tasks", "command_nodes", "links")
    )
    out.print(f"{out_file}: {doc['name']} ({counts})", markup=False)
