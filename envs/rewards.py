"""Reward shaping: verdicts in, one float plus named terms out.

Terms (weights are configuration, see ``RewardConfig``):

- ``outcome``: weight x score of the final-answer verdict (1 for a correct answer).
- ``format``: weight x format score (1 for ``<think>`` + ``<answer>``, 0.5 for another recognised answer).
- ``step_validity``: weight x (new valid steps - invalid steps) / reference length, clipped to [-1, 1].
  A repeated step is not new and earns nothing; valid steps beyond the reference length earn nothing.
- ``progress``: weight x (Phi(end) - Phi(start)), Phi = share of the reference milestones reached by
  valid steps. Potential-based (Ng et al., 1999): paid per step as Phi(s') - Phi(s), so it cannot change
  which policy is optimal, and padding reaches no milestone.
- ``length``: -weight x (steps beyond ``length_slack`` x reference length) / reference length, clipped at -weight.

The reference solution earns the maximum of every term, so padding or repeating steps can never earn
more than solving the task: validity and progress are capped at their reference values and every extra
step can only add a length penalty.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from thoughtgym.verifiers.verdict import Verdict

TERM_NAMES = ("outcome", "format", "step_validity", "progress", "length")


@dataclass
class RewardConfig:
    """Weights of the reward terms.

    Attributes:
        outcome: weight of the final answer's correctness.
        format: weight of the completion's format (tags, a recognisable answer).
        step_validity: weight of the verified steps (valid minus invalid, over the reference length).
        progress: weight of the potential-based progress towards the reference milestones.
        length: weight of the penalty for steps beyond the length budget.
        length_slack: the budget is ``ceil(length_slack * reference length)`` steps (at least +2).
    """

    outcome: float = 1.0
    format: float = 0.1
    step_validity: float = 0.3
    progress: float = 0.3
    length: float = 0.2
    length_slack: float = 2.0

    def validate(self) -> None:
        for name in ("outcome", "format", "step_validity", "progress", "length"):
            if getattr(self, name) < 0:
                raise ValueError(f"RewardConfig.{name} must be >= 0 (it is a weight), got {getattr(self, name)}")
        if self.length_slack < 1:
            raise ValueError(f"RewardConfig.length_slack must be >= 1, got {self.length_slack}")

    @property
    def max_reward(self) -> float:
        """What the reference solution earns."""
        return self.outcome + self.format + self.step_validity + self.progress

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class ShapingState:
    """Everything the reward depends on, for a whole or partial episode."""

    reference_steps: int
    n_milestones: int
    n_new_valid: int = 0
    n_invalid: int = 0
    n_steps: int = 0
    reached: set[int] = field(default_factory=set)
    answer: Verdict | None = None
    format_score: float = 0.0


def reward_terms(state: ShapingState, config: RewardConfig) -> dict[str, float]:
    """The named reward terms for ``state``; their sum is the reward."""
    ref = max(1, state.reference_steps)
    validity = max(-1.0, min(1.0, (state.n_new_valid - state.n_invalid) / ref))
    potential = len(state.reached) / state.n_milestones if state.n_milestones else 0.0
    budget = max(ref + 2, math.ceil(config.length_slack * ref))
    overflow = max(0, state.n_steps - budget) / ref
    terms = {
        "outcome": config.outcome * (state.answer.score if state.answer is not None else 0.0),
        "format": config.format * state.format_score,
        "step_validity": config.step_validity * validity,
        "progress": config.progress * potential,
        "length": 0.0 - config.length * min(1.0, overflow),  # 0.0 - x: no negative zero in reports
    }
    # Rounded so that reports read 0.1, not 0.09999999999999999; far below any reward difference.
    return {k: round(v, 12) for k, v in terms.items()}
