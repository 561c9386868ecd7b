"""Abuse suite: hostile programs on both backends. Each one is contained, reported as a failed job
(never a pass), leaves the host untouched, and the next job on the same pool succeeds."""

from __future__ import annotations

import importlib
import os
import pathlib
import shutil
import tempfile
import time

import pytest

from thoughtgym.sandbox import Sandbox

fx = importlib.import_module("thoughtgym_tests_sandbox_fixtures")  # loaded by conftest.py
sandbox = fx.sandbox
_sandbox_registry = fx._sandbox_registry

pytestmark = pytest.mark.timeout(90)

SECRET = "tg-host-secret-8d1f0c"
os.environ["THOUGHTGYM_TEST_SECRET"] = SECRET
_SECRET_DIR = tempfile.mkdtemp(prefix="tg-abuse-")
SECRET_FILE = os.path.join(_SECRET_DIR, "secret.txt")
with open(SECRET_FILE, "w") as _f:
    _f.write(SECRET)
os.chmod(_SECRET_DIR, 0o755)
os.chmod(SECRET_FILE, 0o644)  # world-readable on purpose: isolation, not permissions, must hide it

TESTS = ["assert f(2) == 4", "assert f(3) == 9"]


@pytest.fixture(scope="module", autouse=True)
def _remove_secret_dir():
    yield
    shutil.rmtree(_SECRET_DIR, ignore_errors=True)


def _after(sb: Sandbox) -> None:
    """The pool is healthy, no job process survived, and the host file is untouched."""
    left = fx.wait_no_job_processes()
    assert left == [], fx.describe(left)
    fx.assert_pool_healthy(sb)
    with open(SECRET_FILE) as f:
        assert f.read() == SECRET


def _program(body: str) -> str:
    return body + "\n\ndef f(x):\n    return x * x\n"


# ----------------------------------------------------------------------------- resource abuse
def test_fork_bomb(sandbox: Sandbox) -> None:
    code = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    r = sandbox.run(code, timeout_s=1.5)
    assert not r.ok
    rep = sandbox.run_tests(_program(code), TESTS, timeout_s=1.5)
    assert not rep.passed
    _after(sandbox)


def test_memory_bomb(sandbox: Sandbox) -> None:
    r = sandbox.run("x = bytearray(4 * 1024**3)", memory_mb=256)
    assert not r.ok and r.out_of_memory
    r = sandbox.run("l = []\nwhile True:\n    l.append(' ' * 10**6)", memory_mb=256, timeout_s=5)
    assert not r.ok and r.out_of_memory
    rep = sandbox.run_tests("def f(x):\n    return [0] * (10**10)\n", TESTS, memory_mb=256)
    assert not rep.passed and rep.out_of_memory
    _after(sandbox)


def test_cpu_spin_and_sleep_forever(sandbox: Sandbox) -> None:
    for code in ("while True: pass", "import time\ntime.sleep(10**6)"):
        r = sandbox.run(code, timeout_s=0.7)
        assert r.timed_out and not r.ok
        rep = sandbox.run_tests(_program(code), TESTS, timeout_s=0.7)
        assert not rep.passed
    _after(sandbox)


def test_huge_output(sandbox: Sandbox) -> None:
    r = sandbox.run("import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)\n"
                    "sys.stderr.write('y' * 5_000_000)", timeout_s=10)
    assert r.stdout_truncated and r.stderr_truncated
    assert len(r.stdout) <= 1 << 20 and len(r.stderr) <= 1 << 20
    _after(sandbox)


def test_disk_fill(sandbox: Sandbox) -> None:
    code = ("import os\nn = 0\ntry:\n    while True:\n        with open(f'/tmp/fill{n}', 'wb') as fh:\n"
            "            fh.write(b'x' * (8 << 20))\n        n += 1\nexcept OSError as e:\n"
            "    print('stopped', n, e.errno)\n    raise\n")
    r = sandbox.run(code, timeout_s=10)
    assert not r.ok
    big = sandbox.run("open('big', 'wb').write(b'x' * (100 << 20))", timeout_s=10)
    assert not big.ok
    _after(sandbox)
    r = sandbox.run("open('/tmp/after', 'wb').write(b'x' * (4 << 20)); print('ok')")
    assert r.ok and r.stdout == "ok\n"


def test_blocking_on_stdin(sandbox: Sandbox) -> None:
    t = time.monotonic()
    r = sandbox.run("import sys\nprint(repr(sys.stdin.read()))\ninput()", timeout_s=5)
    assert not r.ok and not r.timed_out and "EOFError" in r.stderr
    assert r.stdout == "''\n"
    rep = sandbox.run_tests(_program("input()"), TESTS, timeout_s=5)
    assert not rep.passed
    assert time.monotonic() - t < 4
    _after(sandbox)


# ----------------------------------------------------------------------------- isolation
def test_no_network(sandbox: Sandbox) -> None:
    code = ("import socket\nprint([n for _, n in socket.if_nameindex()])\n"
            "for host in [('1.1.1.1', 53), ('8.8.8.8', 443), ('127.0.0.1', 22)]:\n"
            "    try:\n        socket.create_connection(host, timeout=1).close()\n        print('CONNECTED', host)\n"
            "    except OSError:\n        pass\n")
    r = sandbox.run(code, timeout_s=8)
    assert "CONNECTED" not in r.stdout
    assert r.stdout.startswith("['lo']")
    _after(sandbox)


def test_cannot_read_host_files(sandbox: Sandbox) -> None:
    code = (f"import os\nfor p in [{SECRET_FILE!r}, '/etc/shadow', '/root/.bash_history', "
            f"{str(pathlib.Path(__file__).resolve())!r}]:\n"
            "    try:\n        print('READ', p, open(p).read()[:40])\n    except OSError:\n        pass\n"
            f"print(os.path.exists({_SECRET_DIR!r}))\n")
    r = sandbox.run(code)
    assert r.ok, r
    assert "READ" not in r.stdout and SECRET not in r.stdout
    assert r.stdout.strip() == "False"
    _after(sandbox)


def test_cannot_read_environment_secrets(sandbox: Sandbox) -> None:
    code = ("import os\nprint(dict(os.environ))\n"
            "for pid in os.listdir('/proc'):\n    if pid.isdigit():\n        try:\n"
            "            print(open(f'/proc/{pid}/environ', 'rb').read())\n        except OSError:\n            pass\n")
    r = sandbox.run(code)
    assert r.ok, r
    assert SECRET not in r.stdout and "THOUGHTGYM_TEST_SECRET" not in r.stdout
    _after(sandbox)


def test_files_do_not_leak_between_jobs(sandbox: Sandbox) -> None:
    plant = ("import os\nfor p in ['/tmp/planted', os.path.expanduser('~/planted'), '/dev/shm/planted', "
             "'planted']:\n    try:\n        open(p, 'w').write('x')\n    except OSError:\n        pass\n"
             "os.makedirs('/tmp/d/e', exist_ok=True)\nos.chmod('/tmp/d', 0)\n")
    look = ("import os, glob\nhits = [p for p in glob.glob('/tmp/*') + glob.glob('/work/*/*') + glob.glob('/dev/shm/*')"
            " + glob.glob('/work/*')]\nprint(hits)\n")
    for _ in range(2 * fx.POOL_SIZE):
        assert sandbox.run(plant).ok
    for _ in range(2 * fx.POOL_SIZE):
        r = sandbox.run(look)
        assert r.ok, r
        assert "planted" not in r.stdout and "/tmp/d" not in r.stdout
    # two concurrent jobs on different slots cannot see each other
    spy = ("import time, glob\nopen('/tmp/mine', 'w').write('x')\ntime.sleep(0.5)\n"
           "print(sorted(glob.glob('/tmp/*') + glob.glob('/work/*')))\n")
    for r in sandbox.run_batch([spy, spy]):
        assert r.ok, r
        assert r.stdout.count("/tmp/mine") == 1 and r.stdout.count("/work/") == 1
    _after(sandbox)


def test_symlink_tricks(sandbox: Sandbox) -> None:
    code = (f"import os\nos.symlink({SECRET_FILE!r}, 'link')\nos.symlink('/', '/tmp/root')\n"
            "os.symlink('/opt', 'opt')\nos.symlink('/etc/passwd', '/tmp/pw')\n"
            "try:\n    print('READ', open('link').read())\nexcept OSError:\n    pass\n"
            "for p in ['/tmp/root/opt/thoughtgym/worker.py', 'opt/thoughtgym/worker.py']:\n"
            "    try:\n        open(p, 'a').write('# pwned')\n        print('WROTE', p)\n    except OSError:\n        pass\n")
    r = sandbox.run(code)
    assert r.ok, r
    assert "READ" not in r.stdout and "WROTE" not in r.stdout
    worker = pathlib.Path(__file__).resolve().parents[1] / "sandbox" / "worker.py"
    assert "# pwned" not in worker.read_text()
    _after(sandbox)


# ----------------------------------------------------------------------------- attacks on the worker
def test_kill_parent_and_everything(sandbox: Sandbox) -> None:
    for code in ("import os\nos.kill(os.getppid(), 9)",
                 "import os\nos.kill(-1, 9)",
                 "import subprocess\nsubprocess.run(['kill', '-9', '-1'])\nimport time\ntime.sleep(1)",
                 "import os, signal\nos.kill(1, signal.SIGKILL)\nos.kill(os.getppid(), signal.SIGSTOP)"):
        r = sandbox.run(code, timeout_s=5)
        assert r.error is None  # kill(-1) spares the caller itself, so a plain run may even exit 0
        rep = sandbox.run_tests(_program(code), TESTS, timeout_s=5)
        assert not rep.passed
        # killing the harness from the candidate's own functions
        rep = sandbox.run_tests(f"def f(x):\n    exec({code!r})\n    return x * x\n", TESTS, timeout_s=5)
        assert not rep.passed
        _after(sandbox)


def test_exit_before_asserts_is_failure(sandbox: Sandbox) -> None:
    for body in ("import os\nos._exit(0)", "import sys\nsys.exit(0)", "raise SystemExit(0)",
                 "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"):
        rep = sandbox.run_tests(_program(body), TESTS)
        assert not rep.passed and rep.n_passed == 0, body
        inside = sandbox.run_tests(f"def f(x):\n    exec({body!r})\n    return x * x\n", TESTS)
        assert not inside.passed, body
        he = sandbox.run_tests(_program(body), "def check(candidate):\n    assert candidate(2) == 4\n", "f")
        assert not he.passed, body
    _after(sandbox)


def test_forged_results_are_rejected(sandbox: Sandbox) -> None:
    forge = ("import os, json\nfor fd in range(3, 64):\n    try:\n"
             "        os.write(fd, b'{\"kind\": \"done\", \"nonce\": \"x\"}\\n')\n    except OSError:\n        pass\n"
             "print(json.dumps({'kind': 'done', 'error': None}))\nos._exit(0)\n")
    rep = sandbox.run_tests(_program(forge), TESTS)
    assert not rep.passed
    _after(sandbox)


def test_always_equal_return_value(sandbox: Sandbox) -> None:
    cheat = ("class Any:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
             "    def __bool__(self): return True\n    def __lt__(self, o): return True\n"
             "    def __sub__(self, o): return 0\n    def __abs__(self): return 0\n"
             "def f(x):\n    return Any()\n")
    rep = sandbox.run_tests(cheat, TESTS)
    assert not rep.passed and rep.n_passed == 0
    assert rep.results[0].reason.startswith("assertion failed")
    he = sandbox.run_tests(cheat, "def check(candidate):\n    assert candidate(2) == 4\n"
                                  "    assert abs(candidate(1) - 1) < 1e-6\n", "f")
    assert not he.passed and he.n_passed == 0
    sub = sandbox.run_tests("class I(int):\n    def __eq__(self, o): return True\n"
                            "def f(x):\n    return I(0)\n", TESTS)
    assert not sub.passed
    patch = sandbox.run_tests("import builtins\nbuiltins.abs = lambda x: 0\nimport math\n"
                              "math.isclose = lambda *a, **k: True\ndef f(x):\n    return 0\n",
                              ["import math\nassert math.isclose(f(2), 4)", "assert abs(f(3) - 9) < 1"])
    assert not patch.passed
    truthy = sandbox.run_tests(cheat, ["assert f(1)", "assert f(1) in [1, 4]", "assert sorted([f(1), 2])"])
    assert not truthy.passed and truthy.n_passed == 0
    shadow = sandbox.run_tests("def abs(x):\n    return 0\ndef f(x):\n    return 5\n",
                               ["assert abs(f(2) - 4) < 0.5"])
    assert not shadow.passed
    _after(sandbox)


def test_orphans_do_not_outlive_the_job(sandbox: Sandbox) -> None:
    code = ("import os, subprocess, time\n"
            "subprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(1.0)\n"
            "        open('/tmp/orphan-was-here', 'w').write('x')\n        time.sleep(1000)\n    os._exit(0)\n"
            "print('parent done')\n")
    r = sandbox.run(code)
    assert r.ok and r.stdout == "parent done\n"
    rep = sandbox.run_tests(_program(code), TESTS)
    assert rep.passed  # the program is fine; its children must still be gone afterwards
    assert fx.wait_no_job_processes() == []
    time.sleep(1.5)
    for _ in range(2 * fx.POOL_SIZE):
        look = sandbox.run("import os\nprint(os.path.exists('/tmp/orphan-was-here'))")
        assert look.stdout == "False\n"
    _after(sandbox)


def test_ctypes_segfault(sandbox: Sandbox) -> None:
    code = "import ctypes\nctypes.string_at(0)"
    r = sandbox.run(code)
    assert r.exit_code == -11 and not r.ok
    assert not sandbox.run_tests(_program(code), TESTS).passed
    assert not sandbox.run_tests(f"def f(x):\n    exec({code!r})\n", TESTS).passed
    _after(sandbox)


def test_ptrace_and_proc_of_harness(sandbox: Sandbox) -> None:
    code = ("import os\nppid = os.getppid()\n"
            "for p in [f'/proc/{ppid}/mem', f'/proc/{ppid}/fd/3', f'/proc/{ppid}/environ']:\n"
            "    try:\n        open(p, 'rb').read(1)\n        print('OPENED', p)\n    except OSError:\n        pass\n"
            "print(os.listdir(f'/proc/{ppid}/fd') if os.access(f'/proc/{ppid}/fd', os.R_OK) else 'noaccess')\n")
    rep = sandbox.run_tests(_program(code), TESTS)
    assert "OPENED" not in rep.stdout
    _after(sandbox)


def test_dead_worker_is_replaced(sandbox: Sandbox) -> None:
    """A worker killed from outside (container killed, process killed) costs one job, not the pool."""
    slot = sandbox._pool._slots[0]
    if sandbox.backend == "docker":
        slot.container.kill()
    else:
        os.killpg(slot.proc.pid, 9)
    results = [sandbox.run("print('alive')") for _ in range(2 * fx.POOL_SIZE + 1)]
    assert sum(r.error is not None for r in results) <= 1
    assert all(r.ok for r in results if r.error is None)
    assert all(not r.ok for r in results if r.error is not None)
    _after(sandbox)


def test_candidate_cannot_read_the_tests_from_memory(sandbox: Sandbox) -> None:
    """The candidate process is forked before the request arrives: the expected values in the tests
    are nowhere in its memory (no frames, no gc objects, no request buffers)."""
    spy = ("import gc, sys, re\nfound = []\n"
           "def look(v):\n"
           "    if isinstance(v, dict):\n"
           "        for k in ('tests', 'tests_block'):\n"
           "            if k in v:\n"
           "                found.append(str(v[k]))\n"
           "    elif isinstance(v, (str, bytes)) and len(v) < 100000:\n"
           "        found.append(str(v))\n"
           "for o in gc.get_objects():\n"
           "    if isinstance(o, dict):\n"
           "        look(o)\n"
           "fr = sys._getframe()\n"
           "while fr is not None:\n"
           "    for v in list(fr.f_locals.values()):\n"
           "        look(v)\n"
           "    fr = fr.f_back\n"
           "hits = re.findall(r'tg-expected-[0-9a-f]+', ' '.join(found))\n"
           "def f(x):\n"
           "    return hits[0] if hits else None\n")
    rep = sandbox.run_tests(spy, ["assert f(1) == 'tg-expected-5be1f0'"])
    assert not rep.passed
    he = sandbox.run_tests(spy, "def check(candidate):\n    assert candidate(1) == 'tg-expected-77aa01'\n", "f")
    assert not he.passed
    _after(sandbox)


# ----------------------------------------------------------------------------- callbacks into the tests
def test_callback_called_forever_times_out(sandbox: Sandbox) -> None:
    program = "def apply(f, x):\n    while True:\n        f(x)\n"
    t0 = time.monotonic()
    rep = sandbox.run_tests(program, ["assert apply(lambda v: v + 1, 1) == 2"], timeout_s=2)
    assert not rep.passed and rep.timed_out
    assert time.monotonic() - t0 < 10
    he = sandbox.run_tests(program, "def check(candidate):\n    assert candidate(abs, -1) == 1\n", "apply",
                           timeout_s=2)
    assert not he.passed
    _after(sandbox)


def test_callback_gets_only_handles_for_rigged_objects(sandbox: Sandbox) -> None:
    """Objects the program passes to (or returns through) a test callable cross as handles."""
    cheat = ("class Any:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
             "    def __bool__(self): return True\n    def __hash__(self): return 0\n"
             "class I(int):\n    def __eq__(self, o): return True\n"
             "def apply(f, x):\n    return f(Any())\n"
             "def apply_int(f, x):\n    return f(I(0))\n"
             "def keyed(f, x):\n    return [f(Any()), f(I(1))]\n")
    rep = sandbox.run_tests(cheat, ["assert apply(lambda v: v == 3, 3)",
                                    "assert apply_int(lambda v: v == 3, 3)",
                                    "assert apply(lambda v: v, 3) == 3",
                                    "assert keyed(lambda v: v in (1, 2), 1) == [True, True]"])
    assert not rep.passed and rep.n_passed == 0, rep
    _after(sandbox)


def test_forged_done_through_the_callback_channel(sandbox: Sandbox) -> None:
    """The program writes raw frames on its channel: a forged ``done`` record, a ``cb`` for a callable
    it was never given, replies out of turn. None of it reaches the results pipe or makes a pass."""
    forge = ("import gc, json, os, struct\n"
             "def frame(obj):\n    data = json.dumps(obj).encode()\n    return struct.pack('>I', len(data)) + data\n"
             "def fds():\n    return [int(x) for x in os.listdir('/proc/self/fd')]\n"
             "def blast(msgs):\n"
             "    for fd in fds():\n"
             "        for m in msgs:\n"
             "            try:\n                os.write(fd, frame(m))\n            except OSError:\n                pass\n"
             "def apply(f, x):\n"
             "    blast([{'kind': 'done', 'nonce': 'x', 'error': None}, ['cb', 999, [], {}],\n"
             "           ['cbok', True], ['ok', True], ['done'], ['ok', ['R', 1, 'x']]])\n"
             "    return f(x)\n")
    rep = sandbox.run_tests(forge, ["assert apply(lambda v: v == 1, 2)"], timeout_s=5)
    assert not rep.passed
    he = sandbox.run_tests(forge, "def check(candidate):\n    assert candidate(lambda v: v == 1, 2)\n", "apply",
                           timeout_s=5)
    assert not he.passed
    _after(sandbox)


def test_dangerous_builtins_are_never_lent(sandbox: Sandbox) -> None:
    """Passing exec/eval/getattr/open to the program would let it run code in the harness: refused."""
    program = "def apply(f, *a):\n    return f(*a)\n"
    rep = sandbox.run_tests(program, ["assert apply(eval, '1 + 1') == 2",
                                      "assert apply(getattr, 1, 'real') == 1"])
    assert not rep.passed and rep.n_passed == 0
    assert "cannot cross" in rep.results[0].reason
    _after(sandbox)
