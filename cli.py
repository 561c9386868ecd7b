"""The ``thoughtgym`` command line.

Commands:
  thoughtgym demo            reference and noisy policies over the math families, a table per family
  thoughtgym tasks           list task families, or show one task with its reference solution
  thoughtgym verify          verify a completion (file or stdin) against a generated task
  thoughtgym sandbox ...     build / inspect the code sandbox image (see ``thoughtgym sandbox --help``)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _table(rows: list[dict], columns: list[str]) -> str:
    cells = [[c for c in columns]] + [[_fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(v.rjust(w) if j else v.ljust(w) for j, (v, w) in enumerate(zip(row, widths, strict=True))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:+.3f}" if v < 0 else f"{v:.3f}"
    return str(v)


def cmd_demo(args: argparse.Namespace) -> int:
    import gymnasium as gym
    from tqdm import tqdm

    from thoughtgym.agents import NoisyPolicy, ReferencePolicy
    from thoughtgym.agents.rollout import run_episode, summarise, write_jsonl
    from thoughtgym.envs.math_env import procedural_math_families
    from thoughtgym.envs.registration import env_id

    families = args.family or procedural_math_families()
    policies = [ReferencePolicy(), NoisyPolicy(error_rate=args.noise, seed=args.seed)]
    results = []
    jobs = [(f, d, p) for f in families for d in args.difficulty for p in policies]
    with tqdm(total=len(jobs) * args.episodes, desc="demo", file=sys.stderr, disable=args.quiet) as bar:
        for family, difficulty, policy in jobs:
            env = gym.make(env_id(family), difficulty=difficulty, mode="step")
            for i in range(args.episodes):
                results.append(run_episode(env, policy, seed=args.seed + i))
                bar.update()
            env.close()
    out = Path(args.out)
    write_jsonl(out / "episodes.jsonl", (r.to_dict() for r in results))
    summary_rows = []
    for family in families:
        rows = []
        for policy in policies:
            s = summarise(r for r in results if r.family == family and r.policy == policy.name)
            rows.append({"policy": policy.name, **s})
            summary_rows.append({"family": family, "policy": policy.name, **s})
        cols = ["policy", "episodes", "success", "mean_steps", "valid_steps", "reward",
                "r_outcome", "r_format", "r_step_validity", "r_progress", "r_length"]
        if any("errors_caught_at_step" in r for r in rows):
            cols.append("errors_caught_at_step")
        print(f"\n== {family} (difficulty {','.join(map(str, args.difficulty))}) ==")
        print(_table(rows, cols))
    write_jsonl(out / "summary.jsonl", summary_rows)
    from thoughtgym.agents.plots import plot_reward_terms

    plot = plot_reward_terms(summary_rows, out / "reward_terms.png", title="thoughtgym demo: mean reward terms")
    print(f"\nmetrics: {out / 'episodes.jsonl'}, {out / 'summary.jsonl'}; plot: {plot}")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from thoughtgym.envs.tasks import get_family, list_families

    if not args.family:
        for name in list_families():
            fam = get_family(name)
            print(f"{name:22s} {fam.domain:8s} difficulties {fam.difficulties}  {fam.description}")
        return 0
    task = get_family(args.family).task(args.seed, args.difficulty)
    if args.json:
        print(task.to_json())
    else:
        print(f"{task.id}\n\n{task.prompt}\n")
        for i, s in enumerate(task.solution, 1):
            print(f"  {i}. {s}")
        print(f"\nanswer: {task.answer}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from thoughtgym.envs.task import Task
    from thoughtgym.envs.tasks import make_task
    from thoughtgym.envs.verify import verify

    if args.task_json:
        task = Task.from_json(Path(args.task_json).read_text())
    else:
        task = make_task(args.family, args.difficulty, args.seed)
    completion = sys.stdin.read() if args.completion == "-" else Path(args.completion).read_text()
    report = verify(task, completion)
    print(json.dumps(report.to_dict(), indent=2))
    return 0 if report.correct else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="thoughtgym", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the reference and a noisy policy over the math families")
    demo.add_argument("--episodes", type=int, default=20, help="episodes per family, difficulty and policy")
    demo.add_argument("--difficulty", type=int, nargs="+", default=[1, 2, 3])
    demo.add_argument("--family", nargs="*", help="families (default: every procedural math family)")
    demo.add_argument("--noise", type=float, default=0.2, help="error rate of the noisy policy per step")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--out", default="runs/demo", help="folder for the metrics JSONL")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_demo)

    tasks = sub.add_parser("tasks", help="list families, or show one task")
    tasks.add_argument("family", nargs="?")
    tasks.add_argument("--difficulty", type=int, default=1)
    tasks.add_argument("--seed", type=int, default=0)
    tasks.add_argument("--json", action="store_true", help="print the task as JSON")
    tasks.set_defaults(func=cmd_tasks)

    ver = sub.add_parser("verify", help="verify a completion; exit 0 when the answer is correct")
    ver.add_argument("completion", help="file with the completion, or - for stdin")
    ver.add_argument("--task-json", help="a task saved with `thoughtgym tasks FAMILY --json`")
    ver.add_argument("--family", default="arithmetic")
    ver.add_argument("--difficulty", type=int, default=1)
    ver.add_argument("--seed", type=int, default=0)
    ver.set_defaults(func=cmd_verify)

    sub.add_parser("sandbox", help="build or inspect the code sandbox image", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sandbox"]:
        from thoughtgym.sandbox.cli import main as sandbox_main

        return int(sandbox_main(argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
