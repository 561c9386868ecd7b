"""thoughtgym: reasoning tasks as Gymnasium environments with step-level verification.

``import thoughtgym`` registers the environments with gymnasium (ids ``thoughtgym/...``) and exposes the
standalone verifier API: ``thoughtgym.verify(task, completion) -> Report``.
"""

from thoughtgym.envs import RewardConfig, Task, get_family, list_families, make_task
from thoughtgym.envs.registration import register_envs
from thoughtgym.envs.verify import Report, verify, verify_batch
from thoughtgym.verifiers.verdict import Verdict

__version__ = "0.1.0"
__all__ = ["Report", "RewardConfig", "Task", "Verdict", "__version__", "get_family", "list_families", "make_task", "verify", "verify_batch"]

register_envs()
