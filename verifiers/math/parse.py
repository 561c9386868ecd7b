"""A whitelist tokenizer and Pratt parser for plain and LaTeX math, building SymPy objects directly.

Model text is hostile, so nothing here calls ``eval``, ``sympify`` or ``parse_expr``: the tokenizer
accepts a fixed vocabulary (numbers, single-letter and whitelisted symbol names, a fixed set of
functions and LaTeX commands) and the parser calls SymPy constructors (``Integer``, ``Rational``,
``Symbol``, ``Add``, ``Mul``, ``Pow``, ``Eq``, ``Interval``, ``FiniteSet``, ``Tuple``, ``Matrix``).

Bounds: input length (:data:`MAX_CHARS`), nesting depth (:data:`MAX_DEPTH`), number of tokens,
and the size of integers built from powers, products and factorials (estimated with logarithms
*before* construction). A power that would exceed :data:`MAX_DIGITS` digits is kept unevaluated,
so ``5^{5^{5^{5^5}}}`` and ``10^{10^8}`` parse instantly into symbolic towers; once a parse contains
such a node every later constructor runs with ``evaluate=False``.

Public API::

    parse_expression(text, *, latex=None, percent="divide", degrees="strip") -> sympy.Basic
    is_number_text(text) -> bool
    MathParseError

Results: a SymPy expression; a relation (``Eq``/``Ne``/``Lt``/``Le``/``Gt``/``Ge``, never
auto-evaluated, chains give ``And``); an ``Interval`` or ``Union``; a ``FiniteSet`` (``\\{1,2\\}``
or ``a \\pm b``); a ``Tuple`` (``(1,2)``); a :class:`BareList` (``1, 2`` without brackets, a
``Tuple`` subclass whose order the comparer may ignore); or an ``ImmutableMatrix``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import sympy
from sympy import (
    Abs,
    Add,
    E,
    FiniteSet,
    I,
    ImmutableMatrix,
    Integer,
    Interval,
    Mul,
    Pow,
    Rational,
    Symbol,
    Tuple,
    oo,
    pi,
)

__all__ = [
    "MathParseError",
    "BareList",
    "parse_expression",
    "is_number_text",
    "is_huge",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_DIGITS",
]

MAX_CHARS = 2000
"""Longest expression text accepted (after light normalisation)."""
MAX_DEPTH = 60
"""Deepest nesting of brackets / sub-expressions accepted."""
MAX_DIGITS = 100_000
"""Largest number of decimal digits an evaluated integer may get; beyond it powers stay symbolic."""
MAX_TOKENS = 1500
MAX_FACTORIAL = 1000
MAX_ALTERNATIVES = 16


class MathParseError(ValueError):
    """Raised for text the whitelist parser does not accept or that exceeds a bound."""


class BareList(Tuple):
    """A comma-separated list written without brackets (``1, 2``); order may not matter."""


# --------------------------------------------------------------------------- vocabulary

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi",
    "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi",
    "Psi", "Omega",
}  # fmt: skip

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec,
    "csc": sympy.csc, "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan, "arccot": sympy.acot,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "exp": sympy.exp,
    "ln": sympy.log, "log": sympy.log, "lg": sympy.log, "sqrt": sympy.sqrt, "abs": Abs,
    "floor": sympy.floor, "ceil": sympy.ceiling,
}  # fmt: skip
_INVERSE = {"sin": sympy.asin, "cos": sympy.acos, "tan": sympy.atan}

UNIT_WORDS = {
    "cm", "mm", "km", "m", "kg", "g", "mg", "lb", "lbs", "oz", "ft", "feet", "foot", "inch", "inches",
    "in", "yd", "yard", "yards", "mi", "mile", "miles", "meter", "meters", "metre", "metres",
    "centimeter", "centimeters", "kilometer", "kilometers", "gram", "grams", "kilogram", "kilograms",
    "liter", "liters", "litre", "ml", "l", "s", "sec", "second", "seconds", "min", "minute", "minutes",
    "h", "hr", "hrs", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year",
    "years", "dollar", "dollars", "cent", "cents", "usd", "euro", "euros", "unit", "units", "square",
    "sq", "cubic", "degree", "degrees", "deg", "radian", "radians", "rad", "mph", "kmh", "percent",
    "people", "students", "times", "pounds", "pound", "ounces", "gallons", "gallon", "points",
    "point", "items", "cookies", "apples", "pages", "books", "boxes", "mins",
}  # fmt: skip
_CONNECTIVES = {"and", "or"}
_SCALE_WORDS = {
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
    "trillion": "1000000000000",
}
_SETS = {"R": sympy.S.Reals, "Z": sympy.S.Integers, "N": sympy.S.Naturals, "Q": sympy.S.Rationals}

_TEXT_CMDS = {"text", "textbf", "textit", "mbox", "textrm", "textnormal", "hbox", "mathrm", "mathbf",
              "mathit", "operatorname", "mathsf", "boldsymbol", "mathbb", "mathcal", "bm"}  # fmt: skip
_IGNORED_CMDS = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                 "biggl", "biggr", "displaystyle", "textstyle", "limits", "nolimits", "quad",
                 "qquad", "hfill", "ensuremath"}  # fmt: skip
_SPACE_CMDS = {",", ";", ":", "!", " ", "enspace", "thinspace"}
_MATRIX_ENVS = {"pmatrix", "bmatrix", "Bmatrix", "matrix", "smallmatrix", "array"}

_UNICODE = {
    "−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/", "π": r"\pi ", "√": r"\sqrt ",
    "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ", "∞": r"\infty ", "°": r"\degreemark ", "±": r"\pm ", "∪": r"\cup ",
    "\u2009": " ", "\u00a0": " ", "\u202f": " ", "€": " ", "£": " ", "¥": " ", "₹": " ",
    "½": " 1/2", "⅓": " 1/3", "⅔": " 2/3", "¼": " 1/4", "¾": " 3/4", "²": "^2", "³": "^3",
    "⁻¹": "^{-1}", "∈": r"\in ", "∅": r"\emptyset ", "≈": r"\approx ",
}  # fmt: skip
_UNICODE_RE = re.compile("|".join(map(re.escape, _UNICODE)))

_PRE_SUBS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\\[dtc]frac"), r"\\frac"),
    (re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree(?!mark)"), r" \\degreemark "),
    (re.compile(r"(?<=\d)(?:\{,\}|,\\!|,\{\})(?=\d)"), ""),
    (re.compile(r"(?<=\d)(?:\\[,!; :]|~)(?=\d{3}(?!\d))"), ""),
    (re.compile(r"\\\$|\$"), " "),
    (re.compile(r"\\left\s*\.|\\right\s*\."), " "),
]

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3}(?![\d.]))?)
  | (?P<cmd>\\(?:[A-Za-z]+|\\|[{}\[\](),;:!%$&|\ _#]))
  | (?P<word>[A-Za-z]+)
  | (?P<op>\*\*|<=|>=|!=|==|=<|=>|->|[-+*/^_!=<>(){}\[\],|&%;:'])
    """,
    re.VERBOSE,
)

_THOUSANDS_RE = re.compile(r"(?:,\d{3})+(?![\d])(?:\.\d+)?|(?: \d{3})+(?![\d.])")
_MIXED_RE = re.compile(r"\s+(\d+)\s*/\s*(\d+)(?![\d.])")
_NUMBER_TEXT_RE = re.compile(r"^\s*[-+]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*$|^\s*[-+]?\s*\.\d+\s*$")


def is_number_text(text: str) -> bool:
    """True when ``text`` is a plain decimal number such as ``-12``, ``3.25`` or ``7,425,000``."""
    return isinstance(text, str) and len(text) < 200 and bool(_NUMBER_TEXT_RE.match(text))


# --------------------------------------------------------------------------- tokenizer


class _Tok:
    __slots__ = ("kind", "val")

    def __init__(self, kind: str, val: str) -> None:
        self.kind = kind  # num, id, func, op, cmd, text, end
        self.val = val

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.kind}:{self.val}"


_REPEATING_RE = re.compile(r"(\d*)\.(\d*)\\overline\s*\{(\d{1,20})\}")


def _repeating(m: re.Match[str]) -> str:
    """``0.1\\overline{6}`` -> ``(\\frac{1}{6})`` (exact)."""
    whole, pre, rep = m.group(1) or "0", m.group(2), m.group(3)
    if len(whole) + len(pre) > 40:
        return m.group(0)
    value = Rational(int(whole)) + Rational(int(pre or "0"), 10 ** len(pre))
    value += Rational(int(rep), 10 ** len(pre) * (10 ** len(rep) - 1))
    return f"(\\frac{{{value.p}}}{{{value.q}}})"


def _normalize(text: str) -> str:
    text = _UNICODE_RE.sub(lambda m: _UNICODE[m.group(0)], text)
    if "overline" in text:
        text = _REPEATING_RE.sub(_repeating, text)
    for pat, rep in _PRE_SUBS:
        text = pat.sub(rep, text)
    return text.strip()


def _read_group(text: str, i: int) -> tuple[str, int]:
    """Read a balanced ``{...}`` starting at ``text[i] == '{'``; return (content, index after)."""
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == "\\":
            continue
        if c == "{" and (j == 0 or text[j - 1] != "\\"):
            depth += 1
            if depth > MAX_DEPTH:
                raise MathParseError("nesting too deep")
        elif c == "}" and (j == 0 or text[j - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
    raise MathParseError("unbalanced braces")


def _word_tokens(word: str, out: list[_Tok], in_text: bool) -> None:
    low = word.lower()
    if low in _CONNECTIVES:
        out.append(_Tok("op", ","))
    elif low in ("percent", "percentage", "pct"):
        out.append(_Tok("op", "%"))
    elif low in _SCALE_WORDS:
        out.append(_Tok("op", "*"))
        out.append(_Tok("num", _SCALE_WORDS[low]))
    elif in_text:
        out.append(_Tok("text", word))
    elif low in FUNCTIONS and (word == low or word == low.capitalize()):
        out.append(_Tok("func", low))
    elif word in GREEK or word == "pi":
        out.append(_Tok("id", word))
    elif low in ("inf", "infty", "infinity", "oo"):
        out.append(_Tok("id", "infty"))
    elif low in UNIT_WORDS and len(word) > 1 or len(word) > 3:
        out.append(_Tok("text", word))
    else:
        out.extend(_Tok("id", ch) for ch in word)


def _tokenize(text: str, out: list[_Tok], depth: int = 0) -> None:
    """Tokenize normalised text into ``out`` (recursing into ``\\text{}`` groups)."""
    if depth > 4:
        raise MathParseError("text nesting too deep")
    pos = 0
    n = len(text)
    bracket = 0  # depth of ( [ \{ : thousands separators are only read outside them
    while pos < n:
        if len(out) > MAX_TOKENS:
            raise MathParseError("too many tokens")
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise MathParseError(f"unexpected character {text[pos]!r}")
        kind = m.lastgroup
        val = m.group(0)
        end = m.end()
        if kind == "ws":
            pos = end
            continue
        if kind == "num":
            if bracket == 0 and "." not in val:
                g = _THOUSANDS_RE.match(text, end)
                if g and len(val) <= 3:
                    val += g.group(0).replace(",", "").replace(" ", "")
                    end = g.end()
            mixed = _MIXED_RE.match(text, end)  # 3 1/2
            if mixed and "." not in val and (not out or out[-1].val not in ("/", "^", "_")):
                out.append(_Tok("mixed", f"{val} {mixed.group(1)} {mixed.group(2)}"))
                pos = mixed.end()
                continue
            out.append(_Tok("num", val))
        elif kind == "word":
            _word_tokens(val, out, False)
        elif kind == "op":
            if val in ("(", "["):
                bracket += 1
            elif val in (")", "]"):
                bracket -= 1
            out.append(_Tok("op", {"**": "^", "==": "=", "=<": "<=", "=>": ">="}.get(val, val)))
        else:  # LaTeX command
            name = val[1:]
            if name in _IGNORED_CMDS or name in _SPACE_CMDS:
                pass
            elif name in ("{", "}"):
                bracket += 1 if name == "{" else -1
                out.append(_Tok("op", "\\" + name))
            elif name == "%":
                out.append(_Tok("op", "%"))
            elif name == "degreemark":
                out.append(_Tok("op", "deg"))
            elif name == "\\":
                out.append(_Tok("op", "\\\\"))
            elif name in _TEXT_CMDS:
                while end < n and text[end] == " ":
                    end += 1
                if end < n and text[end] == "{":
                    content, end = _read_group(text, end)
                elif end < n:
                    content, end = text[end], end + 1
                else:
                    raise MathParseError(f"\\{name} without argument")
                _text_cmd(name, content, out, depth)
            elif name in ("begin", "end"):
                while end < n and text[end] == " ":
                    end += 1
                if end >= n or text[end] != "{":
                    raise MathParseError("\\begin without environment")
                env, end = _read_group(text, end)
                env = env.strip().rstrip("*")
                if name == "begin" and env == "array":
                    while end < n and text[end] == " ":
                        end += 1
                    if end < n and text[end] == "{":
                        _, end = _read_group(text, end)
                if env not in _MATRIX_ENVS:
                    raise MathParseError(f"environment {env!r} not supported")
                out.append(_Tok("cmd", f"{name}:{env}"))
            elif name == "sqrt":
                out.append(_Tok("cmd", name))
            elif name in FUNCTIONS or name in ("arcsin", "arccos", "arctan"):
                out.append(_Tok("func", name))
            elif name in GREEK or name in ("pi", "infty", "emptyset", "varnothing"):
                out.append(_Tok("id", name))
            elif name in ("frac", "sqrt", "binom", "dbinom", "tbinom", "pm", "mp", "cdot", "times",
                          "ast", "div", "le", "leq", "ge", "geq", "lt", "gt", "ne", "neq", "leqslant",
                          "geqslant", "cup", "cap", "in", "to", "rightarrow", "approx", "mid",
                          "lfloor", "rfloor", "lceil", "rceil", "vert", "lvert", "rvert", "langle",
                          "rangle", "setminus", "boxed", "fbox", "dots", "ldots", "cdots", "prime",
                          "implies", "Rightarrow", "iff", "quad", "colon", "lbrace", "rbrace",
                          "|", "&", "_", "#", "$", "(", ")", "[", "]", "wedge", "land", "lor", "vee",
                          "sim", "simeq", "equiv", "cong", "overline", "bar"):  # fmt: skip
                out.append(_Tok("cmd", name))
            else:
                raise MathParseError(f"LaTeX command \\{name} not supported")
        pos = end


def _text_cmd(name: str, content: str, out: list[_Tok], depth: int) -> None:
    stripped = content.strip()
    if name in ("mathbb",) and stripped in _SETS:
        out.append(_Tok("id", "set:" + stripped))
        return
    if name == "operatorname":
        if stripped in FUNCTIONS:
            out.append(_Tok("func", stripped))
            return
        raise MathParseError(f"operator {stripped!r} not supported")
    if name in ("mathrm", "mathbf", "mathit", "mathsf", "boldsymbol", "bm", "mathcal") and not re.fullmatch(
        r"[A-Za-z]{2,}", stripped
    ):
        sub: list[_Tok] = []
        _tokenize(_normalize(content), sub, depth + 1)
        out.extend(sub)
        return
    letter = re.fullmatch(r"\(?\s*([A-Za-z])\s*\)?", stripped)
    if letter and letter.group(1) not in ("m", "g", "s", "h", "l"):
        out.append(_Tok("id", letter.group(1)))  # \text{A}, \text{(B)}: a letter answer, not a unit
        return
    if not re.search(r"\d", stripped) and re.search(r"[A-Za-z]", stripped):
        for w in re.findall(r"[A-Za-z]+", stripped):  # units such as m/s, km^2, sq. ft
            _word_tokens(w, out, True)
        return
    sub = []
    _tokenize(_normalize(content), sub, depth + 1)
    for t in sub:
        if t.kind == "id" and t.val in UNIT_WORDS and len(sub) > 1:
            t.kind = "text"
        out.append(t)


# --------------------------------------------------------------------------- parser

_REL_OPS = {"=": "==", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "!=": "!=", "le": "<=", "leq": "<=",
            "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=", "lt": "<", "gt": ">",
            "ne": "!=", "neq": "!=", "approx": "==", "sim": "==", "simeq": "==", "equiv": "==",
            "cong": "=="}  # fmt: skip
_REL_CLASSES = {"==": sympy.Eq, "!=": sympy.Ne, "<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge}

_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}", "\\{": "\\}", "lbrace": "rbrace", "langle": "rangle"}


class _PM:
    """Alternatives produced by ``\\pm``; arithmetic distributes over them."""

    __slots__ = ("alts",)

    def __init__(self, alts: list[Any]) -> None:
        if len(alts) > MAX_ALTERNATIVES:
            raise MathParseError("too many \\pm alternatives")
        self.alts = alts


def _digits(x: Any) -> float:
    """log10 magnitude bound of a SymPy Rational (numerator and denominator)."""
    if isinstance(x, sympy.Rational):
        return max(int(x.p).bit_length(), int(x.q).bit_length()) * 0.30103 + 1
    return 0.0


class _Parser:
    def __init__(self, toks: list[_Tok], percent: str, degrees: str = "strip") -> None:
        self.toks = toks
        self.degrees = degrees
        self.abs_depth = 0
        self.i = 0
        self.depth = 0
        self.percent = percent
        self.huge = False

    # -- token helpers
    def peek(self, k: int = 0) -> _Tok:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else _Tok("end", "")

    def next(self) -> _Tok:
        t = self.peek()
        self.i += 1
        return t

    def at(self, kind: str, val: str | None = None) -> bool:
        t = self.peek()
        return t.kind == kind and (val is None or t.val == val)

    def expect(self, kind: str, val: str) -> None:
        t = self.next()
        if t.kind != kind or t.val != val:
            raise MathParseError(f"expected {val!r}, got {t.val!r}")

    def skip_text(self) -> None:
        while self.peek().kind == "text":
            self.i += 1

    # -- bounded constructors
    def _lift(self, fn: Callable[..., Any], *args: Any) -> Any:
        if any(isinstance(a, _PM) for a in args):
            combos: list[list[Any]] = [[]]
            for a in args:
                alts = a.alts if isinstance(a, _PM) else [a]
                combos = [c + [x] for c in combos for x in alts]
                if len(combos) > MAX_ALTERNATIVES:
                    raise MathParseError("too many \\pm alternatives")
            return _PM([fn(*c) for c in combos])
        return fn(*args)

    def _check_scalar(self, *xs: Any) -> None:
        for x in xs:
            if not isinstance(x, sympy.Expr) or isinstance(x, sympy.MatrixBase):
                raise MathParseError("arithmetic on a collection or relation")

    def add(self, a: Any, b: Any) -> Any:
        def f(x: Any, y: Any) -> Any:
            if isinstance(x, sympy.MatrixBase) and isinstance(y, sympy.MatrixBase) and x.shape == y.shape:
                return x + y
            self._check_scalar(x, y)
            return Add(x, y, evaluate=not self.huge)

        return self._lift(f, a, b)

    def neg(self, a: Any) -> Any:
        def f(x: Any) -> Any:
            if isinstance(x, sympy.MatrixBase):
                return -x
            self._check_scalar(x)
            return Mul(Integer(-1), x, evaluate=not self.huge)

        return self._lift(f, a)

    def mul(self, a: Any, b: Any) -> Any:
        def f(x: Any, y: Any) -> Any:
            if isinstance(x, sympy.MatrixBase) or isinstance(y, sympy.MatrixBase):
                try:
                    return x * y
                except Exception as exc:
                    raise MathParseError("bad matrix product") from exc
            self._check_scalar(x, y)
            if not self.huge and _digits(x) + _digits(y) > MAX_DIGITS:
                self.huge = True
            return Mul(x, y, evaluate=not self.huge)

        return self._lift(f, a, b)

    def div(self, a: Any, b: Any) -> Any:
        def f(x: Any, y: Any) -> Any:
            self._check_scalar(y)
            if isinstance(x, sympy.MatrixBase):
                return x / y
            self._check_scalar(x)
            if y == 0 and not self.huge:
                raise MathParseError("division by zero")
            if not self.huge and _digits(x) + _digits(y) > MAX_DIGITS:
                self.huge = True
            return Mul(x, Pow(y, Integer(-1), evaluate=not self.huge), evaluate=not self.huge)

        return self._lift(f, a, b)

    def power(self, a: Any, b: Any) -> Any:
        def f(x: Any, y: Any) -> Any:
            self._check_scalar(x, y)
            if not self.huge and self._pow_too_big(x, y):
                self.huge = True
            if x == 0 and not self.huge and y.is_negative:
                raise MathParseError("division by zero")
            return Pow(x, y, evaluate=not self.huge)

        return self._lift(f, a, b)

    def _pow_too_big(self, x: Any, y: Any) -> bool:
        if y.free_symbols:
            # x^(symbolic) stays symbolic, but a numeric tower under it must not be evaluated later.
            return False
        try:
            ey = abs(_approx(y))
        except (OverflowError, ValueError, ZeroDivisionError, TypeError):
            return True
        if ey > 1e12:
            return x not in (0, 1, -1)
        if x.free_symbols:
            return ey > 10_000
        try:
            lx = abs(_approx_log10(x))
        except (OverflowError, ValueError, ZeroDivisionError, TypeError):
            return True
        return (
            ey * max(lx, 1.0 if not isinstance(x, sympy.Rational) else lx) > MAX_DIGITS
            or ey * _digits(x) > MAX_DIGITS
        )

    def func(self, name: str, arg: Any, base: Any = None) -> Any:
        def f(x: Any) -> Any:
            self._check_scalar(x)
            if name in ("log", "lg") and base is not None:
                return sympy.log(x, base, evaluate=not self.huge) if not self.huge else sympy.log(x, base)
            fn = FUNCTIONS[name]
            if name == "sqrt":
                return self.power(x, Rational(1, 2))
            if name == "exp":
                return self.power(E, x)
            if name == "lg":
                return sympy.log(x, 10)
            return fn(x, evaluate=not self.huge)

        return self._lift(f, arg)

    # -- grammar
    def parse_top(self) -> Any:
        self.skip_text()
        items = [self.relation()]
        while self.at("op", ",") or self.at("op", ";"):
            self.next()
            self.skip_text()
            if self.at("end"):
                break
            items.append(self.relation())
        self.skip_text()
        if not self.at("end"):
            raise MathParseError(f"unexpected token {self.peek().val!r}")
        items = [self.finish(x) for x in items]
        if len(items) == 1:
            return items[0]
        return BareList(*items)

    def finish(self, x: Any) -> Any:
        if isinstance(x, _PM):
            alts = [self.finish(a) for a in x.alts]
            if self.huge:
                return BareList(*alts)
            return FiniteSet(*alts)
        return x

    def relation(self) -> Any:
        left = self.expr(0)
        if self.at("cmd", "in"):
            self.next()
            if not isinstance(left, Symbol):
                raise MathParseError("\\in needs a variable on the left")
            return self.expr(0)
        rels: list[tuple[str, Any]] = []
        while True:
            t = self.peek()
            op = None
            if t.kind == "op" and t.val in _REL_OPS:
                op = _REL_OPS[t.val]
            elif t.kind == "cmd" and t.val in _REL_OPS:
                op = _REL_OPS[t.val]
            if op is None:
                break
            self.next()
            self.skip_text()
            rels.append((op, self.expr(0)))
            if len(rels) > 8:
                raise MathParseError("relation chain too long")
        if not rels:
            return left
        parts = []
        prev = left
        for op, right in rels:
            cls = _REL_CLASSES[op]
            parts.append(self._lift(lambda a, b, cls=cls: cls(a, b, evaluate=False), prev, right))
            prev = right
        if len(parts) == 1:
            return parts[0]
        if all(op == "==" for op, _ in rels):
            # a = b = c: keep the first and the last member.
            return self._lift(lambda a, b: sympy.Eq(a, b, evaluate=False), left, rels[-1][1])
        if any(isinstance(p, _PM) for p in parts):
            raise MathParseError("\\pm in an inequality chain")
        return sympy.And(*parts, evaluate=False)

    _INFIX_BP = {"+": 20, "-": 20, "pm": 20, "mp": 20, "*": 30, "/": 30, "cdot": 30, "times": 30,
                 "ast": 30, "div": 30, "^": 40, "cup": 15, "cap": 16, "setminus": 15}  # fmt: skip

    def infix_bp(self, t: _Tok) -> int:
        if t.kind in ("op", "cmd") and t.val in self._INFIX_BP:
            return self._INFIX_BP[t.val]
        if t.kind == "op" and t.val in ("!", "%", "deg"):
            return 50
        if self.starts_primary(t):
            return 30  # implicit multiplication
        return -1

    def starts_primary(self, t: _Tok) -> bool:
        if t.kind in ("num", "id", "func", "mixed"):
            return True
        if t.kind == "op" and t.val in ("(", "[", "\\{", "{"):
            return True
        if t.kind == "op" and t.val == "|":
            return self.abs_depth == 0  # inside |...| a bar closes; outside it opens
        return t.kind == "cmd" and t.val in ("frac", "sqrt", "binom", "dbinom", "tbinom", "begin:pmatrix",
                                             "begin:bmatrix", "begin:matrix", "begin:Bmatrix",
                                             "begin:smallmatrix", "begin:array", "lfloor", "lceil")  # fmt: skip

    def expr(self, rbp: int) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MathParseError("nesting too deep")
        try:
            left = self.prefix()
            while True:
                t = self.peek()
                if t.kind == "text":
                    # a unit word between factors (5 cm, 4 cm^2): skip it with its power
                    self.skip_text()
                    if self.at("op", "^"):
                        self.next()
                        self.exponent()
                    continue
                bp = self.infix_bp(t)
                if bp <= rbp:
                    break
                left = self.infix(left, t, bp)
            return left
        finally:
            self.depth -= 1

    def prefix(self) -> Any:
        t = self.peek()
        if t.kind == "op" and t.val == "-":
            self.next()
            if self.peek().kind == "num" and self.peek(1).kind == "cmd" and self.peek(1).val == "frac":
                # -1\frac{1}{2} is the mixed number -(1 + 1/2): let the fraction join the integer
                return self.neg(self.expr(29))
            return self.neg(self.expr(35))
        if t.kind == "op" and t.val == "+":
            self.next()
            return self.expr(35)
        if t.kind == "cmd" and t.val in ("pm", "mp"):
            self.next()
            v = self.expr(35)
            return self._lift(lambda x: _PM([x, self.neg(x)]), v)
        return self.primary()

    def infix(self, left: Any, t: _Tok, bp: int) -> Any:
        if t.kind == "op" and t.val == "!":
            self.next()
            return self._factorial(left)
        if t.kind == "op" and t.val == "deg":
            self.next()
            if self.degrees == "radians":
                return self.mul(left, self.div(pi, Integer(180)))
            return left
        if t.kind == "op" and t.val == "%":
            self.next()
            if self.percent == "divide":
                return self.div(left, Integer(100))
            if self.percent == "strip":
                return left
            raise MathParseError("percent not accepted")
        if t.kind in ("op", "cmd") and t.val in self._INFIX_BP:
            self.next()
            op = t.val
            if op == "^":
                right = self.exponent()
                return self.power(left, right)
            right = self.expr(bp)
            if op == "+":
                return self.add(left, right)
            if op == "-":
                return self.add(left, self.neg(right))
            if op in ("pm", "mp"):
                return _PM([self.add(left, right), self.add(left, self.neg(right))])
            if op in ("*", "cdot", "times", "ast"):
                return self.mul(left, right)
            if op in ("/", "div"):
                return self.div(left, right)
            if op in ("cup", "cap", "setminus"):
                return self._setop(op, left, right)
        # implicit multiplication (and mixed numbers 3\frac{1}{2})
        if (
            t.kind == "cmd"
            and t.val == "frac"
            and isinstance(left, sympy.Integer)
            and left >= 0
            and self.peek(-1).kind == "num"
        ):
            right = self.expr(30)
            if isinstance(right, sympy.Rational) and not isinstance(right, sympy.Integer) and 0 < right < 1:
                return self.add(left, right)
            return self.mul(left, right)
        if t.kind == "num" and self.peek(-1).kind in ("num", "mixed"):
            raise MathParseError("two numbers in a row")
        right = self.expr(30)
        return self.mul(left, right)

    def exponent(self) -> Any:
        t = self.peek()
        if t.kind == "op" and t.val == "{":
            return self.group()
        # (LaTeX x^23 means x^{2}3; plain x^23 means x^{23}: the plain reading is kept.)
        return self.expr(39)

    def _factorial(self, x: Any) -> Any:
        def f(v: Any) -> Any:
            if isinstance(v, sympy.Integer):
                if v < 0 or v > MAX_FACTORIAL:
                    raise MathParseError("factorial out of range")
                return sympy.factorial(v)
            if v.free_symbols:
                return sympy.factorial(v)
            raise MathParseError("factorial of a non-integer")

        return self._lift(f, x)

    def _setop(self, op: str, a: Any, b: Any) -> Any:
        if self.huge:
            raise MathParseError("number too large for a set")
        a = self._as_set(a)
        b = self._as_set(b)
        if op == "cup":
            return sympy.Union(a, b)
        if op == "cap":
            return sympy.Intersection(a, b)
        return sympy.Complement(a, b)

    def _as_set(self, x: Any) -> Any:
        if isinstance(x, sympy.Set):
            return x
        if isinstance(x, Tuple) and len(x) == 2:
            return self._interval(x[0], x[1], True, True)
        raise MathParseError("set operation on a non-set")

    def _interval(self, a: Any, b: Any, lopen: bool, ropen: bool) -> Any:
        if self.huge:
            raise MathParseError("number too large for an interval")
        self._check_scalar(a, b)
        try:
            return Interval(a, b, lopen, ropen)
        except Exception as exc:
            raise MathParseError("bad interval") from exc

    def group(self) -> Any:
        """A LaTeX ``{...}`` group (or a single token when braces are missing)."""
        if self.at("op", "{"):
            self.next()
            self.skip_text()
            if self.at("op", "}"):
                raise MathParseError("empty group")
            v = self.list_until("}")
            if isinstance(v, list):
                # LaTeX braces only group: {1, 2} is the bare list 1, 2 (a set needs \{ \})
                return BareList(*[self.finish(x) for x in v])
            return v
        t = self.peek()
        if t.kind == "num" and len(t.val) > 1 and "." not in t.val:
            # \frac12: one digit per argument
            self.toks[self.i] = _Tok("num", t.val[1:])
            return Integer(t.val[0])
        if t.kind == "id":
            self.next()
            return self.ident(t.val)
        return self.primary()

    def list_until(self, close: str) -> Any:
        items = [self.relation()]
        while self.at("op", ",") or self.at("op", ";"):
            self.next()
            items.append(self.relation())
        self.skip_text()
        t = self.next()
        if t.val != close:
            raise MathParseError(f"expected {close!r}")
        return items if len(items) > 1 else items[0]

    def _finite_set(self, items: list[Any]) -> Any:
        if self.huge:
            raise MathParseError("number too large for a set")
        items = [self.finish(x) for x in items]
        try:
            return FiniteSet(*items)
        except Exception as exc:
            raise MathParseError("bad set") from exc

    def primary(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MathParseError("nesting too deep")
        try:
            return self._primary()
        finally:
            self.depth -= 1

    def _primary(self) -> Any:
        t = self.next()
        if t.kind == "num":
            return _number(t.val)
        if t.kind == "mixed":
            w, a, b = (int(s) for s in t.val.split())
            if b == 0 or a >= b:
                raise MathParseError("bad mixed number")
            return Integer(w) + Rational(a, b)
        if t.kind == "id":
            base = self.ident(t.val)
            if self.at("op", "_") and isinstance(base, Symbol):
                self.next()
                sub = self.next()
                if sub.kind == "op" and sub.val == "{":
                    parts = []
                    while not self.at("op", "}"):
                        s = self.next()
                        if s.kind not in ("num", "id") or len(parts) > 8:
                            raise MathParseError("bad subscript")
                        parts.append(s.val)
                    self.next()
                    subname = "".join(parts)
                elif sub.kind in ("num", "id"):
                    subname = sub.val
                else:
                    raise MathParseError("bad subscript")
                return Symbol(f"{base.name}_{subname}")
            return base
        if t.kind == "func":
            return self.function(t.val)
        if t.kind == "op":
            if t.val in ("(", "["):
                return self.bracketed(t.val)
            if t.val == "\\{":
                if self.at("op", "\\}"):
                    self.next()
                    return sympy.S.EmptySet
                nxt = self.peek(1)
                if self.at("id") and ((nxt.kind == "op" and nxt.val in ("|", ":")) or nxt.val == "mid"):
                    self.i += 2  # set-builder {x | condition}: the condition
                    cond = self.list_until("\\}")
                    return BareList(*cond) if isinstance(cond, list) else cond
                v = self.list_until("\\}")
                return self._finite_set(v if isinstance(v, list) else [v])
            if t.val == "{":
                self.i -= 1
                return self.group()
            if t.val == "|":
                self.abs_depth += 1
                try:
                    v = self.expr(0)
                finally:
                    self.abs_depth -= 1
                self.expect("op", "|")
                return self.func("abs", v)
        if t.kind == "cmd":
            return self.command(t.val)
        raise MathParseError(f"unexpected token {t.val!r}")

    def ident(self, name: str) -> Any:
        if name == "pi":
            return pi
        if name == "infty":
            return oo
        if name in ("emptyset", "varnothing"):
            return sympy.S.EmptySet
        if name.startswith("set:"):
            return _SETS[name[4:]]
        if name == "e":
            return E
        if name == "i":
            return I
        if len(name) == 1 or name in GREEK:
            return Symbol(name)
        raise MathParseError(f"name {name!r} not allowed")

    def bracketed(self, open_: str) -> Any:
        self.skip_text()
        items = [self.relation()]
        while self.at("op", ","):
            self.next()
            items.append(self.relation())
            if len(items) > 200:
                raise MathParseError("too many items")
        self.skip_text()
        close = self.next()
        if close.kind != "op" or close.val not in (")", "]"):
            raise MathParseError("unbalanced brackets")
        items = [self.finish(x) for x in items]
        if len(items) == 1:
            if open_ == "(" and close.val == ")":
                return items[0]
            if open_ == "[" and close.val == "]":
                return items[0]
            raise MathParseError("mismatched brackets")
        scalars = all(isinstance(v, sympy.Expr) and not isinstance(v, sympy.MatrixBase) for v in items)
        if len(items) == 2 and scalars and (open_ == "[" or close.val == "]"):
            return self._interval(items[0], items[1], open_ == "(", close.val == ")")
        if open_ == "(" and close.val == ")":
            return Tuple(*items)
        if open_ == "[" and close.val == "]":
            return Tuple(*items)
        raise MathParseError("mismatched brackets")

    def function(self, name: str) -> Any:
        base = None
        power = None
        if self.at("op", "_"):
            self.next()
            base = self.group()
        if self.at("op", "^"):
            self.next()
            power = self.group()
        if self.at("op", "(") or self.at("op", "{"):
            open_ = self.next().val
            arg = self.relation() if open_ == "(" else self.relation()
            self.expect("op", ")" if open_ == "(" else "}")
        elif self.at("op", "[") and name == "sqrt":
            raise MathParseError("plain sqrt[")
        else:
            arg = self.func_arg()
        if power is not None and power == -1 and name in _INVERSE:
            return self._lift(lambda x: _INVERSE[name](x), arg)
        out = self.func(name, arg, base)
        if power is not None:
            out = self.power(out, power)
        return out

    def func_arg(self) -> Any:
        """Argument of ``\\sin 2x``: a run of implicitly multiplied factors."""
        arg = self.factor()
        while self.starts_primary(self.peek()) and self.peek().kind != "func":
            arg = self.mul(arg, self.factor())
        return arg

    def factor(self) -> Any:
        v = self.primary()
        while self.at("op", "^"):
            self.next()
            v = self.power(v, self.exponent())
        if self.at("op", "deg"):  # \cos 60^\circ: the degree sign belongs to the argument
            v = self.infix(v, self.peek(), 50)
        return v

    def command(self, name: str) -> Any:
        if name == "frac":
            num = self.group()
            den = self.group()
            return self.div(num, den)
        if name in ("binom", "dbinom", "tbinom"):
            n = self.group()
            k = self.group()
            if isinstance(n, sympy.Integer) and isinstance(k, sympy.Integer) and 0 <= n <= MAX_FACTORIAL:
                return sympy.binomial(n, k)
            raise MathParseError("binomial out of range")
        if name == "sqrt":
            index = None
            if self.at("op", "["):
                self.next()
                index = self.expr(0)
                self.expect("op", "]")
            arg = self.group()
            if index is None:
                return self.func("sqrt", arg)
            return self._lift(lambda a, n: self.power(a, self.div(Integer(1), n)), arg, index)
        if name in ("boxed", "fbox", "overline", "bar"):
            return self.group()
        if name in ("lfloor", "lceil"):
            v = self.expr(0)
            self.expect("cmd", "rfloor" if name == "lfloor" else "rceil")
            return self.func("floor" if name == "lfloor" else "ceil", v)
        if name in ("vert", "lvert", "|"):
            v = self.expr(0)
            t = self.next()
            if t.val not in ("vert", "rvert", "|"):
                raise MathParseError("unbalanced |")
            return self.func("abs", v)
        if name == "langle":
            v = self.list_until("rangle")
            return Tuple(*(v if isinstance(v, list) else [v]))
        if name.startswith("begin:"):
            return self.matrix(name[6:])
        raise MathParseError(f"unexpected \\{name}")

    def matrix(self, env: str) -> Any:
        rows: list[list[Any]] = [[]]
        while True:
            if self.at("cmd", f"end:{env}"):
                self.next()
                break
            if self.at("end"):
                raise MathParseError("unterminated matrix")
            rows[-1].append(self.finish(self.expr(0)))
            if self.at("op", "&"):
                self.next()
            elif self.at("op", "\\\\"):
                self.next()
                if self.at("cmd", f"end:{env}"):
                    continue
                rows.append([])
            elif not self.at("cmd", f"end:{env}"):
                raise MathParseError("bad matrix")
            if sum(len(r) for r in rows) > 400:
                raise MathParseError("matrix too large")
        if not rows[-1]:
            rows.pop()
        if not rows or len({len(r) for r in rows}) != 1:
            raise MathParseError("ragged matrix")
        self._check_scalar(*[x for r in rows for x in r])
        return ImmutableMatrix(rows)


def _number(val: str) -> sympy.Rational:
    if len(val) > 400:
        raise MathParseError("number too long")
    if "e" in val or "E" in val:
        mant, _, exp = val.lower().partition("e")
        return _number(mant) * Rational(10) ** int(exp)
    if "." in val:
        whole, frac = val.split(".")
        if not frac:
            return Integer(int(whole or "0"))
        return Rational(int((whole or "0") + frac), 10 ** len(frac))
    return Integer(int(val))


def _approx(x: Any) -> float:
    """Magnitude of a constant SymPy expression as a float (raises OverflowError when huge)."""
    from thoughtgym.verifiers.math.compare import evaluate  # local: avoids an import cycle

    v = evaluate(x, {})
    if v is None:
        raise ValueError("not numeric")
    return abs(v)


def _approx_log10(x: Any) -> float:
    if isinstance(x, sympy.Rational):
        if x == 0:
            return 0.0
        return math.log10(abs(int(x.p))) - math.log10(int(x.q)) if x.p else 0.0
    v = _approx(x)
    if v == 0:
        return 0.0
    return math.log10(v)


def is_huge(expr: Any) -> bool:
    """True when ``expr`` holds an unevaluated numeric power/product too large to evaluate safely."""
    stack = [expr]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > 20_000:
            return True
        if isinstance(node, Pow):
            b, e = node.args
            if b.is_Number and e.is_Integer and abs(e) > 1:
                return True
            if b.is_Number and not e.is_Rational and not e.free_symbols and e.has(Pow):
                return True
        if isinstance(node, Mul) and sum(1 for a in node.args if a.is_Number) > 1:
            return True
        if isinstance(node, sympy.Basic):
            stack.extend(node.args)
    return False


def parse_expression(
    text: str, *, latex: bool | None = None, percent: str = "divide", degrees: str = "strip"
) -> Any:
    """Parse one math answer (plain or LaTeX) into a SymPy object, through a whitelist only.

    Args:
        text: the expression, e.g. ``"3*x^2 + 2"``, ``"x**2"``, ``"\\frac{1}{3} \\times 18"``,
            ``"[0, 1)"``, ``"\\{1, 2\\}"``, ``"y = 2x + 1"``, ``"7,425,000"``, ``"3\\frac{1}{2}"``.
        latex: None detects; False rejects LaTeX commands (backslashes); True is the same as None.
        percent: how ``%`` is read: ``"divide"`` (50% -> 1/2), ``"strip"`` (50% -> 50) or
            ``"reject"``.
        degrees: how ``^\\circ`` / ``°`` is read: ``"strip"`` (30° -> 30) or ``"radians"``
            (30° -> pi/6).

    Returns:
        A SymPy object; see the module docstring for the kinds of results. Numbers are exact:
        decimals become Rationals.

    Raises:
        MathParseError: the text is not accepted, or exceeds a size, depth or magnitude bound.
    """
    if not isinstance(text, str):
        raise MathParseError("not a string")
    if len(text) > MAX_CHARS * 2:
        raise MathParseError("expression too long")
    norm = _normalize(text)
    if len(norm) > MAX_CHARS:
        raise MathParseError("expression too long")
    if not norm:
        raise MathParseError("empty expression")
    if latex is False and "\\" in norm:
        raise MathParseError("LaTeX not accepted")
    toks: list[_Tok] = []
    _tokenize(norm, toks)
    if not toks or all(t.kind == "text" for t in toks):
        raise MathParseError("no math in text")
    parser = _Parser(toks, percent, degrees)
    try:
        result = parser.parse_top()
    except MathParseError:
        raise
    except RecursionError as exc:
        raise MathParseError("nesting too deep") from exc
    except (TypeError, ValueError, AttributeError, ZeroDivisionError, OverflowError, IndexError) as exc:
        raise MathParseError(f"cannot build expression: {type(exc).__name__}") from exc
    except Exception as exc:  # SymPy raises assorted errors on odd constructions
        raise MathParseError(f"cannot build expression: {type(exc).__name__}") from exc
    if isinstance(result, (bool, int)) or result is None:
        raise MathParseError("not an expression")
    return result
