"""``equivalent(pred, gold)``: extract the model's final answer and decide equivalence with gold.

Semantics (documented choices):

* The first extraction candidate (see :mod:`.extract`) that parses is *the* answer; lower-priority
  candidates are tried only when higher ones do not parse (trying them all would accept a wrong
  answer whose working mentions the gold number).
* Numbers are exact (decimals are Rationals). A decimal against a decimal compares exactly
  (``35.551`` is not ``35.55``; ``2.50`` is ``2.5``). When **gold** is a decimal with ``k`` places
  and the prediction an exact non-decimal value, the prediction is rounded to ``k`` places (gold
  ``1.414`` accepts ``\\sqrt{2}``, gold ``0.33`` accepts ``1/3``). When the **prediction** is a
  decimal and gold is exact, it must be exact, or have at least :data:`MIN_PLACES_FOR_APPROX`
  places and match gold rounded to those places (``0.333333`` for ``1/3``; ``0.33`` is rejected).
* Percentages: ``50\\%`` equals ``50`` and ``0.5`` (either side), as Math-Verify does.
* ``x = 3`` equals ``3`` when one side is a bare value and the other assigns a single variable
  (or is a numeric chain ``2+1 = 3``); equations compare as proportional ``lhs - rhs``.
* ``(a, b)`` is a tuple, but equals the open interval ``(a, b)`` when the other side is an
  interval. ``\\{...\\}`` sets ignore order; a bare list ``1, 2`` ignores order against a set or
  another bare list and keeps it against a tuple. A one-element set equals its element.
* ``x > 3`` equals ``(3, \\infty)``; ``x \\in [1, 2]`` equals ``[1, 2]``.
* Units and currency (``\\$5``, ``5 dollars``, ``5\\text{ cm}``) are stripped when only one side
  names a unit, or both name the same one (``5 cm`` equals ``5`` and ``5 centimeters``); when both
  sides name units and they differ (``5 cm`` against ``5 m``), stripping is not safe and the answer
  is not equivalent. Degrees are read both ways: ``30^\\circ`` equals ``30`` and ``\\pi/6``.
* Plain LaTeX braces only group: ``{1, 3}`` is the bare list ``1, 3`` (a set needs ``\\{ \\}``).
* ``(C) 12`` / ``\\textbf{(C)}`` against a gold letter ``C`` compares the choice letter.
* ``f(x) = 2x`` equals ``2x``; ``a = 3, b = -2`` equals ``(3, -2)`` (ordered by variable name).
* Text answers (``\\text{even}``) compare as normalised strings (words case-insensitively).
* A candidate containing English prose is skipped when a cleaner candidate follows, and pieces of
  an answer that does not parse are not used in its place.

Every call is bounded by ``timeout_s`` and never raises; anything odd is ``False``.
"""

from __future__ import annotations

import re
import time
from fractions import Fraction
from typing import Any

import sympy
from sympy.core.relational import Relational

from thoughtgym.verifiers.math.compare import evaluate, expressions_equal
from thoughtgym.verifiers.math.extract import MAX_SCAN, clean_answer, extract_candidates, has_prose
from thoughtgym.verifiers.math.parse import BareList, MathParseError, is_huge, parse_expression

__all__ = ["equivalent", "MIN_PLACES_FOR_APPROX"]

MIN_PLACES_FOR_APPROX = 6
"""A decimal prediction matches an exact gold only with at least this many decimal places."""
MAX_CANDIDATES = 4

_DECIMAL_RE = re.compile(r"^\s*[-+]?\s*(?:\d{1,3}(?:,\d{3})+|\d*)\.(\d+)\s*(\\?%)?\s*$")
_NORM_WRAP_RE = re.compile(r"\\(?:text|textbf|mathrm|mbox|textit|mathbf)\s*\{([^{}]*)\}")
_NORM_DROP_RE = re.compile(r"\\left|\\right|\\[,;:! ]|[\s$]|\.$")
_FUNC_LHS_RE = re.compile(
    r"^\s*[A-Za-z](?:\^\{?-1\}?)?(?:_\{?\w+\}?)?\s*(?:\\left)?\(\s*[A-Za-z0-9.\-]+(?:\s*,\s*[A-Za-z0-9.\-]+)*\s*(?:\\right)?\)\s*=(?!=)"
)


def _norm_text(s: str) -> str:
    for _ in range(3):
        s = _NORM_WRAP_RE.sub(r"\1", s)
    s = _NORM_DROP_RE.sub("", s).replace("\\dfrac", "\\frac")
    if len(s) >= 3 and s[0] == "(" and s[-1] == ")" and s[1:-1].isalpha():
        s = s[1:-1]  # (B) -> B
    if s.isalpha() and len(s) > 1:
        s = s.lower()  # words compare case-insensitively (Yes / yes); single letters do not (x / X)
    return s


def _decimal_places(text: str) -> int | None:
    m = _DECIMAL_RE.match(text.replace("$", ""))
    return len(m.group(1)) if m else None


def _parse_variants(text: str) -> list[tuple[Any, int]]:
    """Parses of one answer: ``%`` as /100 and, when present, ``%`` stripped; degrees kept or in
    radians. Each parse comes with the decimal-place shift its reading implies (2 for ``%`` /100).
    """
    out: list[tuple[Any, int]] = []
    text = _FUNC_LHS_RE.sub("", text, count=1)  # f(x) = 2x  ->  2x
    modes = ["divide", "strip"] if "%" in text else ["divide"]
    degs = ["strip", "radians"] if ("circ" in text or "°" in text or "degree" in text) else ["strip"]
    for deg in degs:
        for mode in modes:
            try:
                shift = 2 if (mode == "divide" and "%" in text) else 0
                out.append((parse_expression(text, percent=mode, degrees=deg), shift))
            except MathParseError:
                continue
            except Exception:
                continue
    return out


def _single_assignment(x: Any) -> Any | None:
    """``x = v`` (symbol on the left) or a numeric chain ``2+1 = 3``: the value ``v``."""
    if isinstance(x, sympy.Eq):
        lhs, rhs = x.args
        if isinstance(lhs, sympy.Symbol):
            return rhs
        if (
            isinstance(lhs, sympy.Expr)
            and isinstance(rhs, sympy.Expr)
            and not (lhs.free_symbols or rhs.free_symbols)
        ):
            return rhs  # a numeric chain 2 + 1 = 3
        if isinstance(rhs, sympy.Symbol) and not lhs.has(rhs):
            return lhs
    return None


def _strip_assignments(x: Any) -> Any | None:
    if isinstance(x, sympy.Eq):
        return _single_assignment(x)
    if isinstance(x, (sympy.FiniteSet, BareList)):
        args = list(x.args)
        if all(isinstance(a, sympy.Eq) and isinstance(a.lhs, sympy.Symbol) for a in args):
            names = [a.lhs.name for a in args]
            if len(set(names)) == len(names):  # x = 1, y = 2: ordered by variable name
                args.sort(key=lambda a: a.lhs.name)
        vals = [_strip_assignments(a) if isinstance(a, sympy.Eq) else a for a in args]
        if any(v is None for v in vals) or vals == args:
            return None
        return BareList(*vals) if isinstance(x, BareList) else sympy.FiniteSet(*vals)
    return None


def _relation_as_set(x: Any) -> Any | None:
    """``x > 3`` -> (3, oo); ``1 < x <= 2`` -> (1, 2]; ``x < -1 or x > 1`` -> a union.

    Only for one symbol against constants.
    """
    if isinstance(x, (BareList, sympy.FiniteSet)) and len(x.args) > 1:
        parts = [_relation_as_set(a) for a in x.args]
        if any(p is None for p in parts):
            return None
        return sympy.Union(*parts)
    rels = list(x.args) if isinstance(x, sympy.And) else [x]
    if not rels or not all(isinstance(r, Relational) and r.rel_op in ("<", "<=", ">", ">=") for r in rels):
        return None
    result: Any = sympy.S.Reals
    sym = None
    for r in rels:
        lhs, rhs = r.args
        op = r.rel_op
        if isinstance(rhs, sympy.Symbol) and not lhs.free_symbols:
            lhs, rhs = rhs, lhs
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
        if not isinstance(lhs, sympy.Symbol) or rhs.free_symbols or (sym is not None and lhs != sym):
            return None
        sym = lhs
        if op in (">", ">="):
            iv = sympy.Interval(rhs, sympy.oo, op == ">", True)
        else:
            iv = sympy.Interval(-sympy.oo, rhs, True, op == "<")
        result = sympy.Intersection(result, iv)
    return result


def _as_interval(t: Any) -> Any | None:
    if isinstance(t, sympy.Tuple) and not isinstance(t, BareList) and len(t) == 2:
        try:
            return sympy.Interval(t[0], t[1], True, True)
        except Exception:
            return None
    return None


def _as_matrix(t: Any) -> Any | None:
    """A tuple of equal-length tuples as a matrix."""
    if not isinstance(t, sympy.Tuple) or not t.args:
        return None
    rows = []
    for r in t.args:
        if isinstance(r, sympy.Tuple):
            rows.append(list(r.args))
        elif isinstance(r, sympy.Interval) and not (r.left_open or r.right_open):
            rows.append([r.start, r.end])  # the row [1, 2] was read as a closed interval
        else:
            return None
    if len({len(r) for r in rows}) != 1:
        return None
    try:
        return sympy.ImmutableMatrix(rows)
    except Exception:
        return None


def _round_match(value: Any, gold: Any, places: int) -> bool | None:
    """|value - gold| <= half a unit in the last of ``places`` decimals (exact where possible)."""
    half = Fraction(1, 2 * 10**places)
    if isinstance(value, sympy.Rational) and isinstance(gold, sympy.Rational):
        diff = abs(Fraction(int(value.p), int(value.q)) - Fraction(int(gold.p), int(gold.q)))
        return diff <= half
    if is_huge(value) or is_huge(gold) or places > 12:
        return None
    v, g = evaluate(value, {}), evaluate(gold, {})
    if v is None or g is None or abs(v.imag) > 1e-12 or abs(g.imag) > 1e-12:
        return None
    return abs(v.real - g.real) <= float(half) * (1 + 1e-9) + 1e-15 * abs(g.real)


def _is_number(x: Any) -> bool:
    return isinstance(x, sympy.Expr) and not isinstance(x, sympy.MatrixBase) and not x.free_symbols


def _compare(
    p: Any, g: Any, p_text: str, g_text: str, deadline: float, p_shift: int = 0, g_shift: int = 0
) -> bool:
    def eq(a: Any, b: Any) -> bool | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        return expressions_equal(a, b, timeout_s=remaining)

    if isinstance(p, BareList) and all(a == p.args[0] for a in p.args):
        p = p.args[0]  # "1/2 or 0.5": one value written twice
    g_places = _decimal_places(g_text)
    p_places = _decimal_places(p_text)
    g_places = None if g_places is None else g_places + g_shift
    p_places = None if p_places is None else p_places + p_shift
    if _is_number(p) and _is_number(g):
        if isinstance(p, sympy.Rational) and isinstance(g, sympy.Rational) and p == g:
            return True
        if g_places is not None and p_places is None:
            return bool(_round_match(p, g, g_places))
        if p_places is not None and p_places >= MIN_PLACES_FOR_APPROX and g_places is None:
            return bool(_round_match(g, p, p_places))
        if p_places is not None or g_places is not None:
            return False
        return eq(p, g) is True
    if eq(p, g) is True:
        return True
    # one side assigns a value, the other gives it bare
    if not isinstance(g, Relational):
        sp = _strip_assignments(p)
        if sp is not None:
            return _compare(sp, g, p_text if isinstance(p, sympy.Eq) else "", g_text, deadline)
    if not isinstance(p, Relational):
        sg = _strip_assignments(g)
        if sg is not None:
            return _compare(p, sg, p_text, g_text if isinstance(g, sympy.Eq) else "", deadline)
    # tuples vs open intervals
    if isinstance(g, (sympy.Interval, sympy.Union)) and (ip := _as_interval(p)) is not None:
        return eq(ip, g) is True
    if isinstance(p, (sympy.Interval, sympy.Union)) and (ig := _as_interval(g)) is not None:
        return eq(p, ig) is True
    # inequalities vs intervals (or a tuple read as an open interval)
    if (rp := _relation_as_set(p)) is not None:
        gs = g if isinstance(g, sympy.Set) else _as_interval(g)
        return gs is not None and eq(rp, gs) is True
    if (rg := _relation_as_set(g)) is not None:
        ps = p if isinstance(p, sympy.Set) else _as_interval(p)
        return ps is not None and eq(ps, rg) is True
    # bare lists against sets and tuples
    if isinstance(p, BareList) and isinstance(g, sympy.FiniteSet):
        return eq(sympy.FiniteSet(*p.args), g) is True
    if isinstance(g, BareList) and isinstance(p, sympy.FiniteSet):
        return eq(p, sympy.FiniteSet(*g.args)) is True
    if isinstance(p, BareList) and isinstance(g, sympy.Tuple) and not isinstance(g, BareList):
        return eq(sympy.Tuple(*p.args), g) is True
    if isinstance(g, BareList) and isinstance(p, sympy.Tuple) and not isinstance(p, BareList):
        return eq(p, sympy.Tuple(*g.args)) is True
    # [[1, 2], [3, 4]] written as nested lists against a matrix
    if isinstance(g, sympy.MatrixBase) and (mp := _as_matrix(p)) is not None:
        return eq(mp, g) is True
    if isinstance(p, sympy.MatrixBase) and (mg := _as_matrix(g)) is not None:
        return eq(p, mg) is True
    # column / row vectors against tuples
    if isinstance(p, sympy.MatrixBase) and isinstance(g, sympy.Tuple) and 1 in p.shape:
        return eq(sympy.Tuple(*list(p)), sympy.Tuple(*g.args)) is True
    if isinstance(g, sympy.MatrixBase) and isinstance(p, sympy.Tuple) and 1 in g.shape:
        return eq(sympy.Tuple(*p.args), sympy.Tuple(*list(g))) is True
    # a one-element set and its element
    if isinstance(p, sympy.FiniteSet) and len(p) == 1 and not isinstance(g, sympy.Set):
        return _compare(p.args[0], g, p_text, g_text, deadline)
    if isinstance(g, sympy.FiniteSet) and len(g) == 1 and not isinstance(p, sympy.Set):
        return _compare(p, g.args[0], p_text, g_text, deadline)
    return False


def _gold_answer(gold: str) -> list[str]:
    gold = gold[-MAX_SCAN:]
    if "\\boxed" in gold or "\\fbox" in gold or "<answer>" in gold or "####" in gold:
        return extract_candidates(gold)[:1]
    return [clean_answer(gold)]


_CHOICE_RE = re.compile(r"^\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{)?\s*\(([A-Ea-e])\)")
_LETTER_RE = re.compile(r"^\(?([A-E])\)?$")


def _choice_letter(text: str) -> str | None:
    """``(C) 12`` / ``\\textbf{(C) }12`` -> ``C``."""
    m = _CHOICE_RE.match(text)
    return m.group(1).upper() if m else None


_UNIT_NAMES = {
    "mm": ("mm", "millimeter", "millimeters", "millimetre", "millimetres"),
    "cm": ("cm", "centimeter", "centimeters", "centimetre", "centimetres"),
    "m": ("m", "meter", "meters", "metre", "metres"),
    "km": ("km", "kilometer", "kilometers", "kilometre", "kilometres"),
    "in": ("in", "inch", "inches"), "ft": ("ft", "foot", "feet"), "yd": ("yd", "yard", "yards"),
    "mi": ("mi", "mile", "miles"),
    "mg": ("mg", "milligram", "milligrams"), "g": ("g", "gram", "grams"),
    "kg": ("kg", "kilogram", "kilograms"), "lb": ("lb", "lbs", "pound", "pounds"),
    "oz": ("oz", "ounce", "ounces"),
    "ml": ("ml", "milliliter", "milliliters", "millilitre", "millilitres"),
    "l": ("l", "liter", "liters", "litre", "litres"), "gal": ("gal", "gallon", "gallons"),
    "s": ("s", "sec", "secs", "second", "seconds"), "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"), "day": ("day", "days"), "week": ("week", "weeks"),
    "month": ("month", "months"), "year": ("year", "years"),
    "usd": ("usd", "dollar", "dollars"), "cent": ("cent", "cents"), "eur": ("eur", "euro", "euros"),
}  # fmt: skip  (rates such as mph are left out: "60 mph" and "60 miles per hour" must agree)
_UNIT_CANON = {name: canon for canon, names in _UNIT_NAMES.items() for name in names}
# A unit counts only right after a number (optionally through LaTeX spacing or \text{ / \mathrm{),
# so the variable m in "y = mx + b" or the word "in" is never read as a unit.
_UNIT_AFTER_NUMBER_RE = re.compile(
    r"\d\s*(?:\\[,;:! ]|~|\\(?:text|mathrm|mbox|textrm)\s*\{)*\s*([A-Za-z]+)\b(?!\s*[(=])"
)


def _units(text: str) -> set[str]:
    """Canonical units named right after numbers in ``text`` (``\\$`` counts as dollars)."""
    units = {_UNIT_CANON[w.lower()] for w in _UNIT_AFTER_NUMBER_RE.findall(text[:MAX_SCAN]) if w.lower() in _UNIT_CANON}
    if "\\$" in text:  # a bare $ is a math delimiter, not currency
        units.add("usd")
    return units


def _units_conflict(pred: str, gold: str) -> bool:
    """Both sides name units and they differ: stripping them would not be safe."""
    pu, gu = _units(pred), _units(gold)
    return bool(pu) and bool(gu) and pu != gu


def _equivalent(pred: str, gold: str, deadline: float) -> bool:
    golds = _gold_answer(gold)
    if not golds or not golds[0]:
        return False
    g_text = golds[0]
    cands = extract_candidates(pred)[:MAX_CANDIDATES]
    if not cands:
        return False
    g_norm = _norm_text(g_text)
    if _norm_text(cands[0]) == g_norm and g_norm:
        return True
    gl = _LETTER_RE.match(g_norm.upper())
    if gl and (letter := _choice_letter(cands[0])) is not None:
        return letter == gl.group(1)
    g_parsed = _parse_variants(g_text)
    if not g_parsed:
        if len(golds) == 1 and len(gold) < 300:
            g_parsed = [x for c in extract_candidates(gold)[:2] for x in _parse_variants(c)]
            g_text = ""
        if not g_parsed:
            return False
    failed: list[str] = []
    for cand in cands:
        if time.monotonic() > deadline:
            return False
        if any(cand in f for f in failed):
            continue  # a piece of an answer we could not read is not the answer
        if cand is not cands[-1] and has_prose(cand):
            continue  # words would parse as products of letters; a later candidate is cleaner
        if _units_conflict(cand, g_text or gold):
            return False
        p_parsed = _parse_variants(cand)
        if not p_parsed:
            if _norm_text(cand) == g_norm:
                return True
            if not has_prose(cand):
                failed.append(cand)
            continue
        for p, p_shift in p_parsed:
            for g, g_shift in g_parsed:
                if time.monotonic() > deadline:
                    return False
                if _compare(p, g, cand, g_text, deadline, p_shift, g_shift):
                    return True
        return False
    return False


def equivalent(pred: str, gold: str, *, timeout_s: float = 2.0) -> bool:
    """Is the final answer in model text ``pred`` mathematically equivalent to ``gold``?

    ``pred`` may be a whole completion (``\\boxed{}``, "the answer is", ``<answer>``, ``####``,
    last expression); ``gold`` is a reference answer (LaTeX or plain; a ``\\boxed{}`` in it is
    extracted). See the module docstring for the exact semantics. Returns within ``timeout_s``
    (a few milliseconds of slack), from any thread, and never raises: bad text gives False.
    """
    start = time.monotonic()
    try:
        if not isinstance(pred, str) or not isinstance(gold, str) or not timeout_s > 0:
            return False
        deadline = start + max(0.0, float(timeout_s))
        return bool(_equivalent(pred, gold, deadline))
    except RecursionError:
        return False
    except Exception:
        return False
