"""Multi-step integer arithmetic: evaluate an expression with ``+ - * /`` and parentheses.

Task: "Compute the value of (3 + 4) * 5 - 6. Give the answer as an integer."

Difficulty levels:
    1: 2 operations, operands 1-20, ``+ - *``.
    2: 3-4 operations, operands 1-50, ``+ - *`` and exact ``/``, parentheses.
    3: 5-6 operations, operands 1-100, all four operations, nested parentheses.

Solution format: one operation per step, innermost first, left to right, e.g.
``3 + 4 = 7``, ``7 * 5 = 35``, ``35 - 6 = 29``; negative operands are written in parentheses
(``(-3) * 5 = -15``). Every division is exact. Milestones are the intermediate results.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import check_range, fmt_num, fmt_operand
from thoughtgym.envs.tasks.base import TaskFamily, register_family

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}


@dataclass
class ArithmeticConfig:
    """Generator parameters per difficulty (index 0 = difficulty 1).

    Attributes:
        num_ops: (min, max) number of operations.
        operand_range: (min, max) of each operand.
        ops: operators allowed.
    """

    num_ops: tuple[tuple[int, int], ...] = ((2, 2), (3, 4), (5, 6))
    operand_range: tuple[tuple[int, int], ...] = ((1, 20), (1, 50), (1, 100))
    ops: tuple[str, ...] = ("+-*", "+-*/", "+-*/")

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.num_ops) == len(self.operand_range) == len(self.ops) == 3):
            raise ValueError("ArithmeticConfig needs one entry per difficulty (3)")
        for bounds in self.num_ops:
            check_range("num_ops", bounds, minimum=1)
        for bounds in self.operand_range:
            check_range("operand_range", bounds, minimum=1)
        for ops in self.ops:
            if not ops or set(ops) - set(_PREC):
                raise ValueError(f"ops must be a non-empty subset of '+-*/', got {ops!r}")


@dataclass
class _Node:
    """Expression tree node: a leaf holds ``value``; an inner node holds ``op``, ``left``, ``right``."""

    value: int
    op: str = ""
    left: _Node | None = None
    right: _Node | None = None


def _apply(op: str, a: int, b: int) -> int:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    assert b != 0 and a % b == 0
    return a // b


def _build(rng: random.Random, n_ops: int, ops: str, lo: int, hi: int) -> _Node:
    """A random tree with ``n_ops`` operations whose divisions are all exact."""
    if n_ops == 0:
        return _Node(rng.randint(lo, hi))
    n_left = rng.randint(0, n_ops - 1)
    op = rng.choice(ops)
    left = _build(rng, n_left, ops, lo, hi)
    if op == "/":
        # Right operand: a leaf dividing the left value (keeps the step count), else fall back.
        divisors = [d for d in range(max(2, lo), min(hi, 12) + 1) if left.value and left.value % d == 0]
        if divisors and n_ops - 1 - n_left == 0:
            d = rng.choice(divisors)
            return _Node(left.value // d, "/", left, _Node(d))
        op = rng.choice([o for o in ops if o != "/"] or ["+"])
    right = _build(rng, n_ops - 1 - n_left, ops, lo, hi)
    if op == "*" and abs(left.value * right.value) > 10_000:
        op = "+"
    return _Node(_apply(op, left.value, right.value), op, left, right)


def _render(node: _Node, parent_prec: int = 0, right_side: bool = False) -> str:
    """Infix text with the brackets the tree needs (a right operand of equal precedence is bracketed)."""
    if not node.op:
        return str(node.value)
    assert node.left is not None and node.right is not None
    prec = _PREC[node.op]
    text = f"{_render(node.left, prec, False)} {node.op} {_render(node.right, prec, True)}"
    if prec < parent_prec or (right_side and prec == parent_prec):
        return f"({text})"
    return text


def _steps(node: _Node, steps: list[str], results: list[str]) -> None:
    if not node.op:
        return
    assert node.left is not None and node.right is not None
    _steps(node.left, steps, results)
    _steps(node.right, steps, results)
    a, b = node.left.value, node.right.value
    steps.append(f"{fmt_operand(a)} {node.op} {fmt_operand(b)} = {fmt_num(node.value)}")
    results.append(fmt_num(node.value))


@register_family
class ArithmeticFamily(TaskFamily):
    """Multi-step integer arithmetic with one operation per reference step."""

    name = "arithmetic"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "Evaluate an integer expression with + - * / and parentheses, one operation per step."
    config = ArithmeticConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        i = difficulty - 1
        n_ops = rng.randint(*cfg.num_ops[i])
        lo, hi = cfg.operand_range[i]
        tree = _build(rng, n_ops, cfg.ops[i], lo, hi)
        expr = _render(tree)
        steps: list[str] = []
        results: list[str] = []
        _steps(tree, steps, results)
        return Task(
            id="",
            family=self.name,
            prompt=f"Compute the value of {expr}. Give the answer as an integer.",
            answer=fmt_num(tree.value),
            solution=steps,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [],
                "variables": [],
                "expression": expr,
                "milestones": results,
            },
            meta={"num_ops": n_ops},
        )
