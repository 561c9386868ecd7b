"""Oracle policies: the reference solution, and a noisy copy of it with errors injected.

They read the task the env holds (privileged information), which makes them the yardstick for rewards
and verifiers: the reference policy must earn the maximum reward, and every error the noisy one injects
must be caught at the step it was made.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from thoughtgym.envs.task import Task


def perturb_last_number(text: str, rng: random.Random) -> str | None:
    """``text`` with its last number changed by a non-zero amount, or None if it has no number."""
    matches = list(re.finditer(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])", text))
    if not matches:
        return None
    m = matches[-1]
    old = m.group(0)
    if "." in old:
        new = f"{float(old) + rng.choice([1, 2, 3]):.{len(old.split('.')[1])}f}"
    else:
        new = str(int(old) + rng.choice([1, 2, 3, 5, 7, 9]))
    return text[: m.start()] + new + text[m.end() :]


class ReferencePolicy:
    """Plays the task's reference solution: one step per action, then ``<answer>gold</answer>``."""

    name = "reference"

    def __init__(self) -> None:
        self._plan: list[str] = []

    def plan(self, task: Task) -> list[str]:
        return list(task.solution) + [f"<answer>{task.answer}</answer>"]

    def reset(self, task: Task) -> None:
        self._plan = self.plan(task)

    def act(self, observation: str = "") -> str:
        """The next action (observation is ignored: the oracle knows the task)."""
        return self._plan.pop(0) if self._plan else "<answer></answer>"

    def complete(self, task: Task) -> str:
        """The whole solution as one completion (single mode)."""
        plan = self.plan(task)
        steps = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(plan[:-1]))
        return f"<think>\n{steps}\n</think>\n{plan[-1]}"


@dataclass
class InjectedError:
    step: int
    original: str
    corrupted: str


class NoisyPolicy(ReferencePolicy):
    """The reference solution with errors injected: each step's last number is changed with
    probability ``error_rate``, and so is the final answer. ``injected`` records where."""

    name = "noisy"

    def __init__(self, error_rate: float = 0.2, seed: int = 0):
        super().__init__()
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError(f"error_rate must lie in [0, 1], got {error_rate}")
        self.error_rate = error_rate
        self.rng = random.Random(seed)
        self.injected: list[InjectedError] = []

    def plan(self, task: Task) -> list[str]:
        self.injected = []
        steps = list(task.solution)
        for i, step in enumerate(steps):
            if self.rng.random() < self.error_rate:
                bad = perturb_last_number(step, self.rng)
                if bad is not None and bad != step:
                    self.injected.append(InjectedError(i, step, bad))
                    steps[i] = bad
        answer = task.answer
        if self.rng.random() < self.error_rate:
            answer = perturb_last_number(answer, self.rng) or answer
        return steps + [f"<answer>{answer}</answer>"]
