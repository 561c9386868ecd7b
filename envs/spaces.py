"""A Text space for real model text, and its shared-memory support for AsyncVectorEnv.

Gymnasium's ``Text`` only contains strings over a fixed character set, and its shared-memory
encoding maps characters through that set, so unicode, newlines and LaTeX from a model do not
round-trip through ``AsyncVectorEnv(shared_memory=True)`` (observations come back stale or mangled).
``UnicodeText`` contains any ``str`` up to ``max_length`` and is stored in shared memory as a length
plus Unicode code points.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.spaces import Text
from gymnasium.vector.utils import shared_memory as _shm

# What `sample()` draws from: printable ASCII, newline, and some maths/unicode so checks exercise them.
_SAMPLE_CHARSET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n+-*/^=()[]{}<>.,;:!?'\"\\_$%#&|~"
    "αβγπ√∑∫≤≥≠×÷·→é中"
)


class UnicodeText(Text):
    """Any ``str`` of at most ``max_length`` characters (lone surrogates excluded)."""

    def __init__(self, max_length: int, *, min_length: int = 0, seed: Any = None):
        super().__init__(max_length=max_length, min_length=min_length, charset=_SAMPLE_CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, str) or not (self.min_length <= len(x) <= self.max_length):
            return False
        try:
            x.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True

    def __repr__(self) -> str:
        return f"UnicodeText({self.min_length}, {self.max_length})"

    def __eq__(self, other: Any) -> bool:
        return (
            isinstance(other, UnicodeText)
            and self.min_length == other.min_length
            and self.max_length == other.max_length
        )

    def __hash__(self) -> int:
        return hash(("UnicodeText", self.min_length, self.max_length))


def fit_text(text: str, max_length: int, keep_head: int = 0) -> str:
    """``text`` cut to ``max_length`` characters: the first ``keep_head`` and the newest rest."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    if len(text) <= max_length:
        return text
    marker = "\n[…]\n"
    tail = max_length - keep_head - len(marker)
    if tail <= 0:
        return text[:max_length]
    return text[:keep_head] + marker + text[-tail:]


# Shared memory layout per env: [length, code point 0, ..., code point max_length-1] as int32.
@_shm.create_shared_memory.register(UnicodeText)
def _create_unicode_text_shared_memory(space: UnicodeText, n: int = 1, ctx: Any = None) -> Any:
    import multiprocessing as mp

    ctx = ctx or mp
    return ctx.Array(np.dtype(np.int32).char, n * (space.max_length + 1))


@_shm.read_from_shared_memory.register(UnicodeText)
def _read_unicode_text_from_shared_memory(space: UnicodeText, shared_memory: Any, n: int = 1) -> tuple[str, ...]:
    data = np.frombuffer(shared_memory.get_obj(), dtype=np.int32).reshape((n, space.max_length + 1))
    out = []
    for row in data:
        length = int(row[0])
        out.append("".join(map(chr, row[1 : 1 + length].tolist())))
    return tuple(out)


@_shm.write_to_shared_memory.register(UnicodeText)
def _write_unicode_text_to_shared_memory(space: UnicodeText, index: int, value: str, shared_memory: Any) -> None:
    size = space.max_length + 1
    destination = np.frombuffer(shared_memory.get_obj(), dtype=np.int32)
    value = value[: space.max_length]
    row = np.zeros(size, dtype=np.int32)
    row[0] = len(value)
    if value:
        row[1 : 1 + len(value)] = np.fromiter(map(ord, value), dtype=np.int32, count=len(value))
    np.copyto(destination[index * size : (index + 1) * size], row)
