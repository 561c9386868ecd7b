"""The command line, run the way a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from thoughtgym.cli import main


def test_demo_prints_a_table_per_family_and_writes_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--episodes", "2", "--difficulty", "1", "--family", "arithmetic", "linear_equation",
                 "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "== arithmetic" in out and "== linear_equation" in out
    rows = [json.loads(line) for line in (tmp_path / "summary.jsonl").read_text().splitlines()]
    reference = {r["family"]: r for r in rows if r["policy"] == "reference"}
    assert reference["arithmetic"]["success"] == 1.0
    assert len((tmp_path / "episodes.jsonl").read_text().splitlines()) == 8
    assert (tmp_path / "reward_terms.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tasks_lists_and_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks"]) == 0
    assert "linear_system" in capsys.readouterr().out
    assert main(["tasks", "quadratic", "--difficulty", "2", "--seed", "4", "--json"]) == 0
    task = json.loads(capsys.readouterr().out)
    assert task["id"] == "quadratic/d2/s4"


def test_verify_command_exit_code_follows_correctness(tmp_path: Path) -> None:
    task_json = subprocess.run(
        [sys.executable, "-m", "thoughtgym.cli", "tasks", "arithmetic", "--seed", "1", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    task = json.loads(task_json)
    (tmp_path / "task.json").write_text(task_json)
    good = "<think>\n" + "\n".join(task["solution"]) + f"\n</think><answer>{task['answer']}</answer>"
    bad = f"<answer>{task['answer']}1</answer>"
    for completion, code in ((good, 0), (bad, 1)):
        res = subprocess.run(
            [sys.executable, "-m", "thoughtgym.cli", "verify", "-", "--task-json", str(tmp_path / "task.json")],
            input=completion, capture_output=True, text=True,
        )
        assert res.returncode == code, res.stderr
        assert json.loads(res.stdout)["correct"] is (code == 0)
