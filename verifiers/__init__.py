"""Verifiers: text in, Verdict out."""

from thoughtgym.verifiers.verdict import Verdict

__all__ = ["Verdict"]
