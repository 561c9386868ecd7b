"""Code environment: write a Python function that passes hidden tests (procedural tasks and HumanEval).

## Description
Each episode is one code task drawn from one or more code families (deterministic from the reset seed):
``code_functions`` (procedural: sum of evens, run-length encoding, roman numerals, ... with constants and
names drawn from the seed) and, when asked for, ``humaneval`` (the 164 HumanEval problems, read from
``humaneval.jsonl``). Every check runs in the sandbox (``thoughtgym.sandbox``; Docker when an engine and
the image are available, else the process backend); model text never runs on the host.

## Action space
``UnicodeText(32768)``: any string. In ``step`` mode an action is one step:

| step | looks like | checked by | verdict |
|---|---|---|---|
| example claim | ``sum_evens([1, 2, 4]) == 6`` (a call of the entry point with literal arguments) | running the *reference* solution on the call in the sandbox | valid / invalid ("reference gives 6, claim says 7") |
| draft | a fenced ```python``` block (or an unfenced ``def`` block) | the hidden tests | valid if all pass, invalid if none pass, unchecked (score = share passed) in between |
| prose | anything else | nothing | unchecked |
| final program | ``<answer>…</answer>`` (``` fences inside are stripped; a HumanEval body alone is completed with the prompt) | the hidden tests | correct when all pass; outcome score = share passed |

In ``single`` mode an action is a whole completion: ``<think>`` steps ``</think><answer>program</answer>``;
a fenced block spanning several lines is one step.

## Observation space
``UnicodeText(16384)``: the problem text, followed (step mode) by one feedback line per verified step, e.g.
``Step 2: unchecked - the draft passes 3/5 hidden tests; first failure: assert f([]) == 0 (assertion failed)``.

## Rewards
The shaped reward of ``thoughtgym.envs.rewards`` (weights in ``RewardConfig``): outcome (share of hidden
tests the final program passes; 1 when all pass), format, step validity, potential-based progress (one
milestone per hidden test, reached by a valid draft that passes it), and a length penalty. In step mode each
action is paid the change in the episode's shaped reward, so an episode earns exactly what
``thoughtgym.verify`` gives the same steps as one completion. The reference solution (example claims, the
reference program as a draft, then the program as the answer) earns ``RewardConfig().max_reward``.

## Starting state
A task drawn with the env's RNG, or the one passed as ``reset(options={"task": task})``.

## Episode end
Terminated when a final answer is given (step mode) or after the single action (single mode); truncated
when the step budget (``max_steps``, default ``max(8, 3 x reference steps)``) runs out without an answer.

## Arguments
| argument | default | meaning |
|---|---|---|
| ``family`` | ``None`` | a family name, a list of names, or None for every procedural code family (not ``humaneval``) |
| ``difficulty`` | ``1`` | difficulty level 1–3 |
| ``mode`` | ``"step"`` | ``"step"`` or ``"single"`` |
| ``max_steps`` | ``None`` | step budget in step mode |
| ``reward_config`` | ``None`` | ``RewardConfig`` or dict of weights |
| ``timeout_s`` | ``2.0`` | time bound of each check (one sandbox run) |
| ``render_mode`` | ``None`` | ``"ansi"`` or ``"human"`` |

## Info
``task_id``, ``family``, ``is_success``, ``verdict`` (this step's ``Verdict``; its ``details`` hold
``n_passed``, ``n_total`` and ``passed_tests`` for drafts and programs), ``step_verdicts`` (dicts),
``first_error`` (-1 when none), ``reward_terms``, ``episode_reward_terms``, ``episode_reward``,
``max_reward``, ``steps_taken``, ``step_budget`` (step mode); in single mode also ``report`` (the
``Report`` of ``thoughtgym.verify``).
"""

from __future__ import annotations

from thoughtgym.envs.reasoning_env import ReasoningEnv
from thoughtgym.envs.tasks import list_families


def procedural_code_families() -> list[str]:
    """Every registered code family that is generated, not loaded from a file."""
    return list_families("code", procedural=True)


class CodeEnv(ReasoningEnv):
    """Code tasks with sandboxed step checks (examples, drafts) and hidden tests. See the module docstring."""

    domain = "code"
