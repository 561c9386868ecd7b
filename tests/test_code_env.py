"""The Code environments through the public API (gymnasium.make, thoughtgym.verify): registration, both
modes, reference solutions, corrupted programs, example claims, drafts, determinism and hostile programs.

Runs on whichever sandbox backend ``auto`` picks (Docker when an engine and the image are there, else
the process backend); the sandbox's own Docker tests live with the sandbox."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import thoughtgym
from thoughtgym.agents import ReferencePolicy
from thoughtgym.agents.rollout import run_episode
from thoughtgym.envs.code_env import procedural_code_families
from thoughtgym.envs.registration import env_id, registered_ids
from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks import get_family, make_task
from thoughtgym.envs.tasks.code_functions import TEMPLATES, build_code_task
from thoughtgym.envs.tasks.humaneval import data_path
from thoughtgym.verifiers.base import get_verifier

CODE_IDS = ["thoughtgym/Code-v0", env_id("code_functions"), env_id("humaneval")]
HUMANEVAL_ROWS = [0, 5, 10, 32, 38, 53, 100, 125, 151, 163]
PWNED = "/tmp/pwned_code"
needs_humaneval = pytest.mark.skipif(not data_path().is_file(), reason="humaneval.jsonl not available")


def humaneval_task(row: int) -> Task:
    return get_family("humaneval").row_task(row)


def completion(steps: list[str], answer: str) -> str:
    return "<think>\n" + "\n".join(steps) + "\n</think>\n<answer>" + answer + "</answer>"


def pass_body(task: Task) -> str:
    """The task's program with the entry point's body replaced by ``pass``."""
    name = task.verifier["entry_point"]
    if "prompt" in task.verifier:
        return task.verifier["prompt"] + "    pass\n"
    header = next(line for line in task.answer.splitlines() if line.startswith(f"def {name}("))
    return header + "\n    pass\n"


def off_by_one(task: Task) -> str:
    """The reference program, wrapped so that every result is off by one (an int one too large, a
    list or string one element too long, a bool negated)."""
    name = task.verifier["entry_point"]
    return task.answer + (
        f"\n_reference = {name}\n\ndef {name}(*args):\n    out = _reference(*args)\n"
        "    if type(out) is bool:\n        return not out\n"
        "    if type(out) in (int, float):\n        return out + 1\n"
        "    if type(out) is str:\n        return out + ' '\n"
        "    if type(out) in (list, tuple):\n        return out + type(out)([0])\n"
        "    return -1\n"
    )


# ----------------------------------------------------------------------------------- registration
def test_code_ids_are_registered() -> None:
    ids = registered_ids()
    for eid in CODE_IDS:
        assert eid in ids
    assert procedural_code_families() == ["code_functions"]
    assert gym.make("thoughtgym/Code-v0").unwrapped.families[0].name == "code_functions"


@pytest.mark.parametrize("env_name", CODE_IDS)
def test_check_env_passes(env_name: str) -> None:
    if "Humaneval" in env_name and not data_path().is_file():
        pytest.skip("humaneval.jsonl not available")
    for mode in ("step", "single"):
        env = gym.make(env_name, mode=mode)
        check_env(env.unwrapped, skip_render_check=True)
        env.close()


def test_import_does_not_start_the_sandbox() -> None:
    code = (
        "import sys, gymnasium as gym, thoughtgym.envs\n"
        "env = gym.make('thoughtgym/Code-v0'); env.reset(seed=0)\n"
        "assert 'docker' not in sys.modules, 'docker imported'\n"
        "assert 'thoughtgym.sandbox' not in sys.modules, 'sandbox imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ------------------------------------------------------------------------------------- the tasks
def test_every_template_reference_agrees_with_its_expected_values() -> None:
    """The reference programs are trusted generated code: run them in-process against the tests the
    pure-Python implementations produced (no sandbox needed for trusted text)."""
    for template in TEMPLATES:
        for seed in range(15):
            task = build_code_task(template, random.Random(seed), template.difficulty)
            namespace: dict = {}
            exec(task.answer, namespace)  # noqa: S102 - trusted reference program
            for test in task.verifier["tests"] + [f"assert {c}" for c in task.solution[:-1]]:
                exec(test, namespace)  # noqa: S102 - trusted generated test
            assert len(task.verifier["milestones"]) == len(task.verifier["tests"])


def test_every_template_passes_its_tests_in_the_sandbox() -> None:
    tasks = [build_code_task(t, random.Random(seed), t.difficulty) for t in TEMPLATES for seed in (1, 2)]
    verdicts = get_verifier("code").check_answers_batch([t.answer for t in tasks], [t.verifier for t in tasks])
    for task, verdict in zip(tasks, verdicts, strict=True):
        assert verdict.ok is True, (task.meta, verdict)


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_same_seed_same_task(difficulty: int) -> None:
    a = make_task("code_functions", difficulty, 7)
    assert a == make_task("code_functions", difficulty, 7)
    assert a.to_json() == Task.from_json(a.to_json()).to_json()
    assert {make_task("code_functions", difficulty, s).id for s in range(5)} == {
        f"code_functions/d{difficulty}/s{s}" for s in range(5)
    }
    assert len({make_task("code_functions", difficulty, s).prompt for s in range(8)}) > 1


def test_missing_humaneval_file_says_where(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("THOUGHTGYM_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="THOUGHTGYM_DATA_DIR"):
        get_family("humaneval").task(0, 1)


# ------------------------------------------------------------------------ reference = max reward
def _reference_both_modes(env_name: str, difficulty: int, seed: int, task: Task | None = None) -> None:
    step_env = gym.make(env_name, difficulty=difficulty, mode="step")
    if task is None:
        result = run_episode(step_env, ReferencePolicy(), seed=seed)
        task = step_env.unwrapped.task
    else:
        obs, _ = step_env.reset(seed=seed, options={"task": task})
        policy = ReferencePolicy()
        policy.reset(task)
        total, done = 0.0, False
        while not done:
            obs, r, term, trunc, info = step_env.step(policy.act(obs))
            total += r
            done = term or trunc
        assert info["is_success"] and info["first_error"] in (None, -1), info["step_verdicts"]
        result = type("R", (), {"success": True, "first_error": None, "reward": total})()
    max_reward = step_env.unwrapped.reward_config.max_reward
    assert result.success and result.first_error is None, (task.id, result)
    assert result.reward == pytest.approx(max_reward), task.id

    single_env = gym.make(env_name, difficulty=difficulty, mode="single")
    single_env.reset(seed=seed, options={"task": task})
    _, reward, terminated, _, info = single_env.step(ReferencePolicy().complete(task))
    assert terminated and info["is_success"], info["report"]
    assert reward == pytest.approx(max_reward), info["report"]
    assert all(v["ok"] is True for v in info["step_verdicts"])


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_reference_earns_max_reward_code_functions(difficulty: int) -> None:
    for seed in range(3):
        _reference_both_modes(env_id("code_functions"), difficulty, seed)


@needs_humaneval
@pytest.mark.parametrize("row", HUMANEVAL_ROWS)
def test_reference_earns_max_reward_humaneval(row: int) -> None:
    task = humaneval_task(row)
    _reference_both_modes(env_id("humaneval"), task.difficulty, 0, task)


# --------------------------------------------------------------------------- what must fail
def _tasks_for_failures() -> list[Task]:
    tasks = [make_task("code_functions", d, s) for d in (1, 2, 3) for s in (0, 1)]
    if data_path().is_file():
        tasks += [humaneval_task(r) for r in HUMANEVAL_ROWS[:5]]
    return tasks


@pytest.mark.parametrize("corrupt", [pass_body, off_by_one])
def test_corrupted_programs_fail(corrupt) -> None:
    for task in _tasks_for_failures():
        program = corrupt(task)
        report = thoughtgym.verify(task, completion([f"```python\n{program}```"], program))
        assert not report.correct, (task.id, corrupt.__name__)
        assert report.answer.ok is False and report.answer.score < 1.0
        assert report.steps[0].ok is not True
        assert report.reward < 1.0


def test_wrong_example_claim_is_caught_at_its_step() -> None:
    for task in _tasks_for_failures():
        claims = [s for s in task.solution if not s.startswith("```")]
        if not claims:
            continue
        call, value = claims[0].rsplit(" == ", 1)
        wrong = f"{call} == {value!r}" if not value.startswith("'") else f"{call} == 12345"
        steps = ["Let me try an example.", wrong] + task.solution[1:]
        report = thoughtgym.verify(task, completion(steps, task.answer))
        assert report.first_error == 1, (task.id, [v.reason for v in report.steps])
        assert "reference gives" in report.steps[1].reason and "claim says" in report.steps[1].reason
        assert report.steps[0].ok is None  # prose
        assert report.correct


def test_example_claim_shapes() -> None:
    task = make_task("code_functions", 1, 0)
    name = task.verifier["entry_point"]
    verifier = get_verifier("code")
    good = task.solution[0]

    def check(step: str):
        return verifier.check_step(step, [], task.prompt, task.verifier)

    assert check(good).ok is True
    assert check(f"`{good}`").ok is True
    assert check(f"assert {good}").ok is True
    assert check(f"So {good}, as expected.").ok is True
    for not_a_claim in (
        f"{name}(__import__('os').system('touch {PWNED}')) == 1",
        f"{name}(x) == 3",
        f"{name}([1] * 10**9) == 0",
        f"len({name}([1])) == 1",
        f"{name}([1]) != 5",
        "other([1]) == 5",
    ):
        verdict = check(not_a_claim)
        assert verdict.ok is None, (not_a_claim, verdict)
    assert not os.path.exists(PWNED)


def test_drafts_are_scored_by_the_share_of_tests_passed() -> None:
    verifier = get_verifier("code")
    task = next(
        t for s in range(200) if (t := make_task("code_functions", 2, s)).meta["template"] == "second_largest"
    )
    spec, name = task.verifier, task.verifier["entry_point"]
    n = len(spec["tests"])
    n_none = sum(t.endswith("== None") for t in spec["tests"])
    assert 0 < n_none < n
    partial = f"```python\ndef {name}(nums):\n    return None\n```"
    verdict = verifier.check_step(partial, [], task.prompt, spec)
    assert verdict.ok is None and verdict.score == pytest.approx(n_none / n)
    assert "first failure" in verdict.reason
    assert verifier.milestones_reached(partial, spec) == {
        i for i, t in enumerate(spec["tests"]) if t.endswith("== None")
    }
    full = task.solution[-1]
    assert verifier.check_step(full, [], task.prompt, spec).ok is True
    assert verifier.milestones_reached(full, spec) == set(range(n))
    wrong = f"```python\ndef {name}(nums):\n    return 'x'\n```"
    assert verifier.check_step(wrong, [], task.prompt, spec).ok is False
    broken = f"```python\ndef {name}(nums)\n    return 1\n```"
    assert verifier.check_step(broken, [], task.prompt, spec).ok is False
    assert verifier.check_step("I will loop over the list.", [], task.prompt, spec).ok is None
    # final answer: partial credit in the score, not correct
    answer = verifier.check_answer(f"def {name}(nums):\n    return None\n", task.answer, spec)
    assert answer.ok is False and answer.score == pytest.approx(n_none / n)


@needs_humaneval
def test_humaneval_body_only_answer_is_completed_with_the_prompt() -> None:
    task = humaneval_task(0)
    body = task.answer[len(task.verifier["prompt"]) :]
    assert get_verifier("code").check_answer(body, task.answer, task.verifier).ok is True
    fenced = f"```python\n{task.answer}```"
    assert get_verifier("code").check_answer(fenced, task.answer, task.verifier).ok is True


def test_code_blocks_are_one_step_and_claims_stay_whole() -> None:
    task = make_task("code_functions", 1, 3)
    name = task.verifier["entry_point"]
    text = completion(
        [f"1. {name}([], 7) == []", "2. Now the code:", f"3. ```python\n{task.answer}```", f"def {name}(x):\n    return 1"],
        task.answer,
    )
    steps = get_verifier("code").split_steps(text.split("<think>")[1].split("</think>")[0])
    assert steps[0] == f"{name}([], 7) == []"
    assert steps[1] == "Now the code:"
    assert steps[2].startswith("```python") and steps[2].endswith("```") and task.answer.strip() in steps[2]
    assert steps[3] == f"def {name}(x):\n    return 1"
    assert len(steps) == 4


def test_step_mode_pays_what_single_mode_pays() -> None:
    task = make_task("code_functions", 2, 4)
    name = task.verifier["entry_point"]
    call, value = task.solution[0].rsplit(" == ", 1)
    steps = [f"{call} == 424242", "thinking...", f"```python\ndef {name}(*a):\n    return None\n```"] + task.solution
    env = gym.make(env_id("code_functions"), mode="step", difficulty=2)
    env.reset(seed=0, options={"task": task})
    total = 0.0
    for action in steps + [f"<answer>{task.answer}</answer>"]:
        _, r, terminated, truncated, info = env.step(action)
        total += r
    assert terminated and info["is_success"]
    report = thoughtgym.verify(task, completion(steps, task.answer))
    assert report.reward == pytest.approx(total)
    assert report.first_error == 0
    assert report.reward < env.unwrapped.reward_config.max_reward


@pytest.mark.parametrize("mode", ["step", "single"])
def test_same_seed_same_tasks_and_rewards(mode: str) -> None:
    def run(seed: int) -> list[tuple]:
        env = gym.make("thoughtgym/Code-v0", mode=mode, difficulty=2)
        out = []
        for i in range(3):
            obs, info = env.reset(seed=seed + i)
            task = env.unwrapped.task
            action = ReferencePolicy().complete(task) if mode == "single" else task.solution[0]
            obs2, reward, *_ = env.step(action)
            out.append((obs, info["task_id"], obs2, reward))
        return out

    assert run(11) == run(11)
    assert run(11) != run(12)


# ----------------------------------------------------------------------------------- hostile
HOSTILE_PROGRAMS = [
    f"import os\nos.system('touch {PWNED}')\n",
    f"import os\nos.system('touch {PWNED}')\ndef {{name}}(*a, **k):\n    return 0\n",
    "import os\nos._exit(0)\n{program}",
    "import sys\nsys.exit(0)\n{program}",
    "while True:\n    pass\n{program}",
    "def {name}(*a, **k):\n    while True:\n        pass\n",
    "class _Any:\n    def __eq__(self, other):\n        return True\n\ndef {name}(*a, **k):\n    return _Any()\n",
    "import atexit, os\natexit.register(lambda: os._exit(0))\ndef {name}(*a, **k):\n    raise SystemExit(0)\n",
    "x = ' ' * (10 ** 10)\n{program}",
]
SIDE_EFFECTS = [
    f"import os\nos.system('touch {PWNED}')\n{{program}}",
    f"import pathlib\npathlib.Path('{PWNED}').write_text('x')\n{{program}}",
    f"import subprocess\nsubprocess.run(['sh', '-c', 'touch {PWNED}'])\n{{program}}",
]


def _final_step(task: Task, program: str, mode: str) -> tuple[dict, float]:
    env = gym.make(env_id("code_functions"), mode=mode)
    env.reset(seed=0, options={"task": task})
    action = completion([], program) if mode == "single" else f"<answer>{program}</answer>"
    start = time.monotonic()
    obs, reward, terminated, truncated, info = env.step(action)
    assert time.monotonic() - start < 20
    assert terminated and isinstance(obs, str) and env.observation_space.contains(obs)
    return info, reward


@pytest.mark.parametrize("hostile", HOSTILE_PROGRAMS)
def test_hostile_final_programs_never_pass(hostile: str) -> None:
    task = make_task("code_functions", 1, 0)
    program = hostile.format(program=task.answer, name=task.verifier["entry_point"])
    for mode in ("single", "step"):
        info, reward = _final_step(task, program, mode)
        assert not info["is_success"], program
        assert reward < 1.0
    # as a draft, too
    verdict = get_verifier("code").check_step(f"```python\n{program}\n```", [], task.prompt, task.verifier)
    assert verdict.ok is not True
    assert not os.path.exists(PWNED)


@pytest.mark.parametrize("program", SIDE_EFFECTS)
def test_side_effects_stay_in_the_sandbox(program: str) -> None:
    """Writing files is allowed inside the sandbox; nothing reaches the host's /tmp."""
    task = make_task("code_functions", 1, 0)
    info, _ = _final_step(task, program.format(program=task.answer), "single")
    assert not os.path.exists(PWNED)


def test_code_answers_come_only_from_answer_tags() -> None:
    verifier = get_verifier("code")
    draft = "```python\n#### helpers\ndef f(x):\n    '''the answer is x'''\n    return x\n```"
    assert verifier.extract_answer(draft) == (None, None)
    assert verifier.extract_answer(draft + "\n<answer>def f(x):\n    return x\n</answer>") == (
        "def f(x):\n    return x", "tag",
    )
    parsed = verifier.parse_completion(f"<think>\nf(1) == 1\n{draft}\n</think><answer>def f(x): return x</answer>")
    assert parsed.steps[0] == "f(1) == 1" and parsed.steps[1].startswith("```python")
    assert parsed.answer == "def f(x): return x" and parsed.format_score == 1.0


HOSTILE_ACTIONS = [
    "__import__('os').system('touch /tmp/pwned_code')",
    "sum_evens(__import__('os').system('touch /tmp/pwned_code')) == 0",
    "```python\nimport os\nos.system('touch /tmp/pwned_code')\n```",
    "(" * 200 + "1" + ")" * 200 + " == 1",
    "f(" + "[" * 500 + "]" * 500 + ") == 1",
    "f(" + "9" * 5000 + ") == 1",
    "\x00\x01\xff\ud7ff binary junk \x7f" * 10,
    "x" * 1_000_000,
    "```python\n" + "def f():\n" + "    " * 200 + "pass\n```",
    "<answer>" + "9" * 100_000 + "</answer>",
    "",
]


@pytest.mark.parametrize("action", HOSTILE_ACTIONS, ids=range(len(HOSTILE_ACTIONS)))
def test_hostile_actions_never_crash(action: str) -> None:
    for mode in ("step", "single"):
        env = gym.make("thoughtgym/Code-v0", mode=mode)
        env.reset(seed=0)
        start = time.monotonic()
        obs, reward, terminated, truncated, info = env.step(action)
        assert time.monotonic() - start < 20
        assert isinstance(obs, str) and isinstance(reward, float)
        assert env.observation_space.contains(obs)
        assert not info["is_success"]
    assert not os.path.exists(PWNED)


def test_async_vector_env_checks_code_in_each_worker() -> None:
    """A forked worker process gets its own sandbox pool, even when the parent already started one."""
    from thoughtgym.verifiers.code import get_sandbox  # the process-wide pool the verifier uses

    get_sandbox()
    envs = gym.make_vec("thoughtgym/Code-v0", num_envs=2, vectorization_mode="async", mode="single")
    try:
        envs.reset(seed=3)
        tasks = envs.call("task")
        _, rewards, terminated, _, _ = envs.step(tuple(ReferencePolicy().complete(t) for t in tasks))
        assert all(terminated)
        assert list(rewards) == pytest.approx([envs.call("reward_config")[0].max_reward] * 2)
    finally:
        envs.close()
