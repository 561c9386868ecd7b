"""The README's example runs as written and prints what its comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs_and_matches_its_comments() -> None:
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL).group(1)
    out = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=120, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("Solve for x: -2*x - 24 = 10*x - 60")
    commented = re.findall(r"^# (True .*)$", block, re.MULTILINE)
    printed = [line for line in lines if line.startswith("True ")]
    assert printed == commented
    assert "x = 4 does not follow from the given equations" in out.stdout
