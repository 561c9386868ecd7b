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

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Timeout


@dataclass
class _Result:
    errors: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

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
    if _wants_symbolic(ctx):
        st.sym = _SymContext.from_spec(ctx)
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


def _check_chain(ch: Chain, st: _State, res: _Result, local: dict[str, Fraction]) -> None:
    """Check every link of one relation chain; record a definition ``NAME = ...`` in ``local``."""
    bindings = {**st.bindings, **local}
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
    if st.sym is not None and symbolic_links:
        _sym_check_links(st.sym, symbolic_links, res, st.deadline)


def _check_annotation(inside: str, after: str | None, st: _State, res: _Result) -> None:
    parts = [p.strip() for p in inside.split("=")]
    if len(parts) < 2 or not all(parts):
        return
    vals = [try_evaluate(p, st.bindings) for p in parts]
    for i in range(len(parts) - 1):
        lv, rv = vals[i], vals[i + 1]
        if lv is None or rv is None:
            continue
        if _compare(parts[i], lv, parts[i + 1], rv, False):
            res.ok(f"{parts[i]} = {parts[i + 1]}", rv)
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
    v = try_evaluate(expr, {**st.bindings, **local})
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
    if seg.decomposition and st.context.get("check_restatement", True):
        _check_decomposition(seg.decomposition, st, res, local)
    if st.sym is not None:
        st.check_time()
        _sym_check_text(st.sym, seg.text, res, st.deadline)
    st.bindings.update(local)
    return res


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


_CACHE: OrderedDict[tuple[Any, ...], tuple[dict[str, Fraction], Any]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def _replay(previous: Sequence[str], st: _State) -> None:
    for prev in list(previous)[:MAX_STEPS]:
        st.check_time()
        _process(prev if isinstance(prev, str) else str(prev), st)


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
            _replay(previous if isinstance(previous, Sequence) else (), st)
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


def _wants_symbolic(ctx: Mapping[str, Any]) -> bool:
    return bool(ctx.get("given") or ctx.get("variables") or ctx.get("function"))


@dataclass
class _SymContext:
    """Parsed symbolic facts of a task (placeholder until the parser lands)."""

    variables: list[str] = field(default_factory=list)

    @classmethod
    def from_spec(cls, ctx: Mapping[str, Any]) -> _SymContext:
        vs = ctx.get("variables") or []
        return cls(variables=[v for v in vs if isinstance(v, str)])


def _sym_check_links(sym: _SymContext, links: list[tuple[str, str]], res: _Result, deadline: float) -> None:
    return None


def _sym_check_text(sym: _SymContext, text: str, res: _Result, deadline: float) -> None:
    return None
