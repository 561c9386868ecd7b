"""The Verdict: what a verifier says about one step or one final answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    Attributes:
        ok: True when the content was checked and holds, False when it was checked and is wrong,
            None when the verifier cannot tell (nothing checkable, timed out, unparseable).
        score: credit in [0, 1]; 1.0 for a valid step, 0.0 for a wrong one, partial in between
            (e.g. the share of hidden tests a draft program passes).
        reason: a sentence a person can read, saying what was checked and what was found.
        details: JSON-serialisable extras (parsed values, milestones reached, timings...).
    """

    ok: bool | None
    score: float
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= float(self.score) <= 1.0:
            raise ValueError(f"Verdict.score must lie in [0, 1], got {self.score!r}")

    @classmethod
    def valid(cls, reason: str, score: float = 1.0, **details: Any) -> Verdict:
        return cls(True, score, reason, dict(details))

    @classmethod
    def invalid(cls, reason: str, score: float = 0.0, **details: Any) -> Verdict:
        return cls(False, score, reason, dict(details))

    @classmethod
    def unknown(cls, reason: str, score: float = 0.0, **details: Any) -> Verdict:
        return cls(None, score, reason, dict(details))

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "score": float(self.score), "reason": self.reason, "details": dict(self.details)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(data["ok"], float(data["score"]), str(data["reason"]), dict(data.get("details", {})))
