"""The standalone verifier API: ``verify(task, completion) -> Report``, and the scorer the envs share.

``EpisodeScorer`` checks one step at a time and pays the change in the shaped reward, so an episode
in step mode earns exactly what ``verify`` gives the same steps in single mode.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from thoughtgym.envs.rewards import TERM_NAMES, RewardConfig, ShapingState, reward_terms
from thoughtgym.envs.task import Task
from thoughtgym.verifiers.base import DEFAULT_TIMEOUT_S, TaskVerifier, get_verifier
from thoughtgym.verifiers.verdict import Verdict

_REPEAT_KEY_RE = re.compile(r"[\s.,;:!]+")


def _repeat_key(step: str) -> str:
    return _REPEAT_KEY_RE.sub("", step).lower()


@dataclass
class Report:
    """The verdict on a whole completion.

    Attributes:
        task_id: the task checked.
        correct: the final answer was verified correct.
        reward: the shaped reward (sum of ``terms``).
        terms: the named reward terms (outcome, format, step_validity, progress, length).
        steps: one Verdict per step, in order.
        answer: the Verdict on the final answer.
        answer_text: the final answer as extracted, or None.
        first_error: index of the first step verified wrong, or None.
        format_problems: format problems the parser found.
        seconds: wall time the verification took.
    """

    task_id: str
    correct: bool
    reward: float
    terms: dict[str, float]
    steps: list[Verdict]
    answer: Verdict
    answer_text: str | None
    first_error: int | None
    format_problems: list[str] = field(default_factory=list)
    seconds: float = field(default=0.0, compare=False)  # wall time: not part of the result

    @property
    def step_validity(self) -> float:
        """Share of steps verified valid (0 when there are no steps)."""
        return sum(v.ok is True for v in self.steps) / len(self.steps) if self.steps else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "correct": self.correct,
            "reward": self.reward,
            "terms": dict(self.terms),
            "steps": [v.to_dict() for v in self.steps],
            "answer": self.answer.to_dict(),
            "answer_text": self.answer_text,
            "first_error": self.first_error,
            "format_problems": list(self.format_problems),
            "seconds": self.seconds,
        }


class EpisodeScorer:
    """Verifies steps one by one and pays the change of the shaped reward.

    Args:
        task: the task being solved.
        config: reward weights.
        timeout_s: time bound of each single check.
    """

    def __init__(self, task: Task, config: RewardConfig | None = None, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.task = task
        self.config = config or RewardConfig()
        self.config.validate()
        self.timeout_s = timeout_s
        self.verifier: TaskVerifier = get_verifier(task.kind)
        self.state = ShapingState(
            reference_steps=len(task.solution), n_milestones=len(task.verifier.get("milestones", []))
        )
        self.steps: list[str] = []
        self.verdicts: list[Verdict] = []
        self._seen: set[str] = set()
        self.terms = reward_terms(self.state, self.config)

    @property
    def total(self) -> float:
        return float(sum(self.terms.values()))

    @property
    def first_error(self) -> int | None:
        return next((i for i, v in enumerate(self.verdicts) if v.ok is False), None)

    def _pay(self) -> tuple[float, dict[str, float]]:
        before = self.terms
        self.terms = reward_terms(self.state, self.config)
        deltas = {k: self.terms[k] - before[k] for k in TERM_NAMES}
        return float(sum(deltas.values())), deltas

    def add_step(self, step: str) -> tuple[Verdict, float, dict[str, float]]:
        """Verify one step; returns its verdict, the reward it earns and that reward's terms."""
        try:
            verdict = self.verifier.check_step(
                step, list(self.steps), self.task.prompt, self.task.verifier, timeout_s=self.timeout_s
            )
        except Exception as exc:  # a verifier bug must not take down a training run
            verdict = Verdict.unknown(f"verifier error: {type(exc).__name__}: {exc}"[:300])
        key = _repeat_key(step)
        is_new = key not in self._seen
        self._seen.add(key)
        if not is_new and verdict.ok is not False:
            verdict = Verdict(verdict.ok, verdict.score, verdict.reason + " (repeats an earlier step: no credit)",
                              {**verdict.details, "repeat": True})
        self.steps.append(step)
        self.verdicts.append(verdict)
        st = self.state
        st.n_steps += 1
        if verdict.ok is False:
            st.n_invalid += 1
        elif is_new:
            st.n_new_valid += verdict.ok is True
            try:  # partial credit (a draft passing some tests) reaches some milestones
                st.reached |= self.verifier.milestones_reached(step, self.task.verifier, verdict)
            except Exception:
                pass
        return (verdict, *self._pay())

    def add_answer(self, answer: str | None, format_score: float) -> tuple[Verdict, float, dict[str, float]]:
        """Verify the final answer; returns its verdict, the reward it earns and that reward's terms."""
        try:
            verdict = self.verifier.check_answer(answer, self.task.answer, self.task.verifier, timeout_s=self.timeout_s)
        except Exception as exc:
            verdict = Verdict.unknown(f"verifier error: {type(exc).__name__}: {exc}"[:300])
        self.state.answer = verdict
        self.state.format_score = format_score
        return (verdict, *self._pay())

    def score_completion(self, completion: str) -> Report:
        """Verify a whole completion (every step, then the answer) and report on it."""
        start = time.perf_counter()
        parsed = self.verifier.parse_completion(completion)
        for step in parsed.steps:
            self.add_step(step)
        answer_verdict, _, _ = self.add_answer(parsed.answer, parsed.format_score)
        return Report(
            task_id=self.task.id,
            correct=answer_verdict.ok is True,
            reward=self.total,
            terms=dict(self.terms),
            steps=list(self.verdicts),
            answer=answer_verdict,
            answer_text=parsed.answer,
            first_error=self.first_error,
            format_problems=list(parsed.problems),
            seconds=time.perf_counter() - start,
        )


def verify(
    task: Task, completion: str, *, config: RewardConfig | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
) -> Report:
    """Verify a whole completion for ``task``: every step, the final answer, and the shaped reward.

    Never raises on the completion's content; each check is bounded by ``timeout_s``.
    """
    return EpisodeScorer(task, config, timeout_s).score_completion(completion)


def verify_batch(
    tasks: Sequence[Task],
    completions: Sequence[str],
    *,
    config: RewardConfig | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_workers: int | None = None,
    progress: bool = False,
) -> list[Report]:
    """``verify`` for many (task, completion) pairs, results in input order.

    Checks run on a thread pool, so code tasks keep the whole sandbox pool busy (the sandbox is
    thread-safe). Math checks are bounded per call in any thread; the rare ones that need the symbolic
    worker process share one worker, so under heavy contention such a check can run out of time and
    say "cannot tell" where a lone call would have decided. ``progress`` shows a tqdm bar on stderr.
    """
    if len(tasks) != len(completions):
        raise ValueError(f"verify_batch: {len(tasks)} tasks but {len(completions)} completions")
    if not tasks:
        return []
    workers = max_workers or min(len(tasks), max(2, (os.cpu_count() or 2) * 2))
    from tqdm import tqdm

    with ThreadPoolExecutor(max_workers=workers) as pool, tqdm(
        total=len(tasks), desc="verify", disable=not progress, file=sys.stderr
    ) as bar:
        futures = [
            pool.submit(verify, task, completion, config=config, timeout_s=timeout_s)
            for task, completion in zip(tasks, completions, strict=True)
        ]
        for _done in as_completed(futures):
            bar.update()
        return [f.result() for f in futures]
