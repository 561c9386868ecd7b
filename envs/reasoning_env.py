"""The shared machinery of every thoughtgym environment (math, code, logic, physics).

Domain environments (``math_env.py``, ...) subclass ``ReasoningEnv`` and only say which task
families they draw from; stepping, verification, rewards and rendering live here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym

from thoughtgym.envs.rewards import RewardConfig
from thoughtgym.envs.spaces import UnicodeText, fit_text
from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks import get_family, list_families
from thoughtgym.envs.verify import EpisodeScorer

MODES = ("step", "single")
MAX_OBSERVATION_CHARS = 16_384
MAX_ACTION_CHARS = 32_768


class ReasoningEnv(gym.Env[str, str]):
    """A reasoning task as an episode; see the domain envs' docstrings for the full table.

    Args:
        family: a family name or a list of them to draw from (uniformly at each reset); None means
            every procedural family of the env's ``domain``.
        difficulty: difficulty level of the drawn tasks.
        mode: ``"step"`` (one action = one step) or ``"single"`` (one action = a whole completion).
        max_steps: step budget in step mode; default ``max(8, 3 x reference length)``.
        reward_config: reward weights (``RewardConfig``), or a dict of them.
        timeout_s: time bound of each verifier check.
        render_mode: ``None``, ``"ansi"`` (``render()`` returns the transcript) or ``"human"`` (prints it).
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    domain: ClassVar[str] = ""  # the task domain whose procedural families ``family=None`` means

    def __init__(
        self,
        family: str | Sequence[str] | None = None,
        difficulty: int = 1,
        mode: str = "step",
        max_steps: int | None = None,
        reward_config: RewardConfig | dict[str, float] | None = None,
        timeout_s: float = 2.0,
        render_mode: str | None = None,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        if family is None:
            families = list_families(self.domain, procedural=True)
        else:
            families = [family] if isinstance(family, str) else list(family)
        if not families:
            raise ValueError("at least one task family is needed")
        self.families = [get_family(name) for name in families]
        for fam in self.families:
            if difficulty not in fam.difficulties:
                raise ValueError(f"family {fam.name!r} has difficulties {fam.difficulties}, got {difficulty}")
        if isinstance(reward_config, dict):
            reward_config = RewardConfig(**reward_config)
        self.reward_config = reward_config or RewardConfig()
        self.reward_config.validate()
        if max_steps is not None and max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.difficulty = difficulty
        self.mode = mode
        self.max_steps = max_steps
        self.timeout_s = timeout_s
        self.render_mode = render_mode
        self.observation_space = UnicodeText(MAX_OBSERVATION_CHARS)
        self.action_space = UnicodeText(MAX_ACTION_CHARS)
        self.task: Task | None = None
        self._scorer: EpisodeScorer | None = None
        self._transcript: list[str] = []
        self._done = False

    # ----------------------------------------------------------------------------------------- reset
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode. ``options={"task": Task | dict}`` pins the task instead of drawing one."""
        super().reset(seed=seed)
        options = options or {}
        if "task" in options:
            task = options["task"]
            self.task = task if isinstance(task, Task) else Task.from_dict(task)
        else:
            family = self.families[int(self.np_random.integers(len(self.families)))]
            task_seed = int(self.np_random.integers(2**31 - 1))
            self.task = family.task(task_seed, self.difficulty)
        self._scorer = EpisodeScorer(self.task, self.reward_config, self.timeout_s)
        self._transcript = []
        self._done = False
        return self._observation(), self._info(is_success=False)

    @property
    def step_budget(self) -> int:
        assert self.task is not None
        return self.max_steps or max(8, 3 * len(self.task.solution))

    # ------------------------------------------------------------------------------------------ step
    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self.task is None or self._scorer is None:
            raise RuntimeError("call reset() before step()")
        if self._done:
            raise RuntimeError("the episode has ended; call reset()")
        if not isinstance(action, str):
            action = "" if action is None else str(action)
        action = action[:MAX_ACTION_CHARS]
        if self.mode == "single":
            return self._step_single(action)
        return self._step_one(action)

    def _step_single(self, completion: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        assert self.task is not None and self._scorer is not None
        report = self._scorer.score_completion(completion)
        for i, v in enumerate(report.steps):
            self._transcript.append(self._feedback_line(i, v))
        self._transcript.append(self._answer_line(report.answer_text, report.answer))
        self._done = True
        info = self._info(is_success=report.correct, reward_terms=dict(report.terms))
        info["report"] = report
        return self._observation(), float(report.reward), True, False, info

    def _step_one(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        assert self.task is not None and self._scorer is not None
        verifier = self._scorer.verifier
        answer, source = verifier.extract_answer(action)
        reward = 0.0
        terms = {k: 0.0 for k in self._scorer.terms}
        verdict = None
        # The action is one step; text before an answer in the same action counts as that step.
        step_text = action.strip()
        if answer is not None:
            step_text = "\n".join(verifier.parse_completion(action).steps)
        if step_text or answer is None:
            verdict, r, t = self._scorer.add_step(step_text)
            reward += r
            terms = {k: terms[k] + t[k] for k in terms}
            self._transcript.append(self._feedback_line(len(self._scorer.verdicts) - 1, verdict))
        terminated = answer is not None
        if terminated:
            fmt = 1.0 if source in ("tag", "boxed") else 0.5
            a_verdict, r, t = self._scorer.add_answer(answer, fmt)
            reward += r
            terms = {k: terms[k] + t[k] for k in terms}
            self._transcript.append(self._answer_line(answer, a_verdict))
        truncated = not terminated and len(self._scorer.verdicts) >= self.step_budget
        if truncated:
            self._transcript.append(f"Step budget of {self.step_budget} used up without a final answer.")
        self._done = terminated or truncated
        success = terminated and self._scorer.state.answer is not None and self._scorer.state.answer.ok is True
        info = self._info(is_success=success, reward_terms=terms)
        if verdict is not None:
            info["verdict"] = verdict
        if self.render_mode == "human":
            self.render()
        return self._observation(), float(reward), terminated, truncated, info

    # ------------------------------------------------------------------------------- observation/info
    @staticmethod
    def _feedback_line(index: int, verdict: Any) -> str:
        mark = {True: "valid", False: "INVALID", None: "unchecked"}[verdict.ok]
        return f"Step {index + 1}: {mark} - {verdict.reason}"

    @staticmethod
    def _answer_line(answer: str | None, verdict: Any) -> str:
        mark = "correct" if verdict.ok else "not correct"
        return f"Final answer {answer!r}: {mark} - {verdict.reason}"

    def _observation(self) -> str:
        assert self.task is not None
        head = self.task.prompt
        if self.mode == "step" and not self._done:
            head += "\n\nWrite one step per action; give the final answer as <answer>...</answer>."
        text = head if not self._transcript else head + "\n\n" + "\n".join(self._transcript)
        return fit_text(text, MAX_OBSERVATION_CHARS, keep_head=min(len(head), MAX_OBSERVATION_CHARS // 2))

    def _info(self, *, is_success: bool, reward_terms: dict[str, float] | None = None) -> dict[str, Any]:
        assert self.task is not None and self._scorer is not None
        scorer = self._scorer
        info: dict[str, Any] = {
            "task_id": self.task.id,
            "family": self.task.family,
            "difficulty": self.task.difficulty,
            "mode": self.mode,
            "is_success": bool(is_success),
            "step_verdicts": [v.to_dict() for v in scorer.verdicts],
            # -1 when no step is wrong: vector envs batch info values into typed arrays, so no None here.
            "first_error": -1 if scorer.first_error is None else scorer.first_error,
            "reward_terms": reward_terms if reward_terms is not None else {k: 0.0 for k in scorer.terms},
            "episode_reward_terms": dict(scorer.terms),
            "episode_reward": scorer.total,
            "max_reward": self.reward_config.max_reward,
            "steps_taken": len(scorer.verdicts),
        }
        if self.mode == "step":
            info["step_budget"] = self.step_budget
        return info

    def render(self) -> str | None:
        if self.task is None:
            return None
        text = self.task.prompt + "\n" + "\n".join(self._transcript)
        if self.render_mode == "human":
            print(text)
            return None
        return text
