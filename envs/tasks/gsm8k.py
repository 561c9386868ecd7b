"""GSM8K (test split) loader: grade-school word problems with calculator-annotated solutions.

Reads ``gsm8k_test.jsonl`` (one ``{"question", "answer"}`` object per line) from
``$THOUGHTGYM_DATA_DIR`` when set, else from ``<repo>/../shared/data``. The file is read lazily on
first use, so the package imports without it; a missing file raises ``FileNotFoundError`` that
says where it looked.

Task: the question, followed by "Give the final answer as a number."; gold answer: the number
after ``####`` with thousands separators removed.

Difficulty levels (buckets by the number of solution steps):
    1: at most 2 steps.   2: 3-4 steps.   3: 5 or more steps.

Solution format: the original solution lines before ``#### N``, unchanged, including their
``<<expr=result>>`` calculator annotations (the step verifier checks them). Milestones are the
annotation results in order. ``task(seed, difficulty)`` picks row ``bucket[seed % len(bucket)]``;
the id is ``gsm8k/<row index>``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._data import data_path as shared_data_path
from thoughtgym.envs.tasks._data import load_jsonl
from thoughtgym.envs.tasks.base import TaskFamily, register_family

FILENAME = "gsm8k_test.jsonl"
_ANNOTATION = re.compile(r"<<[^<>]*?=([^<>=]*)>>")


@dataclass
class GSM8KConfig:
    """Difficulty buckets by number of solution steps.

    Attributes:
        max_steps_easy: difficulty 1 holds rows with at most this many steps.
        max_steps_medium: difficulty 2 holds rows with more steps than level 1, up to this many;
            difficulty 3 holds the rest.
    """

    max_steps_easy: int = 2
    max_steps_medium: int = 4

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not 1 <= self.max_steps_easy < self.max_steps_medium:
            raise ValueError(
                f"need 1 <= max_steps_easy < max_steps_medium, got {self.max_steps_easy}, {self.max_steps_medium}"
            )

    def bucket(self, n_steps: int) -> int:
        """The difficulty of a row with ``n_steps`` steps."""
        if n_steps <= self.max_steps_easy:
            return 1
        if n_steps <= self.max_steps_medium:
            return 2
        return 3


def data_path() -> Path:
    """Where the GSM8K file is read from (``$THOUGHTGYM_DATA_DIR`` or ``<repo>/../shared/data``)."""
    return shared_data_path(FILENAME)


def parse_row(row: dict[str, Any]) -> dict[str, Any]:
    """Split a GSM8K row into question, steps, answer and milestones.

    Raises:
        ValueError: when the solution has no ``#### N`` line.
    """
    text = str(row["answer"])
    lines = [ln.strip() for ln in text.split("\n")]
    final = [ln for ln in lines if ln.startswith("####")]
    if not final:
        raise ValueError("GSM8K row without a '#### N' answer line")
    steps = []
    for ln in lines:
        if ln.startswith("####"):
            break
        if ln:
            steps.append(ln)
    answer = final[0][4:].strip().replace(",", "")
    milestones = [m.group(1).strip() for s in steps for m in _ANNOTATION.finditer(s)]
    return {"question": str(row["question"]).strip(), "steps": steps, "answer": answer, "milestones": milestones}


def load_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """All parsed rows of the file (read once per path, then cached)."""
    return load_jsonl(path or data_path(), parse_row, "GSM8K")


@register_family
class GSM8KFamily(TaskFamily):
    """The GSM8K test split as tasks, bucketed into difficulties by number of steps."""

    name = "gsm8k"
    domain = "math"
    difficulties = (1, 2, 3)
    procedural = False
    description = "GSM8K test problems with their calculator-annotated reference solutions."
    config = GSM8KConfig()

    def buckets(self) -> dict[int, list[int]]:
        """Row indices per difficulty."""
        self.config.validate()
        out: dict[int, list[int]] = {1: [], 2: [], 3: []}
        for i, row in enumerate(load_rows()):
            out[self.config.bucket(len(row["steps"]))].append(i)
        return out

    def row_task(self, index: int) -> Task:
        """The task built from row ``index`` of the file."""
        rows = load_rows()
        row = rows[index]
        return Task(
            id=f"gsm8k/{index}",
            family=self.name,
            prompt=f"{row['question']} Give the final answer as a number.",
            answer=row["answer"],
            solution=list(row["steps"]),
            difficulty=self.config.bucket(len(row["steps"])),
            verifier={"kind": "math", "given": [], "variables": [], "milestones": list(row["milestones"])},
            meta={"source": FILENAME, "row": index},
        )

    def task(self, seed: int, difficulty: int = 1) -> Task:
        """Row ``bucket[seed % len(bucket)]`` of the difficulty's bucket."""
        if difficulty not in self.difficulties:
            raise ValueError(f"family {self.name!r} has difficulties {self.difficulties}, got {difficulty}")
        bucket = self.buckets()[difficulty]
        if not bucket:
            raise ValueError(f"no GSM8K rows at difficulty {difficulty}")
        return self.row_task(bucket[int(seed) % len(bucket)])

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        """A row of the difficulty's bucket drawn with ``rng``."""
        bucket = self.buckets()[difficulty]
        return self.row_task(rng.choice(bucket))
