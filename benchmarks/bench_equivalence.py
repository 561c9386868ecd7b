"""Accuracy and speed of ``thoughtgym.verifiers.math.equivalent`` against Math-Verify, same pairs, one run.

Usage::

    python benchmarks/bench_equivalence.py
    python benchmarks/bench_equivalence.py --pairs other.jsonl --limit 200
    python benchmarks/bench_equivalence.py --regenerate          # rewrite benchmarks/data/math_pairs.jsonl

Prints exactly one JSON line to stdout (accuracy, pairs/s, speed ratio, counts, per-category
accuracy for both); progress bars go to stderr. Math-Verify is called as
``verify(parse(gold), parse(pred))`` with gold wrapped in ``$...$`` when it has no delimiters, so
its LaTeX extractor sees it.

The labelled pairs (``benchmarks/data/math_pairs.jsonl``) are produced by :func:`generate_pairs`
(seeded templates over every answer category, with near-miss negatives) plus hand-written hard
cases in :data:`HAND_PAIRS`. Labels follow the mathematics (and the documented conventions of
:mod:`thoughtgym.verifiers.math.equivalence` for percentages and rounded decimals), never a tool's
output.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "math_pairs.jsonl"

# --------------------------------------------------------------------------- pair generation

_WRAPS = [
    "So the answer is $\\boxed{{{a}}}$.",
    "We simplify step by step and obtain the result.\n\nTherefore, the final answer is $\\boxed{{{a}}}$.",
    "<think>Let me work it out carefully.</think>\n<answer>{a}</answer>",
    "Final Answer: The final answer is ${a}$. I hope it is correct.",
    "Putting everything together, the answer is ${a}$.",
    "Combining the two cases gives \\[\\boxed{{{a}}}\\]",
    "{a}",
]
_PLAIN_WRAPS = [
    "Adding the amounts, the total is {a}.\n#### {a}",
    "The answer is {a}.",
    "So the answer is $\\boxed{{{a}}}$.",
    "<answer>{a}</answer>",
]


def _wrap(rng: random.Random, ans: str, plain: bool = False) -> str:
    tmpl = rng.choice(_PLAIN_WRAPS if plain else _WRAPS)
    return tmpl.format(a=ans)


def _commas(n: int) -> str:
    return f"{n:,}"


def _frac_tex(f: Fraction) -> str:
    sign = "-" if f < 0 else ""
    f = abs(f)
    if f.denominator == 1:
        return f"{sign}{f.numerator}"
    return f"{sign}\\frac{{{f.numerator}}}{{{f.denominator}}}"


def _gen_integers(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(22):
        n = rng.randint(1000, 99_999_999)
        gold = str(n) if rng.random() < 0.5 else _commas(n)
        pos = rng.choice([_commas(n), _commas(n).replace(",", " "), _commas(n).replace(",", "{,}"), str(n)])
        neg = rng.choice([_commas(n + rng.choice([1, -1, 10, 1000])), str(n * 10), _commas(n)[:-1]])
        out += [(_wrap(rng, pos, plain=True), gold, True), (_wrap(rng, neg, plain=True), gold, False)]
    for _ in range(6):
        n = rng.randint(-500, 500)
        out += [
            (_wrap(rng, str(n)), str(n), True),
            (_wrap(rng, str(-n if n else 1)), str(n), n == 0 and False),
        ]
    return out


def _gen_decimals(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(14):
        f = Fraction(rng.randint(1, 999), rng.choice([2, 4, 5, 8, 10, 20, 25, 50]))
        dec = f"{float(f):.6f}".rstrip("0").rstrip(".")
        pos = rng.choice(
            [_frac_tex(f), f"{f.numerator}/{f.denominator}", dec + ("0" if "." in dec else ".0"), dec]
        )
        bump = Fraction(1, 100) if "." in dec else Fraction(1, 1)
        neg = rng.choice([f"{float(f + bump):.2f}", _frac_tex(f + Fraction(1, f.denominator)), dec + "1"])
        out += [(_wrap(rng, pos), dec, True), (_wrap(rng, neg), dec, False)]
    # gold rounded, prediction exact
    for num, den, places in [(1, 3, 2), (2, 3, 3), (1, 7, 4), (5, 6, 2), (22, 7, 2), (1, 9, 3)]:
        f = Fraction(num, den)
        gold = f"{num / den:.{places}f}"
        wrong = f"{num / den + 3 * 10**-places:.{places}f}"
        out += [(_wrap(rng, _frac_tex(f)), gold, True), (_wrap(rng, wrong), gold, False)]
    return out


def _gen_fractions(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(16):
        a, b = rng.randint(1, 30), rng.randint(2, 31)
        f = Fraction(a, b)
        if f.denominator == 1:
            continue
        k = rng.randint(2, 5)
        gold = _frac_tex(f)
        pos = rng.choice(
            [
                f"\\frac{{{f.numerator * k}}}{{{f.denominator * k}}}",
                f"\\dfrac{{{f.numerator}}}{{{f.denominator}}}",
                f"{f.numerator}/{f.denominator}",
                f"\\tfrac{{{f.numerator}}}{{{f.denominator}}}",
            ]
        )
        negs = [
            _frac_tex(Fraction(f.denominator, f.numerator)) if f.numerator != f.denominator else "0",
            _frac_tex(f + Fraction(1, f.denominator)),
        ]
        if f.denominator not in (2, 4, 5, 8, 10, 16, 20, 25):
            negs.append(f"{float(f):.2f}")  # rounded decimal for an exact gold
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, rng.choice(negs)), gold, False)]
    return out


def _gen_percent(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(10):
        p = rng.choice([5, 10, 12.5, 20, 25, 30, 40, 50, 62.5, 75, 80, 150])
        ps = f"{p:g}"
        gold = rng.choice([f"{ps}\\%", ps, f"{ps}%"])
        pos = rng.choice([f"{ps}\\%", ps, f"{p / 100:g}", f"{ps}%"])
        neg = rng.choice([f"{p + 5:g}\\%", f"{p / 10:g}", f"{p + 1:g}"])
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    return out


def _gen_mixed(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(10):
        w, a, b = rng.randint(1, 9), rng.randint(1, 6), rng.randint(7, 9)
        f = w + Fraction(a, b)
        gold = rng.choice([_frac_tex(f), f"{w}\\frac{{{a}}}{{{b}}}"])
        pos = rng.choice(
            [f"{w}\\frac{{{a}}}{{{b}}}", f"{w} {a}/{b}", _frac_tex(f), f"{f.numerator}/{f.denominator}"]
        )
        neg = rng.choice(
            [f"{w}\\frac{{{b - a}}}{{{b}}}", f"{w + 1}\\frac{{{a}}}{{{b}}}", _frac_tex(Fraction(w * a, b))]
        )
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    return out


def _gen_radicals(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(12):
        k, r = rng.randint(2, 6), rng.choice([2, 3, 5, 6, 7])
        gold = f"{k}\\sqrt{{{r}}}"
        pos = rng.choice(
            [f"\\sqrt{{{k * k * r}}}", f"{k} \\sqrt {r}", f"\\sqrt{{{r}}} \\cdot {k}", f"{k}*sqrt({r})"]
        )
        neg = rng.choice(
            [f"\\sqrt{{{k * r}}}", f"{k + 1}\\sqrt{{{r}}}", f"{k}\\sqrt{{{r + 1}}}", f"{k * k}\\sqrt{{{r}}}"]
        )
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    extra = [
        ("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}", True),
        ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", True),
        ("\\sqrt[3]{16}", "2\\sqrt[3]{2}", True),
        ("\\sqrt[3]{16}", "2\\sqrt{2}", False),
        ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{2}}{2}", False),
        ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{5+2\\sqrt{6}}", True),
        ("\\sqrt{2}+\\sqrt{3}", "\\sqrt{5}", False),
    ]
    for gold, pred, lab in extra:
        out.append((_wrap(rng, pred), gold, lab))
    return out


def _gen_pi_e(rng: random.Random) -> list[tuple[str, str, bool]]:
    items = [
        ("2\\pi", "\\pi \\cdot 2", True), ("2\\pi", "\\frac{4\\pi}{2}", True), ("2\\pi", "\\pi", False),
        ("2\\pi", "2\\pi^2", False), ("2\\pi", "6.28", False), ("6.28", "2\\pi", True),
        ("\\frac{\\pi}{4}", "\\frac{1}{4}\\pi", True), ("\\frac{\\pi}{4}", "\\frac{\\pi}{3}", False),
        ("\\frac{\\pi}{4}", "0.25\\pi", True), ("9\\pi", "9 \\pi", True), ("9\\pi", "9\\pi^{2}", False),
        ("e^2", "e \\cdot e", True), ("e^2", "2e", False), ("e^{-1}", "\\frac{1}{e}", True),
        ("e^{-1}", "-e", False), ("\\pi r^2", "r^2\\pi", True), ("\\pi r^2", "2\\pi r", False),
        ("16\\pi", "16 \\pi", True), ("16\\pi", "16", False), ("3.14", "\\pi", True),
        ("\\frac{\\pi}{6}", "30^\\circ", True), ("\\ln 2", "\\log(2)", True), ("\\ln 2", "\\ln 3", False),
        ("e^{i\\pi}", "-1", True), ("4 - \\pi", "-\\pi + 4", True), ("4 - \\pi", "\\pi - 4", False),
    ]  # fmt: skip
    return [(_wrap(rng, p), g, lab) for g, p, lab in items]


def _gen_symbolic(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(10):
        a, b = rng.randint(1, 6), rng.randint(1, 6)
        gold = f"x^2 + {a + b}x + {a * b}"
        pos = rng.choice([f"(x+{a})(x+{b})", f"x^{{2}} + {a + b} x + {a * b}", f"{a * b} + {a + b}*x + x**2"])
        neg = rng.choice([f"(x+{a})(x-{b})", f"(x+{a + 1})(x+{b})", f"x^2 + {a * b}x + {a + b}"])
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    items = [
        ("\\sin^2 x + \\cos^2 x", "1", True), ("\\frac{x^2-1}{x-1}", "x+1", True),
        ("\\frac{x^2-1}{x-1}", "x-1", False), ("2\\sin x \\cos x", "\\sin 2x", True),
        ("2\\sin x \\cos x", "\\sin x", False), ("\\frac{1}{x} + \\frac{1}{y}", "\\frac{x+y}{xy}", True),
        ("\\frac{1}{x} + \\frac{1}{y}", "\\frac{2}{x+y}", False), ("a^2 - b^2", "(a-b)(a+b)", True),
        ("a^2 - b^2", "(a-b)^2", False), ("\\sqrt{x^2}", "|x|", True), ("3n+1", "1+3n", True),
        ("3n+1", "3n-1", False), ("\\frac{n(n+1)}{2}", "\\frac{n^2+n}{2}", True),
        ("\\frac{n(n+1)}{2}", "n^2", False), ("\\log_2 8", "3", True), ("e^{\\ln 5}", "5", True),
    ]  # fmt: skip
    out += [(_wrap(rng, p), g, lab) for p, g, lab in items]
    return out


def _gen_equations(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(8):
        m, c = rng.randint(-5, 5) or 2, rng.randint(-9, 9)
        cs = f"+ {c}" if c >= 0 else f"- {-c}"
        gold = f"y = {m}x {cs}"
        pos = rng.choice([f"{m}x - y {cs} = 0", f"y = {c} + {m}x", f"y - {m}x = {c}"])
        neg = rng.choice(
            [f"y = {m}x {'-' if c >= 0 else '+'} {abs(c) + 1}", f"y = {m + 1}x {cs}", f"x = {m}y {cs}"]
        )
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    for _ in range(8):
        v = rng.randint(-20, 40)
        var = rng.choice("xyzkn")
        out += [(_wrap(rng, f"{var} = {v}"), str(v), True), (_wrap(rng, f"{var} = {v + 2}"), str(v), False)]
    items = [
        ("x^2 + y^2 = 25", "y^2 + x^2 = 25", True), ("x^2 + y^2 = 25", "x^2 + y^2 = 5", False),
        ("x = 2", "2", True), ("3", "x=3", True), ("x = -\\frac{1}{2}", "-0.5", True),
        ("x = 1, x = 2", "1, 2", True), ("x=1 \\text{ or } x=2", "\\{1, 2\\}", True),
        ("x = 1, x = 3", "1, 2", False),
    ]  # fmt: skip
    out += [(_wrap(rng, p), g, lab) for p, g, lab in items]
    return out


def _gen_intervals(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(10):
        a = rng.randint(-10, 5)
        b = a + rng.randint(1, 10)
        lo, ro = rng.random() < 0.5, rng.random() < 0.5
        gold = f"{'(' if lo else '['}{a}, {b}{')' if ro else ']'}"
        le = "\\le"
        ineq = f"{a} {'<' if lo else le} x {'<' if ro else le} {b}"
        pos = rng.choice([gold.replace(" ", ""), f"\\left{gold[0]} {a}, {b} \\right{gold[-1]}", ineq])
        flip = f"{'[' if lo else '('}{a}, {b}{')' if ro else ']'}"
        neg = rng.choice([flip, f"{gold[0]}{a}, {b + 1}{gold[-1]}", f"{gold[0]}{a - 1}, {b}{gold[-1]}"])
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    items = [
        ("(-\\infty, 3)", "x < 3", True), ("(-\\infty, 3)", "x \\le 3", False), ("[2, \\infty)", "x \\ge 2", True),
        ("(3, \\infty)", "x > 3", True), ("(-\\infty, -1) \\cup (1, \\infty)", "(1, \\infty) \\cup (-\\infty, -1)", True),
        ("(-\\infty, -1) \\cup (1, \\infty)", "(-\\infty, -1] \\cup [1, \\infty)", False),
        ("(-\\infty, \\infty)", "\\mathbb{R}", True), ("[0, 1]", "x \\in [0,1]", True),
    ]  # fmt: skip
    out += [(_wrap(rng, p), g, lab) for g, p, lab in items]
    return out


def _gen_sets_tuples(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(8):
        xs = rng.sample(range(-9, 15), 3)
        gold = "\\{" + ", ".join(map(str, sorted(xs))) + "\\}"
        perm = rng.sample(xs, 3)
        pos = rng.choice(["\\{" + ", ".join(map(str, perm)) + "\\}", ", ".join(map(str, perm))])
        neg = rng.choice(
            [
                "\\{" + ", ".join(map(str, perm[:2])) + "\\}",
                "\\{" + ", ".join(map(str, [perm[0] + 1] + perm[1:])) + "\\}",
            ]
        )
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    for _ in range(8):
        x, y = rng.randint(-9, 9), rng.randint(-9, 9)
        if x == y:
            y += 1
        gold = f"({x}, {y})"
        pos = rng.choice([f"({x},{y})", f"\\left({x}, {y}\\right)", f"(\\frac{{{2 * x}}}{{2}}, {y})"])
        neg = rng.choice([f"({y}, {x})", f"({x}, {y + 1})", f"\\{{{x}, {y}\\}}"])
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    return out


def _gen_matrices(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(8):
        m = [[rng.randint(-5, 9) for _ in range(2)] for _ in range(2)]

        def tex(mm: list[list[Any]], env: str) -> str:
            rows = " \\\\ ".join(" & ".join(str(v) for v in r) for r in mm)
            return f"\\begin{{{env}}} {rows} \\end{{{env}}}"

        gold = tex(m, "pmatrix")
        pos = tex(m, rng.choice(["bmatrix", "pmatrix"]))
        t = [[m[j][i] for j in range(2)] for i in range(2)]
        bump = [[m[0][0] + 1, m[0][1]], m[1]]
        neg = tex(t if t != m else bump, "pmatrix") if rng.random() < 0.5 else tex(bump, "bmatrix")
        out += [(_wrap(rng, pos), gold, True), (_wrap(rng, neg), gold, False)]
    return out


def _gen_units(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(10):
        n = rng.randint(2, 500)
        unit = rng.choice(
            ["\\text{ cm}", "\\text{ dollars}", " meters", "^\\circ", "\\text{ km}", " \\text{units}"]
        )
        pos = rng.choice([f"{n}{unit}", f"\\${n}", f"\\${n}.00", f"{n}\\,\\text{{cm}}^2"])
        neg = rng.choice([f"{n + 1}{unit}", f"\\${n * 10}", f"{n - 1}^\\circ"])
        out += [(_wrap(rng, pos), str(n), True), (_wrap(rng, neg), str(n), False)]
    return out


def _gen_extraction(rng: random.Random) -> list[tuple[str, str, bool]]:
    out = []
    for _ in range(12):
        a, b = rng.randint(2, 30), rng.randint(2, 30)
        s, p = a + b, (a + b) * 2
        work = f"First, {a} + {b} = {s}. Then we double it: {s} \\times 2 = {p}."
        out.append((f"{work} The answer is {p}.", str(p), True))
        out.append((f"{work} The answer is {p}.", str(s), False))
        out.append((f"{work}\n\n**Final answer:** {p}", str(p), True))
        out.append((f"We compute {a} \\cdot {b}.\n\nSo the result is ${a * b}$.", str(a * b), True))
        out.append((f"{work} Hence the answer is $\\boxed{{{s}}}$ (before doubling).", str(p), False))
    return out


HAND_PAIRS: list[tuple[str, str, bool, str]] = [
    ("The total cost is $\\boxed{\\$7{,}425{,}000}$.", "7425000", True, "integers"),
    ("So the population is 7 425 000 people.", "7,425,000", True, "integers"),
    ("The answer is $\\boxed{7,425,001}$.", "7,425,000", False, "integers"),
    ("Thus $\\boxed{\\frac{1}{3}}$.", "0.33", True, "decimals"),
    ("Thus $\\boxed{0.33}$.", "\\frac{1}{3}", False, "decimals"),
    ("Thus $\\boxed{0.3333}$.", "\\frac{1}{3}", False, "decimals"),
    ("Thus $\\boxed{0.333333}$.", "\\frac{1}{3}", True, "decimals"),
    ("The probability is $\\boxed{\\frac{5}{36}}$", "\\frac{5}{36}", True, "fractions"),
    ("The probability is $\\boxed{\\frac{5}{36}}$", "\\frac{6}{36}", False, "fractions"),
    ("The set of solutions is $\\boxed{\\{1, 2\\}}$.", "(1, 2)", False, "sets_tuples"),
    ("The point is $\\boxed{(1, 2)}$.", "\\{1, 2\\}", False, "sets_tuples"),
    ("The solutions are $x = 2$ and $x = -3$, so $\\boxed{-3, 2}$.", "2, -3", True, "sets_tuples"),
    (
        "The roots are $\\boxed{x = \\frac{1 \\pm \\sqrt{5}}{2}}$.",
        "\\frac{1+\\sqrt{5}}{2}, \\frac{1-\\sqrt{5}}{2}",
        True,
        "radicals",
    ),
    ("The roots are $\\boxed{\\frac{1 \\pm \\sqrt{5}}{2}}$.", "\\frac{1+\\sqrt{5}}{2}", False, "radicals"),
    ("The answer is $\\boxed{5^{5^{5^{5^5}}}}$.", "5^{5^{5^{5^5}}}", True, "bounds"),
    ("The answer is $\\boxed{10^{10^8}}$.", "10^{10^8} + 1", False, "bounds"),
    ("The answer is $\\boxed{2^{10}}$.", "1024", True, "integers"),
    ("The answer is $\\boxed{10!}$.", "3628800", True, "integers"),
    ("The answer is $\\boxed{\\binom{6}{2}}$.", "15", True, "integers"),
    ("The answer is $\\boxed{\\text{(B)}}$.", "B", True, "text"),
    ("The answer is $\\boxed{\\text{(C)}}$.", "B", False, "text"),
    ("The answer is $\\boxed{\\text{even}}$.", "\\text{even}", True, "text"),
    ("The answer is $\\boxed{\\text{odd}}$.", "\\text{even}", False, "text"),
    ("It takes $\\boxed{45}$ minutes.", "45 \\text{ minutes}", True, "units"),
    ("It takes $\\boxed{45\\text{ min}}$.", "45", True, "units"),
    ("The angle is $\\boxed{60^{\\circ}}$.", "60", True, "units"),
    ("The angle is $\\boxed{60^{\\circ}}$.", "50^\\circ", False, "units"),
    ("He earns \\$1,250 per week. The answer is \\$1,250.", "1250", True, "units"),
    ("The answer is $\\boxed{-\\infty}$.", "-\\infty", True, "intervals"),
    ("The domain is $\\boxed{[-2, 2]}$.", "[-2,2]", True, "intervals"),
    ("The domain is $\\boxed{(-2, 2)}$.", "[-2,2]", False, "intervals"),
    ("The answer is $\\boxed{3+4i}$.", "4i + 3", True, "symbolic"),
    ("The answer is $\\boxed{3-4i}$.", "3+4i", False, "symbolic"),
    ("$f^{-1}(x) = \\boxed{\\frac{x-3}{2}}$", "\\frac{x}{2} - \\frac{3}{2}", True, "symbolic"),
    ("$f^{-1}(x) = \\boxed{\\frac{x-3}{2}}$", "\\frac{x+3}{2}", False, "symbolic"),
    ("The answer is $\\boxed{\\frac{3}{4}}$", "75\\%", True, "percent"),
    ("The answer is $\\boxed{0.75}$", "75", False, "percent"),
    ("The answer is $\\boxed{0.75}$", "75\\%", True, "percent"),
    ("Thus 12.5% of the students passed.", "12.5\\%", True, "percent"),
    ("The remainder is $\\boxed{0}$.", "0", True, "integers"),
    ("The remainder is $\\boxed{0}$.", "1", False, "integers"),
    ("The answer is $\\boxed{-7}$.", "7", False, "integers"),
    ("The area is $\\boxed{24\\text{ cm}^2}$.", "24", True, "units"),
    ("The volume is $\\boxed{\\frac{32\\pi}{3}}$.", "\\frac{32}{3}\\pi", True, "pi_e"),
    ("The volume is $\\boxed{\\frac{32\\pi}{3}}$.", "\\frac{32}{3}", False, "pi_e"),
    ("The answer is 3.\n\nWait, let me recheck: the answer is $\\boxed{4}$.", "4", True, "extraction"),
    ("I think it's 4, but the answer is $\\boxed{3}$.", "4", False, "extraction"),
    ("The minimum value is $\\boxed{-\\frac{9}{4}}$.", "-2.25", True, "decimals"),
    ("The minimum value is $\\boxed{-\\frac{9}{4}}$.", "2.25", False, "decimals"),
    ("The answer is $\\boxed{\\dfrac{\\sqrt{6}}{2}}$", "\\frac{\\sqrt{3}}{\\sqrt{2}}", True, "radicals"),
    ("The answer is $\\boxed{1.5 \\times 10^{3}}$", "1500", True, "decimals"),
    ("The prize is $\\boxed{\\$25,\\!000}$.", "25000", True, "integers"),
    ("The prize is $\\boxed{\\$25,\\!001}$.", "25000", False, "integers"),
    ("Final Answer: The number of marbles in the jar is 48.", "48", True, "extraction"),
    ("Final Answer: The number of marbles in the jar is 46.", "48", False, "extraction"),
    ("Code name AB7C is not the answer; the answer is $\\boxed{9}$.", "7", False, "extraction"),
    ("We find $\\boxed{-1}$ and $\\boxed{4}$ as the two roots.", "\\{-1, 4\\}", True, "sets_tuples"),
    ("We find $\\boxed{-1}$ and $\\boxed{5}$ as the two roots.", "\\{-1, 4\\}", False, "sets_tuples"),
    ("The pair is ${2, 5}$.", "(2, 5)", True, "sets_tuples"),
    ("The pair is ${5, 2}$.", "(2, 5)", False, "sets_tuples"),
    ("So $0.\\overline{6}$ is the value.", "\\frac{2}{3}", True, "decimals"),
    ("So the value is $\\boxed{0.\\overline{6}}$.", "\\frac{3}{5}", False, "decimals"),
    ("The solution set is $\\boxed{\\{x \\mid x \\le -2\\}}$.", "(-\\infty, -2]", True, "intervals"),
    ("The solution set is $\\boxed{\\{x \\mid x < -2\\}}$.", "(-\\infty, -2]", False, "intervals"),
    ("The correct option is $\\boxed{\\textbf{(D) } 17}$.", "D", True, "text"),
    ("The correct option is $\\boxed{\\textbf{(E) } 17}$.", "D", False, "text"),
    ("Therefore $g(x) = \\boxed{3x^2 - 1}$.", "g(x) = 3x^2 - 1", True, "symbolic"),
    ("Therefore $\\boxed{g(x) = 3x^2 + 1}$.", "3x^2 - 1", False, "symbolic"),
    ("The city has about $\\boxed{2.5 \\text{ million}}$ residents.", "2500000", True, "integers"),
    ("The city has about $\\boxed{2.5 \\text{ million}}$ residents.", "2500", False, "integers"),
    ("The fraction that is shaded is $\\boxed{0.28}$.", "28", False, "percent"),
    ("The discount is $\\boxed{28 \\text{ percent}}$.", "0.28", True, "percent"),
    ("The angle is $\\boxed{\\frac{\\pi}{3}}$ radians.", "60^\\circ", True, "pi_e"),
    ("The angle is $\\boxed{\\frac{\\pi}{4}}$ radians.", "60^\\circ", False, "pi_e"),
    (
        "So the matrix is $\\left[\\begin{array}{cc} 2 & 0 \\\\ 1 & 3 \\end{array}\\right]$.",
        "\\begin{pmatrix} 2 & 0 \\\\ 1 & 3 \\end{pmatrix}",
        True,
        "matrices",
    ),
    ("So the vector is $\\begin{pmatrix} 2 \\\\ -1 \\end{pmatrix}$.", "(2, -1)", True, "matrices"),
    ("So the vector is $\\begin{pmatrix} -1 \\\\ 2 \\end{pmatrix}$.", "(2, -1)", False, "matrices"),
    ("Hence $x \\ge 4$ is the solution.", "[4, \\infty)", True, "intervals"),
    ("Hence $x > 4$ is the solution.", "[4, \\infty)", False, "intervals"),
    ("Hence $-3 \\le x \\le 3$.", "|x| \\le 3", False, "intervals"),
    ("The expression equals $\\boxed{|x|}$.", "x", False, "symbolic"),
    ("The expression equals $\\boxed{\\sqrt{x^2}}$.", "|x|", True, "symbolic"),
    ("The answer is $\\boxed{a=3, b=-2}$.", "(3, -2)", True, "equations"),
    ("The answer is $\\boxed{b=-2, a=3}$.", "(3, -2)", True, "equations"),
    ("The answer is $\\boxed{a=-2, b=3}$.", "(3, -2)", False, "equations"),
    ("The line is $\\boxed{3x + 4y = 12}$.", "y = 3 - \\frac{3}{4}x", True, "equations"),
    ("The line is $\\boxed{3x + 4y = 12}$.", "y = 3 + \\frac{3}{4}x", False, "equations"),
    ("The answer is $\\boxed{\\frac{2}{3}}$.", "0.67", True, "decimals"),
    ("The answer is $\\boxed{0.67}$.", "\\frac{2}{3}", False, "decimals"),
    ("The answer is $\\boxed{0.666667}$.", "\\frac{2}{3}", True, "decimals"),
    ("It rained $\\boxed{12\\frac{3}{4}}$ inches.", "12.75", True, "mixed_numbers"),
    ("It rained $\\boxed{12\\frac{3}{4}}$ inches.", "12.34", False, "mixed_numbers"),
]


def generate_pairs(seed: int = 20250101) -> list[dict[str, Any]]:
    """All labelled pairs: seeded template families plus :data:`HAND_PAIRS`."""
    rng = random.Random(seed)
    fams = {
        "integers": _gen_integers, "decimals": _gen_decimals, "fractions": _gen_fractions,
        "percent": _gen_percent, "mixed_numbers": _gen_mixed, "radicals": _gen_radicals,
        "pi_e": _gen_pi_e, "symbolic": _gen_symbolic, "equations": _gen_equations,
        "intervals": _gen_intervals, "sets_tuples": _gen_sets_tuples, "matrices": _gen_matrices,
        "units": _gen_units, "extraction": _gen_extraction,
    }  # fmt: skip
    rows: list[dict[str, Any]] = []
    seen = set()
    for cat, fn in fams.items():
        for pred, gold, label in fn(rng):
            if (pred, gold) in seen:
                continue
            seen.add((pred, gold))
            rows.append({"pred": pred, "gold": gold, "label": bool(label), "category": cat})
    for pred, gold, label, cat in HAND_PAIRS:
        if (pred, gold) not in seen:
            seen.add((pred, gold))
            rows.append({"pred": pred, "gold": gold, "label": label, "category": cat})
    return rows


# --------------------------------------------------------------------------- running


def _load(path: Path, limit: int | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def _mv_gold(gold: str) -> str:
    return gold if ("$" in gold or "\\boxed" in gold or "\\(" in gold) else f"${gold}$"


def _run(name: str, fn: Any, rows: list[dict[str, Any]]) -> tuple[list[bool], float]:
    from tqdm import tqdm

    out = []
    t0 = time.perf_counter()
    for r in tqdm(rows, desc=name, file=sys.stderr, leave=False):
        try:
            out.append(bool(fn(r["pred"], r["gold"])))
        except Exception:
            out.append(False)
    return out, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--regenerate", action="store_true", help="rewrite the pairs file from the generator")
    ap.add_argument("--timeout", type=float, default=2.0)
    args = ap.parse_args(argv)
    if args.regenerate:
        rows = generate_pairs()
        args.pairs.parent.mkdir(parents=True, exist_ok=True)
        args.pairs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        print(f"wrote {len(rows)} pairs to {args.pairs}", file=sys.stderr)
    rows = _load(args.pairs, args.limit)

    from thoughtgym.verifiers.math import equivalent

    def ours(pred: str, gold: str) -> bool:
        return equivalent(pred, gold, timeout_s=args.timeout)

    import math_verify

    def peer(pred: str, gold: str) -> bool:
        return bool(math_verify.verify(math_verify.parse(_mv_gold(gold)), math_verify.parse(pred)))

    # one-time set-up outside the timing, for both: imports, and our symbolic-fallback worker process
    from thoughtgym.verifiers.math.bounded import call_with_timeout

    call_with_timeout(len, (), timeout_s=60.0)
    equivalent("\\boxed{1}", "1")
    peer("\\boxed{1}", "1")
    ours_res, ours_t = _run("thoughtgym", ours, rows)
    mv_res, mv_t = _run("math-verify", peer, rows)
    labels = [bool(r["label"]) for r in rows]
    n = len(rows)

    def acc(res: list[bool], idx: list[int]) -> float:
        return round(sum(res[i] == labels[i] for i in idx) / len(idx), 4) if idx else math.nan

    cats: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        cats[r.get("category", "other")].append(i)
    result = {
        "benchmark": "math_equivalence",
        "pairs": n,
        "positives": sum(labels),
        "negatives": n - sum(labels),
        "thoughtgym": {
            "accuracy": acc(ours_res, list(range(n))),
            "pairs_per_s": round(n / ours_t, 1),
            "seconds": round(ours_t, 3),
            "false_accepts": sum(1 for i in range(n) if ours_res[i] and not labels[i]),
            "false_rejects": sum(1 for i in range(n) if not ours_res[i] and labels[i]),
        },
        "math_verify": {
            "accuracy": acc(mv_res, list(range(n))),
            "pairs_per_s": round(n / mv_t, 1),
            "seconds": round(mv_t, 3),
            "false_accepts": sum(1 for i in range(n) if mv_res[i] and not labels[i]),
            "false_rejects": sum(1 for i in range(n) if not mv_res[i] and labels[i]),
        },
        "speed_ratio": round(mv_t / ours_t, 2) if ours_t > 0 else None,
        "per_category": {
            c: {"n": len(idx), "thoughtgym": acc(ours_res, idx), "math_verify": acc(mv_res, idx)}
            for c, idx in sorted(cats.items())
        },
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
