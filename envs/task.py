"""The Task: one problem with its gold answer, reference steps and verifier spec."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Task:
    """One reasoning problem.

    Attributes:
        id: stable identifier, e.g. ``"linear_equation/d2/s17"``; the same seed gives the same id.
        family: the task family's registry name (``"linear_equation"``, ``"gsm8k"``...).
        prompt: the problem text shown to the policy.
        answer: the gold final answer as text (``"7"``, ``"x = 3"``, ``"\\frac{1}{2}"``...).
        solution: the reference solution, one string per step; every step verifies.
        difficulty: the difficulty level it was generated at (1 = easiest).
        verifier: JSON-serialisable spec the verifier needs; ``verifier["kind"]`` picks the
            verifier (``"math"``, ``"code"``, ``"logic"``, ``"physics"``). Math specs may hold
            ``given`` (equations that hold in the problem), ``variables``, ``function`` and
            ``milestones`` (values the reference solution establishes, used for progress).
        meta: anything else (source row, generator parameters).
    """

    id: str
    family: str
    prompt: str
    answer: str
    solution: list[str]
    difficulty: int = 1
    verifier: dict[str, Any] = field(default_factory=lambda: {"kind": "math"})
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.verifier.get("kind", "math"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        missing = {"id", "family", "prompt", "answer", "solution"} - set(data)
        if missing:
            raise ValueError(f"Task.from_dict: missing keys {sorted(missing)}")
        return cls(
            id=str(data["id"]),
            family=str(data["family"]),
            prompt=str(data["prompt"]),
            answer=str(data["answer"]),
            solution=[str(s) for s in data["solution"]],
            difficulty=int(data.get("difficulty", 1)),
            verifier=dict(data.get("verifier") or {"kind": "math"}),
            meta=dict(data.get("meta") or {}),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Task:
        return cls.from_dict(json.loads(text))

    def reference_completion(self) -> str:
        """The reference solution written as a completion in the canonical format."""
        steps = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(self.solution))
        return f"<think>\n{steps}\n</think>\n<answer>{self.answer}</answer>"
