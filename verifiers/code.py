"""The code verifier: example claims, drafts and final programs, all run in the sandbox.

A code task's spec (``Task.verifier``) holds::

    {"kind": "code", "entry_point": "sum_evens",
     "tests": ["assert sum_evens([1, 2]) == 2", ...]      # MBPP style, one test per item
              | "def check(candidate):\\n    assert ...",  # or HumanEval style (one test per assert)
     "reference": "def sum_evens(nums): ...",              # trusted reference program
     "milestones": [...],                                   # one per hidden test (progress)
     "prompt": "def f(...):\\n    \\"\\"\\"...\\"\\"\\"\\n"}  # optional: completions may give only a body

What a step can be (see :meth:`CodeVerifier.check_step`):

1. **Example claim**, a line ``sum_evens([1, 2, 4]) == 6`` (optionally ``assert``/``>>>``-prefixed or in
   backticks): a call of the entry point with literal arguments compared with ``==`` to a literal. The
   shape is checked on the host with :func:`ast.parse` only; the call runs on the *reference* program in
   the sandbox, and the claim holds when the reference's value equals the claimed one.
2. **Draft**, a fenced ```python``` block (or an unfenced ``def`` block): the hidden tests run on it in
   the sandbox; ``score`` = share passed, ``ok`` = True when all pass, False when none pass, None in
   between. A draft reaches the progress milestones of the tests it passes.
3. **Prose**: nothing checkable (``ok=None``).

The final answer (the ``<answer>`` content, ``` fences stripped) is checked by :meth:`check_answer`:
``ok`` when every hidden test passes, ``score`` = share passed.

Model text never runs on the host: it is only parsed with :mod:`ast` (size-bounded) and sent to the
sandbox. The sandbox (:mod:`thoughtgym.sandbox`) is imported lazily; one pool per process is created on
first use and reused (``backend="auto"``: Docker when an engine and the image are there, else the
process backend; ``THOUGHTGYM_SANDBOX_BACKEND`` overrides). Every check is bounded by ``timeout_s``;
a sandbox failure gives ``Verdict.unknown`` with the reason, never an exception.

Code completions need code-aware step splitting (a fenced block is one step, not one step per line):
:meth:`CodeVerifier.split_steps` (used by ``verify()`` and the env). :meth:`CodeVerifier.extract_answer`
and :meth:`CodeVerifier.parse_completion` take the final program from ``<answer>`` tags only.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import secrets
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from thoughtgym.verifiers.base import DEFAULT_TIMEOUT_S, TaskVerifier, register_verifier
from thoughtgym.verifiers.format import (
    MAX_COMPLETION_CHARS,
    MAX_STEP_CHARS,
)
from thoughtgym.verifiers.verdict import Verdict

if TYPE_CHECKING:  # pragma: no cover
    from thoughtgym.sandbox import Sandbox, TestReport

MAX_PROGRAM_CHARS = 32_000
MAX_CODE_STEP_CHARS = 16_000
MAX_CLAIM_CHARS = 2_000
MAX_CLAIMS_PER_STEP = 8
MAX_LITERAL_NODES = 2_000
_CACHE_SIZE = 4_096
_FAILURE_CHARS = 240

_ITEM_PREFIX_RE = re.compile(r"^\s*(?:(?:step\s*)?\d{1,3}\s*[.):]|step\s*\d{1,3}\s*[-–:]|[-*•])\s+", re.IGNORECASE)
_FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_+.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_CODE_START_RE = re.compile(r"^(?:async\s+def\s|def\s|class\s|@[A-Za-z_])")
_IMPORT_RE = re.compile(r"^(?:import\s+[A-Za-z_][\w.]*(?:\s+as\s+\w+)?(?:\s*,\s*[A-Za-z_][\w.]*)*\s*$|from\s+[\w.]+\s+import\s)")
_THINK_RE = re.compile(r"<think>(.*?)(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_ANSWER_RE = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_CODE_LANGS = {"", "python", "py", "python3", "py3"}


# ------------------------------------------------------------------------------------- the sandbox
def get_sandbox() -> Sandbox:
    """The process-wide sandbox pool (``$THOUGHTGYM_SANDBOX_BACKEND``, default "auto"), started on first
    use; a forked child (a vector-env worker) gets its own, with its own job uids."""
    from thoughtgym.sandbox import shared_sandbox

    return shared_sandbox(os.environ.get("THOUGHTGYM_SANDBOX_BACKEND", "auto"))


# ------------------------------------------------------------------------------- splitting steps
def _strip_item_prefix(line: str) -> str:
    return _ITEM_PREFIX_RE.sub("", line, count=1)


def _starts_code(line: str) -> bool:
    """A line that opens an unfenced code block: ``def``/``class``/decorator, or a real import."""
    if _CODE_START_RE.match(line):
        return True
    if _IMPORT_RE.match(line):
        try:
            ast.parse(line.strip())
        except Exception:
            return False
        return True
    return False


def split_code_steps(text: str) -> list[str]:
    """Split reasoning text into steps, code-aware.

    A fenced block (```…```) is one step, kept verbatim with its fences; an unfenced block that starts
    with ``def``/``class``/a decorator/an import and continues over indented, blank or further code
    lines is one step; every other non-blank line is one step. Item prefixes (``1.``, ``- ``) are
    stripped from prose lines and from the line that starts a block. Never raises.
    """
    if not isinstance(text, str):
        return []
    lines = text.replace("\x00", "").splitlines()
    steps: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        line = _strip_item_prefix(lines[i]).strip()
        if line.startswith("```") and "```" not in line[3:]:
            body: list[str] = []
            i += 1
            while i < n and not lines[i].strip().startswith("```"):
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence (or the end)
            steps.append((line + "\n" + "\n".join(body) + "\n```")[:MAX_CODE_STEP_CHARS])
            continue
        if _starts_code(line):
            block = [line]
            i += 1
            while i < n:
                nxt = lines[i]
                bare = nxt.strip()
                if not bare or nxt[:1] in (" ", "\t") or _starts_code(bare) or bare.startswith(("#", ")", "]", "}")):
                    block.append(nxt)
                    i += 1
                else:
                    break
            while block and not block[-1].strip():
                block.pop()
            steps.append("\n".join(block)[:MAX_CODE_STEP_CHARS])
            continue
        if line:  # one step per line; no inline item splitting ("f([], 7) == []" is not two items)
            steps.append(line[:MAX_STEP_CHARS])
        i += 1
    return steps


def extract_code(text: str) -> str | None:
    """The program in a step: its fenced Python blocks joined, else an unfenced block from the first
    ``def``/``class``/import line on; None when the step has no code."""
    if not isinstance(text, str):
        return None
    blocks = [m.group(2) for m in _FENCE_RE.finditer(text) if m.group(1).lower() in _CODE_LANGS]
    blocks = [b for b in blocks if b.strip()]
    if blocks:
        return "\n\n".join(textwrap.dedent(b).strip("\n") for b in blocks) + "\n"
    lines = text.splitlines()
    for k, line in enumerate(lines):
        bare = _strip_item_prefix(line).strip()
        if _starts_code(bare):
            return textwrap.dedent("\n".join([bare] + lines[k + 1 :])).strip("\n") + "\n"
    return None


def strip_fences(answer: str) -> str:
    """The program in a final answer: fenced blocks' content when there are fences, else the text."""
    if "```" in answer:
        code = extract_code(answer)
        if code is not None:
            return code
        return answer.replace("```", "")
    return answer.strip("\n") + "\n"


# --------------------------------------------------------------------------------- programs/claims
def _defines(tree: ast.Module, name: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name) == name for a in node.names):
                return True
    return False


def _try_parse(code: str) -> tuple[ast.Module | None, str]:
    try:
        return ast.parse(code), ""
    except SyntaxError as exc:
        return None, f"SyntaxError: {exc.msg} (line {exc.lineno})"
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]


def assemble_program(code: str, spec: Mapping[str, Any]) -> tuple[str | None, str]:
    """The program to test for ``code``: as written when it defines the entry point, else the task's
    ``prompt`` followed by ``code`` (a HumanEval-style body). Returns ``(program, problem)``: program
    None with the reason when nothing parses; ``problem`` non-empty when it does not define the entry point."""
    entry = str(spec.get("entry_point") or "")
    if len(code) > MAX_PROGRAM_CHARS:
        return None, f"the program is longer than {MAX_PROGRAM_CHARS} characters"
    candidates = [code]
    dedented = textwrap.dedent(code)
    prompt = spec.get("prompt")
    if isinstance(prompt, str) and prompt.strip():
        candidates.append(prompt.rstrip("\n") + "\n" + code)
        if dedented != code:
            candidates.append(prompt.rstrip("\n") + "\n" + textwrap.indent(dedented, "    "))
    if dedented != code:
        candidates.insert(1, dedented)
    first_parsed: str | None = None
    first_error = ""
    for cand in candidates:
        tree, err = _try_parse(cand)
        if tree is None:
            first_error = first_error or err
            continue
        if not entry or _defines(tree, entry):
            return cand, ""
        first_parsed = first_parsed or cand
    if first_parsed is not None:
        return first_parsed, f"it does not define `{entry}`"
    return None, f"it does not parse: {first_error}"


def _is_literal(node: ast.AST, budget: list[int]) -> bool:
    budget[0] -= 1
    if budget[0] < 0:
        return False
    if isinstance(node, ast.Constant):
        return node.value is not Ellipsis
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_literal(e, budget) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k, budget) for k in node.keys) and all(
            _is_literal(v, budget) for v in node.values
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, (int, float, complex)) \
            and not isinstance(node.operand.value, bool)
    return False


def _claim_from_expr(expr: ast.AST, entry: str) -> tuple[ast.Call, ast.expr] | None:
    if not (isinstance(expr, ast.Compare) and len(expr.ops) == 1 and isinstance(expr.ops[0], ast.Eq)):
        return None
    left, right = expr.left, expr.comparators[0]
    if not isinstance(left, ast.Call):
        left, right = right, left
    if not (isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id == entry):
        return None
    budget = [MAX_LITERAL_NODES]
    if any(isinstance(a, ast.Starred) or not _is_literal(a, budget) for a in left.args):
        return None
    if any(k.arg is None or not _is_literal(k.value, budget) for k in left.keywords):
        return None
    if not _is_literal(right, budget):
        return None
    return left, right


def _parse_claim_text(text: str, entry: str) -> tuple[ast.Call, ast.expr] | None:
    text = text.strip().strip("`").strip()
    for prefix in (">>>", "assert "):
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
    text = text.rstrip(".,;: ").strip("`").strip()
    if not text or len(text) > MAX_CLAIM_CHARS:
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except Exception:
        return None
    return _claim_from_expr(tree.body, entry)


def parse_claims(step: str, entry_point: str) -> list[tuple[ast.Call, ast.expr]]:
    """The example claims in ``step``: ``entry_point(literals) == literal``, one per line at most.

    A line may carry prose around the claim (``So f([1]) == 1, as expected.``): the claim is looked
    for from the first ``entry_point(`` on, cutting trailing words. Shapes other than a call of the
    entry point with literal arguments compared with ``==`` to a literal are not claims.
    """
    if not entry_point or not isinstance(step, str):
        return []
    claims: list[tuple[ast.Call, ast.expr]] = []
    needle = re.compile(rf"(?<![\w.]){re.escape(entry_point)}\s*\(")
    for raw in step.splitlines():
        line = _strip_item_prefix(raw).strip()
        if not line or entry_point not in line or len(line) > MAX_CLAIM_CHARS * 2:
            continue
        found = _parse_claim_text(line, entry_point)
        if found is None:
            m = needle.search(line)
            if m is not None:
                rest = line[m.start() :]
                cuts = [k for k in range(len(rest), 0, -1) if k == len(rest) or rest[k].isspace()][:40]
                for k in cuts:
                    found = _parse_claim_text(rest[:k], entry_point)
                    if found is not None:
                        break
        if found is not None:
            claims.append(found)
            if len(claims) >= MAX_CLAIMS_PER_STEP:
                break
    return claims


def _claims_program(reference: str, claims: list[tuple[ast.Call, ast.expr]], marker: str) -> str:
    """A program that runs each claim's call on the reference and prints the outcomes as JSON."""
    parts = [reference.rstrip("\n"), "", "import json as __tg_json", "__tg_out = []"]
    for call, value in claims:
        parts.append(textwrap.dedent(f"""
            try:
                __tg_r = {ast.unparse(call)}
                __tg_c = {ast.unparse(value)}
                try:
                    __tg_eq = bool(type(__tg_r) is not bool or type(__tg_c) is bool) and bool(__tg_r == __tg_c)
                except Exception:
                    __tg_eq = False
                __tg_out.append([__tg_eq, repr(__tg_r)[:200], None])
            except BaseException as __tg_e:
                __tg_out.append([None, None, (type(__tg_e).__name__ + ': ' + str(__tg_e))[:200]])
        """))
    parts.append(f"print({marker!r} + __tg_json.dumps(__tg_out))")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------- verdicts
def _test_key(program: str, spec: Mapping[str, Any]) -> str:
    tests = spec.get("tests")
    blob = json.dumps([program, tests, spec.get("entry_point")], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8", "replace")).hexdigest()


def _sandbox_failed(report: TestReport) -> bool:
    return bool(report.results) and all(r.reason == "sandbox error" for r in report.results) and bool(report.error)


def _first_failure(report: TestReport) -> str:
    for r in report.results:
        if not r.passed:
            src = (r.source or f"test {r.index + 1}")[:_FAILURE_CHARS]
            return f"{src} ({r.reason or 'failed'})"[: _FAILURE_CHARS * 2]
    return report.error or "unknown failure"


def report_verdict(report: TestReport, *, what: str, final: bool) -> Verdict:
    """A Verdict for a test report: valid when every test passed; for drafts None in between."""
    n, k = report.n_total, report.n_passed
    passed_ids = [r.index for r in report.results if r.passed]
    details = {"n_passed": k, "n_total": n, "passed_tests": passed_ids, "timed_out": report.timed_out,
               "backend": report.backend}
    if _sandbox_failed(report):
        return Verdict.unknown(f"the sandbox failed to run the {what}: {report.error}"[:400], **details)
    if n == 0:
        return Verdict.unknown(f"no hidden tests ran for the {what}: {report.error or 'none planned'}"[:400], **details)
    if report.passed:
        return Verdict.valid(f"the {what} passes all {n} hidden tests", 1.0, **details)
    score = k / n if k < n else (n - 1) / n  # every test held but the run did not finish cleanly
    why = "timed out" if report.timed_out and k == 0 else f"first failure: {_first_failure(report)}"
    reason = f"the {what} passes {k}/{n} hidden tests; {why}"
    if k == 0 or final:
        return Verdict.invalid(reason, score, **details)
    return Verdict.unknown(reason, score, **details)


@register_verifier
class CodeVerifier(TaskVerifier):
    """Checks example claims, drafts and final programs of code tasks in the sandbox."""

    kind = "code"
    no_answer_problem = "no final program found (give it in <answer>…</answer>)"

    def __init__(self) -> None:
        self._cache: OrderedDict[str, list[int]] = OrderedDict()
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ completion parsing (hook)
    def split_steps(self, text: str) -> list[str]:
        """Code-aware step splitting: a fenced block or a ``def`` block is one step."""
        return split_code_steps(text)

    @staticmethod
    def join_steps(steps: Sequence[str]) -> str:
        """Join several steps of one step-mode action back into one step (newlines keep code intact)."""
        return "\n".join(steps)

    def extract_answer(self, text: str) -> tuple[str | None, str | None]:
        """The final program and where it came from: only ``<answer>…</answer>`` counts for code
        (a ``#### section`` comment or "the answer is" in a docstring must not end a step-mode episode)."""
        if not isinstance(text, str):
            return None, None
        tags = _ANSWER_RE.findall(text[:MAX_COMPLETION_CHARS])
        return (tags[-1].strip("\n"), "tag") if tags else (None, None)

    # ------------------------------------------------------------------------------- checks
    def check_step(
        self,
        step: str,
        previous: Sequence[str],
        problem: str,
        spec: Mapping[str, Any],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> Verdict:
        """Verdict on one step: a draft (hidden tests), example claims (reference), or prose."""
        if not isinstance(step, str) or not step.strip():
            return Verdict.unknown("empty step: nothing checkable", kind="prose")
        step = step[:MAX_CODE_STEP_CHARS]
        code = extract_code(step)
        if code is not None:
            return self._check_draft(code, spec, timeout_s)
        claims = parse_claims(step, str(spec.get("entry_point") or ""))
        if claims:
            return self._check_claims(claims, spec, timeout_s)
        return Verdict.unknown("nothing checkable (neither a draft nor an example claim)", kind="prose")

    def check_answer(
        self, answer: str | None, gold: str, spec: Mapping[str, Any], *, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> Verdict:
        """Run the hidden tests on the final program: ok when all pass, score = share passed."""
        if answer is None or not str(answer).strip():
            return Verdict.invalid("no final program given", kind="answer")
        program, problem = assemble_program(strip_fences(str(answer)), spec)
        if program is None:
            return Verdict.invalid(f"the final program cannot run: {problem}", kind="answer")
        report = self._run_tests(program, spec, timeout_s)
        if isinstance(report, Verdict):
            return report
        verdict = report_verdict(report, what="final program", final=True)
        if problem and not verdict.ok:
            verdict = Verdict(verdict.ok, verdict.score, f"{verdict.reason} ({problem})", verdict.details)
        return Verdict(verdict.ok, verdict.score, verdict.reason, {**verdict.details, "kind": "answer"})

    def milestones_reached(self, step: str, spec: Mapping[str, Any], verdict: Verdict | None = None) -> set[int]:
        """Milestone ``i`` = hidden test ``i``: a draft reaches those its tests pass (cached from check_step)."""
        milestones = spec.get("milestones") or []
        if not milestones or not isinstance(step, str):
            return set()
        code = extract_code(step[:MAX_CODE_STEP_CHARS])
        if code is None:
            return set()
        program, _ = assemble_program(code, spec)
        if program is None:
            return set()
        key = _test_key(program, spec)
        with self._cache_lock:
            passed = self._cache.get(key)
        if passed is None:
            report = self._run_tests(program, spec, DEFAULT_TIMEOUT_S)
            if isinstance(report, Verdict):
                return set()
            passed = [r.index for r in report.results if r.passed]
        return {i for i in passed if 0 <= i < len(milestones)}

    def check_answers_batch(
        self, answers: Sequence[str | None], spec_list: Sequence[Mapping[str, Any]], *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> list[Verdict]:
        """``check_answer`` for many (answer, spec) pairs at once, spread over the whole sandbox pool."""
        verdicts: list[Verdict | None] = [None] * len(answers)
        items: list[dict[str, Any]] = []
        where: list[int] = []
        for i, (answer, spec) in enumerate(zip(answers, spec_list, strict=True)):
            if answer is None or not str(answer).strip():
                verdicts[i] = Verdict.invalid("no final program given", kind="answer")
                continue
            program, problem = assemble_program(strip_fences(str(answer)), spec)
            if program is None:
                verdicts[i] = Verdict.invalid(f"the final program cannot run: {problem}", kind="answer")
                continue
            items.append({"program": program, "tests": spec.get("tests") or [], "entry_point": _entry_arg(spec)})
            where.append(i)
        if items:
            try:
                reports = get_sandbox().run_tests_batch(items, timeout_s=timeout_s)
            except Exception as exc:
                reason = f"sandbox unavailable: {type(exc).__name__}: {exc}"[:400]
                for i in where:
                    verdicts[i] = Verdict.unknown(reason, kind="answer")
            else:
                for i, item, report in zip(where, items, reports, strict=True):
                    self._remember(item["program"], spec_list[i], report)
                    v = report_verdict(report, what="final program", final=True)
                    verdicts[i] = Verdict(v.ok, v.score, v.reason, {**v.details, "kind": "answer"})
        return [v if v is not None else Verdict.unknown("not checked") for v in verdicts]

    # ------------------------------------------------------------------------------- internals
    def _remember(self, program: str, spec: Mapping[str, Any], report: TestReport) -> None:
        if _sandbox_failed(report):
            return
        with self._cache_lock:
            self._cache[_test_key(program, spec)] = [r.index for r in report.results if r.passed]
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)

    def _run_tests(self, program: str, spec: Mapping[str, Any], timeout_s: float) -> TestReport | Verdict:
        tests = spec.get("tests")
        if not tests:
            return Verdict.unknown("the task has no hidden tests")
        try:
            report = get_sandbox().run_tests(program, tests, _entry_arg(spec), timeout_s=timeout_s)
        except Exception as exc:
            return Verdict.unknown(f"sandbox unavailable: {type(exc).__name__}: {exc}"[:400])
        self._remember(program, spec, report)
        return report

    def _check_draft(self, code: str, spec: Mapping[str, Any], timeout_s: float) -> Verdict:
        program, problem = assemble_program(code, spec)
        if program is None:
            return Verdict.invalid(f"the draft cannot run: {problem}", kind="draft")
        if problem:
            return Verdict.unknown(f"the draft has nothing to test: {problem}", kind="draft")
        report = self._run_tests(program, spec, timeout_s)
        if isinstance(report, Verdict):
            return Verdict(report.ok, report.score, report.reason, {**report.details, "kind": "draft"})
        v = report_verdict(report, what="draft", final=False)
        return Verdict(v.ok, v.score, v.reason, {**v.details, "kind": "draft"})

    def _check_claims(self, claims: list[tuple[ast.Call, ast.expr]], spec: Mapping[str, Any],
                      timeout_s: float) -> Verdict:
        reference = spec.get("reference")
        texts = [f"{ast.unparse(c)} == {ast.unparse(v)}"[:200] for c, v in claims]
        if not isinstance(reference, str) or not reference.strip():
            return Verdict.unknown("the task has no reference program to check examples against", kind="example")
        marker = "__tg_claims_" + secrets.token_hex(8) + ":"
        try:
            result = get_sandbox().run(_claims_program(reference, claims, marker), timeout_s=timeout_s)
        except Exception as exc:
            return Verdict.unknown(f"sandbox unavailable: {type(exc).__name__}: {exc}"[:400], kind="example")
        if result.error:
            return Verdict.unknown(f"the sandbox failed to run the example: {result.error}"[:400], kind="example")
        if result.timed_out:
            return Verdict.unknown(f"the reference timed out on {texts[0]}", kind="example", timed_out=True)
        lines = [ln for ln in result.stdout.splitlines() if ln.startswith(marker)]
        try:
            outcomes = json.loads(lines[-1][len(marker) :])
            assert isinstance(outcomes, list) and len(outcomes) == len(claims)
        except Exception:
            tail = (result.stderr.strip().splitlines() or ["no output"])[-1][:200]
            return Verdict.unknown(f"could not evaluate the example on the reference: {tail}", kind="example")
        checked = []
        for text, (call, _), (eq, got, err) in zip(texts, claims, outcomes, strict=True):
            call_text = ast.unparse(call)[:160]
            if err is not None:
                return Verdict.invalid(f"{call_text}: the reference raises {err}, so the example cannot hold",
                                       kind="example", claims=texts)
            claimed = text.split(" == ", 1)[1] if " == " in text else "?"
            if not eq:
                return Verdict.invalid(f"{call_text}: reference gives {got}, claim says {claimed}"[:400],
                                       kind="example", claims=texts)
            checked.append(f"{call_text} == {got}")
        return Verdict.valid("the reference agrees: " + "; ".join(checked)[:400], kind="example", claims=texts)


def _entry_arg(spec: Mapping[str, Any]) -> str | None:
    """HumanEval-style test blocks (a ``check(candidate)`` string) need the entry point; lists do not."""
    tests = spec.get("tests")
    return str(spec.get("entry_point")) if isinstance(tests, str) and spec.get("entry_point") else None
