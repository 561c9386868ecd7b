"""thoughtgym: reasoning tasks as Gymnasium environments with step-level verification."""

from thoughtgym.envs.task import Task
from thoughtgym.verifiers.verdict import Verdict

__version__ = "0.1.0"
__all__ = ["Task", "Verdict", "__version__"]
