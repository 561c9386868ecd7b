"""Run a policy through episodes and summarise what happened (used by ``thoughtgym demo``)."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import gymnasium as gym

from thoughtgym.envs.task import Task


class StepPolicy(Protocol):
    name: str

    def reset(self, task: Task) -> None: ...

    def act(self, observation: str = "") -> str: ...


@dataclass
class EpisodeResult:
    """One episode's outcome, as written to the metrics JSONL."""

    policy: str
    env_id: str
    task_id: str
    family: str
    difficulty: int
    success: bool
    steps: int
    step_validity: float
    first_error: int | None
    reward: float
    terms: dict[str, float]
    injected: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_episode(env: gym.Env, policy: StepPolicy, seed: int) -> EpisodeResult:
    """Play one step-mode episode of ``env`` with ``policy`` from ``seed``."""
    obs, info = env.reset(seed=seed)
    task: Task = env.unwrapped.task
    policy.reset(task)
    total = 0.0
    terminated = truncated = False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, info = env.step(policy.act(obs))
        total += float(reward)
    verdicts = info["step_verdicts"]
    valid = sum(v["ok"] is True for v in verdicts)
    return EpisodeResult(
        policy=policy.name,
        env_id=env.spec.id if env.spec else type(env.unwrapped).__name__,
        task_id=task.id,
        family=task.family,
        difficulty=task.difficulty,
        success=bool(info["is_success"]),
        steps=len(verdicts),
        step_validity=valid / len(verdicts) if verdicts else 0.0,
        first_error=None if info["first_error"] < 0 else info["first_error"],
        reward=total,
        terms=dict(info["episode_reward_terms"]),
        injected=[e.step for e in getattr(policy, "injected", [])],
    )


def summarise(results: Iterable[EpisodeResult]) -> dict[str, Any]:
    """Means over episodes: success, steps, step validity, reward and each reward term."""
    results = list(results)
    if not results:
        return {}
    out: dict[str, Any] = {
        "episodes": len(results),
        "success": statistics.fmean(r.success for r in results),
        "mean_steps": statistics.fmean(r.steps for r in results),
        "valid_steps": statistics.fmean(r.step_validity for r in results),
        "reward": statistics.fmean(r.reward for r in results),
    }
    for term in results[0].terms:
        out[f"r_{term}"] = statistics.fmean(r.terms[term] for r in results)
    injected = [r for r in results if r.injected]
    if injected:
        out["errors_caught_at_step"] = statistics.fmean(r.first_error == min(r.injected) for r in injected)
    return out


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
