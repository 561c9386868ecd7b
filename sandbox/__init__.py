"""Run untrusted, model-written Python code safely and fast.

Two backends with one API: a Docker backend with a warm pool of hardened containers, and a process
backend (bubblewrap namespaces + rlimits) for machines without Docker. See :class:`Sandbox`.

    from thoughtgym.sandbox import Sandbox
    with Sandbox() as sb:
        r = sb.run("print(input()[::-1])", stdin="abc")          # ExecResult
        rep = sb.run_tests("def f(x): return 2*x", ["assert f(2) == 4"])  # TestReport
        reps = sb.run_tests_batch([{"program": ..., "tests": ..., "entry_point": ...}])

    sb = shared_sandbox()   # one lazily started pool per process, for verifiers
"""

from .api import Sandbox, docker_available, shared_sandbox
from .image import DEFAULT_IMAGE
from .types import ExecResult, TestReport, TestResult

__all__ = ["Sandbox", "ExecResult", "TestReport", "TestResult", "DEFAULT_IMAGE", "docker_available",
           "shared_sandbox"]
