"""Sandbox API tests, run on both backends (Docker skips without an engine, fails under CI=true)."""

from __future__ import annotations

import importlib
import json
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgym.sandbox import ExecResult, Sandbox, TestReport
from thoughtgym.sandbox.worker import EncodeError, decode_value, encode_value

fx = importlib.import_module("thoughtgym_tests_sandbox_fixtures")  # loaded by conftest.py
sandbox = fx.sandbox
_sandbox_registry = fx._sandbox_registry

HUMANEVAL = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "humaneval.jsonl"

pytestmark = pytest.mark.timeout(120)


# ----------------------------------------------------------------------------- run()
def test_run_stdout_stdin_exit(sandbox: Sandbox) -> None:
    r = sandbox.run("import sys\nprint(input()[::-1])\nprint('err', file=sys.stderr)\nprint(__name__)",
                    stdin="abc\n")
    assert isinstance(r, ExecResult)
    assert r.ok and r.exit_code == 0
    assert r.stdout == "cba\n__main__\n"
    assert r.stderr == "err\n"
    assert r.duration > 0 and not r.timed_out and not r.out_of_memory
    assert r.backend == sandbox.backend


def test_run_exit_codes_and_exceptions(sandbox: Sandbox) -> None:
    assert sandbox.run("import sys; sys.exit(3)").exit_code == 3
    assert sandbox.run("raise SystemExit('bye')").exit_code == 1
    r = sandbox.run("def f():\n    1/0\nf()")
    assert r.exit_code == 1 and not r.ok
    assert "ZeroDivisionError" in r.stderr and "main.py" in r.stderr
    assert sandbox.run("x = (").exit_code == 1


def test_run_timeout(sandbox: Sandbox) -> None:
    r = sandbox.run("while True: pass", timeout_s=0.5)
    assert r.timed_out and not r.ok
    assert 0.4 < r.duration < 3


def test_run_large_stdin_and_unicode(sandbox: Sandbox) -> None:
    data = "héllo ✓\n" * 50_000
    r = sandbox.run("import sys\nd = sys.stdin.read()\nprint(len(d), d[:7])", stdin=data)
    assert r.ok, r
    assert r.stdout == f"{len(data)} héllo ✓\n"


def test_run_job_environment(sandbox: Sandbox) -> None:
    r = sandbox.run("import os, json\nprint(json.dumps([os.getuid(), dict(os.environ), os.getcwd(), os.listdir('.')]))")
    uid, env, cwd, files = json.loads(r.stdout)
    assert uid != 0
    assert set(env) <= {"PATH", "HOME", "LANG", "TMPDIR"}
    assert files == ["main.py"]


# ----------------------------------------------------------------------------- run_tests()
def test_run_tests_list(sandbox: Sandbox) -> None:
    rep = sandbox.run_tests("def f(x):\n    return 2 * x\n", ["assert f(2) == 4", "assert f(3) == 7", "assert g(1)"])
    assert isinstance(rep, TestReport)
    assert not rep.passed and rep.n_total == 3 and rep.n_passed == 1
    assert rep.fraction == pytest.approx(1 / 3)
    assert [t.passed for t in rep.results] == [True, False, False]
    assert "assertion failed" in rep.results[1].reason
    assert "NameError" in rep.results[2].reason
    ok = sandbox.run_tests("def f(x):\n    return 2 * x\n", ["assert f(2) == 4", "assert f(0) == 0"])
    assert ok.passed and ok.n_passed == 2 and ok.fraction == 1.0 and ok.error is None


def test_run_tests_humaneval_style(sandbox: Sandbox) -> None:
    tests = ("METADATA = {}\n\ndef check(candidate):\n    assert candidate(1, 2) == 3\n"
             "    assert candidate(0, 0) == 0, 'zero'\n    for i in range(5):\n        assert candidate(i, 1) == i + 1\n")
    good = sandbox.run_tests("def add(a, b):\n    return a + b\n", tests, "add")
    assert good.passed and good.n_total == 3 and good.n_passed == 3
    bad = sandbox.run_tests("def add(a, b):\n    return a * b + (a == 0)\n", tests, "add")
    assert not bad.passed and bad.n_total == 3
    assert [t.passed for t in bad.results] == [False, False, False]
    assert bad.results[1].reason == "assertion failed: zero"
    missing = sandbox.run_tests("def other(a, b):\n    return a + b\n", tests, "add")
    assert not missing.passed and "entry point" in (missing.error or "")
    no_entry = sandbox.run_tests("def add(a, b):\n    return a + b\n", tests)
    assert not no_entry.passed and no_entry.n_total == 0 and "no tests found" in (no_entry.error or "")


def test_run_tests_block_and_exceptions(sandbox: Sandbox) -> None:
    program = ("def sqrt_int(n):\n    if n < 0:\n        raise ValueError('negative')\n"
               "    return int(n ** 0.5)\n")
    tests = ("import math\nX = 16\nassert sqrt_int(X) == 4\n"
             "try:\n    sqrt_int(-1)\n    raise AssertionError('no error')\nexcept ValueError:\n    pass\n"
             "assert math.isclose(sqrt_int(2), 1)\n")
    rep = sandbox.run_tests(program, tests)
    assert rep.passed, rep
    assert rep.n_total == 2


def test_run_tests_plain_values_roundtrip(sandbox: Sandbox) -> None:
    program = ("def f():\n    return [1, (2, 3.5), {'a': {4, 5}}, b'x', None, True, 10**30, frozenset([1]), 1+2j]\n")
    rep = sandbox.run_tests(program, ["assert f() == [1, (2, 3.5), {'a': {4, 5}}, b'x', None, True, 10**30, "
                                      "frozenset([1]), 1+2j]", "assert type(f()[1]) is tuple"])
    assert rep.passed, rep


def test_run_tests_stdlib_containers(sandbox: Sandbox) -> None:
    program = ("import collections, fractions\nP = collections.namedtuple('P', 'x y')\n"
               "def f(s):\n    return collections.Counter(s)\n"
               "def g():\n    return [collections.deque([1]), collections.OrderedDict(a=1), P(1, 2), "
               "fractions.Fraction(1, 3), collections.defaultdict(list, {1: [2]})]\n")
    rep = sandbox.run_tests(program, ["assert f('aab') == {'a': 2, 'b': 1}",
                                      "assert f('aab').most_common(1) == [('a', 2)]",
                                      "from collections import deque, OrderedDict\nfrom fractions import Fraction\n"
                                      "assert g() == [deque([1]), OrderedDict(a=1), (1, 2), Fraction(1, 3), {1: [2]}]"])
    assert rep.passed, rep


def test_run_tests_program_objects_as_handles(sandbox: Sandbox) -> None:
    """Instances of program classes, generators and bound methods cross as opaque handles."""
    program = ("class Pair:\n    def __init__(self, a, b):\n        self.a, self.b = a, b\n"
               "def longest(pairs, n):\n    return max(p.b - p.a for p in pairs[:n])\n"
               "def gen(n):\n    return (i * i for i in range(n))\n"
               "class Solution:\n    def twice(self, x):\n        return 2 * x\n"
               "    def __len__(self):\n        return 3\n    def __str__(self):\n        return 'S'\n")
    rep = sandbox.run_tests(program, [
        "assert longest([Pair(1, 5), Pair(2, 3)], 2) == 4",
        "assert list(gen(4)) == [0, 1, 4, 9]",
        "assert Solution().twice(21) == 42",
        "assert len(Solution()) == 3 and str(Solution()) == 'S'",
        "assert Pair(1, 2).a == 1",
        "p = Pair(1, 2)\nassert p == p and p != Pair(1, 2)",
    ])
    assert rep.passed, rep


def test_run_tests_program_load_failures(sandbox: Sandbox) -> None:
    syntax = sandbox.run_tests("def f(:\n", ["assert f() == 1"])
    assert not syntax.passed and "SyntaxError" in (syntax.error or "")
    raising = sandbox.run_tests("raise RuntimeError('at import')\ndef f(): return 1\n", ["assert f() == 1"])
    assert not raising.passed and "RuntimeError" in (raising.error or "")
    main_guard = sandbox.run_tests("def f(): return 1\nif __name__ == '__main__':\n    input()\n", ["assert f() == 1"])
    assert main_guard.passed


def test_run_tests_timeout_in_candidate(sandbox: Sandbox) -> None:
    rep = sandbox.run_tests("def f(x):\n    while True: pass\n", ["assert f(1) == 1", "assert True"], timeout_s=1.0)
    assert not rep.passed and rep.timed_out
    assert "timed out" in (rep.error or "")


def test_run_tests_batch_order(sandbox: Sandbox) -> None:
    items = [{"program": f"def f():\n    return {i}\n", "tests": [f"assert f() == {i if i % 3 else -1}"]}
             for i in range(12)]
    reps = sandbox.run_tests_batch(items)
    assert [r.passed for r in reps] == [bool(i % 3) for i in range(12)]
    assert sandbox.run_tests_batch([]) == []


@pytest.mark.timeout(240)
@pytest.mark.skipif(not HUMANEVAL.exists(), reason="shared HumanEval data missing")
def test_humaneval_canonical_pass_and_stubs_fail(sandbox: Sandbox) -> None:
    probs = [json.loads(line) for line in HUMANEVAL.read_text().splitlines() if line.strip()]
    assert len(probs) == 164
    good = [{"program": p["prompt"] + p["canonical_solution"], "tests": p["test"], "entry_point": p["entry_point"]}
            for p in probs]
    stub = [{"program": p["prompt"] + "    pass\n", "tests": p["test"], "entry_point": p["entry_point"]}
            for p in probs]
    reps = sandbox.run_tests_batch(good + stub)
    failed_good = [(p["task_id"], r.error, r.failures[:1]) for p, r in zip(probs, reps[:164], strict=False) if not r.passed]
    assert not failed_good
    passed_stub = [p["task_id"] for p, r in zip(probs, reps[164:], strict=False) if r.passed]
    assert not passed_stub


# ----------------------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(code=st.text(max_size=200))
def test_property_arbitrary_text_never_breaks_the_sandbox(code: str) -> None:
    sb = fx.get_sandbox("process", fx._boxes)
    r = sb.run(code, timeout_s=2)
    assert isinstance(r, ExecResult)
    assert r.error is None
    assert isinstance(r.exit_code, int)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.text(max_size=120))
def test_property_arbitrary_program_never_passes_unsatisfiable_tests(body: str) -> None:
    sb = fx.get_sandbox("process", fx._boxes)
    rep = sb.run_tests(body + "\ndef f(x):\n    return x\n", ["assert f(1) == 'tg-unguessable-7f3a'"], timeout_s=2)
    assert isinstance(rep, TestReport)
    assert not rep.passed and rep.n_passed == 0 and rep.n_total == 1


_plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4) | st.frozensets(st.integers(), max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(v=_plain)
def test_property_plain_codec_roundtrip(v: object) -> None:
    back = decode_value(json.loads(json.dumps(encode_value(v))))
    assert back == v and type(back) is type(v)


def test_codec_rejects_subclasses() -> None:
    class Sneaky(int):
        def __eq__(self, other: object) -> bool:
            return True

    for bad in (Sneaky(1), [Sneaky(1)], {"a": object()}, type("L", (list,), {})()):
        with pytest.raises(EncodeError):
            encode_value(bad)


def test_unknown_backend() -> None:
    with pytest.raises(ValueError):
        Sandbox("kvm")


def test_auto_backend_says_which() -> None:
    with Sandbox("auto", pool_size=1) as sb:
        assert sb.backend in ("docker", "process")
        assert sb.run("print(1)").stdout == "1\n"
        if fx.docker_available():
            assert sb.backend == "docker"


@pytest.mark.parametrize("isolation", ["unshare", "none"])
def test_process_fallback_isolation_levels(isolation: str) -> None:
    """Without bubblewrap the process backend still runs jobs, tests and kills orphans."""
    base = fx.UID_BASE + 50  # not shared with the session's pools
    with Sandbox("process", pool_size=1, isolation=isolation, uid_base=base) as sb:
        r = sb.run("import os\nprint(os.getuid() != 0, sorted(os.environ))")
        assert r.ok and r.stdout.startswith("True"), r
        assert sb.run_tests("def f(x):\n    return x + 1\n", ["assert f(1) == 2"]).passed
        assert not sb.run_tests("import os\nos._exit(0)\ndef f(x):\n    return x + 1\n", ["assert f(1) == 2"]).passed
        r = sb.run("import subprocess\nsubprocess.Popen(['sleep', '100'], start_new_session=True)\nprint('ok')")
        assert r.ok
        assert fx.wait_no_job_processes(base=base, n=1) == []
        if isolation == "unshare":
            net = sb.run("import socket\nprint([n for _, n in socket.if_nameindex()])")
            assert net.stdout.strip() == "['lo']"


def test_ci_turns_docker_skip_into_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fx, "docker_available", lambda *a, **k: False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        fx.require_docker()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        fx.require_docker()


def test_shared_sandbox_is_a_singleton() -> None:
    from thoughtgym.sandbox import shared_sandbox

    a = shared_sandbox("process", pool_size=1)
    assert a is shared_sandbox("process")
    assert a.run("print(2)").stdout == "2\n"


def test_concurrent_pools_lease_distinct_job_uids() -> None:
    """Two live pools never share job uids (RLIMIT_NPROC and kill() are per uid, host-wide)."""
    from thoughtgym.sandbox import Sandbox

    with Sandbox("process", pool_size=1) as a, Sandbox("process", pool_size=1) as b:
        assert a.uid_base is not None and b.uid_base is not None
        assert abs(a.uid_base - b.uid_base) >= a.pool_size
        ua = a.run("import os; print(os.getuid())").stdout.strip()
        ub = b.run("import os; print(os.getuid())").stdout.strip()
        assert ua != ub
    with Sandbox("process", pool_size=1) as c:  # a closed pool's range is free again
        assert c.uid_base == a.uid_base


# ----------------------------------------------------------------------------- callables and mutation
def test_run_tests_callables_cross_as_reverse_handles(sandbox: Sandbox) -> None:
    """A callable of the tests reaches the program as a proxy that calls the original in the harness."""
    program = ("def apply(f, xs):\n    return [f(x) for x in xs]\n"
               "def sort_by(xs, key=None):\n    return sorted(xs, key=key)\n"
               "def compose(f, g):\n    return lambda x: f(g(x))\n"
               "def ident(f):\n    return f\n"
               "def safe(f):\n    try:\n        return f()\n    except ZeroDivisionError as e:\n        return 'caught ' + str(e)\n"
               "class Acc:\n    def __init__(self):\n        self.n = 0\n"
               "    def visit(self, f):\n        self.n += f(self.n)\n        return self.n\n")
    rep = sandbox.run_tests(program, [
        "assert apply(lambda x: x * 2, [1, 2]) == [2, 4]",
        "assert apply(str, [1, 2]) == ['1', '2']",
        "assert sort_by(['bb', 'a', 'ccc'], key=len) == ['a', 'bb', 'ccc']",
        "assert sort_by(['bb', 'a', 'ccc'], key=lambda s: -len(s)) == ['ccc', 'bb', 'a']",
        "assert compose(lambda x: x + 1, lambda x: x * 2)(5) == 11",
        "f = lambda x: x\nassert ident(f) is f",
        "assert safe(lambda: 1 / 0) == 'caught division by zero'",
        "assert Acc().visit(lambda n: n + 3) == 3",
        # re-entrant: the test callable calls back into the program while the program waits for it
        "assert apply(lambda x: apply(lambda y: y + 1, [x])[0], [1, 2]) == [2, 3]",
        "seen = []\napply(seen.append, [1, 2])\nassert seen == [1, 2]",
    ])
    assert rep.passed, rep
    he = sandbox.run_tests(program + "def candidate_fn(f, x):\n    return f(f(x))\n",
                           "def check(candidate):\n    assert candidate(lambda v: v * 3, 2) == 18\n"
                           "    assert candidate(abs, -4) == 4\n", "candidate_fn")
    assert he.passed and he.n_total == 2, he


def test_run_tests_in_place_mutation_is_seen(sandbox: Sandbox) -> None:
    program = ("def sort_in_place(x):\n    x.sort()\n"
               "def fill(grid, v=5):\n    for row in grid:\n        row[1] = v\n"
               "def put(d, k, v):\n    d[k] = v\n"
               "def drop(d):\n    d.clear()\n"
               "def add(s, x):\n    s.add(x)\n"
               "def up(b):\n    b[0] = 65\n"
               "def pairs(t):\n    t[0].append(1)\n"
               "def fail_after(x):\n    x.append(9)\n    raise ValueError('late')\n"
               "def same(x):\n    return len(x)\n"
               "class Stack:\n    def drain(self, into):\n        into.extend([1, 2])\n        return self\n")
    rep = sandbox.run_tests(program, [
        "x = [3, 1, 2]\nsort_in_place(x)\nassert x == [1, 2, 3]",
        "g = [[0, 0], [0, 0]]\nr0 = g[0]\nfill(g)\nassert g == [[0, 5], [0, 5]] and r0 == [0, 5]",
        "g = [[0, 0]]\nfill(grid=g, v=7)\nassert g == [[0, 7]]",
        "d = {'a': [1]}\nput(d, 'b', 2)\nassert d == {'a': [1], 'b': 2} and list(d) == ['a', 'b']",
        "from collections import defaultdict\nd = defaultdict(list, a=[1])\ndrop(d)\nassert d == {} and d['z'] == []",
        "s = {1}\nadd(s, 2)\nassert s == {1, 2}",
        "b = bytearray(b'xyz')\nup(b)\nassert b == bytearray(b'Ayz')",
        "inner = []\npairs((inner, 0))\nassert inner == [1]",
        "x = []\ntry:\n    fail_after(x)\nexcept ValueError:\n    pass\nassert x == [9]",
        "x = [1]\nassert same(x) == 1 and x == [1]",
        "out = []\nStack().drain(out)\nassert out == [1, 2]",
    ])
    assert rep.passed, rep
    he = sandbox.run_tests(program, "def check(candidate):\n    x = [2, 1]\n    candidate(x)\n"
                                    "    assert x == [1, 2]\n", "sort_in_place")
    assert he.passed, he
