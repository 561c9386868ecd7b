"""The Math environments through gymnasium's public API: registration, both modes, vector envs,
determinism, reward properties and hostile actions."""

from __future__ import annotations

import os
import time

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import thoughtgym
from thoughtgym import Task
from thoughtgym.agents import NoisyPolicy, ReferencePolicy
from thoughtgym.agents.rollout import run_episode
from thoughtgym.envs.math_env import procedural_math_families
from thoughtgym.envs.registration import env_id, registered_ids

MATH_FAMILIES = procedural_math_families()
HOSTILE = [
    "__import__('os').system('touch /tmp/pwned')",
    "5^{5^{5^{5^5}}} = 1",
    "10^{10^8} = 3",
    "(" * 100 + "1" + ")" * 100 + " = 1",
    "\x00\x01\xff\ud7ff binary junk \x7f" * 10,
    "x" * 1_000_000,
    "<answer>" + "9" * 100_000 + "</answer>",
    "",
]


def test_every_math_family_has_an_id() -> None:
    ids = registered_ids()
    assert "thoughtgym/Math-v0" in ids
    for family in MATH_FAMILIES + ["gsm8k"]:
        assert env_id(family) in ids


@pytest.mark.parametrize("env_name", sorted(set(registered_ids())))
def test_check_env_passes(env_name: str) -> None:
    for mode in ("step", "single"):
        env = gym.make(env_name, mode=mode)
        check_env(env.unwrapped, skip_render_check=True)
        env.close()


@pytest.mark.parametrize("family", MATH_FAMILIES)
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_reference_earns_max_reward_in_both_modes(family: str, difficulty: int) -> None:
    step_env = gym.make(env_id(family), difficulty=difficulty, mode="step")
    result = run_episode(step_env, ReferencePolicy(), seed=difficulty)
    assert result.success, result
    assert result.first_error is None
    assert result.reward == pytest.approx(step_env.unwrapped.reward_config.max_reward)

    single_env = gym.make(env_id(family), difficulty=difficulty, mode="single")
    single_env.reset(seed=difficulty)
    task = single_env.unwrapped.task
    _, reward, terminated, _, info = single_env.step(ReferencePolicy().complete(task))
    assert terminated and info["is_success"]
    assert reward == pytest.approx(result.reward)


@pytest.mark.parametrize("family", MATH_FAMILIES)
def test_step_mode_pays_what_single_mode_pays(family: str) -> None:
    """Per-step rewards telescope to verify()'s reward for the same (noisy) steps."""
    env = gym.make(env_id(family), difficulty=2, mode="step")
    for seed in range(3):
        policy = NoisyPolicy(error_rate=0.5, seed=seed)
        result = run_episode(env, policy, seed=seed)
        task = env.unwrapped.task
        steps = env.unwrapped._scorer.steps
        completion = "<think>\n" + "\n".join(steps) + "\n</think>\n" + policy_answer(env)
        report = thoughtgym.verify(task, completion)
        assert report.reward == pytest.approx(result.reward, abs=1e-9)
        if policy.injected:
            assert result.first_error == policy.injected[0].step


def policy_answer(env: gym.Env) -> str:
    answer = env.unwrapped._transcript[-1]
    # "Final answer '<text>': ..." -> the answer text the policy gave
    text = answer.split("'", 2)[1]
    return f"<answer>{text}</answer>"


@pytest.mark.parametrize("mode", ["step", "single"])
def test_same_seed_same_tasks_and_rewards(mode: str) -> None:
    def run(seed: int) -> list[tuple]:
        env = gym.make("thoughtgym/Math-v0", mode=mode, difficulty=2)
        out = []
        for i in range(4):
            obs, info = env.reset(seed=seed + i)
            action = NoisyPolicy(0.3, seed=i).complete(env.unwrapped.task) if mode == "single" else "2 + 2 = 4"
            obs2, reward, *_ = env.step(action)
            out.append((obs, info["task_id"], obs2, reward))
        return out

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_padding_and_repeats_never_beat_the_reference() -> None:
    env = gym.make(env_id("arithmetic"), difficulty=2, mode="single")
    env.reset(seed=3)
    task = env.unwrapped.task
    reference = thoughtgym.verify(task, ReferencePolicy().complete(task)).reward
    padded = "<think>\n" + "\n".join(task.solution * 5 + ["1 + 1 = 2", "2 + 2 = 4"] * 20) + f"\n</think><answer>{task.answer}</answer>"
    assert thoughtgym.verify(task, padded).reward < reference


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_make_vec_roundtrips_unicode_text(mode: str) -> None:
    envs = gym.make_vec("thoughtgym/Math-v0", num_envs=2, vectorization_mode=mode, mode="step")
    try:
        obs, info = envs.reset(seed=5)
        assert all(isinstance(o, str) and o for o in obs)
        prompts = [o for o in obs]
        obs2, rewards, terminated, truncated, info = envs.step(("2 + 2 = 5 → ∫ é\nnew line", "<answer>1</answer>"))
        assert obs2[0] != prompts[0] and "INVALID" in obs2[0] or "Step 1" in obs2[0]
        assert "→ ∫ é" not in obs2[1]
        assert terminated[1] and not terminated[0]
        # after autoreset the finished env starts a new episode on its next step
        obs3, *_ = envs.step(("3 * 3 = 9", "1 + 1 = 2"))
        assert all(isinstance(o, str) for o in obs3)
    finally:
        envs.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(HOSTILE) | st.text(max_size=300))
def test_hostile_actions_never_crash(action: str) -> None:
    for mode in ("step", "single"):
        env = gym.make("thoughtgym/Math-v0", mode=mode)
        env.reset(seed=0)
        start = time.monotonic()
        obs, reward, terminated, truncated, info = env.step(action)
        assert time.monotonic() - start < 30
        assert isinstance(obs, str) and isinstance(reward, float)
        assert env.observation_space.contains(obs)
    assert not os.path.exists("/tmp/pwned")


def test_bad_arguments_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="mode"):
        gym.make("thoughtgym/Math-v0", mode="bogus")
    with pytest.raises(ValueError, match="difficulties"):
        gym.make("thoughtgym/Arithmetic-v0", difficulty=9)
    with pytest.raises(KeyError, match="unknown task family"):
        gym.make("thoughtgym/Math-v0", family="nope")
    env = gym.make("thoughtgym/Math-v0")
    with pytest.raises(RuntimeError, match="reset"):
        env.unwrapped.step("1 + 1 = 2")


@pytest.mark.parametrize("family", MATH_FAMILIES + ["gsm8k"])
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_verify_catches_a_corrupted_step_at_that_step(family: str, difficulty: int) -> None:
    import random

    from thoughtgym.envs.tasks._mathutil import corrupt_step

    for seed in range(3):
        task = thoughtgym.make_task(family, difficulty, seed)
        reference = thoughtgym.verify(task, task.reference_completion())
        assert reference.correct and reference.first_error is None, reference.steps
        index, corrupted = corrupt_step(task, random.Random(seed))
        if family == "gsm8k" and "<<" not in task.solution[index]:
            continue  # a few GSM8K rows have no calculator annotation to corrupt
        bad = Task(**{**task.to_dict(), "solution": corrupted}).reference_completion()
        report = thoughtgym.verify(task, bad)
        assert report.first_error == index, (corrupted[index], report.steps[index])
        assert report.reward < reference.reward


@settings(max_examples=60, deadline=None)
@given(family=st.sampled_from(MATH_FAMILIES), difficulty=st.sampled_from([1, 2, 3]), seed=st.integers(0, 10**6))
def test_reference_completion_parses_back_into_the_reference_steps(family: str, difficulty: int, seed: int) -> None:
    from thoughtgym.verifiers.format import parse_completion

    task = thoughtgym.make_task(family, difficulty, seed)
    parsed = parse_completion(task.reference_completion())
    assert parsed.steps == task.solution
    assert parsed.answer == task.answer
