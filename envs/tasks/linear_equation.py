"""Linear equations in one variable.

Task: "Solve for x: 3*x + 5 = 20. Give the answer as x = value." Gold answer: ``"5"``.

Difficulty levels:
    1: ``a*x + b = c``, integer solution, coefficients up to 10.
    2: ``a*x + b = c*x + d``, integer solution, coefficients up to 12.
    3: ``a*(x + b) + c = d*(x + e) + f``, coefficients up to 15, the solution may be a fraction.

Solution format: a chain of equivalent equations, one per step, ending in ``x = value``:
``3*x + 5 = 20``, ``3*x = 15``, ``x = 5``. Level 2 gathers terms first
(``5*x - 2*x = 9 + 3``), level 3 expands the brackets first. Milestones are the equations after
the restated problem.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import check_range, fmt_linear, fmt_monomial, fmt_num, nonzero
from thoughtgym.envs.tasks.base import TaskFamily, register_family


@dataclass
class LinearEquationConfig:
    """Ranges per difficulty (index 0 = difficulty 1).

    Attributes:
        coef_range: (min, max) absolute value of the coefficients.
        solution_range: (min, max) of the integer solution (levels 1-2) / numerator (level 3).
    """

    coef_range: tuple[tuple[int, int], ...] = ((1, 10), (1, 12), (1, 15))
    solution_range: tuple[tuple[int, int], ...] = ((-10, 10), (-15, 15), (-20, 20))

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.coef_range) == len(self.solution_range) == 3):
            raise ValueError("LinearEquationConfig needs one entry per difficulty (3)")
        for bounds in self.coef_range:
            check_range("coef_range", bounds, minimum=1)
            if bounds[1] < 2:
                raise ValueError(f"coef_range must allow at least two values, got {bounds!r}")
        for bounds in self.solution_range:
            check_range("solution_range", bounds)


def _side(coef: int, const: int) -> str:
    """``coef*x + const`` with zero parts dropped (``0`` if both vanish)."""
    return fmt_linear(coef, const)


def _bracket(outer: int, inner: int) -> str:
    """``outer*(x + inner)``; ``x + inner`` alone when ``outer == 1``."""
    inside = fmt_linear(1, inner)
    if outer == 1:
        return inside
    if outer == -1:
        return f"-({inside})"
    return f"{outer}*({inside})"


def _add_const(text: str, c: int) -> str:
    if c == 0:
        return text
    return f"{text} + {c}" if c > 0 else f"{text} - {-c}"


@register_family
class LinearEquationFamily(TaskFamily):
    """Solve one linear equation in ``x``."""

    name = "linear_equation"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "Solve a linear equation in one variable, isolating x step by step."
    config = LinearEquationConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        lo, hi = cfg.coef_range[difficulty - 1]
        slo, shi = cfg.solution_range[difficulty - 1]
        steps: list[str] = []
        if difficulty == 1:
            a = nonzero(rng, -hi, hi) if rng.random() < 0.3 else rng.randint(max(2, lo), hi)
            x = rng.randint(slo, shi)
            b = nonzero(rng, -hi * 2, hi * 2)
            c = a * x + b
            equation = f"{_side(a, b)} = {c}"
            steps = [equation, f"{fmt_monomial(a, 1)} = {c - b}", f"x = {fmt_num(x)}"]
            solution = Fraction(x)
        elif difficulty == 2:
            a = nonzero(rng, -hi, hi)
            c = nonzero(rng, -hi, hi)
            while c == a:
                c = nonzero(rng, -hi, hi)
            x = rng.randint(slo, shi)
            b = nonzero(rng, -hi * 2, hi * 2)
            d = (a - c) * x + b
            equation = f"{_side(a, b)} = {_side(c, d)}"
            gathered_l = f"{fmt_monomial(a, 1)} - {fmt_monomial(c, 1)}" if c > 0 else (
                f"{fmt_monomial(a, 1)} + {fmt_monomial(-c, 1)}"
            )
            gathered_r = _add_const(str(d), -b)
            steps = [
                equation,
                f"{gathered_l} = {gathered_r}",
                f"{fmt_monomial(a - c, 1)} = {d - b}",
                f"x = {fmt_num(x)}",
            ]
            solution = Fraction(x)
        else:
            a = nonzero(rng, -hi, hi)
            d = nonzero(rng, -hi, hi)
            while d == a:
                d = nonzero(rng, -hi, hi)
            b = nonzero(rng, -hi, hi)
            e = nonzero(rng, -hi, hi)
            c = rng.randint(-hi, hi)
            num = rng.randint(slo, shi)
            den = rng.choice([1, 1, abs(a - d)])
            solution = Fraction(num, den)
            # a*(x + b) + c = d*(x + e) + f  =>  f = (a - d)*x + a*b + c - d*e
            f_val = (a - d) * solution + a * b + c - d * e
            if f_val.denominator != 1:
                solution = Fraction(num)
                f_val = (a - d) * solution + a * b + c - d * e
            f = int(f_val)
            left = _add_const(_bracket(a, b), c)
            right = _add_const(_bracket(d, e), f)
            equation = f"{left} = {right}"
            expanded_l = _add_const(_add_const(fmt_monomial(a, 1), a * b), c)
            expanded_r = _add_const(_add_const(fmt_monomial(d, 1), d * e), f)
            lhs_const = a * b + c
            rhs_const = d * e + f
            steps = [
                equation,
                f"{expanded_l} = {expanded_r}",
                f"{_side(a, lhs_const)} = {_side(d, rhs_const)}",
                f"{fmt_monomial(a - d, 1)} = {rhs_const - lhs_const}",
            ]
            steps.append(f"x = {fmt_num(solution)}")
        # drop duplicates produced by degenerate cases (e.g. nothing to expand)
        deduped: list[str] = []
        for s in steps:
            if s not in deduped:
                deduped.append(s)
        return Task(
            id="",
            family=self.name,
            prompt=f"Solve for x: {equation}. Give the answer as x = value.",
            answer=fmt_num(solution),
            solution=deduped,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [equation],
                "variables": ["x"],
                "milestones": deduped[1:],
            },
            meta={"solution": fmt_num(solution)},
        )
