"""Host side of ``run_tests``: turn a test spec into a worker request, and the worker's answer into a
:class:`TestReport`. Nothing here executes or evaluates test or program text; parsing and running
happen inside the sandbox (see :mod:`thoughtgym.sandbox.worker`)."""

from __future__ import annotations

from .types import TestReport, TestResult


def tests_request(program: str, tests: str | list[str], entry_point: str | None) -> dict:
    """Build the ``mode="tests"`` part of a worker request.

    - ``tests`` as a list: each item is one test (MBPP-style ``assert`` lines).
    - ``tests`` as a string with ``entry_point``: HumanEval style, a block that defines
      ``check(candidate)``; every ``assert`` inside ``check`` is reported as its own test.
    - ``tests`` as a string without ``entry_point``: each top-level ``assert`` is a test, other
      top-level statements are setup run in order.
    """
    req: dict = {"mode": "tests", "program": str(program), "entry_point": entry_point}
    if isinstance(tests, (list, tuple)):
        req["tests"] = [str(t) for t in tests]
    else:
        req["tests_block"] = str(tests)
    return req


def _n_expected(req: dict) -> int:
    if "tests" in req:
        return len(req["tests"])
    return 1


def report_from_response(req: dict, resp: dict, backend: str) -> TestReport:
    """Build the report. A pass needs the harness's own ``done`` record and every test holding."""
    if resp.get("error"):
        n = _n_expected(req)
        return TestReport(passed=False, n_passed=0, n_total=n, error=str(resp["error"]),
                          results=[TestResult(i, "", False, "sandbox error") for i in range(n)],
                          backend=backend)
    t = resp.get("tests") or {}
    plan = t.get("plan")
    raw_results = {int(k): v for k, v in (t.get("results") or {}).items()}
    if plan:
        labels = list(plan.get("labels") or [])
        n = int(plan.get("n", len(labels)))
    else:
        n = _n_expected(req)
        labels = []
    labels += [""] * (n - len(labels))
    done = bool(t.get("done"))
    error = t.get("error")
    if resp.get("timed_out"):
        error = error or "timed out"
    elif not done:
        code = resp.get("exit_code")
        error = error or f"test harness did not finish (exit code {code})"
    results: list[TestResult] = []
    for i in range(n):
        r = raw_results.get(i)
        if r is None:
            why = f"not run: {error}" if error else "not run"
            results.append(TestResult(i, labels[i], False, why))
        else:
            results.append(TestResult(i, labels[i], bool(r.get("ok")), str(r.get("reason") or "")))
    if n == 0 and error is None:
        error = ("no tests found (a block that defines check(candidate) needs entry_point; "
                 "otherwise each top-level assert is a test)")
    timed_out = bool(resp.get("timed_out")) or "timed out" in (error or "")
    n_passed = sum(r.passed for r in results)
    passed = done and error is None and n > 0 and n_passed == n and not resp.get("timed_out")
    return TestReport(
        passed=passed,
        n_passed=n_passed,
        n_total=n,
        results=results,
        error=error,
        timed_out=timed_out,
        out_of_memory=bool(resp.get("out_of_memory")),
        duration=float(resp.get("duration_s", 0.0)),
        stdout=str(resp.get("stdout", "")),
        stderr=str(resp.get("stderr", "")),
        backend=backend,
    )
