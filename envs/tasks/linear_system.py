"""Systems of two linear equations in ``x`` and ``y`` with an integer solution.

Task: "Solve the system of equations: x + y = 10 and x - y = 2. Give the answer as (x, y)."
Gold answer: ``"(6, 4)"`` (ordered ``(x, y)``).

Difficulty levels:
    1: ``x + y = s`` and ``x - y = d`` (add the equations).
    2: coefficients in 1..5 (either sign), solution in -10..10.
    3: coefficients in 1..12 (either sign), solution in -20..20.

Solution format (elimination of ``y``, then back-substitution), one equation per step:
``x + y = 10``, ``x - y = 2``, ``2*x = 12``, ``x = 6``, ``6 + y = 10``, ``y = 4``. When the
``y`` coefficients differ, the equations are first multiplied (``6*x + 4*y = 52``). Every step
is an equation that holds at the solution and follows from the system.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import gcd

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import check_range, fmt_monomial, fmt_operand, join_terms, nonzero
from thoughtgym.envs.tasks.base import TaskFamily, register_family


@dataclass
class LinearSystemConfig:
    """Ranges per difficulty (index 0 = difficulty 1).

    Attributes:
        coef_range: (min, max) absolute value of the coefficients (level 1 always uses 1).
        solution_range: (min, max) of ``x`` and ``y``.
    """

    coef_range: tuple[tuple[int, int], ...] = ((1, 1), (1, 5), (1, 12))
    solution_range: tuple[tuple[int, int], ...] = ((0, 15), (-10, 10), (-20, 20))

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.coef_range) == len(self.solution_range) == 3):
            raise ValueError("LinearSystemConfig needs one entry per difficulty (3)")
        for i, bounds in enumerate(self.coef_range):
            check_range("coef_range", bounds, minimum=1)
            if i > 0 and bounds[1] < 2:
                raise ValueError(f"coef_range above level 1 must allow values >= 2, got {bounds!r}")
        for bounds in self.solution_range:
            check_range("solution_range", bounds)


def _eq(a: int, b: int, c: int) -> str:
    """``a*x + b*y = c``."""
    return f"{join_terms([t for t in (fmt_monomial(a, 1, 'x') if a else '', fmt_monomial(b, 1, 'y') if b else '') if t])} = {c}"


@register_family
class LinearSystemFamily(TaskFamily):
    """Solve two linear equations in two unknowns by elimination."""

    name = "linear_system"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "Solve a system of two linear equations in x and y by elimination."
    config = LinearSystemConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        clo, chi = cfg.coef_range[difficulty - 1]
        slo, shi = cfg.solution_range[difficulty - 1]
        x = rng.randint(slo, shi)
        y = rng.randint(slo, shi)
        if difficulty == 1:
            if y > x:
                x, y = y, x
            a1, b1, a2, b2 = 1, 1, 1, -1
        else:
            while True:
                a1, b1, a2, b2 = (nonzero(rng, -chi, chi) for _ in range(4))
                if a1 * b2 - a2 * b1 != 0 and max(abs(a1), abs(b1), abs(a2), abs(b2)) >= max(2, clo):
                    break
        c1 = a1 * x + b1 * y
        c2 = a2 * x + b2 * y
        eq1, eq2 = _eq(a1, b1, c1), _eq(a2, b2, c2)
        steps = [eq1, eq2]
        # Eliminate y: scale so both y coefficients have the same magnitude, then add or subtract.
        g = gcd(abs(b1), abs(b2))
        m1, m2 = abs(b2) // g, abs(b1) // g
        if m1 != 1:
            steps.append(_eq(m1 * a1, m1 * b1, m1 * c1))
        if m2 != 1:
            steps.append(_eq(m2 * a2, m2 * b2, m2 * c2))
        sign = -1 if (b1 > 0) == (b2 > 0) else 1  # subtract when same sign, else add
        coef_x = m1 * a1 + sign * m2 * a2
        const = m1 * c1 + sign * m2 * c2
        steps.append(_eq(coef_x, 0, const))
        steps.append(f"x = {x}")
        # Back-substitute into the first equation.
        x_term = fmt_operand(x) if a1 == 1 else f"{a1}*{fmt_operand(x)}"
        if a1 == -1:
            x_term = f"-{fmt_operand(x)}"
        steps.append(f"{join_terms([x_term, fmt_monomial(b1, 1, 'y')])} = {c1}")
        if b1 != 1:
            steps.append(f"{fmt_monomial(b1, 1, 'y')} = {c1 - a1 * x}")
        steps.append(f"y = {y}")
        answer = f"({x}, {y})"
        return Task(
            id="",
            family=self.name,
            prompt=(
                f"Solve the system of equations: {eq1} and {eq2}. "
                "Give the answer as (x, y)."
            ),
            answer=answer,
            solution=steps,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [eq1, eq2],
                "variables": ["x", "y"],
                "milestones": steps[2:],
            },
            meta={"x": x, "y": y},
        )
