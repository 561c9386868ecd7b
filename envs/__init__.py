"""Tasks, Gymnasium environments and reward shaping."""

from thoughtgym.envs.rewards import RewardConfig, reward_terms
from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks import (
    FamilyConfig,
    TaskFamily,
    get_family,
    list_families,
    make_task,
    register_family,
)
from thoughtgym.envs.verify import EpisodeScorer, Report, verify, verify_batch

__all__ = [
    "EpisodeScorer",
    "FamilyConfig",
    "Report",
    "RewardConfig",
    "Task",
    "TaskFamily",
    "get_family",
    "list_families",
    "make_task",
    "register_family",
    "reward_terms",
    "verify",
    "verify_batch",
]
