"""Task families (one per file) and the registry that maps names to them."""

from thoughtgym.envs.tasks.base import (
    FamilyConfig,
    TaskFamily,
    get_family,
    list_families,
    make_task,
    register_family,
)

__all__ = ["FamilyConfig", "TaskFamily", "get_family", "list_families", "make_task", "register_family"]
