"""The math TaskVerifier: steps by ``check_step``, answers by ``equivalent``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from thoughtgym.verifiers.base import DEFAULT_TIMEOUT_S, TaskVerifier, register_verifier
from thoughtgym.verifiers.verdict import Verdict

_NUMBER_RE = re.compile(r"(?<![\w.])-?\d{1,15}(?:,\d{3})*(?:\.\d{1,12})?(?:/\d{1,12})?(?![\w])")
_SPACE_RE = re.compile(r"\s+")


def _numbers(text: str) -> set[Fraction]:
    out: set[Fraction] = set()
    for m in _NUMBER_RE.finditer(text[:20_000]):
        token = m.group(0).replace(",", "")
        try:
            out.add(Fraction(token))
        except (ValueError, ZeroDivisionError):
            continue
    return out


def _normalise(text: str) -> str:
    return _SPACE_RE.sub("", text.replace("**", "^")).lower()


@register_verifier
class MathVerifier(TaskVerifier):
    """Checks math steps (calculations, equations, rewrites) and final answers."""

    kind = "math"

    def check_step(
        self,
        step: str,
        previous: Sequence[str],
        problem: str,
        spec: Mapping[str, Any],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> Verdict:
        from thoughtgym.verifiers.math.steps import check_step

        return check_step(step, list(previous), problem, dict(spec), timeout_s=timeout_s)

    def check_answer(
        self, answer: str | None, gold: str, spec: Mapping[str, Any], *, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> Verdict:
        from thoughtgym.verifiers.math.equivalence import equivalent

        if answer is None or not answer.strip():
            return Verdict.invalid("no final answer was given")
        shown = answer if len(answer) <= 80 else answer[:77] + "..."
        if not equivalent(answer, gold, timeout_s=timeout_s):
            return Verdict.invalid(f"final answer {shown!r} is not equivalent to the gold answer {gold!r}")
        if spec.get("answer_form") == "factored" and not _looks_factored(answer):
            return Verdict.invalid(f"final answer {shown!r} equals the gold answer but is not factored")
        return Verdict.valid(f"final answer {shown!r} is equivalent to the gold answer {gold!r}")

    def milestones_reached(self, step: str, spec: Mapping[str, Any], verdict: Verdict | None = None) -> set[int]:
        milestones = [str(m) for m in spec.get("milestones", [])]
        if not milestones or (verdict is not None and verdict.ok is not True):  # only verified steps progress
            return set()
        step_norm = _normalise(step)
        step_numbers: set[Fraction] | None = None
        reached: set[int] = set()
        for i, milestone in enumerate(milestones):
            m_norm = _normalise(milestone)
            if m_norm and m_norm in step_norm:
                reached.add(i)
                continue
            m_numbers = _numbers(milestone)
            if len(m_numbers) == 1 and re.fullmatch(r"[-\d.,/\s$%]+", milestone.strip()):
                if step_numbers is None:
                    step_numbers = _numbers(step)
                if m_numbers <= step_numbers:
                    reached.add(i)
        return reached


def _looks_factored(answer: str) -> bool:
    """A factored polynomial is a product at the top level: it has a ')(' or ')*(' or a power of a bracket."""
    text = _normalise(answer)
    return bool(re.search(r"\)\*?\(|\)\^|^-?\d*\*?\(", text))
