"""Pass@1 of the reference solutions and throughput of the code verifier.

1. Reference pass@1: every reference completion (``code_functions`` at each difficulty, and all of
   HumanEval when ``humaneval.jsonl`` is there) through ``thoughtgym.verify``; reports the share that is
   correct and the share that earns the maximum reward (both should be 1.0).
2. Throughput: ``verify()`` completions per second (sequential, one sandbox job per draft/claim/answer),
   and final programs per second through ``CodeVerifier.check_answers_batch`` (the whole pool at once).

Prints one JSON line (also appended to ``--out`` when given); progress goes to stderr.

    python benchmarks/bench_code_verifier.py [--tasks-per-difficulty 20] [--batch 64] [--out runs/bench_code.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

import thoughtgym
from thoughtgym.agents import ReferencePolicy
from thoughtgym.envs.rewards import RewardConfig
from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks import get_family, make_task
from thoughtgym.envs.tasks.humaneval import data_path, load_rows
from thoughtgym.verifiers.base import get_verifier
from thoughtgym.verifiers.code import get_sandbox


def reference_pass(tasks: list[Task], desc: str) -> dict[str, float]:
    """Share of reference completions verified correct / at max reward, and completions per second."""
    policy, max_reward = ReferencePolicy(), RewardConfig().max_reward
    correct = at_max = 0
    failures: list[str] = []
    t0 = time.perf_counter()
    for task in tqdm(tasks, file=sys.stderr, desc=desc):
        report = thoughtgym.verify(task, policy.complete(task))
        correct += report.correct
        ok = abs(report.reward - max_reward) < 1e-9
        at_max += ok
        if not ok and len(failures) < 5:
            failures.append(f"{task.id}: {report.reward:.3f} {report.answer.reason[:120]}")
    dt = time.perf_counter() - t0
    n = max(1, len(tasks))
    return {"n": len(tasks), "pass_at_1": correct / n, "max_reward_share": at_max / n,
            "completions_per_s": len(tasks) / dt if dt else 0.0, "failures": failures}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tasks-per-difficulty", type=int, default=20)
    ap.add_argument("--batch", type=int, default=64, help="final programs per check_answers_batch call")
    ap.add_argument("--out", type=Path, default=None, help="append the JSON line to this file")
    args = ap.parse_args()

    sandbox = get_sandbox()
    result: dict[str, object] = {"benchmark": "code_verifier", "backend": sandbox.backend,
                                 "pool_size": sandbox.pool_size}
    procedural = [make_task("code_functions", d, s) for d in (1, 2, 3) for s in range(args.tasks_per_difficulty)]
    result["code_functions"] = reference_pass(procedural, "code_functions")
    humaneval: list[Task] = []
    if data_path().is_file():
        family = get_family("humaneval")
        humaneval = [family.row_task(i) for i in range(len(load_rows()))]
        result["humaneval"] = reference_pass(humaneval, "humaneval")

    tasks = (procedural + humaneval) * max(1, args.batch // max(1, len(procedural + humaneval)) + 1)
    tasks = tasks[: args.batch]
    verifier = get_verifier("code")
    t0 = time.perf_counter()
    verdicts = verifier.check_answers_batch([t.answer for t in tasks], [t.verifier for t in tasks])
    dt = time.perf_counter() - t0
    result["batch"] = {"n": len(tasks), "programs_per_s": len(tasks) / dt if dt else 0.0,
                       "all_correct": all(v.ok is True for v in verdicts)}
    line = json.dumps(result)
    print(line)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


if __name__ == "__main__":
    main()
