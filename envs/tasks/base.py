"""Task families: a registry of deterministic generators and dataset loaders.

Modelled on reasoning-gym: one family per file, a dataclass config with ``validate()``, and
generation that depends only on ``(family, difficulty, seed)``: the generator gets
``random.Random(seed)`` and nothing else random.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from thoughtgym.envs.task import Task


@dataclass
class FamilyConfig:
    """Which tasks to draw from a family.

    Attributes:
        difficulty: difficulty level, one of the family's ``difficulties``.
        seed: base seed; task ``i`` of a dataset is generated from ``seed + i``.
        size: number of tasks in a dataset built from this config.
    """

    difficulty: int = 1
    seed: int = 0
    size: int = 100

    def validate(self, family: TaskFamily | None = None) -> None:
        if self.size < 1:
            raise ValueError(f"size must be >= 1, got {self.size}")
        if family is not None and self.difficulty not in family.difficulties:
            raise ValueError(
                f"family {family.name!r} has difficulties {family.difficulties}, got {self.difficulty}"
            )


class TaskFamily(ABC):
    """A family of tasks. Subclasses set ``name``, ``domain``, ``difficulties`` and ``generate``."""

    name: ClassVar[str]
    domain: ClassVar[str]  # "math", "code", "logic", "physics"
    difficulties: ClassVar[tuple[int, ...]] = (1, 2, 3)
    description: ClassVar[str] = ""
    procedural: ClassVar[bool] = True  # False for dataset loaders (they need a file to run)
    config: ClassVar[Any] = None  # a dataclass of settings with validate(), checked by task()

    @abstractmethod
    def generate(self, rng: random.Random, difficulty: int) -> Task:
        """Build one task using only ``rng`` for randomness. ``id`` is set by ``task()``."""

    def task(self, seed: int, difficulty: int = 1) -> Task:
        """The task for ``(difficulty, seed)``: the same arguments always give the same task."""
        if difficulty not in self.difficulties:
            raise ValueError(f"family {self.name!r} has difficulties {self.difficulties}, got {difficulty}")
        config = getattr(self, "config", None)  # the family's settings, validated before every use
        if config is not None and hasattr(config, "validate"):
            config.validate()
        task = self.generate(random.Random(int(seed)), difficulty)
        task.id = f"{self.name}/d{difficulty}/s{int(seed)}"
        task.family = self.name
        task.difficulty = difficulty
        return task

    def dataset(self, config: FamilyConfig) -> Iterator[Task]:
        config.validate(self)
        for i in range(config.size):
            yield self.task(config.seed + i, config.difficulty)


_FAMILIES: dict[str, TaskFamily] = {}


def register_family(family_cls: type[TaskFamily]) -> type[TaskFamily]:
    """Class decorator: register a family under its ``name``."""
    name = family_cls.name
    if name in _FAMILIES and type(_FAMILIES[name]) is not family_cls:
        raise ValueError(f"task family {name!r} is already registered")
    _FAMILIES[name] = family_cls()
    return family_cls


def get_family(name: str) -> TaskFamily:
    _load_builtin_families()
    try:
        return _FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown task family {name!r}; known: {sorted(_FAMILIES)}") from None


def list_families(domain: str | None = None, *, procedural: bool | None = None) -> list[str]:
    """Registered family names, optionally only of ``domain`` and only generated (or only loaded)."""
    _load_builtin_families()
    return sorted(
        n for n, f in _FAMILIES.items()
        if (domain is None or f.domain == domain) and (procedural is None or f.procedural == procedural)
    )


def make_task(family: str, difficulty: int = 1, seed: int = 0) -> Task:
    """The task of ``family`` at ``difficulty`` for ``seed``."""
    return get_family(family).task(seed, difficulty)


def _load_builtin_families() -> None:
    # Import for the side effect of registration; kept lazy so `base` has no import cycle.
    from thoughtgym.envs.tasks import _builtin  # noqa: F401
