"""A Text space for real model text, and its shared-memory support for AsyncVectorEnv.

Gymnasium's ``Text`` only contains strings over a fixed character set, and its shared-memory
encoding maps characters through that set, so unicode, newlines and LaTeX from a model do not
round-trip through ``AsyncVectorEnv(shared_memory=True)``; and gymnasium 1.4 reads a Text buffer only
once, so its observations come back stale. ``UnicodeText`` contains any ``str`` up to ``max_length``, is
stored in shared memory as a length plus Unicode code points, and is read through a live view.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class SharedTextBatch(Sequence):
    """A live view of the text observations in shared memory.

    ``AsyncVectorEnv`` reads its shared observation buffer once, at start-up, and afterwards returns
    ``deepcopy(that object)`` after every step. A NumPy view stays current that way; a tuple of strings
    (what gymnasium builds for ``Text``) does not, which is why text observations came back stale. This
    view decodes the buffer whenever it is read, and ``deepcopy`` turns it into a plain tuple of str.
    """

    def __init__(self, space: UnicodeText, shared_memory: Any, n: int):
        self._data = np.frombuffer(shared_memory.get_obj(), dtype=np.int32).reshape((n, space.max_length + 1))

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        row = self._data[index]
        return "".join(map(chr, row[1 : 1 + int(row[0])].tolist()))

    def __deepcopy__(self, memo: dict) -> tuple[str, ...]:
        return tuple(self)

    def __eq__(self, other: Any) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SharedTextBatch({tuple(self)!r})"


@_shm.read_from_shared_memory.register(UnicodeText)
def _read_unicode_text_from_shared_memory(space: UnicodeText, shared_memory: Any, n: int = 1) -> SharedTextBatch:
    return SharedTextBatch(space, shared_memory, n)


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
