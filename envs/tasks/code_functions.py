"""Procedural function-writing tasks: write one small Python function that passes hidden tests.

Task: "Write a Python function ``sum_evens(nums: list[int]) -> int`` that returns the sum of the even
numbers in ``nums`` (0 when there are none). Example: ``sum_evens([1, 2, 3, 4]) == 6``."

Difficulty levels (each draws one template of its level, then its name, constants and inputs):
    1: one loop or one library call: sum of evens, sum of multiples of k, count above k, count vowels,
       palindromes, reverse words, gcd, fizzbuzz with two divisors. 5 hidden tests.
    2: a little state: run-length encoding, second largest, merge two sorted lists, balanced brackets,
       matrix transpose, rotate right by k, chunks of size k. 6 hidden tests.
    3: an algorithm: run-length decoding, roman numerals, longest increasing subsequence, spiral order,
       primes up to n, longest common prefix, flatten nested lists, the k most frequent words. 8 tests.

Hidden tests are MBPP-style ``assert name(args) == expected`` lines. The expected values are computed
at generation time by a pure-Python implementation of the template in this module (never by running
generated text), and the tests of this package check that the reference program agrees with it.

Solution format: two example claims ``name(args) == value`` (valid when the reference gives that
value), then the reference program as a fenced ```python``` draft (valid when it passes every hidden
test, which reaches every milestone: one per hidden test). The gold answer is the reference program.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks.base import TaskFamily, register_family

INSTRUCTIONS = (
    "You may state examples as `{name}(...) == value` (each is checked against a reference solution), "
    "try drafts in ```python``` blocks (each is scored by hidden tests), and give the final program "
    "inside <answer>...</answer>."
)


def code_instructions(name: str) -> str:
    """The how-to-answer paragraph appended to every code prompt."""
    return INSTRUCTIONS.format(name=name)


@dataclass(frozen=True)
class _Template:
    """One kind of function. ``source`` and ``impl`` must agree (checked by the tests).

    Attributes:
        key: template id (stored in ``meta``).
        difficulty: the level it belongs to.
        names: function names to draw from.
        signature: the parameter list and return annotation, e.g. ``"(nums: list[int]) -> int"``.
        describe: text after "that ..." given the drawn parameters.
        source: the reference program given the name and the drawn parameters.
        impl: a pure-Python implementation given the parameters (used for expected values).
        inputs: ``(rng, params) -> args tuple``: one random input.
        edge: edge-case inputs given the parameters (added to the tests first).
        params: ``rng -> dict`` of drawn constants.
    """

    key: str
    difficulty: int
    names: tuple[str, ...]
    signature: str
    describe: Callable[[dict[str, Any]], str]
    source: Callable[[str, dict[str, Any]], str]
    impl: Callable[[dict[str, Any]], Callable[..., Any]]
    inputs: Callable[[random.Random, dict[str, Any]], tuple[Any, ...]]
    edge: Callable[[dict[str, Any]], list[tuple[Any, ...]]] = lambda p: []
    params: Callable[[random.Random], dict[str, Any]] = field(default=lambda rng: {})


def _ints(rng: random.Random, lo: int, hi: int, n_lo: int, n_hi: int) -> list[int]:
    return [rng.randint(lo, hi) for _ in range(rng.randint(n_lo, n_hi))]


_WORDS = ("apple", "tree", "sun", "moon", "river", "stone", "cloud", "bird", "fire", "leaf", "sky", "rain")


def _sentence(rng: random.Random, n_lo: int = 1, n_hi: int = 6) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(n_lo, n_hi)))


def _palindrome_input(rng: random.Random) -> str:
    half = "".join(rng.choice("abcr") for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.5:
        return half + rng.choice(["", "x"]) + half[::-1]
    return half + "".join(rng.choice("abcr") for _ in range(rng.randint(1, 3)))


def _fizzbuzz(p: dict[str, Any]) -> Callable[[int], list[str]]:
    a, b = p["a"], p["b"]

    def f(n: int) -> list[str]:
        out = []
        for i in range(1, n + 1):
            s = ("Fizz" if i % a == 0 else "") + ("Buzz" if i % b == 0 else "")
            out.append(s or str(i))
        return out

    return f


def _rle(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(f"{s[i]}{j - i}")
        i = j
    return "".join(out)


def _rle_input(rng: random.Random) -> str:
    return "".join(rng.choice("abcxyz") * rng.randint(1, 12) for _ in range(rng.randint(1, 5)))


def _second_largest(nums: list[int]) -> int | None:
    distinct = sorted(set(nums))
    return distinct[-2] if len(distinct) >= 2 else None


def _balanced(s: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for c in s:
        if c in "([{":
            stack.append(c)
        elif c in pairs:
            if not stack or stack.pop() != pairs[c]:
                return False
    return not stack


def _brackets_input(rng: random.Random) -> str:
    if rng.random() < 0.5:  # a balanced one, built recursively
        def build(depth: int) -> str:
            if depth == 0 or rng.random() < 0.3:
                return ""
            o, c = rng.choice(["()", "[]", "{}"])
            return o + build(depth - 1) + c + build(depth - 1)
        return build(4) or "()"
    return "".join(rng.choice("()[]{}") for _ in range(rng.randint(1, 8)))


def _matrix(rng: random.Random) -> list[list[int]]:
    rows, cols = rng.randint(1, 4), rng.randint(1, 4)
    return [[rng.randint(-9, 9) for _ in range(cols)] for _ in range(rows)]


def _rotate(p: dict[str, Any]) -> Callable[[list[int]], list[int]]:
    k = p["k"]
    return lambda nums: (nums[-(k % len(nums)):] + nums[: -(k % len(nums))]) if nums and k % len(nums) else list(nums)


def _rle_decode(s: str) -> str:
    return "".join(ch * int(n) for ch, n in re.findall(r"([a-z])(\d+)", s))


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _to_roman(n: int) -> str:
    out = []
    for value, sym in _ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _lis(nums: list[int]) -> int:
    best = [1] * len(nums)
    for i in range(len(nums)):
        for j in range(i):
            if nums[j] < nums[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


def _spiral(m: list[list[int]]) -> list[int]:
    out: list[int] = []
    top, bottom, left, right = 0, len(m) - 1, 0, (len(m[0]) - 1 if m else -1)
    while top <= bottom and left <= right:
        out += [m[top][j] for j in range(left, right + 1)]
        out += [m[i][right] for i in range(top + 1, bottom + 1)]
        if top < bottom:
            out += [m[bottom][j] for j in range(right - 1, left - 1, -1)]
        if left < right:
            out += [m[i][left] for i in range(bottom - 1, top, -1)]
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return out


def _primes(n: int) -> list[int]:
    return [k for k in range(2, n + 1) if all(k % d for d in range(2, math.isqrt(k) + 1))]


def _lcp(words: list[str]) -> str:
    if not words:
        return ""
    prefix = words[0]
    for w in words[1:]:
        while not w.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def _lcp_input(rng: random.Random, params: dict[str, Any]) -> tuple[list[str]]:
    stem = "".join(rng.choice("abc") for _ in range(rng.randint(0, 3)))
    return ([stem + "".join(rng.choice("abc") for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(1, 4))],)


def _flatten(x: list[Any]) -> list[int]:
    out: list[int] = []
    for item in x:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _nested(rng: random.Random, depth: int = 3) -> list[Any]:
    out: list[Any] = []
    for _ in range(rng.randint(0, 4)):
        if depth > 0 and rng.random() < 0.35:
            out.append(_nested(rng, depth - 1))
        else:
            out.append(rng.randint(0, 9))
    return out


def _top_k(p: dict[str, Any]) -> Callable[[str], list[str]]:
    k = p["k"]

    def f(text: str) -> list[str]:
        counts = Counter(text.split())
        return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]

    return f


TEMPLATES: tuple[_Template, ...] = (
    # ------------------------------------------------------------------ difficulty 1
    _Template(
        "sum_evens", 1, ("sum_evens", "sum_of_evens", "even_total"), "(nums: list[int]) -> int",
        lambda p: "returns the sum of the even numbers in `nums` (0 when there are none)",
        lambda n, p: f"def {n}(nums: list[int]) -> int:\n    return sum(x for x in nums if x % 2 == 0)\n",
        lambda p: lambda nums: sum(x for x in nums if x % 2 == 0),
        lambda rng, p: (_ints(rng, -20, 40, 1, 8),),
        lambda p: [([],), ([1, 3, 5],)],
    ),
    _Template(
        "sum_multiples", 1, ("sum_multiples", "sum_divisible", "multiples_total"), "(nums: list[int]) -> int",
        lambda p: f"returns the sum of the numbers in `nums` that are multiples of {p['k']} (0 when there are none)",
        lambda n, p: f"def {n}(nums: list[int]) -> int:\n    return sum(x for x in nums if x % {p['k']} == 0)\n",
        lambda p: lambda nums: sum(x for x in nums if x % p["k"] == 0),
        lambda rng, p: (_ints(rng, -30, 60, 1, 8),),
        lambda p: [([],), ([p["k"] + 1],)],
        lambda rng: {"k": rng.randint(3, 9)},
    ),
    _Template(
        "count_above", 1, ("count_above", "count_greater", "how_many_above"), "(nums: list[int]) -> int",
        lambda p: f"returns how many numbers in `nums` are strictly greater than {p['k']}",
        lambda n, p: f"def {n}(nums: list[int]) -> int:\n    return sum(1 for x in nums if x > {p['k']})\n",
        lambda p: lambda nums: sum(1 for x in nums if x > p["k"]),
        lambda rng, p: (_ints(rng, -10, 30, 1, 8),),
        lambda p: [([],), ([p["k"]],)],
        lambda rng: {"k": rng.randint(0, 20)},
    ),
    _Template(
        "count_vowels", 1, ("count_vowels", "vowel_count", "num_vowels"), "(text: str) -> int",
        lambda p: "returns how many vowels (a, e, i, o, u, upper or lower case) `text` contains",
        lambda n, p: f"def {n}(text: str) -> int:\n    return sum(1 for c in text.lower() if c in 'aeiou')\n",
        lambda p: lambda text: sum(1 for c in text.lower() if c in "aeiou"),
        lambda rng, p: ("".join(rng.choice("abcdeiouxyzAEIOU ") for _ in range(rng.randint(1, 14))),),
        lambda p: [("",), ("rhythm",)],
    ),
    _Template(
        "is_palindrome", 1, ("is_palindrome", "reads_same_backwards", "palindrome"), "(text: str) -> bool",
        lambda p: "returns True when `text` reads the same forwards and backwards (exactly, character by character)",
        lambda n, p: f"def {n}(text: str) -> bool:\n    return text == text[::-1]\n",
        lambda p: lambda text: text == text[::-1],
        lambda rng, p: (_palindrome_input(rng),),
        lambda p: [("",), ("ab",)],
    ),
    _Template(
        "reverse_words", 1, ("reverse_words", "words_backwards", "flip_words"), "(sentence: str) -> str",
        lambda p: "returns the words of `sentence` (separated by whitespace) in reverse order, joined by single spaces",
        lambda n, p: f"def {n}(sentence: str) -> str:\n    return ' '.join(reversed(sentence.split()))\n",
        lambda p: lambda sentence: " ".join(reversed(sentence.split())),
        lambda rng, p: (_sentence(rng),),
        lambda p: [("",), ("  one   two ",)],
    ),
    _Template(
        "gcd", 1, ("gcd", "greatest_common_divisor", "highest_common_factor"), "(a: int, b: int) -> int",
        lambda p: "returns the greatest common divisor of the non-negative integers `a` and `b` (gcd(0, 0) is 0)",
        lambda n, p: f"def {n}(a: int, b: int) -> int:\n    while b:\n        a, b = b, a % b\n    return a\n",
        lambda p: math.gcd,
        lambda rng, p: (rng.randint(1, 30) * rng.randint(1, 12), rng.randint(1, 30) * rng.randint(1, 12)),
        lambda p: [(0, 0), (0, 7), (13, 13)],
    ),
    _Template(
        "fizzbuzz", 1, ("fizzbuzz", "fizz_buzz", "fizzbuzz_list"), "(n: int) -> list[str]",
        lambda p: (f"returns a list of strings for 1..n: 'FizzBuzz' for multiples of both {p['a']} and {p['b']}, "
                   f"'Fizz' for multiples of {p['a']}, 'Buzz' for multiples of {p['b']}, else the number itself"),
        lambda n, p: (f"def {n}(n: int) -> list[str]:\n    out = []\n    for i in range(1, n + 1):\n"
                      f"        s = ('Fizz' if i % {p['a']} == 0 else '') + ('Buzz' if i % {p['b']} == 0 else '')\n"
                      f"        out.append(s or str(i))\n    return out\n"),
        _fizzbuzz,
        lambda rng, p: (rng.randint(1, 30),),
        lambda p: [(0,), (p["a"] * p["b"],)],
        lambda rng: dict(zip(("a", "b"), rng.sample([2, 3, 4, 5, 7], 2), strict=True)),
    ),
    # ------------------------------------------------------------------ difficulty 2
    _Template(
        "run_length_encode", 2, ("run_length_encode", "rle", "compress_runs"), "(text: str) -> str",
        lambda p: ("returns the run-length encoding of `text`: each run of a repeated character is written as the "
                   "character followed by the run's length, e.g. 'aaab' -> 'a3b1'"),
        lambda n, p: (f"def {n}(text: str) -> str:\n    out = []\n    i = 0\n    while i < len(text):\n"
                      "        j = i\n        while j < len(text) and text[j] == text[i]:\n            j += 1\n"
                      "        out.append(text[i] + str(j - i))\n        i = j\n    return ''.join(out)\n"),
        lambda p: _rle,
        lambda rng, p: (_rle_input(rng),),
        lambda p: [("",), ("z",)],
    ),
    _Template(
        "second_largest", 2, ("second_largest", "runner_up", "second_max"), "(nums: list[int]) -> int | None",
        lambda p: "returns the second largest distinct value in `nums`, or None when it has fewer than two distinct values",
        lambda n, p: (f"def {n}(nums: list[int]) -> int | None:\n    distinct = sorted(set(nums))\n"
                      "    return distinct[-2] if len(distinct) >= 2 else None\n"),
        lambda p: _second_largest,
        lambda rng, p: (_ints(rng, -15, 15, 2, 9),),
        lambda p: [([],), ([4, 4, 4],), ([5, 9, 9],)],
    ),
    _Template(
        "merge_sorted", 2, ("merge_sorted", "merge_lists", "merge_two_sorted"), "(a: list[int], b: list[int]) -> list[int]",
        lambda p: "merges the two ascending lists `a` and `b` into one ascending list (keep duplicates)",
        lambda n, p: (f"def {n}(a: list[int], b: list[int]) -> list[int]:\n    out = []\n    i = j = 0\n"
                      "    while i < len(a) and j < len(b):\n        if a[i] <= b[j]:\n            out.append(a[i])\n"
                      "            i += 1\n        else:\n            out.append(b[j])\n            j += 1\n"
                      "    return out + a[i:] + b[j:]\n"),
        lambda p: lambda a, b: sorted(a + b),
        lambda rng, p: (sorted(_ints(rng, -20, 20, 0, 6)), sorted(_ints(rng, -20, 20, 0, 6))),
        lambda p: [([], []), ([1, 2], [])],
    ),
    _Template(
        "balanced_brackets", 2, ("balanced_brackets", "is_balanced", "brackets_match"), "(text: str) -> bool",
        lambda p: ("returns True when the brackets ()[]{} in `text` are balanced and properly nested "
                   "(other characters are ignored)"),
        lambda n, p: (f"def {n}(text: str) -> bool:\n    pairs = {{')': '(', ']': '[', '}}': '{{'}}\n    stack = []\n"
                      "    for c in text:\n        if c in '([{':\n            stack.append(c)\n"
                      "        elif c in pairs:\n            if not stack or stack.pop() != pairs[c]:\n"
                      "                return False\n    return not stack\n"),
        lambda p: _balanced,
        lambda rng, p: (_brackets_input(rng),),
        lambda p: [("",), ("([)]",), ("a(b)c",)],
    ),
    _Template(
        "transpose", 2, ("transpose", "transpose_matrix", "flip_matrix"), "(matrix: list[list[int]]) -> list[list[int]]",
        lambda p: "returns the transpose of the rectangular, non-empty `matrix` (rows become columns)",
        lambda n, p: f"def {n}(matrix: list[list[int]]) -> list[list[int]]:\n    return [list(col) for col in zip(*matrix)]\n",
        lambda p: lambda matrix: [list(col) for col in zip(*matrix, strict=True)],
        lambda rng, p: (_matrix(rng),),
        lambda p: [([[1]],), ([[1, 2, 3]],)],
    ),
    _Template(
        "rotate_right", 2, ("rotate_right", "rotate_list", "shift_right"), "(nums: list[int]) -> list[int]",
        lambda p: (f"returns `nums` rotated right by {p['k']} positions (the last {p['k']} elements move to the front, "
                   "wrapping around for short lists; an empty list stays empty)"),
        lambda n, p: (f"def {n}(nums: list[int]) -> list[int]:\n    if not nums:\n        return []\n"
                      f"    k = {p['k']} % len(nums)\n    return nums[len(nums) - k:] + nums[:len(nums) - k]\n"),
        _rotate,
        lambda rng, p: (_ints(rng, 0, 9, 1, 8),),
        lambda p: [([],), ([7],)],
        lambda rng: {"k": rng.randint(1, 5)},
    ),
    _Template(
        "chunks", 2, ("chunks", "split_into_chunks", "batch"), "(nums: list[int]) -> list[list[int]]",
        lambda p: f"splits `nums` into consecutive chunks of {p['k']} elements (the last chunk may be shorter)",
        lambda n, p: f"def {n}(nums: list[int]) -> list[list[int]]:\n    return [nums[i:i + {p['k']}] for i in range(0, len(nums), {p['k']})]\n",
        lambda p: lambda nums: [nums[i:i + p["k"]] for i in range(0, len(nums), p["k"])],
        lambda rng, p: (_ints(rng, 0, 9, 1, 10),),
        lambda p: [([],), (list(range(p["k"])),)],
        lambda rng: {"k": rng.randint(2, 4)},
    ),
    # ------------------------------------------------------------------ difficulty 3
    _Template(
        "run_length_decode", 3, ("run_length_decode", "expand_runs", "rle_decode"), "(code: str) -> str",
        lambda p: ("decodes a run-length encoding such as 'a3b12' (a lowercase letter followed by a positive count) "
                   "into the string it encodes ('aaabbbbbbbbbbbb')"),
        lambda n, p: (f"def {n}(code: str) -> str:\n    out = []\n    i = 0\n    while i < len(code):\n"
                      "        ch = code[i]\n        j = i + 1\n        while j < len(code) and code[j].isdigit():\n"
                      "            j += 1\n        out.append(ch * int(code[i + 1:j]))\n        i = j\n    return ''.join(out)\n"),
        lambda p: _rle_decode,
        lambda rng, p: (_rle(_rle_input(rng)),),
        lambda p: [("",), ("x1",)],
    ),
    _Template(
        "to_roman", 3, ("to_roman", "int_to_roman", "roman_numeral"), "(n: int) -> str",
        lambda p: "returns the Roman numeral of `n` (1 <= n <= 3999), using subtractive forms such as IV, IX, XL, CM",
        lambda n, p: (f"def {n}(n: int) -> str:\n    table = [(1000, 'M'), (900, 'CM'), (500, 'D'), (400, 'CD'), (100, 'C'),\n"
                      "             (90, 'XC'), (50, 'L'), (40, 'XL'), (10, 'X'), (9, 'IX'), (5, 'V'), (4, 'IV'), (1, 'I')]\n"
                      "    out = ''\n    for value, symbol in table:\n        while n >= value:\n"
                      "            out += symbol\n            n -= value\n    return out\n"),
        lambda p: _to_roman,
        lambda rng, p: (rng.randint(1, 3999),),
        lambda p: [(1,), (3999,), (944,)],
    ),
    _Template(
        "longest_increasing", 3, ("longest_increasing", "lis_length", "longest_rising_run"), "(nums: list[int]) -> int",
        lambda p: ("returns the length of the longest strictly increasing subsequence of `nums` "
                   "(not necessarily contiguous; 0 for an empty list)"),
        lambda n, p: (f"def {n}(nums: list[int]) -> int:\n    best = [1] * len(nums)\n    for i in range(len(nums)):\n"
                      "        for j in range(i):\n            if nums[j] < nums[i]:\n"
                      "                best[i] = max(best[i], best[j] + 1)\n    return max(best, default=0)\n"),
        lambda p: _lis,
        lambda rng, p: (_ints(rng, 0, 20, 1, 10),),
        lambda p: [([],), ([5, 4, 3],)],
    ),
    _Template(
        "spiral_order", 3, ("spiral_order", "spiral", "clockwise_spiral"), "(matrix: list[list[int]]) -> list[int]",
        lambda p: "returns the elements of the rectangular `matrix` in clockwise spiral order, starting at the top left",
        lambda n, p: (f"def {n}(matrix: list[list[int]]) -> list[int]:\n    out = []\n    m = [list(r) for r in matrix]\n"
                      "    while m and m[0]:\n        out += m.pop(0)\n        m = [list(r) for r in zip(*m)][::-1]\n"
                      "    return out\n"),
        lambda p: _spiral,
        lambda rng, p: (_matrix(rng),),
        lambda p: [([[1]],), ([[1, 2], [3, 4], [5, 6]],)],
    ),
    _Template(
        "primes_up_to", 3, ("primes_up_to", "primes_below_or_equal", "sieve"), "(n: int) -> list[int]",
        lambda p: "returns the primes p with 2 <= p <= n in ascending order (an empty list when n < 2)",
        lambda n, p: (f"def {n}(n: int) -> list[int]:\n    if n < 2:\n        return []\n    sieve = [True] * (n + 1)\n"
                      "    sieve[0] = sieve[1] = False\n    for i in range(2, int(n ** 0.5) + 1):\n        if sieve[i]:\n"
                      "            for j in range(i * i, n + 1, i):\n                sieve[j] = False\n"
                      "    return [i for i, is_p in enumerate(sieve) if is_p]\n"),
        lambda p: _primes,
        lambda rng, p: (rng.randint(2, 80),),
        lambda p: [(0,), (1,), (2,)],
    ),
    _Template(
        "common_prefix", 3, ("common_prefix", "longest_common_prefix", "shared_prefix"), "(words: list[str]) -> str",
        lambda p: "returns the longest common prefix of all strings in `words` ('' for an empty list)",
        lambda n, p: (f"def {n}(words: list[str]) -> str:\n    if not words:\n        return ''\n    prefix = words[0]\n"
                      "    for w in words[1:]:\n        while not w.startswith(prefix):\n            prefix = prefix[:-1]\n"
                      "    return prefix\n"),
        lambda p: _lcp,
        _lcp_input,
        lambda p: [([],), (["same", "same"],), (["abc", "xyz"],)],
    ),
    _Template(
        "flatten", 3, ("flatten", "flatten_nested", "deep_flatten"), "(items: list) -> list[int]",
        lambda p: "flattens the arbitrarily nested list of integers `items` into a flat list, keeping the order",
        lambda n, p: (f"def {n}(items: list) -> list[int]:\n    out = []\n    for item in items:\n"
                      f"        if isinstance(item, list):\n            out.extend({n}(item))\n        else:\n"
                      "            out.append(item)\n    return out\n"),
        lambda p: _flatten,
        lambda rng, p: (_nested(rng),),
        lambda p: [([],), ([[[]]],), ([1, [2, [3, [4]]]],)],
    ),
    _Template(
        "top_words", 3, ("top_words", "most_frequent_words", "frequent_words"), "(text: str) -> list[str]",
        lambda p: (f"returns the {p['k']} most frequent words of `text` (words are separated by whitespace), most "
                   f"frequent first, ties in alphabetical order; fewer when `text` has fewer than {p['k']} distinct words"),
        lambda n, p: (f"def {n}(text: str) -> list[str]:\n    counts = {{}}\n    for w in text.split():\n"
                      "        counts[w] = counts.get(w, 0) + 1\n"
                      f"    ranked = sorted(counts, key=lambda w: (-counts[w], w))\n    return ranked[:{p['k']}]\n"),
        _top_k,
        lambda rng, p: (_sentence(rng, 1, 12),),
        lambda p: [("",), ("b a b a c",)],
        lambda rng: {"k": rng.randint(2, 3)},
    ),
)

N_TESTS = {1: 5, 2: 6, 3: 8}
N_EXAMPLES = 2


def templates(difficulty: int | None = None) -> list[_Template]:
    """The templates of one difficulty level (all of them for None)."""
    return [t for t in TEMPLATES if difficulty is None or t.difficulty == difficulty]


def _step_key(text: str) -> str:
    """How the scorer tells repeated steps apart (whitespace, punctuation and case do not count)."""
    return re.sub(r"[\s.,;:!]+", "", text).lower()


def call_text(name: str, args: tuple[Any, ...]) -> str:
    """``name(arg1, arg2)`` with every argument written as a Python literal."""
    return f"{name}({', '.join(repr(a) for a in args)})"


def build_code_task(
    template: _Template, rng: random.Random, difficulty: int, n_tests: int | None = None
) -> Task:
    """One task from ``template``: draw the name, constants and inputs, compute expected values."""
    name = rng.choice(template.names)
    params = template.params(rng)
    impl = template.impl(params)
    n_tests = n_tests or N_TESTS[difficulty]
    seen: set[str] = set()
    inputs: list[tuple[Any, ...]] = []
    edge = [tuple(e) for e in template.edge(params)]
    for args in edge:
        seen.add(_step_key(repr(args)))
    tries = 0
    while len(inputs) < N_EXAMPLES + 1 + max(0, n_tests - len(edge)) and tries < 500:
        tries += 1
        args = tuple(template.inputs(rng, params))
        if _step_key(repr(args)) not in seen:
            seen.add(_step_key(repr(args)))
            inputs.append(args)
    shown, examples, rest = inputs[0], inputs[1 : 1 + N_EXAMPLES], inputs[1 + N_EXAMPLES :]
    test_inputs = (edge + rest)[:n_tests]
    tests = [f"assert {call_text(name, args)} == {impl(*args)!r}" for args in test_inputs]
    claims = [f"{call_text(name, args)} == {impl(*args)!r}" for args in examples]
    program = template.source(name, params)
    prompt = (
        f"Write a Python function `{name}{template.signature}` that {template.describe(params)}.\n\n"
        f"Example: {call_text(name, shown)} == {impl(*shown)!r}\n\n" + code_instructions(name)
    )
    return Task(
        id="",
        family="",
        prompt=prompt,
        answer=program,
        solution=claims + [f"```python\n{program}```"],
        difficulty=difficulty,
        verifier={
            "kind": "code",
            "tests": tests,
            "entry_point": name,
            "reference": program,
            "milestones": list(tests),
        },
        meta={"template": template.key, "params": params, "function": name},
    )


@register_family
class CodeFunctions(TaskFamily):
    """Write one small Python function; hidden MBPP-style tests. See the module docstring."""

    name = "code_functions"
    domain = "code"
    difficulties = (1, 2, 3)
    description = "procedural function-writing tasks (sum of evens, RLE, roman numerals...) with hidden tests"

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        template = rng.choice(templates(difficulty))
        return build_code_task(template, rng, difficulty)
