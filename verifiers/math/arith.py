"""A small, fast, exact arithmetic evaluator over :class:`fractions.Fraction`.

This is the fast path of step checking: most claims in worked solutions (GSM8K, BIG-Bench
multistep arithmetic, fractions) are plain arithmetic, and evaluating them exactly with a
hand-written tokenizer and precedence climbing is orders of magnitude cheaper than building
SymPy objects.  Nothing here calls ``eval``; every size is bounded before it is computed:

* expressions longer than :data:`MAX_EXPR_CHARS` or nested deeper than :data:`MAX_DEPTH` are refused;
* number literals longer than :data:`MAX_DIGITS` digits are refused;
* a power is computed only when the exponent is a small integer and the result's size, estimated
  from the base's bit length, stays under :data:`MAX_BITS`;
* any intermediate value whose numerator or denominator exceeds :data:`MAX_BITS` bits is refused.

Accepted notation: ``+ - − – * × · / ÷ ^ **``, ``x``/``X`` as "times" between numbers, ``%``
(postfix, divides by 100), ``$`` (ignored), thousands separators (``1,000``), mixed numbers
(``3 1/2``), parentheses ``() [] {}``, LaTeX ``\\times \\cdot \\div \\frac{a}{b} \\dfrac \\left
\\right \\sqrt{}``, ``sqrt(...)``, implicit multiplication ``2(3+4)`` and ``2L`` (a bound name),
and names looked up in a ``bindings`` mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt

__all__ = [
    "ArithError",
    "evaluate",
    "try_evaluate",
    "literal_value",
    "value_matches",
    "format_value",
    "names_in",
    "MAX_BITS",
]

MAX_EXPR_CHARS = 4000
MAX_DIGITS = 200
MAX_BITS = 20000
MAX_DEPTH = 120
MAX_TOKENS = 2000


class ArithError(ValueError):
    """Raised when text is not plain bounded arithmetic (or refers to an unbound name)."""


@dataclass(frozen=True)
class Tok:
    """One token: kind is NUM, NAME, OP, LP, RP, PCT, FUNC or END."""

    kind: str
    text: str
    value: Fraction | None = None


_NUM_RE = re.compile(
    r"(?P<mixed>(?P<mw>\d{1,9})[ ]+(?P<mn>\d{1,9})/(?P<md>\d{1,9})(?![\d.,/]))"
    r"|(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|\d+(?:\.\d+)?|\.\d+)"
)
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:'*)")
_LATEX_DROP = ("\\left", "\\right", "\\,", "\\;", "\\!", "\\ ", "\\big", "\\Big", "\\bigl", "\\bigr")
_LATEX_OPS = {"\\times": "*", "\\cdot": "*", "\\ast": "*", "\\div": "/"}
_FUNCS = {"sqrt"}
_UNARY_CHARS = {"-": "-", "−": "-", "–": "-", "+": "+"}
_BIN = {
    "+": "+", "-": "-", "−": "-", "–": "-",
    "*": "*", "×": "*", "·": "*", "∙": "*", "⋅": "*",
    "/": "/", "÷": "/", "∕": "/",
    "^": "^",
}
_OPEN = "([{"
_CLOSE = ")]}"


def _expand_frac(text: str) -> str:
    """Rewrite ``\\frac{a}{b}`` (and ``\\dfrac``/``\\tfrac``) as ``((a)/(b))``; braces must balance."""
    for cmd in ("\\dfrac", "\\tfrac", "\\frac"):
        guard = 0
        while cmd in text:
            guard += 1
            if guard > 200:
                raise ArithError("too many fractions")
            i = text.index(cmd)
            j = i + len(cmd)
            args = []
            for _ in range(2):
                while j < len(text) and text[j] == " ":
                    j += 1
                if j < len(text) and text[j] == "{":
                    depth, k = 0, j
                    while k < len(text):
                        if text[k] == "{":
                            depth += 1
                        elif text[k] == "}":
                            depth -= 1
                            if depth == 0:
                                break
                        k += 1
                    if depth != 0:
                        raise ArithError("unbalanced braces in \\frac")
                    args.append(text[j + 1 : k])
                    j = k + 1
                elif j < len(text) and text[j].isdigit():
                    args.append(text[j])  # \frac12
                    j += 1
                else:
                    raise ArithError("malformed \\frac")
            text = text[:i] + "((" + args[0] + ")/(" + args[1] + "))" + text[j:]
    return text


def tokenize(text: str, bindings: Mapping[str, Fraction] | None = None) -> list[Tok]:
    """Split ``text`` into tokens, raising :class:`ArithError` on anything that is not arithmetic."""
    if len(text) > MAX_EXPR_CHARS:
        raise ArithError("expression too long")
    for d in _LATEX_DROP:
        text = text.replace(d, " " if d.startswith("\\") and len(d) == 2 else "")
    for k, v in _LATEX_OPS.items():
        text = text.replace(k, v)
    text = text.replace("\\sqrt", "sqrt").replace("**", "^").replace("$", "").replace("\\%", "%")
    if "\\" in text:
        text = _expand_frac(text)
        if "\\" in text:
            raise ArithError("unsupported LaTeX command")
    bindings = bindings or {}
    toks: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if len(toks) > MAX_TOKENS:
            raise ArithError("too many tokens")
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _NUM_RE.match(text, i)
            if not m:
                raise ArithError(f"bad number at {text[i:i + 10]!r}")
            if m.group("mixed"):
                w, nu, de = int(m.group("mw")), int(m.group("mn")), int(m.group("md"))
                prev_op = toks and toks[-1].kind == "OP" and toks[-1].text in "*/^"
                if de == 0 or nu >= de or prev_op:
                    m = _NUM_RE.match(text, i, i + len(m.group("mw")))
                    assert m is not None
                else:
                    toks.append(Tok("NUM", m.group(0), Fraction(w) + Fraction(nu, de)))
                    i = m.end()
                    continue
            lit = m.group("num")
            if len(lit) > MAX_DIGITS:
                raise ArithError("number literal too long")
            value = Fraction(lit.replace(",", ""))
            end = m.end()
            # "1 1/2 / 1/2": a tight fraction right after a division is one number
            if (toks and toks[-1].kind == "OP" and toks[-1].text == "/" and end < n and text[end] == "/"
                    and i > 0 and text[i - 1] == " "):
                m2 = re.compile(r"\d{1,9}(?![\d.])").match(text, end + 1)
                if m2 and int(m2.group(0)) != 0:
                    value = value / int(m2.group(0))
                    lit = text[i : m2.end()]
                    end = m2.end()
            toks.append(Tok("NUM", lit, value))
            i = end
            continue
        if c in _OPEN:
            toks.append(Tok("LP", c))
            i += 1
            continue
        if c in _CLOSE:
            toks.append(Tok("RP", c))
            i += 1
            continue
        if c == "%":
            toks.append(Tok("PCT", c))
            i += 1
            continue
        if c in _BIN:
            toks.append(Tok("OP", _BIN[c]))
            i += 1
            continue
        if c.isalpha() or c == "_":
            m = _NAME_RE.match(text, i)
            if not m:
                raise ArithError("bad name")
            name = m.group(0)
            prev_val = toks and toks[-1].kind in ("NUM", "RP", "PCT")
            if name in ("x", "X") and name not in bindings and prev_val:
                # "3 x 4": times between two values
                j = m.end()
                while j < n and text[j] == " ":
                    j += 1
                if j < n and (text[j].isdigit() or text[j] in "(.$"):
                    toks.append(Tok("OP", "*"))
                    i = m.end()
                    continue
            if name in _FUNCS:
                toks.append(Tok("FUNC", name))
            else:
                if name not in bindings:
                    raise ArithError(f"unbound name {name!r}")
                toks.append(Tok("NAME", name, Fraction(bindings[name])))
            i = m.end()
            continue
        raise ArithError(f"unexpected character {c!r}")
    # implicit multiplication: 2(3), (2)(3), 2L, )L
    out: list[Tok] = []
    for t in toks:
        if out and out[-1].kind in ("NUM", "RP", "NAME", "PCT") and t.kind in ("LP", "NAME", "FUNC"):
            if not (out[-1].kind == "NAME" and t.kind == "NAME"):
                out.append(Tok("OP", "*"))
        out.append(t)
    out.append(Tok("END", ""))
    return out


def _check_size(v: Fraction) -> Fraction:
    if v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
        raise ArithError("intermediate value too large")
    return v


def _root(v: Fraction, q: int) -> Fraction:
    """Exact q-th root of a non-negative rational, or ArithError when irrational."""
    if v < 0:
        if q % 2 == 0:
            raise ArithError("even root of a negative number")
        return -_root(-v, q)
    out = []
    for part in (v.numerator, v.denominator):
        if q == 2:
            r = isqrt(part)
        else:
            r = round(part ** (1.0 / q)) if part.bit_length() < 1000 else -1
        if r < 0 or r**q != part:
            raise ArithError("irrational root")
        out.append(r)
    return Fraction(out[0], out[1])


def _power(base: Fraction, exp: Fraction) -> Fraction:
    if exp.denominator != 1:
        if exp.denominator > 10:
            raise ArithError("unsupported fractional exponent")
        base = _root(base, exp.denominator)
        exp = Fraction(exp.numerator)
    e = exp.numerator
    if base == 0:
        if e < 0:
            raise ArithError("division by zero")
        return Fraction(0) if e else Fraction(1)
    if base in (1, -1):
        return base ** (abs(e) % 2 if base == -1 else 0) if e else Fraction(1)
    if abs(e) > MAX_BITS:
        raise ArithError("exponent too large")
    bits = max(base.numerator.bit_length(), base.denominator.bit_length())
    if bits * abs(e) > MAX_BITS:
        raise ArithError("power too large")
    return base**e


class _Parser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.depth = 0

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> Fraction:
        v = self.expr(0)
        if self.peek().kind != "END":
            raise ArithError(f"unexpected {self.peek().text!r}")
        return v

    _PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}

    def expr(self, min_prec: int) -> Fraction:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ArithError("nesting too deep")
        left = self.unary()
        while True:
            t = self.peek()
            if t.kind != "OP":
                break
            prec = self._PREC[t.text]
            if prec < min_prec:
                break
            self.take()
            if t.text == "^":
                right = self.expr(prec)  # right associative
                left = _power(left, right)
            else:
                right = self.expr(prec + 1)
                if t.text == "+":
                    left = left + right
                elif t.text == "-":
                    left = left - right
                elif t.text == "*":
                    left = left * right
                else:
                    if right == 0:
                        raise ArithError("division by zero")
                    left = left / right
            left = _check_size(left)
        self.depth -= 1
        return left

    def unary(self) -> Fraction:
        t = self.peek()
        if t.kind == "OP" and t.text in ("-", "+"):
            self.take()
            # unary minus binds looser than ^ (-2^2 = -4) but tighter than * and /
            v = self.expr(3)
            return -v if t.text == "-" else v
        return self.postfix()

    def postfix(self) -> Fraction:
        v = self.atom()
        while self.peek().kind == "PCT":
            self.take()
            v = v / 100
        return v

    def atom(self) -> Fraction:
        t = self.take()
        if t.kind in ("NUM", "NAME"):
            assert t.value is not None
            return t.value
        if t.kind == "LP":
            v = self.expr(0)
            close = self.take()
            if close.kind != "RP" or _OPEN.index(t.text) != _CLOSE.index(close.text):
                raise ArithError("unbalanced parentheses")
            return v
        if t.kind == "FUNC":
            if self.peek().kind != "LP":
                raise ArithError("function without parentheses")
            return _root(self.atom(), 2)
        raise ArithError(f"unexpected {t.text or 'end'!r}")


def evaluate(text: str, bindings: Mapping[str, Fraction] | None = None) -> Fraction:
    """Evaluate plain arithmetic exactly; raise :class:`ArithError` on anything else or over bounds."""
    toks = tokenize(text, bindings)
    if len(toks) == 1:
        raise ArithError("empty expression")
    return _Parser(toks).parse()


def try_evaluate(text: str, bindings: Mapping[str, Fraction] | None = None) -> Fraction | None:
    """Like :func:`evaluate` but return None instead of raising (also on RecursionError)."""
    try:
        return evaluate(text, bindings)
    except (ArithError, RecursionError, ValueError, ZeroDivisionError, OverflowError):
        return None


_LITERAL_RE = re.compile(r"^\s*\$?\s*([-−–]?)\s*\$?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$")


def literal_value(text: str) -> tuple[Fraction, int] | None:
    """If ``text`` is a bare number (optionally signed, ``$``, ``%``), return (value, decimals shown)."""
    m = _LITERAL_RE.match(text)
    if not m:
        return None
    lit = m.group(2).replace(",", "")
    if len(lit) > MAX_DIGITS:
        return None
    v = Fraction(lit)
    dec = len(lit.split(".")[1]) if "." in lit else 0
    if m.group(1):
        v = -v
    if m.group(3):
        v = v / 100
        dec += 2
    return v, dec


def value_matches(exact: Fraction, stated: Fraction, decimals: int | None, *, approx: bool = False) -> bool:
    """Is ``stated`` an acceptable statement of ``exact``?

    Equal values always match.  When the stated value was written as a decimal literal with
    ``decimals`` places and the exact value needs more places, any value within one unit of the
    last shown place (rounding or truncation) matches, e.g. 10/3 = 3.33 or 2/3 = 0.66 or 0.67.
    With ``approx`` (an ``≈`` claim) a relative error up to 1% also matches.
    """
    if exact == stated:
        return True
    if approx:
        if abs(exact - stated) <= abs(exact) / 100 + Fraction(1, 10 ** min(decimals or 0, 12)) / 2:
            return True
    if decimals is None:
        return False
    unit = Fraction(1, 10**decimals)
    # exact must need more precision than shown
    if (exact / unit).denominator == 1:
        return False
    return abs(exact - stated) < unit


def format_value(v: Fraction) -> str:
    """Human-readable exact value: integers plainly, terminating decimals as decimals, else a/b."""
    if v.denominator == 1:
        return str(v.numerator)
    d = v.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1 and v.denominator < 10**12:
        k = 0
        while (v * 10**k).denominator != 1:
            k += 1
        s = f"{abs(v.numerator) * 10**k // v.denominator:0{k + 1}d}"
        return ("-" if v < 0 else "") + s[:-k] + "." + s[-k:]
    return f"{v.numerator}/{v.denominator}"


def names_in(text: str) -> set[str]:
    """Names (identifiers) in an expression, ignoring ``x`` used as times and LaTeX commands."""
    text = re.sub(r"\\[A-Za-z]+", " ", text)
    out = set()
    for m in _NAME_RE.finditer(text):
        start = m.start()
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            pass
        out.add(m.group(0))
    return out
