"""Where dataset-backed families read their files, and a thread-safe cached JSONL loader."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_CACHE: dict[str, list[Any]] = {}


def data_path(filename: str) -> Path:
    """``$THOUGHTGYM_DATA_DIR/filename`` when that is set, else ``<repo>/../shared/data/filename``."""
    env = os.environ.get("THOUGHTGYM_DATA_DIR")
    if env:
        return Path(env) / filename
    import thoughtgym

    return Path(thoughtgym.__file__).resolve().parent.parent / "shared" / "data" / filename


def load_jsonl(path: Path, parse_row: Callable[[dict[str, Any]], Any], label: str) -> list[Any]:
    """Every non-blank line of ``path`` parsed by ``parse_row``; read once per path, then cached.

    Raises ``FileNotFoundError`` naming ``THOUGHTGYM_DATA_DIR`` when the file is missing.
    """
    key = str(path)
    with _LOCK:
        if key not in _CACHE:
            if not path.is_file():
                raise FileNotFoundError(
                    f"{label} data not found at {path}; set THOUGHTGYM_DATA_DIR to the folder holding {path.name}"
                )
            with path.open(encoding="utf-8") as fh:
                _CACHE[key] = [parse_row(json.loads(line)) for line in fh if line.strip()]
        return _CACHE[key]
