"""Step-level math checking: :func:`check_step` and :func:`first_error`.

A step is checked against what it claims and what came before it:

1. **Arithmetic** in any notation (``18 - 6 = 11``, ``<<2*3=7>>7``, ``\\(1/3 \\times 18 = 6\\)``,
   chains ``A = 3 + 4 = 8``) is evaluated exactly by :mod:`.arith` (fast, bounded, no ``eval``).
   Every ``=`` link of a chain must hold; a first link whose left side is a bare name is a
   definition (``A = ...``) that binds the name for later steps.
2. **Bindings**: a name bound in an earlier step (``A`` computed in step 2) is substituted when it is
   used later (``A * B = ...``), so using it with another value is caught.
3. **Restatements**: a decomposition ``written as "A - B"`` must have the value of the problem's
   expression when the problem is a plain arithmetic expression.
4. **Symbolic** equations (with the task's unknowns) must hold at the solutions of
   ``context["given"]``; chains of expressions must keep their value; ``x = 2 or x = 3`` must be the
   solution set; ``f'(x) = ...`` / ``d/dx(...) = ...`` must be the derivative.  This path uses the
   whitelist parser (:mod:`.parse`) and the bounded helpers, never ``sympify`` on model text.

False alarms cost more than misses: anything the checker is not sure how to read is skipped, and a
step with nothing checkable gets ``ok=None`` (score 0.5).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from thoughtgym.verifiers.math.arith import (
    format_value,
    literal_value,
    try_evaluate,
    value_matches,
)
from thoughtgym.verifiers.math.segment import MAX_STEP_CHARS, Chain, segment
from thoughtgym.verifiers.verdict import Verdict

try:  # import the symbolic stack up front so its import time never counts against a check's deadline
    import sympy as _sympy  # noqa: F401

    from thoughtgym.verifiers.math import compare as _compare_mod  # noqa: F401
    from thoughtgym.verifiers.math import parse as _parse_mod  # noqa: F401
except Exception:  # pragma: no cover - the arithmetic path works without them
    pass

__all__ = ["check_step", "first_error"]

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_STEPS = 2000


class _Timeout(Exception):
    pass


@dataclass
class _State:
    """What is known before a step: bound names, problem value, symbolic facts."""

    problem: str | None
    context: Mapping[str, Any]
    deadline: float
    bindings: dict[str, Fraction] = field(default_factory=dict)
    problem_value: Fraction | None = None
    sym: Any = None
    known: set[Fraction] | None = None  # numbers available so far (None: source checks off)
    replaying: bool = False  # reading earlier steps: only update state, skip slow checks

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Timeout


@dataclass
class _Result:
    errors: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    operands: list[str] = field(default_factory=list)  # left sides of arithmetic claims that held

    def ok(self, claim: str, value: Fraction | None = None) -> None:
        self.claims.append(claim)
        if value is not None:
            s = format_value(value)
            if s not in self.values:
                self.values.append(s)

    def bad(self, reason: str) -> None:
        self.errors.append(reason)


def _as_str(x: Any) -> str:
    return x if isinstance(x, str) else str(x)


def _problem_value(problem: str | None) -> Fraction | None:
    """The value of a problem that is itself an arithmetic expression (``(3 + 4) * 2 =``)."""
    if not problem or len(problem) > 2000:
        return None
    text = problem.strip().rstrip("=?. ").strip()
    if not text or not re.fullmatch(r"[\d\s+\-*/().×÷−^]+", text):
        return None
    return try_evaluate(text)


def _init_state(problem: str | None, context: Mapping[str, Any] | None, deadline: float) -> _State:
    ctx: Mapping[str, Any] = context if isinstance(context, Mapping) else {}
    if problem is not None and not isinstance(problem, str):
        problem = None
    st = _State(problem=problem, context=ctx, deadline=deadline)
    st.problem_value = _problem_value(problem)
    if problem and st.problem_value is None and ctx.get("check_sources", True) and len(problem) < 100_000:
        st.known = known_numbers(problem)
    if _wants_symbolic(ctx):
        st.sym = _SymContext.from_spec(ctx, deadline)
    return st


_LEAD_NUM = re.compile(r"^\s*\(?\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+)\s*[-+*/×x÷]")


def _compare(lhs: str, lv: Fraction, rhs: str, rv: Fraction, approx: bool) -> bool:
    """Does ``lhs = rhs`` hold (allowing stated rounding, percentage points, running totals)?"""
    if lv == rv:
        return True
    if rhs.rstrip().endswith("%") and "%" not in lhs and lv == rv * 100:
        return True  # "45 + 21 + 28 = 94%": percentage points
    m = _LEAD_NUM.match(rhs)
    ml = _LEAD_NUM.match(lhs + "+")
    same_start = ml is not None and m is not None and literal_value(ml.group(1)) == literal_value(m.group(1))
    if m and not same_start and "(" not in rhs and literal_value(m.group(1)) is not None and literal_value(m.group(1))[0] == lv:
        return True  # "3/2 = 1.50 + 3.00 = 4.50": a running total, not a claim that 3/2 = 4.50
    rl, ll = literal_value(rhs), literal_value(lhs)
    if rl is not None and value_matches(lv, rl[0], rl[1], approx=approx):
        return True
    if ll is not None and value_matches(rv, ll[0], ll[1], approx=approx):
        return True
    return approx and value_matches(lv, rv, None, approx=True)


_ARITH_CHARS = re.compile(r"^[\d\s+\-*/().,%^×÷−]+$")


def _eval_part(text: str, bindings: Mapping[str, Fraction]) -> Fraction | None:
    """Evaluate one side of a relation; repair unbalanced parentheses in plain arithmetic."""
    v = try_evaluate(text, bindings)
    if v is not None or not _ARITH_CHARS.match(text) or text.count("(") == text.count(")"):
        return v
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                continue
            depth -= 1
        out.append(ch)
    return try_evaluate("".join(out) + ")" * depth, bindings)


def _carried(st: _State) -> dict[str, Fraction]:
    """Bindings from earlier steps usable now.

    A lower-case single letter (``x``, ``n``) is usually an unknown that later steps solve for
    again ("2x = 10 so x = 5"), so its earlier value is not carried across steps; names such as
    ``A`` or ``total`` are.
    """
    return {k: v for k, v in st.bindings.items() if not (len(k) == 1 and k.islower())}


def _check_chain(ch: Chain, st: _State, res: _Result, local: dict[str, Fraction]) -> None:
    """Check every link of one relation chain; record a definition ``NAME = ...`` in ``local``."""
    bindings = {**_carried(st), **local}
    parts = list(ch.parts)
    define = None
    first = 0
    head = parts[0]
    if _NAME_RE.match(head) and not (st.sym and head in st.sym.variables):
        define, first = head, 1
    values: list[Fraction | None] = [None] * len(parts)
    for i in range(first, len(parts)):
        st.check_time()
        values[i] = _eval_part(parts[i], bindings) if parts[i] else None
    n_links = len(ch.rels)
    symbolic_links = []
    skip: set[int] = set()
    if st.context.get("tolerate_typos", False):
        # "E = (miswritten rewrite of E) = (the right next value)": a transient copying slip
        for k in range(max(first, 1), len(parts) - 1):
            a, b, c = values[k - 1], values[k], values[k + 1]
            if a is not None and b is not None and c is not None and a == c and b != a:
                if literal_value(parts[k]) is None:
                    skip |= {k - 1, k}
    for i in range(first, n_links):
        if i in skip:
            continue
        lhs, rhs, rel = parts[i], parts[i + 1], ch.rels[i]
        if (i == 0 and ch.uncertain_first) or (i == n_links - 1 and ch.uncertain_last):
            continue
        if ch.annotated and ch.annotated[i + 1]:
            continue  # "text = <<expr=result>>result": the annotation states (and is checked for) this claim
        lv, rv = values[i], values[i + 1]
        if lv is not None and rv is not None:
            if _compare(lhs, lv, rhs, rv, rel == "≈"):
                res.ok(f"{lhs} {rel} {rhs}", rv)
                if i == first:
                    res.operands.append(lhs)
            else:
                res.bad(f"{lhs} = {format_value(lv)}, not {rhs}")
        elif lhs and rhs:
            symbolic_links.append((lhs, rhs))
    if define is not None:
        val = next((v for v in reversed(values) if v is not None), None)
        if val is not None:
            local[define] = val
            res.ok(f"{define} = {format_value(val)}", val)
        elif st.sym is not None:
            symbolic_links.append((parts[0], parts[1]))
    if st.sym is not None and symbolic_links and not st.replaying:
        _sym_check_links(st.sym, symbolic_links, res, st.deadline)


def _check_annotation(inside: str, after: str | None, st: _State, res: _Result) -> None:
    parts = [p.strip() for p in inside.split("=")]
    if len(parts) < 2 or not all(parts):
        return
    vals = [try_evaluate(p, _carried(st)) for p in parts]
    for i in range(len(parts) - 1):
        lv, rv = vals[i], vals[i + 1]
        if lv is None or rv is None:
            continue
        if _compare(parts[i], lv, parts[i + 1], rv, False):
            res.ok(f"{parts[i]} = {parts[i + 1]}", rv)
            if i == 0:
                res.operands.append(parts[0])
        else:
            res.bad(f"{parts[i]} = {format_value(lv)}, not {parts[i + 1]}")
    if after is None:
        return
    lit = literal_value(after)
    stated = literal_value(parts[-1])
    if lit is None:
        return
    result = vals[-1]
    exact = vals[0]
    candidates = [v for v in (result, exact) if v is not None]
    if not candidates:
        return
    if any(value_matches(v, lit[0], lit[1]) for v in candidates):
        res.ok(f"<<{inside}>>{after}", lit[0])
    elif stated is not None and stated[0] == lit[0]:
        res.ok(f"<<{inside}>>{after}", lit[0])
    else:
        res.bad(f"the calculation gives {parts[-1]} but the text says {after}")


def _check_decomposition(expr: str, st: _State, res: _Result, local: dict[str, Fraction]) -> None:
    if st.problem_value is None:
        return
    v = try_evaluate(expr, {**_carried(st), **local})
    if v is None:
        return
    if v == st.problem_value:
        res.ok(f"{expr} = {format_value(v)} (the problem's value)", v)
    else:
        res.bad(f'"{expr}" = {format_value(v)} with these definitions, but the problem\'s expression '
                f"equals {format_value(st.problem_value)}")


def _process(step: str, st: _State) -> _Result:
    """Check one step against ``st`` and update ``st`` with what it establishes."""
    res = _Result()
    if not isinstance(step, str):
        res.unknown.append("step is not text")
        return res
    if len(step) > MAX_STEP_CHARS:
        res.unknown.append(f"step longer than {MAX_STEP_CHARS} characters: checked the first part only")
    names = set(st.bindings)
    if st.sym is not None:
        names |= set(st.sym.variables)
    seg = segment(step, names)
    local: dict[str, Fraction] = {}
    for ann in seg.annotations:
        st.check_time()
        _check_annotation(ann.inside, ann.after, st, res)
    for ch in seg.chains:
        st.check_time()
        _check_chain(ch, st, res, local)
    if seg.decomposition and st.context.get("check_restatement", True) and not st.replaying:
        _check_decomposition(seg.decomposition, st, res, local)
    if st.sym is not None and not st.replaying:
        st.check_time()
        _sym_check_text(st.sym, seg.text, res, st.deadline)
    if st.known is not None:
        st.check_time()
        _check_sources(step[:MAX_STEP_CHARS], st, res)
    st.bindings.update(local)
    return res


# --- numbers from nowhere ---------------------------------------------------------------------------

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                      "ninety": 90, "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
                      "dozen": 12, "score": 20, "gross": 144, "twice": 2, "double": 2, "triple": 3,
                      "thrice": 3, "quadruple": 4, "half": 2, "halves": 2, "third": 3, "thirds": 3,
                      "quarter": 4, "quarters": 4, "fourth": 4, "fifth": 5, "sixth": 6, "tenth": 10,
                      "percent": 100, "pair": 2, "couple": 2, "weekly": 7, "daily": 1, "hourly": 60})
_WORD_RE = re.compile(r"[a-z]+")
_LIT_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(%?)")
# common knowledge: unit conversions, calendar, geometry
_COMMON = {Fraction(x) for x in (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 24, 25, 26, 28, 29, 30, 31, 36, 40, 48, 50,
    52, 60, 75, 90, 100, 144, 180, 360, 365, 366, 1000, 1024, 1440, 1760, 2000, 2240, 3600, 5280, 10080,
    8760, 1000000)} | {Fraction(1, k) for k in (2, 3, 4, 5, 8, 10, 100, 1000)} | {Fraction(314, 100),
    Fraction(22, 7), Fraction(3, 4), Fraction(2, 3), Fraction(254, 100), Fraction(16, 10), Fraction(3048, 10000)}


def known_numbers(text: str) -> set[Fraction]:
    """Numbers a text makes available: literals (and their percentages) and number words."""
    out: set[Fraction] = set()
    for m in _LIT_RE.finditer(text):
        lit = m.group(1).replace(",", "").replace(" ", "")
        if len(lit) > 40:
            continue
        v = Fraction(lit)
        out.add(v)
        if m.group(2):
            out.add(v / 100)
    for w in set(_WORD_RE.findall(text.lower()[:100_000])):
        if w in _NUMBER_WORDS:
            out.add(Fraction(_NUMBER_WORDS[w]))
    return out


def _derivable(v: Fraction, known: set[Fraction]) -> bool:
    """Is ``v`` a known number or a simple transform of one (or of two)?"""
    if v in known or v in _COMMON or -v in known:
        return True
    for k in known:
        if v in (k * 100, k / 100, k * 10, k / 10, k * 1000, k / 1000, 1 + k / 100, 1 - k / 100, 100 - k,
                 100 + k, 1 - k, 1 + k, k + 1, k - 1, 2 * k, k / 2, 3 * k, k / 3, 4 * k, k / 4, k * 12,
                 k / 12, k * 60, k / 60, k * 24, k * 7, k * 52, k * 365):
            return True
    ks = [k for k in known if k != 0][:60]
    for i, a in enumerate(ks):
        for b in ks[i:]:
            if v in (a + b, a * b, abs(a - b), a / b, b / a):
                return True
    return False


def _sig_digits(v: Fraction) -> int:
    """Significant digits of a number as written (non-terminating decimals count as many)."""
    s = format_value(abs(v))
    if "/" in s:
        return 99
    return len(s.replace(".", "").strip("0"))


def _check_sources(step: str, st: _State, res: _Result) -> None:
    """Flag an operand that comes from nowhere (not the problem, an earlier step, or this step)."""
    assert st.known is not None
    results = {lv[0] for lv in (literal_value(v) for v in res.values) if lv is not None}
    if not res.errors:
        for operand in res.operands[:50]:
            st.check_time()
            for m in list(_LIT_RE.finditer(operand))[:20]:
                lit = m.group(1).replace(",", "").replace(" ", "")
                if len(lit) > 40:
                    continue
                v = Fraction(lit)
                if _sig_digits(v) < 3 or v in results or _derivable(v, st.known):
                    continue
                res.bad(f"{lit} comes from nowhere: it is not in the problem, an earlier step or this "
                        "step's own calculation")
                break
    st.known |= known_numbers(step)
    st.known |= {lv[0] for lv in (literal_value(v) for v in res.values) if lv is not None}


def _verdict(res: _Result) -> Verdict:
    details: dict[str, Any] = {"values": res.values, "claims": res.claims}
    if res.errors:
        details["errors"] = res.errors
        return Verdict.invalid(res.errors[0], **details)
    if res.claims:
        return Verdict.valid(f"{len(res.claims)} claim(s) checked and hold", **details)
    reason = "nothing checkable in this step"
    if res.unknown:
        reason += " (" + "; ".join(res.unknown) + ")"
    return Verdict.unknown(reason, score=0.5, **details)


_CACHE: OrderedDict[tuple[Any, ...], tuple[dict[str, Fraction], set[Fraction] | None]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 128


def _cache_key(problem: str | None, context: Any, previous: Sequence[Any]) -> tuple[Any, ...] | None:
    try:
        if sum(len(p) for p in previous) > 200_000:
            return None
        ctx = json.dumps(context, sort_keys=True, default=str) if context else ""
        return (problem, ctx, tuple(previous))
    except Exception:
        return None


def _replay(previous: Sequence[Any], st: _State, problem: str | None, context: Any) -> None:
    """Bring ``st`` up to date with the earlier steps (reusing a cached prefix when possible)."""
    prev = [p if isinstance(p, str) else str(p) for p in list(previous)[:MAX_STEPS]]
    start = 0
    for n in (len(prev), len(prev) - 1):
        key = _cache_key(problem, context, prev[:n]) if n >= 0 else None
        if key is None:
            continue
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
        if hit is not None:
            st.bindings = dict(hit[0])
            st.known = set(hit[1]) if hit[1] is not None else None
            start = n
            break
    st.replaying = True
    try:
        for p in prev[start:]:
            st.check_time()
            _process(p, st)
    finally:
        st.replaying = False
    key = _cache_key(problem, context, prev)
    if key is not None:
        with _CACHE_LOCK:
            _CACHE[key] = (dict(st.bindings), set(st.known) if st.known is not None else None)
            _CACHE.move_to_end(key)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)


def check_step(
    step: str,
    previous: Sequence[str] = (),
    problem: str | None = None,
    context: Mapping[str, Any] | None = None,
    *,
    timeout_s: float = 2.0,
) -> Verdict:
    """Check one step given the earlier steps, the problem text and the task's verifier spec.

    Returns ``ok=True`` (score 1) when the step has checkable content and all of it holds,
    ``ok=False`` (score 0) with a precise reason when something is wrong, and ``ok=None``
    (score 0.5) when nothing checkable was found or the time ran out.  ``details`` holds
    ``values`` (numbers the step establishes) and ``claims`` (what was checked).  Never raises.
    """
    try:
        deadline = time.monotonic() + max(0.01, float(timeout_s))
        st = _init_state(problem, context, deadline)
        try:
            _replay(previous if isinstance(previous, Sequence) and not isinstance(previous, str) else (),
                    st, st.problem, context)
        except _Timeout:
            return Verdict.unknown("timed out reading the earlier steps", score=0.5, timeout=True)
        return _verdict(_process(step if isinstance(step, str) else str(step), st))
    except _Timeout:
        return Verdict.unknown(f"timed out after {timeout_s} s", score=0.5, timeout=True)
    except RecursionError:
        return Verdict.unknown("expression nested too deeply to check", score=0.5)
    except Exception as exc:  # never raise on model text
        return Verdict.unknown(f"could not check: {type(exc).__name__}", score=0.5)


def first_error(
    steps: Sequence[str],
    problem: str | None = None,
    context: Mapping[str, Any] | None = None,
    *,
    timeout_s: float = 2.0,
) -> int | None:
    """Index of the first step whose checkable content is wrong, or None.

    The whole call is bounded by ``timeout_s``; when the budget runs out it returns what is known
    (None if nothing wrong was found so far).  Never raises.
    """
    try:
        deadline = time.monotonic() + max(0.01, float(timeout_s))
        st = _init_state(problem, context, deadline)
        if isinstance(steps, str) or not isinstance(steps, Sequence):
            return None
        for i, step in enumerate(list(steps)[:MAX_STEPS]):
            res = _process(step if isinstance(step, str) else str(step), st)
            if res.errors:
                return i
    except (_Timeout, RecursionError):
        return None
    except Exception:
        return None
    return None


# --- symbolic steps (equations with unknowns, rewrites, derivatives) ------------------------------
#
# Model text reaches SymPy only through the whitelist parser ``parse_expression``; comparisons go
# through ``expressions_equal`` (numeric probing, then a bounded worker) and ``compare.evaluate``
# (a bounded complex-double evaluator).  Solving is done once per task on the *task's* given
# equations (trusted, small), never on model text.

_DERIV_RE = re.compile(r"^(?:d/d([A-Za-z])|\\frac\{d\}\{d([A-Za-z])\})\s*[\(\[](.*)[\)\]]$", re.DOTALL)
_FPRIME_RE = re.compile(r"^([A-Za-z])'\s*\(\s*([A-Za-z])\s*\)$")
_FUNC_RE = re.compile(r"^([A-Za-z])\s*\(\s*([A-Za-z])\s*\)$")
_SYM_MAX_CHARS = 600
_TOL = 1e-7


def _wants_symbolic(ctx: Mapping[str, Any]) -> bool:
    return bool(ctx.get("given") or ctx.get("variables") or ctx.get("function"))


def _parse(text: str) -> Any:
    """Parse model text with the whitelist parser; None when it is not accepted."""
    if not isinstance(text, str) or len(text) > _SYM_MAX_CHARS:
        return None
    try:
        from thoughtgym.verifiers.math.parse import is_huge, parse_expression

        e = parse_expression(text, latex=None)
        if is_huge(e):
            return None
        return e
    except Exception:
        return None


def _solve_given(eqs: list[Any], syms: list[Any]) -> list[dict[Any, Any]] | None:
    """Solutions of the task's given equations (polynomial, at most 3 unknowns), or None."""
    import sympy

    if not eqs or not syms or len(syms) > 3 or len(eqs) > 6:
        return None
    exprs = []
    for e in eqs:
        if not isinstance(e, sympy.Equality):
            return None
        ex = e.lhs - e.rhs
        poly = sympy.Poly(ex, *syms) if ex.free_symbols <= set(syms) else None
        if poly is None or poly.total_degree() > 4:
            return None
        exprs.append(ex)
    sols = sympy.solve(exprs, syms, dict=True)
    if not sols or any(set(sol) != set(syms) for sol in sols):
        return None
    return sols


def _cheap_to_solve(eqs: list[Any], syms: list[Any]) -> bool:
    """Linear systems and one-unknown quadratics solve instantly in-process."""
    import sympy

    try:
        degs = []
        for e in eqs:
            ex = e.lhs - e.rhs
            if not ex.free_symbols <= set(syms) or sympy.count_ops(ex) > 100:
                return False
            degs.append(sympy.Poly(ex, *syms).total_degree())
    except Exception:
        return False
    return max(degs) <= 1 or (len(syms) == 1 and max(degs) <= 2)


@dataclass
class _SymContext:
    """Parsed symbolic facts of a task: unknowns, solutions of the given equations, the function."""

    variables: list[str] = field(default_factory=list)
    symbols: dict[str, Any] = field(default_factory=dict)
    has_given: bool = False
    solutions: list[dict[Any, complex]] | None = None
    function: Any = None
    variable: Any = None

    @classmethod
    def from_spec(cls, ctx: Mapping[str, Any], deadline: float | None = None) -> _SymContext:
        import sympy

        vs = [v for v in (ctx.get("variables") or []) if isinstance(v, str) and _NAME_RE.match(v)]
        out = cls(variables=vs, symbols={v: sympy.Symbol(v) for v in vs})
        given = [g for g in (ctx.get("given") or []) if isinstance(g, str)]
        out.has_given = bool(given)
        if given:
            key = (tuple(given), tuple(vs))
            if key not in _SOLVED:
                eqs = [_parse(g) for g in given]
                sols = None
                exact = None
                if all(e is not None for e in eqs):
                    try:
                        syms = [out.symbols[v] for v in vs]
                        if _cheap_to_solve(eqs, syms):
                            exact = _solve_given(eqs, syms)
                        else:  # higher degree or nonlinear systems: in the bounded worker
                            from thoughtgym.verifiers.math.bounded import call_with_timeout

                            left = (deadline or time.monotonic() + 1.0) - time.monotonic()
                            exact = call_with_timeout(_solve_given, eqs, syms, timeout_s=max(0.0, min(1.5, left)),
                                                      default=_UNSOLVED)
                        if exact is not None and exact is not _UNSOLVED:
                            sols = [{k: complex(sympy.N(v, 30)) for k, v in sol.items()} for sol in exact]
                    except Exception:
                        sols = None
                if exact is _UNSOLVED:  # ran out of time: try again on a later call
                    return out
                if len(_SOLVED) > 256:
                    _SOLVED.clear()
                _SOLVED[key] = sols
            out.solutions = _SOLVED.get(key)
        fn = ctx.get("function")
        if isinstance(fn, str):
            out.function = _parse(fn)
            var = ctx.get("variable") or (vs[0] if vs else "x")
            out.variable = sympy.Symbol(var) if isinstance(var, str) and _NAME_RE.match(var) else None
        return out


_SOLVED: dict[tuple[Any, ...], Any] = {}
_UNSOLVED = "unsolved"


def _holds_at(sym: _SymContext, expr: Any, sol: dict[Any, complex]) -> bool | None:
    from thoughtgym.verifiers.math.compare import evaluate

    v = evaluate(expr, sol)
    if v is None:
        return None
    scale = 1.0 + max(abs(x) for x in sol.values())
    return abs(v) <= _TOL * scale * 10


def _derivative(sym: _SymContext, text: str) -> Any:
    """The derivative a left side names (``d/dx(E)``, ``f'(x)``), or None."""
    import sympy

    m = _DERIV_RE.match(text.strip())
    if m:
        var = sympy.Symbol(m.group(1) or m.group(2))
        inner = _parse(m.group(3))
        if inner is None or sympy.count_ops(inner) > 200:
            return None
        return sympy.diff(inner, var)
    m = _FPRIME_RE.match(text.strip())
    if m and sym.function is not None and sym.variable is not None and m.group(2) == str(sym.variable):
        if sympy.count_ops(sym.function) > 200:
            return None
        return sympy.diff(sym.function, sym.variable)
    return None


def _sym_check_links(sym: _SymContext, links: list[tuple[str, str]], res: _Result, deadline: float) -> None:
    """Check relation links that contain unknowns (rewrites, equations, derivatives)."""
    from thoughtgym.verifiers.math.compare import expressions_equal

    allowed = set(sym.symbols.values())
    for lhs_text, rhs_text in links:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout
        claim = f"{lhs_text} = {rhs_text}"
        deriv = _derivative(sym, lhs_text)
        if deriv is not None:
            rhs = _parse(rhs_text)
            if rhs is None:
                continue
            eq = expressions_equal(deriv, rhs, timeout_s=min(1.0, remaining))
            if eq is True:
                res.ok(claim)
            elif eq is False:
                res.bad(f"{lhs_text} = {deriv}, not {rhs_text}".replace("**", "^"))
            continue
        m = _FUNC_RE.match(lhs_text.strip())
        if m and sym.function is not None and m.group(2) == str(sym.variable):
            lhs = sym.function
        else:
            lhs = _parse(lhs_text)
        rhs = _parse(rhs_text)
        if lhs is None or rhs is None or not hasattr(lhs, "free_symbols") or not hasattr(rhs, "free_symbols"):
            continue
        try:
            import sympy

            if isinstance(lhs, sympy.Basic) and not isinstance(lhs, sympy.Expr):
                continue
            if isinstance(rhs, sympy.Basic) and not isinstance(rhs, sympy.Expr):
                continue
        except Exception:
            continue
        free = lhs.free_symbols | rhs.free_symbols
        if not free or not free <= allowed:
            continue
        same = expressions_equal(lhs, rhs, timeout_s=min(1.0, remaining))
        if same is True:
            res.ok(claim)
            continue
        if sym.solutions:
            diff = lhs - rhs
            held = [_holds_at(sym, diff, sol) for sol in sym.solutions]
            if any(h is True for h in held):
                res.ok(claim)
            elif held and all(h is False for h in held):
                where = ", ".join(f"{k} = {_fmt_c(v)}" for k, v in sym.solutions[0].items())
                res.bad(f"{claim} does not follow from the given equations (it fails at {where})")
        elif not sym.has_given and same is False and lhs.free_symbols and rhs.free_symbols:
            res.bad(f"{claim} changes the expression's value")


def _fmt_c(v: complex) -> str:
    r = v.real
    return str(int(round(r))) if abs(r - round(r)) < 1e-9 else f"{r:.6g}"


def _sym_check_text(sym: _SymContext, text: str, res: _Result, deadline: float) -> None:
    """A disjunction ``x = 2 or x = 3`` (one unknown) must list the whole solution set."""
    if not sym.solutions or len(sym.variables) != 1 or not re.search(r"\bor\b", text) or len(text) > 2000:
        return
    pieces = [p.strip(" .;") for p in re.split(r"\bor\b|,", text)]
    eqs = [p for p in pieces if "=" in p]
    if len(eqs) < 2 or len(eqs) != len([p for p in pieces if p]):
        return
    x = sym.symbols[sym.variables[0]]
    covered = [False] * len(sym.solutions)
    for eq in eqs:
        if time.monotonic() > deadline:
            raise _Timeout
        if eq.count("=") != 1:
            return
        lhs, rhs = (_parse(t) for t in eq.split("="))
        if lhs is None or rhs is None or not hasattr(lhs, "free_symbols") or not hasattr(rhs, "free_symbols"):
            return
        if (lhs.free_symbols | rhs.free_symbols) != {x}:
            return
        for j, sol in enumerate(sym.solutions):
            if _holds_at(sym, lhs - rhs, sol):
                covered[j] = True
    if not all(covered):
        missing = [_fmt_c(sol[x]) for sol, c in zip(sym.solutions, covered, strict=True) if not c]
        res.bad(f"the solutions listed miss {x} = {', '.join(missing)}")
