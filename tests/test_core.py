"""Core model: Task, Verdict, completion parsing and reward shaping (no verifier needed)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thoughtgym import Task, Verdict
from thoughtgym.envs.rewards import RewardConfig, ShapingState, reward_terms
from thoughtgym.verifiers.format import find_boxed, parse_completion, split_steps


def _task() -> Task:
    return Task(
        id="t/1", family="arithmetic", prompt="What is (3 + 4) * 5?", answer="35",
        solution=["3 + 4 = 7", "7 * 5 = 35"], difficulty=1,
        verifier={"kind": "math", "milestones": ["7", "35"]}, meta={"source": "test"},
    )


def test_task_round_trips_through_json() -> None:
    task = _task()
    again = Task.from_json(task.to_json())
    assert again == task
    assert json.loads(task.to_json())["solution"] == ["3 + 4 = 7", "7 * 5 = 35"]


def test_task_from_dict_names_missing_keys() -> None:
    with pytest.raises(ValueError, match="missing keys"):
        Task.from_dict({"id": "x"})


def test_verdict_score_is_bounded_and_serialisable() -> None:
    with pytest.raises(ValueError):
        Verdict(True, 1.5, "too much")
    v = Verdict.invalid("18 - 6 = 12, not 11", claim="18 - 6 = 11")
    assert Verdict.from_dict(json.loads(json.dumps(v.to_dict()))) == v


def test_parse_completion_tags_and_numbered_steps() -> None:
    p = parse_completion("<think>\n1. 3 + 4 = 7\n2) 7 * 5 = 35\nStep 3: done\n</think>\n<answer>35</answer>")
    assert p.steps == ["3 + 4 = 7", "7 * 5 = 35", "done"]
    assert p.answer == "35" and p.answer_source == "tag" and p.format_score == 1.0


@pytest.mark.parametrize(
    ("text", "answer", "source"),
    [
        ("so x = 2, hence \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}", "boxed"),
        ("Thus the answer is 42.", "42", "phrase"),
        ("a\nb\n#### 1,234", "1,234", "hashes"),
        ("<answer>\\boxed{7}</answer>", "7", "tag"),
        ("no answer here", None, None),
    ],
)
def test_parse_completion_answer_sources(text: str, answer: str | None, source: str | None) -> None:
    p = parse_completion(text)
    assert (p.answer, p.answer_source) == (answer, source)


def test_find_boxed_nested_braces() -> None:
    assert find_boxed(r"\boxed{\frac{1}{\sqrt{2}}} and \boxed{3") == [r"\frac{1}{\sqrt{2}}"]


def test_split_steps_inline_numbering() -> None:
    assert split_steps("1. a = 1 2. b = 2") == ["a = 1", "b = 2"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_parse_completion_never_raises(text: str) -> None:
    p = parse_completion(text)
    assert isinstance(p.steps, list) and 0.0 <= p.format_score <= 1.0


def test_parse_completion_is_bounded_on_huge_input() -> None:
    p = parse_completion("1 + 1 = 2\n" * 100_000 + "<answer>2</answer>")
    assert p.truncated and len(p.steps) <= 128


def _state(ref: int, miles: int, valid: int, invalid: int, steps: int, reached: int, correct: bool) -> ShapingState:
    return ShapingState(
        reference_steps=ref, n_milestones=miles, n_new_valid=valid, n_invalid=invalid, n_steps=steps,
        reached=set(range(reached)), answer=Verdict.valid("ok") if correct else Verdict.invalid("no"),
        format_score=1.0,
    )


@settings(max_examples=300, deadline=None)
@given(
    ref=st.integers(1, 12), extra_valid=st.integers(0, 50), invalid=st.integers(0, 20),
    extra=st.integers(0, 100), reached=st.integers(0, 12),
)
def test_padding_never_beats_the_reference(ref: int, extra_valid: int, invalid: int, extra: int, reached: int) -> None:
    config = RewardConfig()
    best = sum(reward_terms(_state(ref, ref, ref, 0, ref, ref, True), config).values())
    assert best == pytest.approx(config.max_reward)
    padded = _state(ref, ref, ref + extra_valid, invalid, ref + extra_valid + invalid + extra, min(reached, ref), True)
    assert sum(reward_terms(padded, config).values()) <= best + 1e-9


def test_reward_config_rejects_negative_weights() -> None:
    with pytest.raises(ValueError, match="weight"):
        RewardConfig(outcome=-1).validate()


@pytest.mark.parametrize(
    "line", ["1. d/dx(2*x - 2) = 2", "1) (x + 6)*(x - 6) = 0", "13*(x + 1) + 15 = 11*(x + 7) - 34", "1. x = 3 - 2. 5"]
)
def test_split_steps_does_not_split_math_that_looks_like_numbering(line: str) -> None:
    assert len(split_steps(line)) == 1


def test_import_stays_light() -> None:
    """`import thoughtgym` and a math episode must not import torch, transformers or docker (DESIGN.md)."""
    import subprocess
    import sys

    code = (
        "import sys, gymnasium as gym, thoughtgym\n"
        "env = gym.make('thoughtgym/Math-v0'); env.reset(seed=0); env.step('1 + 1 = 2')\n"
        "print(sorted(m for m in ('torch', 'transformers', 'docker', 'trl') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_verify_batch_matches_verify_one_by_one() -> None:
    import thoughtgym
    from thoughtgym.agents import NoisyPolicy, ReferencePolicy

    tasks = [thoughtgym.make_task(f, d, s) for f in ("arithmetic", "quadratic", "code_functions") for d in (1, 2) for s in (0, 1)]
    completions = [
        (ReferencePolicy() if i % 2 else NoisyPolicy(0.5, seed=i)).complete(t) for i, t in enumerate(tasks)
    ]
    batch = thoughtgym.verify_batch(tasks, completions)
    one_by_one = [thoughtgym.verify(t, c) for t, c in zip(tasks, completions, strict=True)]
    assert [r.to_dict() | {"seconds": 0} for r in batch] == [r.to_dict() | {"seconds": 0} for r in one_by_one]
    with pytest.raises(ValueError, match="2 tasks but 1 completions"):
        thoughtgym.verify_batch(tasks[:2], completions[:1])
