"""Fraction arithmetic: add, subtract, multiply and divide fractions, answer in lowest terms.

Task: "Compute 1/2 + 1/3. Give the answer as a fraction in lowest terms (or an integer)."
Gold answer: ``"5/6"`` (``"2"`` for an integer, ``"-1/6"`` for a negative value).

Difficulty levels:
    1: two fractions, ``+`` or ``-``, denominators 2..6.
    2: three fractions, ``+ - *``, denominators 2..10, evaluated left to right.
    3: four fractions, ``+ - * /``, denominators 2..12.

Solution format: one operation per step as a chain, e.g. ``1/2 + 1/3 = 3/6 + 2/6 = 5/6``,
``(5/6) * (3/4) = (5*3)/(6*4) = 15/24 = 5/8``, ``(2/3) / (4/5) = (2/3) * (5/4) = 10/12 = 5/6``.
Operations apply left to right; the prompt brackets earlier results when needed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import check_range, fmt_num, fmt_operand
from thoughtgym.envs.tasks.base import TaskFamily, register_family


@dataclass
class FractionConfig:
    """Parameters per difficulty (index 0 = difficulty 1).

    Attributes:
        num_terms: number of fractions in the expression.
        denominator_range: (min, max) of each denominator.
        ops: operators allowed.
    """

    num_terms: tuple[int, ...] = (2, 3, 4)
    denominator_range: tuple[tuple[int, int], ...] = ((2, 6), (2, 10), (2, 12))
    ops: tuple[str, ...] = ("+-", "+-*", "+-*/")

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.num_terms) == len(self.denominator_range) == len(self.ops) == 3):
            raise ValueError("FractionConfig needs one entry per difficulty (3)")
        for n in self.num_terms:
            if n < 2:
                raise ValueError(f"num_terms must be >= 2, got {n}")
        for bounds in self.denominator_range:
            check_range("denominator_range", bounds, minimum=2)
        for ops in self.ops:
            if not ops or set(ops) - set("+-*/"):
                raise ValueError(f"ops must be a non-empty subset of '+-*/', got {ops!r}")


def _frac_text(num: int, den: int) -> str:
    """``num/den`` without reducing (``-3/6``)."""
    return f"{num}/{den}"


def _op_step(a: Fraction, op: str, b: Fraction) -> tuple[str, Fraction]:
    """One operation as a checkable chain, and its value."""
    if op in "+-":
        left = fmt_num(a)
        right = fmt_operand(b) if b < 0 else fmt_num(b)
        value = a + b if op == "+" else a - b
        parts = [f"{left} {op} {right}"]
        if a.denominator != b.denominator:
            den = lcm(a.denominator, b.denominator)
            na, nb = a.numerator * (den // a.denominator), b.numerator * (den // b.denominator)
            rb = _frac_text(nb, den)
            parts.append(f"{_frac_text(na, den)} {op} {f'({rb})' if nb < 0 else rb}")
        else:
            den = a.denominator
            na, nb = a.numerator, b.numerator
        raw = na + nb if op == "+" else na - nb
        if den != 1:
            parts.append(_frac_text(raw, den))
        if parts[-1] != fmt_num(value):
            parts.append(fmt_num(value))
    else:
        left, right = fmt_operand(a), fmt_operand(b)
        parts = [f"{left} {op} {right}"]
        if op == "/":
            recip = 1 / b
            parts.append(f"{left} * {fmt_operand(recip)}")
            b = recip
        value = a * b
        num = f"{a.numerator}*{fmt_operand(b.numerator)}"
        den = f"{a.denominator}*{b.denominator}"
        parts.append(f"({num})/({den})")
        raw_n, raw_d = a.numerator * b.numerator, a.denominator * b.denominator
        parts.append(_frac_text(raw_n, raw_d))
        if fmt_num(value) != parts[-1]:
            parts.append(fmt_num(value))
    # drop consecutive duplicates
    chain: list[str] = []
    for p in parts:
        if not chain or chain[-1] != p:
            chain.append(p)
    return " = ".join(chain), value


@register_family
class FractionArithmeticFamily(TaskFamily):
    """Evaluate an expression of fractions, one operation per step, answer in lowest terms."""

    name = "fraction_arithmetic"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "Add, subtract, multiply and divide fractions; answer in lowest terms."
    config = FractionConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        i = difficulty - 1
        dlo, dhi = cfg.denominator_range[i]
        while True:
            fracs: list[Fraction] = []
            texts: list[str] = []
            for _ in range(cfg.num_terms[i]):
                den = rng.randint(dlo, dhi)
                num = rng.randint(1, den - 1) if rng.random() < 0.8 else rng.randint(den + 1, 2 * den)
                while Fraction(num, den).denominator == 1 or gcd(num, den) != 1:
                    num += 1
                fracs.append(Fraction(num, den))
                texts.append(f"{num}/{den}")
            ops = [rng.choice(cfg.ops[i]) for _ in range(len(fracs) - 1)]
            expr = texts[0]
            value = Fraction(texts[0])
            steps: list[str] = []
            results: list[str] = []
            prev_op = ""
            for op, frac, text in zip(ops, fracs[1:], texts[1:], strict=True):
                if op in "*/":
                    # Bracket a lone fraction or an earlier sum so the operations apply left to right.
                    if not prev_op or prev_op in "+-":
                        expr = f"({expr})"
                    expr = f"{expr} {op} ({text})"
                else:
                    expr = f"{expr} {op} {text}"
                step, value = _op_step(value, op, frac)
                steps.append(step)
                results.append(fmt_num(value))
                prev_op = op
            if all(r != "0" for r in results):
                break
        return Task(
            id="",
            family=self.name,
            prompt=f"Compute {expr}. Give the answer as a fraction in lowest terms (or an integer).",
            answer=fmt_num(value),
            solution=steps,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [],
                "variables": [],
                "expression": expr,
                "milestones": results,
            },
            meta={"ops": ops},
        )
