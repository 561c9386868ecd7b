"""Result types of the sandbox API (plain dataclasses, JSON-friendly via ``dataclasses.asdict``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ExecResult:
    """Outcome of one :meth:`Sandbox.run` job.

    ``exit_code`` is the process exit status; a negative value ``-N`` means killed by signal ``N``.
    ``error`` is set when the sandbox itself failed to run the job (worker died, protocol error);
    such a job never counts as a success.
    """

    exit_code: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    out_of_memory: bool = False
    duration: float = 0.0
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    backend: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the program exited with status 0 on its own (no timeout, no sandbox error)."""
        return self.exit_code == 0 and not self.timed_out and self.error is None


@dataclass
class TestResult:
    """One test of a :class:`TestReport`: its source (or label), whether it held, and why not."""

    index: int
    source: str
    passed: bool
    reason: str = ""

    __test__ = False  # not a pytest test class


@dataclass
class TestReport:
    """Outcome of :meth:`Sandbox.run_tests`.

    ``passed`` is True only when the in-sandbox harness reported that it ran every test, every test
    held, and it finished (its final record carried the job's nonce). An exit code alone never
    makes a pass. ``error`` says why the run as a whole failed (program did not load, candidate
    process died, timeout, ...); per-test reasons are in ``results``.
    """

    passed: bool
    n_passed: int
    n_total: int
    results: list[TestResult] = field(default_factory=list)
    error: str | None = None
    timed_out: bool = False
    out_of_memory: bool = False
    duration: float = 0.0
    stdout: str = ""
    stderr: str = ""
    backend: str = ""

    __test__ = False

    @property
    def fraction(self) -> float:
        """Fraction of tests that held (0.0 when there are no tests)."""
        return self.n_passed / self.n_total if self.n_total else 0.0

    @property
    def failures(self) -> list[TestResult]:
        """The tests that did not hold."""
        return [r for r in self.results if not r.passed]
