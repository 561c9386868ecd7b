"""Shared helpers for the math task families: number and polynomial formatting, corruption.

Everything here writes plain ASCII math that the math parser reads: ``*`` for multiplication,
``^`` for powers, ``a/b`` for fractions, negative numbers in parentheses where they are operands.
No SymPy: the generators work on ``int`` and :class:`fractions.Fraction` only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from fractions import Fraction

from thoughtgym.envs.task import Task

Number = int | Fraction


def fmt_num(value: Number) -> str:
    """``5``, ``-5``, ``5/6``, ``-5/6``: an exact number as plain text."""
    q = Fraction(value)
    if q.denominator == 1:
        return str(q.numerator)
    return f"{q.numerator}/{q.denominator}"


def fmt_operand(value: Number) -> str:
    """A number written as an operand: negatives and fractions in parentheses (``(-3)``, ``(2/3)``)."""
    text = fmt_num(value)
    if text.startswith("-") or "/" in text:
        return f"({text})"
    return text


def fmt_monomial(coef: Number, power: int, var: str = "x") -> str:
    """``3*x^2``, ``-x``, ``x^3``, ``7``: one term ``coef * var^power`` (coef != 0 expected)."""
    c = Fraction(coef)
    if power == 0:
        return fmt_num(c)
    base = var if power == 1 else f"{var}^{power}"
    if c == 1:
        return base
    if c == -1:
        return f"-{base}"
    return f"{fmt_num(c)}*{base}"


def join_terms(terms: Sequence[str]) -> str:
    """Join signed terms into a sum: ``["x^2", "-3*x", "2"] -> "x^2 - 3*x + 2"``; empty -> ``"0"``."""
    out = ""
    for term in terms:
        if not out:
            out = term
        elif term.startswith("-"):
            out += f" - {term[1:]}"
        else:
            out += f" + {term}"
    return out or "0"


def fmt_poly(coeffs: Sequence[Number], var: str = "x") -> str:
    """A polynomial from coefficients, highest degree first: ``[1, 3, 2] -> "x^2 + 3*x + 2"``."""
    deg = len(coeffs) - 1
    terms = [fmt_monomial(c, deg - i, var) for i, c in enumerate(coeffs) if c != 0]
    return join_terms(terms)


def fmt_linear(a: Number, b: Number, var: str = "x") -> str:
    """``a*var + b`` written plainly: ``fmt_linear(2, -3) == "2*x - 3"``."""
    return fmt_poly([a, b], var)


def poly_mul(p: Sequence[int], q: Sequence[int]) -> list[int]:
    """Product of two coefficient lists (highest degree first)."""
    out = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return out


def distribute_terms(p: Sequence[int], q: Sequence[int], var: str = "x") -> list[str]:
    """The unsimplified terms of ``p*q`` (each term of ``p`` times each term of ``q``), as strings."""
    dp, dq = len(p) - 1, len(q) - 1
    terms: list[str] = []
    for i, a in enumerate(p):
        if a == 0:
            continue
        for j, b in enumerate(q):
            if b == 0:
                continue
            terms.append(fmt_monomial(a * b, (dp - i) + (dq - j), var))
    return terms


def nonzero(rng: random.Random, lo: int, hi: int) -> int:
    """A random integer in ``[lo, hi]`` other than 0."""
    while True:
        v = rng.randint(lo, hi)
        if v != 0:
            return v


def check_range(name: str, bounds: tuple[int, int], minimum: int | None = None) -> None:
    """Raise ``ValueError`` unless ``bounds`` is an ordered pair (and ``bounds[0] >= minimum``)."""
    if len(bounds) != 2 or bounds[0] > bounds[1]:
        raise ValueError(f"{name} must be an ordered (low, high) pair, got {bounds!r}")
    if minimum is not None and bounds[0] < minimum:
        raise ValueError(f"{name} must start at >= {minimum}, got {bounds!r}")


# --- corruption -------------------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
# GSM8K calculator annotation with the number written after it: <<expr=9>>9
_ANNOTATION = re.compile(rf"<<([^<>=]*)=(-?{_NUM})>>(\s*\$?\s*)(-?[\d,]+(?:\.\d+)?)")
_NUMBER = re.compile(rf"(?<![\w.^]){_NUM}")


def _bump(text: str, rng: random.Random) -> str:
    """A different number in the same notation (``9 -> 11``, ``2.5 -> 3.5``)."""
    clean = text.replace(",", "")
    delta = rng.randint(1, 9)
    if "." in clean:
        return str(float(Fraction(clean) + delta)).rstrip("0").rstrip(".")
    return str(int(clean) + delta)


def _corrupt_one(step: str, rng: random.Random) -> str | None:
    """The step with its result changed, or None when it has no numeric result."""
    annotations = list(_ANNOTATION.finditer(step))
    if annotations:
        m = annotations[-1]
        new = _bump(m.group(2), rng)
        repl = f"<<{m.group(1)}={new}>>{m.group(3)}{new}"
        return step[: m.start()] + repl + step[m.end() :]
    if "=" not in step:
        return None
    head, _, tail = step.rpartition("=")
    numbers = list(_NUMBER.finditer(tail))
    if not numbers:
        return None
    # Prefer a constant (not a coefficient): changing 24 in '-10*x + 24' breaks the equation even
    # when the solution is x = 0, where changing the coefficient -10 would not.
    constants = [n for n in numbers if not tail[n.end() :].lstrip().startswith(("*", "("))]
    m = (constants or numbers)[0]
    return head + "=" + tail[: m.start()] + _bump(m.group(0), rng) + tail[m.end() :]


def corrupt_step(task: Task, rng: random.Random) -> tuple[int, list[str]]:
    """Pick a reference step with a numeric result and change that result.

    The number changed is the first constant (else the first number) after the step's last ``=``
    (for GSM8K-style steps,
    the result of the last ``<<expr=result>>`` annotation and the number written after it, both
    together; steps with an annotation are preferred when there are any). The step stays well-formed but becomes false, so a step verifier should report
    it as the first error. Returns ``(index, corrupted_solution)``.

    Raises:
        ValueError: when no step has a numeric result.
    """
    candidates = [i for i, s in enumerate(task.solution) if _corrupt_one(s, random.Random(0)) is not None]
    annotated = [i for i in candidates if _ANNOTATION.search(task.solution[i])]
    if annotated:  # GSM8K style: the calculator annotation is the step's checkable result
        candidates = annotated
    if not candidates:
        raise ValueError(f"task {task.id!r} has no step with a numeric result to corrupt")
    index = rng.choice(candidates)
    corrupted = list(task.solution)
    new = _corrupt_one(corrupted[index], rng)
    assert new is not None and new != corrupted[index]
    corrupted[index] = new
    return index, corrupted
