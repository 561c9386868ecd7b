"""Derivatives of elementary functions: power, product and chain rules.

Task: "Find the derivative of f(x) = x^3*sin(x) with respect to x. ..."
Gold answer: ``"3*x^2*sin(x) + x^3*cos(x)"``. The verifier spec adds ``function`` and ``variable``.

Difficulty levels:
    1: a polynomial of degree 2-5 (power rule term by term).
    2: ``x^n * g(x)`` with ``g`` in sin, cos, exp, log (product rule), or ``g(a*x + b)`` /
       ``(a*x + b)^n`` (chain rule with a linear inside).
    3: ``c*x^n * g(a*x)`` (product and chain rule together), or ``g(a*x^2 + b)`` (chain rule with
       a quadratic inside).

Solution format: each rule application is one step ``d/dx(u) = u'``; a step may chain the raw
rule output and its simplification, e.g. ``d/dx(x^3) = 3*x^2``, ``d/dx(sin(x)) = cos(x)``,
``d/dx(x^3*sin(x)) = 3*x^2*sin(x) + x^3*cos(x)``,
``d/dx(sin(3*x + 1)) = cos(3*x + 1)*3 = 3*cos(3*x + 1)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import (
    check_range,
    fmt_linear,
    fmt_monomial,
    fmt_poly,
    join_terms,
    nonzero,
)
from thoughtgym.envs.tasks.base import TaskFamily, register_family

_FUNCS = ("sin", "cos", "exp", "log")


@dataclass
class DerivativeConfig:
    """Parameters per difficulty (index 0 = difficulty 1).

    Attributes:
        degree_range: (min, max) polynomial degree (level 1) / power of ``x`` (levels 2-3).
        coef_range: (min, max) absolute value of coefficients.
    """

    degree_range: tuple[tuple[int, int], ...] = ((2, 5), (1, 4), (1, 4))
    coef_range: tuple[tuple[int, int], ...] = ((1, 9), (1, 6), (1, 5))

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.degree_range) == len(self.coef_range) == 3):
            raise ValueError("DerivativeConfig needs one entry per difficulty (3)")
        for bounds in self.degree_range:
            check_range("degree_range", bounds, minimum=1)
        for bounds in self.coef_range:
            check_range("coef_range", bounds, minimum=1)
            if bounds[1] < 2:
                raise ValueError(f"coef_range must allow values >= 2, got {bounds!r}")


def _term(coef: int, power: int, func: str | None = None) -> str:
    """``coef * x^power * func`` written plainly (``coef != 0``)."""
    if func is None:
        return fmt_monomial(coef, power)
    if power == 0:
        if coef == 1:
            return func
        if coef == -1:
            return f"-{func}"
        return f"{coef}*{func}"
    return f"{fmt_monomial(coef, power)}*{func}"


def _outer(name: str, inner: str) -> str:
    """``g(u)`` for ``g`` a function name or ``pow<n>``."""
    if name.startswith("pow"):
        return f"({inner})^{name[3:]}"
    return f"{name}({inner})"


def _outer_derivative(name: str, inner: str) -> tuple[int, str | None, str]:
    """``g'(u)`` as ``(coef, func, raw text)``: sin -> (1, cos(u)), cos -> (-1, sin(u))."""
    if name == "sin":
        return 1, f"cos({inner})", f"cos({inner})"
    if name == "cos":
        return -1, f"sin({inner})", f"(-sin({inner}))"
    if name == "exp":
        return 1, f"exp({inner})", f"exp({inner})"
    n = int(name[3:])
    rest = f"({inner})" if n - 1 == 1 else f"({inner})^{n - 1}"
    return n, rest, f"{n}*{rest}"


@register_family
class DerivativeFamily(TaskFamily):
    """Differentiate a function of ``x`` with the power, product and chain rules."""

    name = "derivative"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "Differentiate a function of x using the power, product and chain rules."
    config = DerivativeConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        dlo, dhi = cfg.degree_range[difficulty - 1]
        clo, chi = cfg.coef_range[difficulty - 1]
        steps: list[str] = []
        if difficulty == 1:
            degree = rng.randint(dlo, dhi)
            coeffs = [rng.randint(clo, chi)] + [
                nonzero(rng, -chi, chi) if rng.random() < 0.6 else 0 for _ in range(degree)
            ]
            function = fmt_poly(coeffs)
            dcoeffs = [c * (degree - i) for i, c in enumerate(coeffs[:-1])]
            for i, c in enumerate(coeffs):
                if c == 0:
                    continue
                power = degree - i
                steps.append(f"d/dx({fmt_monomial(c, power)}) = {fmt_monomial(c * power, power - 1) if power else '0'}")
            answer = fmt_poly(dcoeffs)
            if len(steps) > 1:
                steps.append(f"d/dx({function}) = {answer}")
            milestones = [s.rsplit(" = ", 1)[1] for s in steps]
            return self._task(function, answer, steps, milestones, difficulty)
        product = rng.random() < 0.5
        if difficulty == 2:
            if product:
                coef, power = 1, rng.randint(dlo, dhi)
                func = rng.choice(_FUNCS)
                inner, dinner = "x", (1, 0)
            else:
                func = rng.choice(("sin", "cos", "exp", "pow2", "pow3", "pow4"))
                a, b = rng.randint(2, chi), nonzero(rng, -chi, chi)
                inner, dinner = fmt_linear(a, b), (a, 0)
        else:
            if product:
                coef, power = rng.randint(clo, chi), rng.randint(dlo, dhi)
                func = rng.choice(("sin", "cos", "exp"))
                a = rng.randint(2, chi)
                inner, dinner = fmt_monomial(a, 1), (a, 0)
            else:
                func = rng.choice(("sin", "cos", "exp", "pow2", "pow3"))
                a, b = rng.randint(1, chi), nonzero(rng, -chi, chi)
                inner, dinner = fmt_poly([a, 0, b]), (2 * a, 1)
        # derivative of the inside (chain rule), when it is not plain x
        g_text = _outer(func, inner)
        if func == "log":
            g_coef, g_func, g_raw = 1, None, "(1/x)"
            g_deriv_text = "1/x"
        else:
            k, j = dinner
            oc, of, oraw = _outer_derivative(func, inner)
            g_coef, g_func = oc * k, of
            if inner != "x":
                inner_deriv = fmt_monomial(k, j)
                steps.append(f"d/dx({inner}) = {inner_deriv}")
                raw = f"{oraw}*{inner_deriv if j == 0 or k == 1 else f'({inner_deriv})'}"
                simplified = _term(g_coef, j, g_func)
                steps.append(f"d/dx({g_text}) = {raw} = {simplified}")
                g_deriv_text = simplified
                g_raw = f"({simplified})"
                g_power = j
            else:
                g_deriv_text = _term(oc, 0, of)
                steps.append(f"d/dx({g_text}) = {g_deriv_text}")
                g_raw = f"({g_deriv_text})" if g_deriv_text.startswith("-") else g_deriv_text
                g_power = 0
        if not product:
            function = g_text
            answer = steps[-1].rsplit(" = ", 1)[1]
        else:
            left = fmt_monomial(coef, power)
            function = f"{left}*{g_text}"
            dleft = fmt_monomial(coef * power, power - 1)
            steps.insert(0, f"d/dx({left}) = {dleft}")
            raw = f"{dleft}*{g_text} + {left}*{g_raw}"
            first = _term(coef * power, power - 1, g_text)
            if func == "log":
                # x^n * (1/x) = x^(n-1)
                second = _term(coef, power - 1)
                steps.append(f"d/dx({g_text}) = {g_deriv_text}")
            else:
                second = _term(coef * g_coef, power + g_power, g_func)
            answer = join_terms([first, second])
            chain = [raw] if raw == answer else [raw, answer]
            steps.append(f"d/dx({function}) = {' = '.join(chain)}")
        milestones = [s.rsplit(" = ", 1)[1] for s in steps]
        return self._task(function, answer, steps, milestones, difficulty)

    def _task(self, function: str, answer: str, steps: list[str], milestones: list[str], difficulty: int) -> Task:
        return Task(
            id="",
            family=self.name,
            prompt=(
                f"Find the derivative of f(x) = {function} with respect to x. "
                "Give the answer as an expression in x."
            ),
            answer=answer,
            solution=steps,
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [],
                "variables": ["x"],
                "function": function,
                "variable": "x",
                "milestones": milestones,
            },
            meta={},
        )
