"""Math reasoning environment: arithmetic, word problems, algebra, fractions, polynomials, derivatives.

## Description
Each episode is one math task drawn from one or more task families (deterministic from the reset seed).
The agent writes its reasoning; every step is checked with exact arithmetic and SymPy (calculations,
equations that must follow from the problem, rewrites that must keep their value), and the final answer
is checked for mathematical equivalence with the gold answer.

## Action space
``UnicodeText(32768)``: any string. In ``step`` mode an action is one reasoning step, or the final answer
as ``<answer>…</answer>`` / ``\\boxed{…}`` (text before the answer in the same action is a step). In
``single`` mode an action is a whole completion: ``<think>`` steps ``</think><answer>…</answer>``.

## Observation space
``UnicodeText(16384)``: the problem text, followed (step mode) by one feedback line per verified step:
``Step 2: INVALID - 18 - 6 = 12, not 11``. Long transcripts keep the problem and the newest lines.

## Rewards
The shaped reward of ``thoughtgym.envs.rewards`` (weights in ``RewardConfig``): outcome (correct final
answer), format, step validity, potential-based progress towards the reference milestones, and a length
penalty. In step mode each action is paid the change in the episode's shaped reward, so an episode earns
exactly what ``thoughtgym.verify`` gives the same steps as one completion. ``info["reward_terms"]`` has this
action's terms, ``info["episode_reward_terms"]`` the running totals.

## Starting state
A task drawn with the env's RNG, or the one passed as ``reset(options={"task": task})``.

## Episode end
Terminated when a final answer is given (step mode) or after the single action (single mode); truncated when
the step budget (``max_steps``, default ``max(8, 3 x reference steps)``) runs out without an answer.

## Arguments
| argument | default | meaning |
|---|---|---|
| ``family`` | ``None`` | a family name, a list of names, or None for every procedural math family |
| ``difficulty`` | ``1`` | difficulty level 1–3 |
| ``mode`` | ``"step"`` | ``"step"`` or ``"single"`` |
| ``max_steps`` | ``None`` | step budget in step mode |
| ``reward_config`` | ``None`` | ``RewardConfig`` or dict of weights |
| ``timeout_s`` | ``2.0`` | time bound of each check |
| ``render_mode`` | ``None`` | ``"ansi"`` or ``"human"`` |

## Info
``task_id``, ``family``, ``is_success``, ``verdict`` (this step's ``Verdict``), ``step_verdicts`` (dicts),
``first_error`` (index of the first wrong step, -1 when none), ``reward_terms``, ``episode_reward_terms``,
``episode_reward``, ``max_reward``, ``steps_taken``, ``step_budget`` (step mode); in single mode also
``report`` (the ``Report`` of ``thoughtgym.verify``).
"""

from __future__ import annotations

from thoughtgym.envs.reasoning_env import ReasoningEnv
from thoughtgym.envs.tasks import list_families


def procedural_math_families() -> list[str]:
    """Every registered math family that is generated, not loaded from a file."""
    return list_families("math", procedural=True)


class MathEnv(ReasoningEnv):
    """Math reasoning tasks with step-level SymPy verification. See the module docstring."""

    domain = "math"
