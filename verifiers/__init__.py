"""Verifiers: text in, Verdict out."""

from thoughtgym.verifiers.base import TaskVerifier, get_verifier, register_verifier
from thoughtgym.verifiers.format import ParsedCompletion, parse_completion
from thoughtgym.verifiers.verdict import Verdict

__all__ = ["ParsedCompletion", "TaskVerifier", "Verdict", "get_verifier", "parse_completion", "register_verifier"]
