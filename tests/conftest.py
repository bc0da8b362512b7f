"""Shared fixtures: paths to the shipped instances."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "instances" / "tiny"


@pytest.fixture
def tiny() -> Path:
    return TINY
