"""Imports every built-in family module so each registers itself."""

import importlib
import pkgutil

import thoughtgym.envs.tasks as _pkg

for _info in pkgutil.iter_modules(_pkg.__path__):
    if not _info.name.startswith("_") and _info.name != "base":
        importlib.import_module(f"{_pkg.__name__}.{_info.name}")
