"""Math verification: answer extraction, a whitelist parser, equivalence and step checking.

Public entry points (each bounded in time, never raising on bad text):
``equivalent(pred, gold)``, ``first_error(steps, problem)``, ``check_step(step, previous, ...)``.
"""

from typing import Any

__all__ = ["equivalent", "first_error", "check_step"]


def __getattr__(name: str) -> Any:
    # Lazy so that importing one piece does not pay for the others.
    if name == "equivalent":
        from thoughtgym.verifiers.math.equivalence import equivalent

        return equivalent
    if name in ("first_error", "check_step"):
        from thoughtgym.verifiers.math import steps

        return getattr(steps, name)
    raise AttributeError(name)
