"""The interface every task verifier implements, and the registry that maps kinds to them.

A task's ``verifier["kind"]`` ("math", "code", "logic", "physics") picks the verifier. Verifiers are
looked up lazily so that importing thoughtgym does not import Docker, Z3 or pymunk until a task of
that kind is checked.
"""

from __future__ import annotations

import importlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from thoughtgym.verifiers.format import NO_ANSWER_PROBLEM, ParsedCompletion, extract_final_answer
from thoughtgym.verifiers.format import parse_completion as format_parse_completion
from thoughtgym.verifiers.format import split_steps as format_split_steps
from thoughtgym.verifiers.verdict import Verdict

DEFAULT_TIMEOUT_S = 2.0


class TaskVerifier(ABC):
    """Checks steps and final answers of one kind of task. Methods never raise on model text."""

    kind: str = ""
    no_answer_problem: str = NO_ANSWER_PROBLEM  # what the format report says when no answer is found

    @abstractmethod
    def check_step(
        self,
        step: str,
        previous: Sequence[str],
        problem: str,
        spec: Mapping[str, Any],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> Verdict:
        """Verdict on ``step`` given the earlier steps, the problem text and the task's spec."""

    @abstractmethod
    def check_answer(
        self, answer: str | None, gold: str, spec: Mapping[str, Any], *, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> Verdict:
        """Verdict on the final answer against the gold answer."""

    def split_steps(self, text: str) -> list[str]:
        """Split reasoning text into steps; default one step per line or numbered item."""
        return format_split_steps(text)

    def extract_answer(self, text: str) -> tuple[str | None, str | None]:
        """The final answer in ``text`` and where it came from ("tag", "boxed", ...), or (None, None)."""
        return extract_final_answer(text)

    def parse_completion(self, text: str) -> ParsedCompletion:
        """Split a whole completion into steps (``split_steps``) and a final answer (``extract_answer``)."""
        return format_parse_completion(
            text, split=self.split_steps, extract=self.extract_answer, no_answer_problem=self.no_answer_problem
        )

    def milestones_reached(self, step: str, spec: Mapping[str, Any], verdict: Verdict | None = None) -> set[int]:
        """Indices of ``spec["milestones"]`` that ``step`` establishes (for the progress reward).

        Called for every new step not verified wrong, with its ``verdict``: a verifier reports only
        milestones whose content it has verified, so unverified text earns no progress."""
        return set()


# kind -> module that defines and registers it (imported on first use).
_BUILTIN_MODULES = {
    "math": "thoughtgym.verifiers.math.verifier",
    "code": "thoughtgym.verifiers.code",
    "logic": "thoughtgym.verifiers.logic",
    "physics": "thoughtgym.verifiers.physics",
}
_VERIFIERS: dict[str, TaskVerifier] = {}
_LOCK = threading.Lock()


def register_verifier(cls: type[TaskVerifier]) -> type[TaskVerifier]:
    """Class decorator: register a verifier under its ``kind``."""
    _VERIFIERS[cls.kind] = cls()
    return cls


def get_verifier(kind: str) -> TaskVerifier:
    """The verifier for ``kind``; raises KeyError naming the known kinds."""
    with _LOCK:
        if kind not in _VERIFIERS and kind in _BUILTIN_MODULES:
            importlib.import_module(_BUILTIN_MODULES[kind])
        try:
            return _VERIFIERS[kind]
        except KeyError:
            raise KeyError(f"no verifier for kind {kind!r}; known: {sorted(_BUILTIN_MODULES)}") from None
