"""Imports every built-in family module so each registers itself."""

import importlib
import pkgutil
import warnings

import thoughtgym.envs.tasks as _pkg

for _info in pkgutil.iter_modules(_pkg.__path__):
    if not _info.name.startswith("_") and _info.name != "base":
        try:
            importlib.import_module(f"{_pkg.__name__}.{_info.name}")
        except Exception as exc:  # one broken family must not hide the others
            warnings.warn(f"thoughtgym: task family module {_info.name!r} failed to import: {exc!r}", stacklevel=2)
