"""Polynomial expansion and factoring over the integers (half the tasks each, chosen by the seed).

Tasks:
    "Expand and simplify (x + 1)*(x + 2). ..." -> ``"x^2 + 3*x + 2"`` (``answer_form: expanded``)
    "Factor x^2 + 3*x + 2 completely over the integers. ..." -> ``"(x + 2)*(x + 1)"``
    (``answer_form: factored``; any order of the factors is correct).

Difficulty levels:
    1: expand ``(x + a)*(x + b)``; factor a monic quadratic with integer roots.
    2: expand ``(p*x + q)*(r*x + s)``; factor a non-monic quadratic (split the middle term) or a
       difference of squares.
    3: expand a product of three linear factors (two steps); factor out a common factor
       ``g*x`` or ``g`` first, then a quadratic.

Solution format: each step one identity chain, e.g.
``(x + 1)*(x + 2) = x^2 + 2*x + x + 2 = x^2 + 3*x + 2`` and
``x^2 + 3*x + 2 = x^2 + x + 2*x + 2 = x*(x + 1) + 2*(x + 1) = (x + 2)*(x + 1)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import gcd

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import (
    check_range,
    distribute_terms,
    fmt_linear,
    fmt_monomial,
    fmt_poly,
    join_terms,
    nonzero,
    poly_mul,
)
from thoughtgym.envs.tasks.base import TaskFamily, register_family


@dataclass
class PolynomialConfig:
    """Parameters per difficulty (index 0 = difficulty 1).

    Attributes:
        const_range: (min, max) of the constants in the linear factors.
        lead_range: (min, max) of the leading coefficients of linear factors.
        factor_probability: share of factoring tasks (the rest are expansions).
    """

    const_range: tuple[tuple[int, int], ...] = ((-9, 9), (-9, 9), (-6, 6))
    lead_range: tuple[tuple[int, int], ...] = ((1, 1), (1, 5), (1, 3))
    factor_probability: float = 0.5

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.const_range) == len(self.lead_range) == 3):
            raise ValueError("PolynomialConfig needs one entry per difficulty (3)")
        for bounds in self.const_range:
            check_range("const_range", bounds)
            if bounds[1] - bounds[0] < 3:
                raise ValueError(f"const_range is too narrow: {bounds!r}")
        for bounds in self.lead_range:
            check_range("lead_range", bounds, minimum=1)
        if not 0.0 <= self.factor_probability <= 1.0:
            raise ValueError(f"factor_probability must lie in [0, 1], got {self.factor_probability}")


def _lin(p: int, q: int) -> str:
    return f"({fmt_linear(p, q)})"


def _paren_poly(coeffs: list[int]) -> str:
    return f"({fmt_poly(coeffs)})"


def _expand_step(left: list[int], right: list[int], left_text: str, right_text: str) -> tuple[str, list[int]]:
    product = poly_mul(left, right)
    distributed = join_terms(distribute_terms(left, right))
    simplified = fmt_poly(product)
    parts = [f"{left_text}*{right_text}"]
    if distributed != simplified:
        parts.append(distributed)
    parts.append(simplified)
    return " = ".join(parts), product


def _grouped(p: int, q: int, r: int, s: int) -> str:
    """``p*x*(r*x + s) + q*(r*x + s)`` written plainly."""
    inner = _lin(r, s)
    first = f"{fmt_monomial(p, 1)}*{inner}"
    if q == 1:
        return f"{first} + {inner}"
    if q == -1:
        return f"{first} - {inner}"
    return f"{first} + {q}*{inner}" if q > 0 else f"{first} - {-q}*{inner}"


@register_family
class PolynomialFamily(TaskFamily):
    """Expand a product of polynomials or factor a polynomial completely."""

    name = "polynomial"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "Expand a product of polynomials, or factor a polynomial completely over the integers."
    config = PolynomialConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        lo, hi = cfg.const_range[difficulty - 1]
        llo, lhi = cfg.lead_range[difficulty - 1]
        if rng.random() < cfg.factor_probability:
            return self._factor(rng, difficulty, lo, hi, llo, lhi)
        return self._expand(rng, difficulty, lo, hi, llo, lhi)

    def _expand(self, rng: random.Random, difficulty: int, lo: int, hi: int, llo: int, lhi: int) -> Task:
        n_factors = 3 if difficulty == 3 else 2
        factors = [[rng.randint(llo, lhi), nonzero(rng, lo, hi)] for _ in range(n_factors)]
        texts = [_lin(p, q) for p, q in factors]
        expression = "*".join(texts)
        steps: list[str] = []
        step, current = _expand_step(factors[0], factors[1], texts[0], texts[1])
        steps.append(step)
        for factor, text in zip(factors[2:], texts[2:], strict=True):
            step, current = _expand_step(current, factor, _paren_poly(current), text)
            steps.append(step)
        answer = fmt_poly(current)
        return Task(
            id="",
            family=self.name,
            prompt=(
                f"Expand and simplify {expression}. "
                "Give the answer as a polynomial in x in standard form (highest power first)."
            ),
            answer=answer,
            solution=steps,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [],
                "variables": ["x"],
                "expression": expression,
                "answer_form": "expanded",
                "milestones": [s.rsplit(" = ", 1)[1] for s in steps],
            },
            meta={"mode": "expand", "factors": factors},
        )

    def _factor(self, rng: random.Random, difficulty: int, lo: int, hi: int, llo: int, lhi: int) -> Task:
        steps: list[str] = []
        milestones: list[str] = []
        if difficulty == 2 and rng.random() < 0.3:
            # difference of squares (p*x)^2 - q^2
            p, q = rng.randint(1, max(2, lhi)), rng.randint(1, max(2, hi))
            while gcd(p, q) != 1:
                q += 1
            poly = [p * p, 0, -q * q]
            expression = fmt_poly(poly)
            square = "x^2" if p == 1 else f"({p}*x)^2"
            answer = f"{_lin(p, -q)}*{_lin(p, q)}"
            steps.append(f"{expression} = {square} - {q}^2 = {answer}")
            milestones.append(answer)
        elif difficulty in (1, 2):
            while True:
                p, r = rng.randint(llo, lhi), rng.randint(llo, lhi)
                q, s = nonzero(rng, lo, hi), nonzero(rng, lo, hi)
                if gcd(p, abs(q)) == 1 and gcd(r, abs(s)) == 1 and (p, q) != (r, s):
                    if difficulty == 1 or max(p, r) >= 2:
                        break
            poly = [p * r, p * s + q * r, q * s]
            expression = fmt_poly(poly)
            split = join_terms([fmt_monomial(p * r, 2), fmt_monomial(p * s, 1), fmt_monomial(q * r, 1),
                                fmt_monomial(q * s, 0)])
            answer = f"{_lin(p, q)}*{_lin(r, s)}"
            steps.append(f"{expression} = {split} = {_grouped(p, q, r, s)} = {answer}")
            milestones.append(answer)
        else:
            while True:
                a, b = nonzero(rng, lo, hi), nonzero(rng, lo, hi)
                if a != b:
                    break
            g, m = rng.randint(2, 5), rng.randint(0, 1)
            quad = [1, a + b, a * b]
            poly = [g * c for c in quad] + ([0] if m else [])
            expression = fmt_poly(poly)
            prefix = fmt_monomial(g, m)
            factored_quad = f"{_lin(1, a)}*{_lin(1, b)}"
            answer = f"{prefix}*{factored_quad}"
            steps.append(f"{expression} = {prefix}*{_paren_poly(quad)}")
            steps.append(f"{fmt_poly(quad)} = {factored_quad}")
            steps.append(f"{expression} = {answer}")
            milestones.extend([f"{prefix}*{_paren_poly(quad)}", factored_quad, answer])
        return Task(
            id="",
            family=self.name,
            prompt=(
                f"Factor {expression} completely over the integers. "
                "Give the answer as a product of factors, e.g. 2*x*(x + 1)*(x - 3)."
            ),
            answer=answer,
            solution=steps,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [],
                "variables": ["x"],
                "expression": expression,
                "answer_form": "factored",
                "milestones": milestones,
            },
            meta={"mode": "factor"},
        )
