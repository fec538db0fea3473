"""The package's own exceptions: bad input (the user's to fix) and a plan that fails its check.

``InputError`` carries every ``Problem`` found (file, row or YAML path, field, what is wrong);
the CLI prints them one a line and exits 2. ``PlanCheckError`` means the independent checker
rejected a plan the planner made: a bug, never the user's fault (exit 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input: where (file, row or YAML path, field) and what."""

    file: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f"field '{self.field}'")
        return f"{': '.join([', '.join(parts), self.message])}"


class InputError(Exception):
    """Raised when an input is invalid; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class PlanCheckError(RuntimeError):
    """The independent checker found a problem in a plan: a bug, never the user's fault."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        super().__init__("the plan failed its independent check:\n  "
                         + "\n  ".join(str(p) for p in self.problems))
