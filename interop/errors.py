"""Problems found in an instance file, reported one per line with their place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an instance file: where it is and what is wrong.

    ``place`` is a path into the document, such as ``platforms[3].nation`` or
    ``scenarios.wartime.remove.command_nodes``; empty for the whole file.
    """

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class InstanceError(Exception):
    """An instance file that cannot be used; carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s)\n{lines}")
