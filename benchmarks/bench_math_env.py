"""Verified steps per second of the Math envs in ``single`` mode.

Runs the reference completion of tasks from every procedural math family and difficulty through
``gym.make(..., mode="single")`` and counts the steps verified per second (median of repeats).
Prints one JSON line; progress goes to stderr.

    python benchmarks/bench_math_env.py [--tasks-per-cell 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import gymnasium as gym
from tqdm import tqdm

import thoughtgym  # noqa: F401  (registers the envs)
from thoughtgym.agents import ReferencePolicy
from thoughtgym.envs.math_env import procedural_math_families
from thoughtgym.envs.registration import env_id


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tasks-per-cell", type=int, default=10, help="tasks per family and difficulty")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    policy = ReferencePolicy()
    cells = [(f, d) for f in procedural_math_families() for d in (1, 2, 3)]
    envs = {cell: gym.make(env_id(cell[0]), difficulty=cell[1], mode="single") for cell in cells}
    per_family: dict[str, list[float]] = {}
    rates, successes, total_steps = [], 0, 0
    with tqdm(total=args.repeats * len(cells) * args.tasks_per_cell, file=sys.stderr, desc="single-mode") as bar:
        for rep in range(args.repeats):
            steps = 0
            elapsed = 0.0
            for (family, _difficulty), env in envs.items():
                fam_steps, fam_time = 0, 0.0
                for seed in range(args.tasks_per_cell):
                    env.reset(seed=seed)
                    completion = policy.complete(env.unwrapped.task)
                    t0 = time.perf_counter()
                    _, _, _, _, info = env.step(completion)
                    dt = time.perf_counter() - t0
                    n = len(info["step_verdicts"])
                    fam_steps += n
                    fam_time += dt
                    if rep == 0:
                        successes += bool(info["is_success"])
                        total_steps += n
                    bar.update()
                steps += fam_steps
                elapsed += fam_time
                per_family.setdefault(family, []).append(fam_steps / fam_time if fam_time else 0.0)
            rates.append(steps / elapsed)
    episodes = len(cells) * args.tasks_per_cell
    print(json.dumps({
        "benchmark": "math_env_single_mode",
        "episodes_per_repeat": episodes,
        "steps_per_repeat": total_steps,
        "reference_success": successes / episodes,
        "verified_steps_per_s_median": round(statistics.median(rates), 1),
        "verified_steps_per_s_runs": [round(r, 1) for r in rates],
        "per_family_steps_per_s_median": {f: round(statistics.median(v), 1) for f, v in per_family.items()},
    }))


if __name__ == "__main__":
    main()
