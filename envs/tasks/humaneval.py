"""HumanEval loader: 164 hand-written Python problems with canonical solutions and ``check`` tests.

Reads ``humaneval.jsonl`` (``task_id``, ``prompt``, ``entry_point``, ``canonical_solution``, ``test``)
from ``$THOUGHTGYM_DATA_DIR`` when set, else from ``<repo>/../shared/data``. The file is read lazily on
first use, so the package imports without it; a missing file raises ``FileNotFoundError`` that says
where it looked.

Task: "Complete the Python function `f` below." followed by the HumanEval prompt (signature and
docstring) in a fenced block; gold answer: the full canonical program (prompt + canonical solution).
The final program may be a whole program or only the body that follows the prompt.

Difficulty levels (buckets by the number of non-blank lines of the canonical solution):
    1: at most 3 lines.   2: 4-8 lines.   3: 9 or more lines.

Hidden tests: the row's ``check(candidate)`` block, run HumanEval-style by the sandbox; each ``assert``
inside ``check`` is one test and one progress milestone. Solution format: up to two example claims
``f(args) == value`` taken from the first simple asserts of ``check`` (a call with literal arguments
compared with ``==`` to a literal), then the canonical program as a fenced ```python``` draft.
``task(seed, difficulty)`` picks row ``bucket[seed % len(bucket)]``; the id is ``humaneval/<n>``.
"""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path
from typing import Any

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._data import data_path as shared_data_path
from thoughtgym.envs.tasks._data import load_jsonl
from thoughtgym.envs.tasks.base import TaskFamily, register_family
from thoughtgym.envs.tasks.code_functions import code_instructions

FILENAME = "humaneval.jsonl"
MAX_EXAMPLES = 2


def data_path() -> Path:
    """Where the HumanEval file is read from (``$THOUGHTGYM_DATA_DIR`` or ``<repo>/../shared/data``)."""
    return shared_data_path(FILENAME)


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is not Ellipsis
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k) for k in node.keys) and all(_is_literal(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, (int, float))
    return False


def _step_key(text: str) -> str:
    """How the scorer tells repeated steps apart (whitespace, punctuation and case do not count)."""
    return re.sub(r"[\s.,;:!]+", "", text).lower()


def _asserts_in_order(node: ast.AST) -> list[ast.Assert]:
    """Every ``assert`` under ``node`` in source order (the order the sandbox numbers the tests in)."""
    out: list[ast.Assert] = []

    class _Visitor(ast.NodeVisitor):
        def visit_Assert(self, n: ast.Assert) -> None:
            out.append(n)

    _Visitor().visit(node)
    return out


def parse_tests(test: str, entry_point: str) -> tuple[list[str], list[str]]:
    """The labels of the asserts inside ``check`` (one per hidden test) and up to ``MAX_EXAMPLES``
    example claims ``entry_point(args) == value`` drawn from its simple asserts (trusted data)."""
    tree = ast.parse(test)
    check = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None)
    if check is None:
        raise ValueError("HumanEval row whose tests define no check(candidate)")
    labels: list[str] = []
    claims: list[str] = []
    for node in _asserts_in_order(check):
        labels.append(ast.unparse(node)[:300])
        t = node.test
        if (
            len(claims) < MAX_EXAMPLES
            and isinstance(t, ast.Compare)
            and len(t.ops) == 1
            and isinstance(t.ops[0], ast.Eq)
            and isinstance(t.left, ast.Call)
            and isinstance(t.left.func, ast.Name)
            and t.left.func.id == "candidate"
            and not t.left.keywords
            and all(_is_literal(a) for a in t.left.args)
            and _is_literal(t.comparators[0])
            and not (isinstance(t.comparators[0], ast.Constant) and isinstance(t.comparators[0].value, float))
        ):
            call = ast.Call(func=ast.Name(id=entry_point, ctx=ast.Load()), args=t.left.args, keywords=[])
            claim = f"{ast.unparse(call)} == {ast.unparse(t.comparators[0])}"
            if len(claim) <= 300 and all(_step_key(claim) != _step_key(c) for c in claims):
                claims.append(claim)
    return labels, claims


def bucket_of(canonical_solution: str) -> int:
    """The difficulty of a row from its canonical solution's non-blank line count."""
    n = sum(1 for line in canonical_solution.splitlines() if line.strip())
    return 1 if n <= 3 else 2 if n <= 8 else 3


def parse_row(row: dict[str, Any]) -> dict[str, Any]:
    """A HumanEval row with its program, test labels, example claims and difficulty."""
    entry = str(row["entry_point"])
    prompt = str(row["prompt"])
    labels, claims = parse_tests(str(row["test"]), entry)
    if not labels:
        raise ValueError(f"{row.get('task_id')}: check() has no asserts")
    return {
        "task_id": str(row["task_id"]),
        "prompt": prompt,
        "entry_point": entry,
        "program": prompt + str(row["canonical_solution"]),
        "test": str(row["test"]),
        "labels": labels,
        "claims": claims,
        "difficulty": bucket_of(str(row["canonical_solution"])),
    }


def load_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """All parsed rows of the file (read once per path, then cached)."""
    return load_jsonl(path or data_path(), parse_row, "HumanEval")


@register_family
class HumanEvalFamily(TaskFamily):
    """The HumanEval problems as tasks, bucketed into difficulties by canonical solution length."""

    name = "humaneval"
    domain = "code"
    difficulties = (1, 2, 3)
    procedural = False
    description = "HumanEval problems (OpenAI, 2021) with hidden check() tests and canonical solutions."

    def buckets(self) -> dict[int, list[int]]:
        """Row indices per difficulty."""
        out: dict[int, list[int]] = {1: [], 2: [], 3: []}
        for i, row in enumerate(load_rows()):
            out[row["difficulty"]].append(i)
        return out

    def row_task(self, index: int) -> Task:
        """The task built from row ``index`` of the file."""
        row = load_rows()[index]
        entry = row["entry_point"]
        prompt = (
            f"Complete the Python function `{entry}` below.\n\n```python\n{row['prompt'].rstrip()}\n```\n\n"
            + code_instructions(entry)
        )
        program = row["program"]
        return Task(
            id=f"humaneval/{row['task_id'].split('/')[-1]}",
            family=self.name,
            prompt=prompt,
            answer=program,
            solution=list(row["claims"]) + [f"```python\n{program.rstrip()}\n```"],
            difficulty=row["difficulty"],
            verifier={
                "kind": "code",
                "tests": row["test"],
                "entry_point": entry,
                "reference": program,
                "prompt": row["prompt"],
                "milestones": list(row["labels"]),
            },
            meta={"source": FILENAME, "row": index, "task_id": row["task_id"]},
        )

    def task(self, seed: int, difficulty: int = 1) -> Task:
        """Row ``bucket[seed % len(bucket)]`` of the difficulty's bucket."""
        if difficulty not in self.difficulties:
            raise ValueError(f"family {self.name!r} has difficulties {self.difficulties}, got {difficulty}")
        bucket = self.buckets()[difficulty]
        if not bucket:
            raise ValueError(f"no HumanEval rows at difficulty {difficulty}")
        return self.row_task(bucket[int(seed) % len(bucket)])

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        """A row of the difficulty's bucket drawn with ``rng``."""
        return self.row_task(rng.choice(self.buckets()[difficulty]))
