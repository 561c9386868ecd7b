"""Quadratic equations ``a*x^2 + b*x + c = 0`` with real roots.

Task: "Solve for x: x^2 - 5*x + 6 = 0. Give all real solutions as a set {a, b} ..."
Gold answer: a set of the roots in increasing order, ``"{2, 3}"``; a double root is ``"{3}"``.

Difficulty levels:
    1: monic, integer roots in -9..9, solved by factoring.
    2: leading coefficient 2..6, rational roots, factored as ``(p*x + q)*(r*x + s)``.
    3: quadratic formula; the discriminant need not be a perfect square (roots like
       ``1 + sqrt(2)``), leading coefficient 1..5.

Solution format: ``x^2 - 5*x + 6 = 0``, ``(x - 2)*(x - 3) = 0``, ``x - 2 = 0 or x - 3 = 0``,
``x = 2 or x = 3``. Level 3: the discriminant as arithmetic ``(-2)^2 - 4*1*(-1) = 8``, then
``x = (2 + sqrt(8))/2 or x = (2 - sqrt(8))/2``, then the simplified roots.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import check_range, fmt_linear, fmt_num, fmt_operand, fmt_poly, nonzero
from thoughtgym.envs.tasks.base import TaskFamily, register_family


@dataclass
class QuadraticConfig:
    """Ranges per difficulty (index 0 = difficulty 1).

    Attributes:
        root_range: (min, max) of integer roots (level 1) / of the factor constants (level 2) /
            of ``b`` and ``c`` (level 3).
        lead_range: (min, max) of the leading coefficient.
    """

    root_range: tuple[tuple[int, int], ...] = ((-9, 9), (-7, 7), (-12, 12))
    lead_range: tuple[tuple[int, int], ...] = ((1, 1), (2, 6), (1, 5))

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.root_range) == len(self.lead_range) == 3):
            raise ValueError("QuadraticConfig needs one entry per difficulty (3)")
        for bounds in self.root_range:
            check_range("root_range", bounds)
            if bounds[1] - bounds[0] < 2:
                raise ValueError(f"root_range is too narrow: {bounds!r}")
        for bounds in self.lead_range:
            check_range("lead_range", bounds, minimum=1)


def _factor(p: int, q: int) -> str:
    """``(p*x + q)``; a bare ``x`` / ``p*x`` when ``q == 0``."""
    if q == 0:
        return fmt_linear(p, q)
    return f"({fmt_linear(p, q)})"


def _surd(p: int, k: int, m: int, r: int, sign: int) -> str:
    """``(p + sign*k*sqrt(m))/r`` reduced and written plainly (k > 0, r > 0, m > 1 squarefree)."""
    g = gcd(gcd(abs(p), k), r)
    p, k, r = p // g, k // g, r // g
    rad = f"sqrt({m})" if k == 1 else f"{k}*sqrt({m})"
    op = "+" if sign > 0 else "-"
    if p == 0:
        body = rad if sign > 0 else f"-{rad}"
        return body if r == 1 else f"{body}/{r}"
    body = f"{p} {op} {rad}"
    return body if r == 1 else f"({body})/{r}"


def _squarefree(n: int) -> tuple[int, int]:
    """``n = k^2 * m`` with ``m`` squarefree: returns ``(k, m)``."""
    k, m = 1, n
    f = 2
    while f * f <= m:
        while m % (f * f) == 0:
            m //= f * f
            k *= f
        f += 1
    return k, m


@register_family
class QuadraticFamily(TaskFamily):
    """Solve a quadratic equation by factoring or by the quadratic formula."""

    name = "quadratic"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "Find all real roots of a quadratic equation (factoring or the quadratic formula)."
    config = QuadraticConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        lo, hi = cfg.root_range[difficulty - 1]
        alo, ahi = cfg.lead_range[difficulty - 1]
        if difficulty == 1:
            r1, r2 = 0, 0
            while r1 == r2 == 0:
                r1, r2 = sorted((rng.randint(lo, hi), rng.randint(lo, hi)))
            p, q, r, s = 1, -r1, 1, -r2
        elif difficulty == 2:
            while True:
                p, r = rng.randint(1, ahi), rng.randint(1, ahi)
                q, s = nonzero(rng, lo, hi), nonzero(rng, lo, hi)
                if gcd(p, abs(q)) == 1 and gcd(r, abs(s)) == 1 and max(p, r) >= 2 and alo <= p * r:
                    break
        if difficulty in (1, 2):
            coeffs = [p * r, p * s + q * r, q * s]
            equation = f"{fmt_poly(coeffs)} = 0"
            roots = sorted({Fraction(-q, p), Fraction(-s, r)})
            steps = [equation]
            if (p, q) == (r, s):
                steps.append(f"{_factor(p, q)}^2 = 0")
                steps.append(f"{fmt_linear(p, q)} = 0")
            else:
                steps.append(f"{_factor(p, q)}*{_factor(r, s)} = 0")
                steps.append(f"{fmt_linear(p, q)} = 0 or {fmt_linear(r, s)} = 0")
            solved = " or ".join(f"x = {fmt_num(v)}" for v in (Fraction(-q, p), Fraction(-s, r)))
            if (p, q) == (r, s):
                solved = f"x = {fmt_num(roots[0])}"
            steps.append(solved)
            answer = "{" + ", ".join(fmt_num(v) for v in roots) + "}"
            root_texts = [fmt_num(v) for v in roots]
        else:
            while True:
                a = rng.randint(alo, ahi)
                b = rng.randint(lo, hi)
                c = nonzero(rng, lo, hi)
                disc = b * b - 4 * a * c
                if disc > 0:
                    break
            coeffs = [a, b, c]
            equation = f"{fmt_poly(coeffs)} = 0"
            k, m = _squarefree(disc)
            steps = [
                equation,
                f"{fmt_operand(b)}^2 - 4*{fmt_operand(a)}*{fmt_operand(c)} = {disc}",
                f"x = ({-b} + sqrt({disc}))/{2 * a} or x = ({-b} - sqrt({disc}))/{2 * a}",
            ]
            if m == 1:
                vals = sorted({Fraction(-b + k, 2 * a), Fraction(-b - k, 2 * a)})
                root_texts = [fmt_num(v) for v in vals]
                steps.append(
                    f"x = {fmt_num(Fraction(-b + k, 2 * a))} or x = {fmt_num(Fraction(-b - k, 2 * a))}"
                )
            else:
                plus, minus = _surd(-b, k, m, 2 * a, 1), _surd(-b, k, m, 2 * a, -1)
                root_texts = [minus, plus]
                steps.append(f"x = {plus} or x = {minus}")
            answer = "{" + ", ".join(root_texts) + "}"
            steps = [s.replace("(0 + ", "(").replace("(0 - ", "(-") for s in steps]
            if steps[-1] == steps[-2]:
                steps.pop()
        return Task(
            id="",
            family=self.name,
            prompt=(
                f"Solve for x: {equation}. Give all real solutions as a set {{a, b}} "
                "(a single value {a} for a double root)."
            ),
            answer=answer,
            solution=steps,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [equation],
                "variables": ["x"],
                "milestones": steps[1:],
            },
            meta={"roots": root_texts, "coefficients": [int(v) for v in coeffs]},
        )
