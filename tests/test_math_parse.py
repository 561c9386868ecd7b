"""The whitelist parser, comparison and bounded worker, through their public APIs."""

from __future__ import annotations

import operator
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from thoughtgym.verifiers.math.bounded import call_with_timeout
from thoughtgym.verifiers.math.compare import expressions_equal
from thoughtgym.verifiers.math.extract import extract_answer, extract_candidates
from thoughtgym.verifiers.math.parse import (
    MAX_CHARS,
    BareList,
    MathParseError,
    is_number_text,
    parse_expression,
)

x, y = sympy.symbols("x y")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3*x^2 + 2", 3 * x**2 + 2),
        ("x**2", x**2),
        ("1/3 \\times 18", sympy.Integer(6)),
        ("7,425,000", sympy.Integer(7425000)),
        ("7 425 000", sympy.Integer(7425000)),
        ("7{,}425{,}000", sympy.Integer(7425000)),
        ("0.125", sympy.Rational(1, 8)),
        ("3\\frac{1}{2}", sympy.Rational(7, 2)),
        ("3 1/2", sympy.Rational(7, 2)),
        ("\\frac12", sympy.Rational(1, 2)),
        ("\\dfrac{3}{4}", sympy.Rational(3, 4)),
        ("\\sqrt[3]{8}", sympy.Integer(2)),
        ("\\sqrt{8}", 2 * sympy.sqrt(2)),
        ("2\\pi", 2 * sympy.pi),
        ("e^{i\\pi}", sympy.Integer(-1)),
        ("50\\%", sympy.Rational(1, 2)),
        ("\\$5", sympy.Integer(5)),
        ("5\\text{ cm}", sympy.Integer(5)),
        ("30^\\circ", sympy.Integer(30)),
        ("x y", x * y),
        ("2(x+1)", 2 * x + 2),
        ("\\left( 1, 2 \\right)", sympy.Tuple(1, 2)),
        ("[0, 1)", sympy.Interval.Ropen(0, 1)),
        ("\\{1, 2\\}", sympy.FiniteSet(1, 2)),
        ("\\log_2 8", sympy.Integer(3)),
        ("10!", sympy.Integer(3628800)),
        ("|x - 1|", sympy.Abs(x - 1)),
        ("1.5e3", sympy.Integer(1500)),
    ],
)
def test_parse_values(text: str, expected: sympy.Basic) -> None:
    assert parse_expression(text) == expected


def test_parse_structures() -> None:
    eq = parse_expression("y = 2x + 1")
    assert isinstance(eq, sympy.Eq) and eq.lhs == y and eq.rhs == 2 * x + 1
    assert parse_expression("x \\le 3") == sympy.Le(x, 3, evaluate=False)
    assert isinstance(parse_expression("1, 2"), BareList)
    assert parse_expression("1 \\pm \\sqrt{5}") == sympy.FiniteSet(1 + sympy.sqrt(5), 1 - sympy.sqrt(5))
    m = parse_expression("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}")
    assert m == sympy.ImmutableMatrix([[1, 2], [3, 4]])
    assert parse_expression("x", latex=False) == x
    assert parse_expression("50\\%", percent="strip") == 50
    assert parse_expression("30^\\circ", degrees="radians") == sympy.pi / 6


def test_huge_powers_stay_symbolic() -> None:
    t = time.monotonic()
    a = parse_expression("5^{5^{5^{5^5}}}")
    b = parse_expression("10^{10^8}")
    assert time.monotonic() - t < 5
    assert isinstance(a, sympy.Pow) and isinstance(b, sympy.Pow)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "__import__('os').system('touch /tmp/pwned')",
        "lambda: 1",
        "\\input{/etc/passwd}",
        "x" * (MAX_CHARS + 10),
        "(" * 100 + "1" + ")" * 100,
        "99999!",
        "1/0",
        "\\frac{1}{",
        "\x00\x01",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(MathParseError):
        parse_expression(text)


def test_is_number_text() -> None:
    assert is_number_text("-12.5") and is_number_text("7,425,000")
    assert not is_number_text("1/2") and not is_number_text("x")


@given(st.text(max_size=200))
@settings(max_examples=150, deadline=None)
def test_parse_only_raises_parse_error(text: str) -> None:
    try:
        parse_expression(text)
    except MathParseError:
        pass


def test_expressions_equal() -> None:
    p = parse_expression
    assert expressions_equal(p("\\sqrt{8}"), p("2\\sqrt{2}")) is True
    assert expressions_equal(p("(x+1)^2"), p("x^2+2x+1")) is True
    assert expressions_equal(p("(x+1)^2"), p("x^2+1")) is False
    assert expressions_equal(p("y = 2x+1"), p("2x - y + 1 = 0")) is True
    assert expressions_equal(p("x > 3"), p("3 < x")) is True
    assert expressions_equal(p("x > 3"), p("x < 3")) is False
    assert expressions_equal(p("\\{1, 2\\}"), p("\\{2, 1\\}")) is True
    assert expressions_equal(p("(1, 2)"), p("(2, 1)")) is False
    assert expressions_equal(p("[0, 1)"), p("[0, 1]")) is False


def test_extract() -> None:
    assert extract_answer("so $\\boxed{\\frac{1}{2}}$.") == "\\frac{1}{2}"
    assert extract_answer("<answer> 42 </answer>") == "42"
    assert extract_answer("The answer is 7,425,000.") == "7,425,000"
    assert extract_answer("work\n#### 18") == "18"
    assert extract_answer("We get 3 then 5 apples") == "5"
    assert extract_answer("") is None
    assert extract_candidates("\\boxed{\\boxed{3}}")[0] == "3"


def test_call_with_timeout_kills_and_recovers() -> None:
    assert call_with_timeout(operator.add, 1, 2, timeout_s=30) == 3  # also starts the worker
    t = time.monotonic()
    assert call_with_timeout(time.sleep, 30, timeout_s=0.5, default="late") == "late"
    assert time.monotonic() - t < 5
    assert call_with_timeout(operator.add, 2, 2, timeout_s=30) == 4
    assert call_with_timeout(operator.truediv, 1, 0, timeout_s=30, default="err") == "err"


_ROUND_TRIP = [
    sympy.sqrt(2) / (1 + sympy.pi),
    sympy.Abs(x - 1) + sympy.exp(-x),
    sympy.log(x + 2) * sympy.sin(y) / 7,
    sympy.root(x, 3) - sympy.Rational(5, 3),
    (x + 1) ** 2 / (y - 2),
    sympy.cos(sympy.pi / 7) + sympy.tan(x) ** 2,
    sympy.FiniteSet(1, sympy.sqrt(3)),
    sympy.Interval.Lopen(-1, sympy.Rational(5, 2)),
    sympy.ImmutableMatrix([[1, x], [sympy.Rational(1, 2), 0]]),
]


@pytest.mark.parametrize("expr", _ROUND_TRIP, ids=str)
def test_reads_sympy_latex(expr: sympy.Basic) -> None:
    parsed = parse_expression(sympy.latex(expr))
    assert expressions_equal(parsed, expr) is True
