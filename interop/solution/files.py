"""Writing files so that nothing is ever half-written, and JSON without float noise."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import pandas as pd

from interop.safeio import umask_mode


def clean(value):
    """Round float noise (79.60000000000001) away without changing any figure materially."""
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every float rounded as :func:`clean` does (NaN stays NaN: an empty CSV cell)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(lambda v: float(f"{v:.12g}") if math.isfinite(v) else v)
    return out


def records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]


def json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def atomic_write(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` so that readers see the old or the new file, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        os.fchmod(fd, umask_mode())  # mkstemp makes 0600; a result is as readable as any new file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
