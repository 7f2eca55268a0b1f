"""What a conformance run found: per check, per case (pure data, read by the reports)."""

from __future__ import annotations

from dataclasses import dataclass, field

from feed.conform.cases import Case
from feed.conform.contract import Expected, Shown

__all__ = ["CaseResult", "CheckResult"]


@dataclass(frozen=True)
class CheckResult:
    """One check of a case: what was expected, what the client showed, and where they differ."""

    label: str
    expected: Expected
    shown: Shown | None
    problems: list[str]
    context: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No difference."""
        return not self.problems


@dataclass
class CaseResult:
    """A case run: its checks, or the error that stopped it, and what the client logged."""

    case: Case
    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    stderr: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every check passed and nothing stopped the case."""
        return self.error is None and all(check.passed for check in self.checks)
