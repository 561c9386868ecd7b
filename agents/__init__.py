"""Policies that act in thoughtgym environments.

``ReferencePolicy`` and ``NoisyPolicy`` need only the core; model policies (transformers) live in
their own modules and import torch only there.
"""

from thoughtgym.agents.oracle import NoisyPolicy, ReferencePolicy, perturb_last_number

__all__ = ["NoisyPolicy", "ReferencePolicy", "perturb_last_number"]
