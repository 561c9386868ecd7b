"""Comparison of parsed SymPy objects: exact for numbers, numeric probing for expressions.

The in-process checks are bounded by construction: exact Rational comparison, structural equality,
and a small tree-walking evaluator over complex doubles (:func:`evaluate`) that never builds big
integers (it raises/returns None instead). Only when those cannot decide, a symbolic check
(``simplify``/``equals``) runs in the worker process of :mod:`.bounded` under a deadline.

Public API::

    expressions_equal(a, b, *, timeout_s=1.0) -> bool | None   # None: cannot tell
    evaluate(expr, env) -> complex | None
"""

from __future__ import annotations

import cmath
import math
import time
from collections.abc import Callable
from typing import Any

import sympy
from sympy import Tuple
from sympy.core.relational import Relational

__all__ = ["expressions_equal", "evaluate", "numbers_close"]

_REL_TOL = 1e-9
_CLEAR_TOL = 1e-6
_POINTS = (0.7318, 1.3219, 2.1547, 0.4113, 1.8731, 2.9173, 0.5571)
_NEG_POINTS = (-0.6131, -1.4142, -2.3371)
_MAX_WORKER_S = 1.0
_MAX_NODES = 5000


def _fact(x: complex) -> complex:
    if x.imag != 0 or x.real < 0 or x.real > 170 or x.real != int(x.real):
        raise ValueError("factorial")
    return complex(math.factorial(int(x.real)))


_FUNCS: dict[type, Callable[[complex], complex]] = {
    sympy.sin: cmath.sin, sympy.cos: cmath.cos, sympy.tan: cmath.tan,
    sympy.cot: lambda z: 1 / cmath.tan(z), sympy.sec: lambda z: 1 / cmath.cos(z),
    sympy.csc: lambda z: 1 / cmath.sin(z), sympy.asin: cmath.asin, sympy.acos: cmath.acos,
    sympy.atan: cmath.atan, sympy.acot: lambda z: cmath.atan(1 / z), sympy.sinh: cmath.sinh,
    sympy.cosh: cmath.cosh, sympy.tanh: cmath.tanh, sympy.exp: cmath.exp, sympy.Abs: lambda z: complex(abs(z)),
    sympy.floor: lambda z: complex(math.floor(z.real)) if z.imag == 0 else _bad(),
    sympy.ceiling: lambda z: complex(math.ceil(z.real)) if z.imag == 0 else _bad(),
    sympy.factorial: _fact,
}  # fmt: skip


def _bad() -> complex:
    raise ValueError("not real")


def evaluate(expr: Any, env: dict[Any, complex]) -> complex | None:
    """Evaluate a SymPy expression in complex doubles; None when undefined, infinite or too big.

    ``env`` maps Symbols to values. Only a fixed set of node types is understood; anything else
    gives None. Cost is linear in the tree size, capped at a few thousand nodes.
    """
    budget = [_MAX_NODES]
    try:
        v = _ev(expr, env, budget, 0)
    except (OverflowError, ValueError, ZeroDivisionError, TypeError, RecursionError, AttributeError):
        return None
    if v is None or not (cmath.isfinite(v)):
        return None
    return v


def _ev(e: Any, env: dict[Any, complex], budget: list[int], depth: int) -> complex | None:
    budget[0] -= 1
    if budget[0] < 0 or depth > 200:
        raise ValueError("too big")
    if isinstance(e, sympy.Integer):
        if int(e.p).bit_length() > 1000:
            raise OverflowError
        return complex(int(e.p))
    if isinstance(e, sympy.Rational):
        p, q = int(e.p), int(e.q)
        if p.bit_length() > 1000 or q.bit_length() > 1000:
            # keep the ratio's size, not the parts'
            shift = max(p.bit_length(), q.bit_length()) - 900
            return complex((p >> shift) / max(q >> shift, 1)) if (q >> shift) else _raise()
        return complex(p / q)
    if isinstance(e, sympy.Float):
        return complex(float(e))
    if e is sympy.pi:
        return complex(math.pi)
    if e is sympy.E:
        return complex(math.e)
    if e is sympy.I:
        return 1j
    if isinstance(e, sympy.Symbol):
        return env[e] if e in env else None
    if isinstance(e, sympy.Add):
        total = 0j
        for a in e.args:
            v = _ev(a, env, budget, depth + 1)
            if v is None:
                return None
            total += v
        return total
    if isinstance(e, sympy.Mul):
        prod = 1 + 0j
        for a in e.args:
            v = _ev(a, env, budget, depth + 1)
            if v is None:
                return None
            prod *= v
        return prod
    if isinstance(e, sympy.Pow):
        b, x = e.args
        if x.is_Integer and abs(int(x)) > 10_000:
            bv = _ev(b, env, budget, depth + 1)
            if bv is None:
                return None
            if abs(bv) > 1 + 1e-12 or abs(bv) < 1 - 1e-12:
                raise OverflowError  # overflows or underflows a double: cannot compare
            return bv ** int(x)
        bv = _ev(b, env, budget, depth + 1)
        xv = _ev(x, env, budget, depth + 1)
        if bv is None or xv is None:
            return None
        if xv.imag == 0 and xv.real == int(xv.real) and abs(xv.real) <= 10_000:
            if bv == 0 and xv.real < 0:
                return None
            return bv ** int(xv.real)
        if bv == 0:
            return 0j if xv.real > 0 else None
        if abs(xv) * max(abs(cmath.log(bv)), 1e-300) > 700:
            raise OverflowError
        if bv.imag == 0 and bv.real < 0 and xv.imag == 0:
            # real odd roots of negative numbers follow SymPy's principal branch
            return cmath.exp(xv * cmath.log(bv))
        return cmath.exp(xv * cmath.log(bv))
    if isinstance(e, sympy.log):
        args = [_ev(a, env, budget, depth + 1) for a in e.args]
        if any(a is None or a == 0 for a in args):
            return None
        if len(args) == 2:
            return cmath.log(args[0]) / cmath.log(args[1])
        return cmath.log(args[0])
    if isinstance(e, sympy.binomial):
        n, k = (_ev(a, env, budget, depth + 1) for a in e.args)
        if n is None or k is None:
            return None
        return complex(math.comb(int(n.real), int(k.real)))
    fn = _FUNCS.get(type(e))
    if fn is not None and len(e.args) == 1:
        v = _ev(e.args[0], env, budget, depth + 1)
        if v is None:
            return None
        if type(e) in (sympy.sinh, sympy.cosh, sympy.exp) and abs(v.real) > 700:
            raise OverflowError
        return fn(v)
    return None


def _raise() -> complex:
    raise OverflowError


def numbers_close(x: complex, y: complex, rel: float = _REL_TOL) -> bool:
    """Relative closeness with an absolute floor near zero."""
    scale = max(abs(x), abs(y), 1e-12)
    return abs(x - y) <= rel * scale


def _is_scalar(x: Any) -> bool:
    return isinstance(x, sympy.Expr) and not isinstance(x, sympy.MatrixBase)


def _numeric_scalar(a: Any, b: Any) -> bool | None:
    """Decide a == b for scalar expressions by exact or probing evaluation (in-process)."""
    if isinstance(a, sympy.Rational) and isinstance(b, sympy.Rational):
        return bool(a == b)
    from thoughtgym.verifiers.math.parse import is_huge

    if is_huge(a) or is_huge(b):
        return None
    inf = (sympy.oo, -sympy.oo, sympy.zoo, sympy.nan)
    if a in inf or b in inf:
        return bool(a == b)
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    if not syms:
        va, vb = evaluate(a, {}), evaluate(b, {})
        if va is None or vb is None:
            return None
        if not numbers_close(va, vb, _CLEAR_TOL):
            return False
        if numbers_close(va, vb, 1e-12):
            return _confirm_constant(a, b, max(abs(va), abs(vb)))
        return None
    if len(syms) > 12:
        return None
    valid = 0
    for k in range(len(_POINTS)):
        env = {s: complex(_POINTS[(k + 3 * j) % len(_POINTS)] + 0.113 * j) for j, s in enumerate(syms)}
        va, vb = evaluate(a, env), evaluate(b, env)
        if va is None or vb is None:
            if (va is None) != (vb is None) and valid == 0 and k > 3:
                return None
            continue
        if not numbers_close(va, vb, _REL_TOL):
            if not numbers_close(va, vb, _CLEAR_TOL):
                return False
            return None
        valid += 1
        if valid >= 5:
            break
    if valid < 3:
        return None
    if _branch_free(a) and _branch_free(b):
        # |x| vs x, \sqrt{x^2} vs x: also probe negative values where no branch cut is involved
        # (no log or inverse trig; every root's radicand a non-negative real at that point)
        roots = _fractional_powers(a) + _fractional_powers(b)
        negative = [
            {s: complex(_NEG_POINTS[(k + j) % len(_NEG_POINTS)] - 0.071 * j) for j, s in enumerate(syms)}
            for k in range(len(_NEG_POINTS))
        ]
        # mixed signs too: \sqrt{x^2 y^2} vs xy agrees wherever x and y share a sign
        mixed = [
            {s: complex(_POINTS[(k + j) % len(_POINTS)] * (-1 if (j + k) % 2 else 1)) for j, s in enumerate(syms)}
            for k in range(2)
        ] if len(syms) > 1 else []
        for env in negative + mixed:
            if not _radicands_nonnegative(roots, env):
                continue
            va, vb = evaluate(a, env), evaluate(b, env)
            if va is not None and vb is not None and not numbers_close(va, vb, _CLEAR_TOL):
                return False
    return True


def _branch_free(e: Any) -> bool:
    """No log or inverse trig: identities hold for negative values too (roots are checked per
    point by :func:`_radicands_nonnegative`)."""
    for node in sympy.preorder_traversal(e):
        if isinstance(node, (sympy.log, sympy.asin, sympy.acos, sympy.atan, sympy.acot)):
            return False
    return True


def _fractional_powers(e: Any) -> list[Any]:
    """Bases of the powers in ``e`` whose exponent is not an integer (roots, ``x^y``)."""
    return [n.base for n in sympy.preorder_traversal(e) if isinstance(n, sympy.Pow) and not n.exp.is_Integer]


def _radicands_nonnegative(bases: list[Any], env: dict[Any, complex]) -> bool:
    """Every base is a non-negative real at ``env``: no principal-branch value stands in for a
    real root there (``\\sqrt[3]{x^3}`` is ``x`` over the reals, not at the principal branch)."""
    for b in bases:
        v = evaluate(b, env)
        if v is None or abs(v.imag) > 1e-12 or v.real < 0:
            return False
    return True


def _confirm_constant(a: Any, b: Any, scale: float) -> bool | None:
    """Doubles agree to 1e-12: confirm with 40-digit arithmetic (``x`` vs ``x + 1`` at 1e15).

    Only reached for expressions whose double evaluation succeeded (no huge integers or
    overflowing powers), for which SymPy's ``evalf`` is fast.
    """
    try:
        d = sympy.Add(a, -b).evalf(40, maxn=160)
    except Exception:
        return None
    if d == 0:
        return True
    try:
        mag = abs(complex(d))
    except (TypeError, ValueError):
        return None
    return mag <= 1e-30 * max(1.0, scale)


def _relation_function(r: Relational) -> tuple[str, Any]:
    """Normalise a relation to (kind, f) with the meaning ``f <kind> 0`` and kind in ==, !=, >, >=."""
    lhs, rhs = r.args
    op = r.rel_op
    if op in ("<", "<="):
        return (">" if op == "<" else ">="), sympy.Add(rhs, -lhs)
    return op, sympy.Add(lhs, -rhs)


def _proportional(f: Any, g: Any, positive: bool) -> bool | None:
    """f == c*g for a constant c != 0 (c > 0 when ``positive``)."""
    from thoughtgym.verifiers.math.parse import is_huge

    if is_huge(f) or is_huge(g):
        return None
    syms = sorted(f.free_symbols | g.free_symbols, key=lambda s: s.name)
    if not syms:
        return None
    ratio: complex | None = None
    valid = 0
    for k in range(len(_POINTS)):
        env = {s: complex(_POINTS[(k + 3 * j) % len(_POINTS)] + 0.113 * j) for j, s in enumerate(syms)}
        vf, vg = evaluate(f, env), evaluate(g, env)
        if vf is None or vg is None:
            continue
        if abs(vg) < 1e-12 or abs(vf) < 1e-12:
            if abs(vg) < 1e-12 and abs(vf) < 1e-12:
                continue
            return False
        r = vf / vg
        if ratio is None:
            ratio = r
            if positive and (abs(r.imag) > 1e-9 * abs(r) or r.real <= 0):
                return False
        elif not numbers_close(r, ratio, 1e-8):
            return False
        valid += 1
    return True if valid >= 3 else None


def _relations_equal(a: Relational, b: Relational, deadline: float) -> bool | None:
    ka, fa = _relation_function(a)
    kb, fb = _relation_function(b)
    if ka != kb:
        return False
    return _proportional(fa, fb, positive=ka not in ("==", "!="))


def _match_unordered(xs: list[Any], ys: list[Any], deadline: float) -> bool | None:
    if len(xs) != len(ys):
        return False
    if len(xs) > 64:
        return None
    remaining = list(ys)
    unknown = False
    for x in xs:
        for j, y in enumerate(remaining):
            r = _equal(x, y, deadline)
            if r:
                del remaining[j]
                break
            if r is None:
                unknown = True
        else:
            return None if unknown else False
    return True


def _match_ordered(xs: Any, ys: Any, deadline: float) -> bool | None:
    if len(xs) != len(ys):
        return False
    unknown = False
    for x, y in zip(xs, ys, strict=True):
        r = _equal(x, y, deadline)
        if r is False:
            return False
        if r is None:
            unknown = True
    return None if unknown else True


def _equal(a: Any, b: Any, deadline: float) -> bool | None:
    """In-process structural/numeric comparison; None where it cannot decide."""
    if time.monotonic() > deadline:
        return None
    try:
        if a == b:
            return True
    except Exception:
        return None
    from thoughtgym.verifiers.math.parse import BareList

    if isinstance(a, Relational) and isinstance(b, Relational):
        return _relations_equal(a, b, deadline)
    if isinstance(a, sympy.And) and isinstance(b, sympy.And):
        return _match_unordered(list(a.args), list(b.args), deadline)
    if isinstance(a, sympy.Interval) and isinstance(b, sympy.Interval):
        if a.left_open != b.left_open or a.right_open != b.right_open:
            return False
        return _match_ordered([a.start, a.end], [b.start, b.end], deadline)
    if isinstance(a, sympy.Union) and isinstance(b, sympy.Union):
        return _match_unordered(list(a.args), list(b.args), deadline)
    if isinstance(a, sympy.FiniteSet) and isinstance(b, sympy.FiniteSet):
        return _match_unordered(list(a.args), list(b.args), deadline)
    if isinstance(a, BareList) and isinstance(b, BareList):
        return _match_unordered(list(a.args), list(b.args), deadline)
    if isinstance(a, Tuple) and isinstance(b, Tuple):
        return _match_ordered(a.args, b.args, deadline)
    if isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase):
        if a.shape != b.shape:
            return False
        return _match_ordered(list(a), list(b), deadline)
    if _is_scalar(a) and _is_scalar(b):
        return _numeric_scalar(a, b)
    return False


def symbolic_equal(a: Any, b: Any) -> bool | None:
    """Slow symbolic check (``simplify``/``equals``); meant to run in the worker process."""
    try:
        d = sympy.simplify(sympy.Add(a, -b))
        if d == 0:
            return True
        r = a.equals(b)
        return None if r is None else bool(r)
    except Exception:
        return None


def expressions_equal(a: Any, b: Any, *, timeout_s: float = 1.0) -> bool | None:
    """Are two parsed SymPy objects mathematically equal?

    Numbers compare exactly (Rationals) or to ~1e-12 relative (irrationals); expressions by
    evaluation at fixed probe points; equations as proportional ``lhs - rhs``; inequalities with a
    positive factor; intervals by endpoints and openness; sets ignoring order; tuples and matrices
    element-wise. Undecided scalar comparisons go to the worker process (``simplify``) with the
    remaining time. Returns True/False, or None when it cannot tell in time. Never raises.
    """
    deadline = time.monotonic() + max(0.0, float(timeout_s))
    try:
        r = _equal(a, b, deadline)
    except Exception:
        return None
    if r is not None:
        return r
    if not (_is_scalar(a) and _is_scalar(b)):
        return None
    from thoughtgym.verifiers.math.parse import is_huge

    if is_huge(a) or is_huge(b):
        return None
    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        return None
    from thoughtgym.verifiers.math.bounded import call_with_timeout, worker_ready

    # a warm worker gets at most _MAX_WORKER_S; a cold one may use the whole budget to start
    budget = min(remaining, _MAX_WORKER_S) if worker_ready() else remaining
    return call_with_timeout(symbolic_equal, a, b, timeout_s=budget, default=None)
