"""Registers every thoughtgym environment id with gymnasium (done on ``import thoughtgym``).

Ids: ``thoughtgym/Math-v0`` and ``thoughtgym/Code-v0`` (mixtures of each domain's procedural families) and one id per family,
``thoughtgym/<CamelCaseFamily>-v0`` (e.g. ``thoughtgym/LinearEquation-v0``, ``thoughtgym/Gsm8k-v0``).
Every id takes the env's keyword arguments, e.g. ``gymnasium.make("thoughtgym/Math-v0", mode="single")``.
"""

from __future__ import annotations

import gymnasium as gym

from thoughtgym.envs.tasks import get_family, list_families

NAMESPACE = "thoughtgym"

# domain -> (entry point, family keyword)
_ENTRY_POINTS = {
    "math": "thoughtgym.envs.math_env:MathEnv",
    "code": "thoughtgym.envs.code_env:CodeEnv",
}
# domain -> the id of its mixture env
_MIXTURE_IDS = {"math": "Math-v0", "code": "Code-v0"}


def env_id(family: str) -> str:
    return f"{NAMESPACE}/{''.join(p.capitalize() for p in family.split('_'))}-v0"


def registered_ids() -> list[str]:
    return sorted(k for k in gym.registry if k.startswith(NAMESPACE + "/"))


def register_envs() -> None:
    """Register all ids; safe to call more than once."""
    families = list_families()
    domains = {get_family(f).domain for f in families}
    for domain, mixture in _MIXTURE_IDS.items():
        eid = f"{NAMESPACE}/{mixture}"
        if domain in domains and eid not in gym.registry:
            gym.register(id=eid, entry_point=_ENTRY_POINTS[domain])
    for family in families:
        domain = get_family(family).domain
        if domain not in _ENTRY_POINTS:
            continue
        eid = env_id(family)
        if eid not in gym.registry:
            gym.register(id=eid, entry_point=_ENTRY_POINTS[domain], kwargs={"family": family})
