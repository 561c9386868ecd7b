"""Sandbox speed benchmark: prints exactly one JSON line on stdout (progress goes to stderr).

Measured side by side in one run, on the same image:

- ``docker_pool``: our warm Docker pool (one fork per job inside a warm container);
- ``process``: our process backend (bubblewrap fork server);
- ``docker_run``: one ``docker run --rm`` per job (a sample, ``--baseline-sample`` jobs);
- ``docker_exec``: one ``docker exec`` per job into one running container (same sample size).

For each: per-job latency p50/p99 in ms (jobs one after another) and jobs/s (our backends: a batch
spread over the whole pool; baselines: sequential), for a trivial program and for the 164 HumanEval
canonical solutions. Our backends also report how many canonical solutions pass (must be 164/164)
and how many of the 164 with the body replaced by ``pass`` fail (must be 164/164).

    python benchmarks/bench_sandbox.py [--data ../shared/data/humaneval.jsonl] [--pool-size N]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

from thoughtgym.sandbox import DEFAULT_IMAGE, Sandbox, docker_available

ROOT = pathlib.Path(__file__).resolve().parents[1]
TRIVIAL = "print(sum(range(10)))"


def say(msg: str) -> None:
    print(f"[bench_sandbox] {msg}", file=sys.stderr, flush=True)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))
    return xs[k]


def lat_stats(lat_s: list[float]) -> dict:
    ms = [x * 1000 for x in lat_s]
    return {"p50_ms": round(pct(ms, 50), 2), "p99_ms": round(pct(ms, 99), 2),
            "mean_ms": round(statistics.fmean(ms), 2), "n": len(ms)}


def load_humaneval(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def bench_ours(backend: str, probs: list[dict], n_trivial: int, pool_size: int) -> dict:
    say(f"{backend}: starting pool of {pool_size}")
    t = time.perf_counter()
    with Sandbox(backend, pool_size=pool_size) as sb:
        start_s = time.perf_counter() - t
        for _ in range(5):
            sb.run(TRIVIAL)
        lat = []
        for _ in range(n_trivial):
            t = time.perf_counter()
            r = sb.run(TRIVIAL)
            lat.append(time.perf_counter() - t)
            assert r.ok and r.stdout == "45\n", r
        t = time.perf_counter()
        rs = sb.run_batch([TRIVIAL] * n_trivial)
        trivial_tput = n_trivial / (time.perf_counter() - t)
        assert all(r.ok for r in rs)
        say(f"{backend}: trivial p50 {pct(lat, 50) * 1000:.1f} ms")
        good = [{"program": p["prompt"] + p["canonical_solution"], "tests": p["test"],
                 "entry_point": p["entry_point"]} for p in probs]
        stub = [{"program": p["prompt"] + "    pass\n", "tests": p["test"], "entry_point": p["entry_point"]}
                for p in probs]
        he_lat = []
        passed_seq = 0
        for it in good:
            t = time.perf_counter()
            rep = sb.run_tests(it["program"], it["tests"], it["entry_point"])
            he_lat.append(time.perf_counter() - t)
            passed_seq += rep.passed
        t = time.perf_counter()
        reps = sb.run_tests_batch(good)
        he_tput = len(good) / (time.perf_counter() - t)
        stub_reps = sb.run_tests_batch(stub)
        failing = [p["task_id"] for p, r in zip(probs, reps, strict=False) if not r.passed]
        stub_passing = [p["task_id"] for p, r in zip(probs, stub_reps, strict=False) if r.passed]
        say(f"{backend}: humaneval p50 {pct(he_lat, 50) * 1000:.1f} ms, "
            f"{len(probs) - len(failing)}/{len(probs)} pass, {len(probs) - len(stub_passing)} stubs fail")
        return {
            "pool_size": pool_size, "pool_start_s": round(start_s, 3),
            "trivial": {**lat_stats(lat), "jobs_per_s": round(trivial_tput, 1)},
            "humaneval": {**lat_stats(he_lat), "jobs_per_s": round(he_tput, 1),
                          "passed": len(probs) - len(failing), "passed_sequential": passed_seq,
                          "total": len(probs), "failing": failing[:10],
                          "pass_stub_failed": len(probs) - len(stub_passing), "pass_stub_passing": stub_passing[:10]},
        }


def _script(p: dict) -> str:
    return p["prompt"] + p["canonical_solution"] + "\n" + p["test"] + f"\ncheck({p['entry_point']})\n"


def bench_cli(kind: str, probs: list[dict], sample: int, image: str) -> dict:
    """One ``docker run --rm`` or one ``docker exec`` per job, sequential."""
    cid = None
    if kind == "docker_exec":
        cid = subprocess.run(["docker", "run", "-d", "--rm", "--network", "none", image, "sleep", "infinity"],
                             capture_output=True, text=True, check=True).stdout.strip()

    def one(code: str) -> tuple[float, bool]:
        if kind == "docker_run":
            cmd = ["docker", "run", "--rm", "-i", "--network", "none", image, "python3", "-I", "-"]
        else:
            cmd = ["docker", "exec", "-i", str(cid), "python3", "-I", "-"]
        t = time.perf_counter()
        r = subprocess.run(cmd, input=code, capture_output=True, text=True)
        return time.perf_counter() - t, r.returncode == 0

    try:
        one(TRIVIAL)
        lat, ok = zip(*[one(TRIVIAL) for _ in range(sample)], strict=False)
        assert all(ok)
        say(f"{kind}: trivial p50 {pct(list(lat), 50) * 1000:.0f} ms")
        step = max(1, len(probs) // sample)
        chosen = probs[::step][:sample]
        he = [one(_script(p)) for p in chosen]
        he_lat = [x for x, _ in he]
        return {
            "sample": sample,
            "trivial": {**lat_stats(list(lat)), "jobs_per_s": round(len(lat) / sum(lat), 1)},
            "humaneval": {**lat_stats(he_lat), "jobs_per_s": round(len(he_lat) / sum(he_lat), 1),
                          "passed": sum(ok for _, ok in he), "total": len(chosen)},
        }
    finally:
        if cid:
            subprocess.run(["docker", "rm", "-f", cid], capture_output=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT / ".." / "shared" / "data" / "humaneval.jsonl"))
    ap.add_argument("--pool-size", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--n-trivial", type=int, default=200)
    ap.add_argument("--baseline-sample", type=int, default=20)
    ap.add_argument("--image", default=DEFAULT_IMAGE)
    ap.add_argument("--skip-docker", action="store_true")
    a = ap.parse_args(argv)
    probs = load_humaneval(pathlib.Path(a.data))
    out: dict = {"benchmark": "sandbox", "cpus": os.cpu_count(), "humaneval_problems": len(probs),
                 "image": a.image,
                 "note": f"docker_run/docker_exec baselines use a sample of {a.baseline_sample} jobs each, "
                         "run sequentially; our pools: sequential latency, batch throughput"}
    have_docker = not a.skip_docker and docker_available(a.image)
    if have_docker:
        out["docker_pool"] = bench_ours("docker", probs, a.n_trivial, a.pool_size)
    out["process"] = bench_ours("process", probs, a.n_trivial, a.pool_size)
    if have_docker:
        out["docker_run"] = bench_cli("docker_run", probs, a.baseline_sample, a.image)
        out["docker_exec"] = bench_cli("docker_exec", probs, a.baseline_sample, a.image)
        pool_p50 = out["docker_pool"]["trivial"]["p50_ms"]
        out["speedup_vs_docker_run_p50"] = round(out["docker_run"]["trivial"]["p50_ms"] / pool_p50, 1)
        out["speedup_vs_docker_exec_p50"] = round(out["docker_exec"]["trivial"]["p50_ms"] / pool_p50, 1)
        out["speedup_vs_docker_run_humaneval_p50"] = round(
            out["docker_run"]["humaneval"]["p50_ms"] / out["docker_pool"]["humaneval"]["p50_ms"], 1)
        he = out["docker_pool"]["humaneval"]
        out["goals"] = {
            "warm_pool_p50_le_15ms": pool_p50 <= 15.0,
            "warm_pool_humaneval_p50_le_15ms": he["p50_ms"] <= 15.0,
            "ge_25x_faster_than_docker_run": min(out["speedup_vs_docker_run_p50"],
                                                 out["speedup_vs_docker_run_humaneval_p50"]) >= 25,
            "humaneval_164_of_164": he["passed"] == he["total"] == 164,
            "pass_stubs_all_fail": he["pass_stub_failed"] == he["total"],
        }
    else:
        out["docker"] = "unavailable: no engine or image (python -m thoughtgym.sandbox.cli build)"
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
