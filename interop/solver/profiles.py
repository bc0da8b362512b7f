"""Solver profiles: HiGHS options read from ``name = value`` files in ``solvers/``.

A profile is plain data; :func:`profile_options` applies the command line's
overrides and :func:`solver_record` writes the ``solver`` block of a solution
file (solution-format.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from interop.solver.highs import HIGHS_VERSION

PROFILE_DIRS = (Path.cwd() / "solvers", Path(__file__).resolve().parents[2] / "solvers")


@dataclass(frozen=True)
class SolverProfile:
    """HiGHS options read from a ``name = value`` file in ``solvers/``."""

    name: str
    options: dict[str, object]
    path: str | None = None


def _option_value(text: str) -> object:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_profile(text: str, name: str = "<profile>") -> dict[str, object]:
    """Options of a HiGHS options file (``name = value`` lines, ``#`` comments)."""
    options: dict[str, object] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise ValueError(f"{name}, line {number}: expected 'name = value', got {raw.strip()!r}")
        key, value = (x.strip() for x in line.split("=", 1))
        options[key] = _option_value(value)
    return options


def load_profile(name: str = "default") -> SolverProfile:
    """The profile ``name`` (a file in ``solvers/``) or a path to an options file."""
    candidates = [Path(name)] + [d / f"{name}.opt" for d in PROFILE_DIRS]
    for path in candidates:
        if path.is_file():
            return SolverProfile(path.stem, parse_profile(path.read_text(), str(path)), str(path))
    known = sorted({p.stem for d in PROFILE_DIRS if d.is_dir() for p in d.glob("*.opt")})
    raise ValueError(f"no solver profile '{name}' (known: {', '.join(known) or 'none'})")


def profile_options(profile: str | SolverProfile, time_limit: float | None, gap: float | None) -> tuple[str, dict]:
    """The HiGHS options of a profile with the command line's overrides."""
    prof = profile if isinstance(profile, SolverProfile) else load_profile(profile)
    options = dict(prof.options)
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    if gap is not None:
        options["mip_rel_gap"] = float(gap)
    return prof.name, options


def solver_record(profile: str, options: dict, seconds: float = 0.0, began: float | None = None, **extra) -> dict:
    """The ``solver`` block of a solution file."""
    record = {"name": "highs", "version": HIGHS_VERSION, "time_s": round(seconds, 4)}
    if began is not None:
        record["total_time_s"] = round(time.perf_counter() - began, 4)
    return {**record, "profile": profile, "options": options, **extra}
