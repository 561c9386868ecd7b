"""Test-suite set-up: make the sandbox test helpers importable as ``thoughtgym_tests_sandbox_fixtures``.

``tests/`` is not a package (pytest runs with ``--import-mode=importlib``), so the helper module is loaded
here once, before the test modules that import it are collected.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys

_NAME = "thoughtgym_tests_sandbox_fixtures"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, pathlib.Path(__file__).with_name("sandbox_fixtures.py"))
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)
