"""Final-answer extraction from model text (LaTeX and plain), bounded and regex-backtracking-safe.

Candidates are produced in priority order:

1. ``<answer>...</answer>`` (the last one; a ``\\boxed{}`` inside it wins),
2. the last ``\\boxed{...}`` / ``\\fbox{...}`` (balanced braces),
3. "final answer is ...", "the answer is ...", "answer: ..." (rest of that sentence),
4. GSM8K style ``#### 42``,
5. the whole text when it is short and has no prose,
6. the last math segment (``$...$``, ``\\(...\\)``, ``\\[...\\]``),
7. the value after the last ``=`` on the last line that has one,
8. the last number.

Only the last :data:`MAX_SCAN` characters are looked at, so 1 MB inputs cost the same as short ones.

Public API::

    extract_answer(text) -> str | None
    extract_candidates(text) -> list[str]
"""

from __future__ import annotations

import re

from thoughtgym.verifiers.math.parse import UNIT_WORDS

__all__ = ["extract_answer", "extract_candidates", "clean_answer", "has_prose", "MAX_SCAN"]

MAX_SCAN = 10_000
"""Characters looked at (the end of the text, where final answers live)."""
MAX_ANSWER = 2_000

_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*")
_ANSWER_TAG_RE = re.compile(r"<answer>(.*?)</answer>", re.S | re.I)
_PHRASE_RE = re.compile(
    r"(?<![<\/\w])(?:final\s+answer|the\s+answer|answer|correct\s+(?:option|choice)|answer\s+choice)\s*(?:\*\*)?\s*(?:is|:|=|would\s+be|will\s+be|should\s+be)\s*[:=]?\s*",
    re.I,
)
_HASHES_RE = re.compile(r"####\s*([^\n]{1,200})")
_MATH_RE = re.compile(
    r"\$\$([^$]{1,2000})\$\$|\$([^$]{1,2000})\$|\\\((.{1,2000}?)\\\)|\\\[(.{1,2000}?)\\\]", re.S
)
_NUMBER_RE = re.compile(
    r"(?<![A-Za-z\d.,])(?:-?\d+\s+\d+/\d+(?![\d/])|-?\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|-?\d{1,3}(?: \d{3})+(?![\d])(?:\.\d+)?|-?\d+(?:\.\d+)?(?:/\d+)?|-?\.\d+)"
)
_PROSE_RE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
_PROSE_OK = {"thousand", "million", "billion", "trillion", "percent", "percentage", "pct", "array", "vmatrix", "smallmatrix", "cases", "align", "aligned", "sqrt", "frac", "dfrac", "text", "infty", "cdot", "times", "left", "right", "begin", "end",
             "pmatrix", "bmatrix", "matrix", "alpha", "beta", "gamma", "delta", "theta", "lambda",
             "sigma", "omega", "dollars", "units", "degrees", "cents", "inches", "feet", "meters",
             "hours", "minutes", "seconds", "days", "years", "square", "sin", "cos", "tan", "cot",
             "sec", "csc", "log", "exp", "abs", "arcsin", "arccos", "arctan", "sinh", "cosh",
             "tanh", "and", "infinity", "inf"} | {w for w in UNIT_WORDS if len(w) >= 3}  # fmt: skip
_LEAD_WORDS_RE = re.compile(r"^\s*(?:[A-Za-z]{2,}[\s,:]+)+")
_JOIN_RE = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or)\s*", re.I)
_SENTENCE_END_RE = re.compile(r"\.(?=\s|$)|\n|\s+(?:so|because|since|which|as|where|when|if)\b", re.I)


def _brace_pairs(text: str) -> dict[int, int]:
    """Index of each ``{`` -> index of its matching ``}`` (escaped braces skipped); one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def _group_at(text: str, start: int, pairs: dict[int, int]) -> str | None:
    end = pairs.get(start)
    return None if end is None else text[start + 1 : end]


def _boxes_on_last_line(text: str) -> str | None:
    """``\\boxed{2}`` and ``\\boxed{3}`` on the same (last boxed) line -> ``"2, 3"``."""
    idx = list(_BOXED_RE.finditer(text))
    if len(idx) < 2:
        return None
    line_start = text.rfind("\n", 0, idx[-1].start()) + 1
    same = [m for m in idx if m.start() >= line_start]
    if len(same) < 2 or len(same) > 20:
        return None
    pairs = _brace_pairs(text[line_start:])
    parts = []
    prev_end = -1
    for m in same:
        got = _group_at(text[line_start:], m.end() - line_start, pairs)
        if got is None or m.start() < prev_end:
            return None  # unbalanced, or nested boxes
        prev_end = m.end() + len(got) + 1
        parts.append(got.strip())
    return ", ".join(parts)


def _last_boxed(text: str) -> str | None:
    matches = list(_BOXED_RE.finditer(text))
    if not matches:
        return None
    pairs = _brace_pairs(text)
    for m in reversed(matches):
        got = _group_at(text, m.end(), pairs)
        if got is not None:
            return got
        if m.end() < len(text) and text[m.end()].isalnum():
            tok = re.match(r"[^\s$]+", text[m.end() : m.end() + 100])  # \boxed 5
            if tok:
                return tok.group(0)
    return None


def clean_answer(ans: str, *, math: bool = False, _depth: int = 0) -> str:
    """Strip delimiters, markdown and trailing punctuation from an extracted answer.

    ``math`` marks text known to be math (a ``\\boxed{}`` or ``<answer>`` body): a trailing ``!``
    is then a factorial, not punctuation.
    """
    s = ans.strip()
    for _ in range(3):
        s = s.strip().strip("*").strip()
        s = re.sub(r"^\\\[|\\\]$|^\\\(|\\\)$", "", s).strip()
        s = s.strip("$").strip()
        s = re.sub(r"[.,;:?]+$" if math else r"[.,;:!?]+$", "", s).strip()
        if s.endswith("\\") and not s.endswith("\\\\"):
            s = s[:-1]
    inner = _last_boxed(s) if ("\\boxed" in s or "\\fbox" in s) and _depth < 4 else None
    if inner is not None:
        return clean_answer(inner, math=True, _depth=_depth + 1)
    return s[:MAX_ANSWER]


def _phrase_answer(text: str) -> str | None:
    last = None
    for m in _PHRASE_RE.finditer(text):
        last = m
    if last is None:
        return None
    rest = text[last.end() : last.end() + 500].lstrip()
    seg = _MATH_RE.match(rest)
    if seg is not None:
        # "$x = 3$ and $y = 4$": consecutive math segments joined by and / or / commas
        parts = [next(g for g in seg.groups() if g is not None)]
        pos = seg.end()
        while len(parts) < 10:
            join = _JOIN_RE.match(rest, pos)
            nxt = _MATH_RE.match(rest, join.end()) if join else None
            if nxt is None:
                break
            parts.append(next(g for g in nxt.groups() if g is not None))
            pos = nxt.end()
        return ", ".join(parts)
    end = _SENTENCE_END_RE.search(rest)
    out = rest[: end.start()] if end else rest
    if has_prose(out):
        # "Final Answer: The volume of $V$ is 120": the value after the last "is" / "=" / ":"
        tail = re.split(r"\s(?:is|are|equals|was|be)\s|=|:", out)[-1]
        if tail.strip() and tail.strip() != out.strip():
            out = tail
        if has_prose(out):
            nums = _NUMBER_RE.findall(out)
            if len(nums) == 1:  # "Jane started growing it 3 hours ago"
                out = nums[0]
    out = out.strip()
    return out or None


_SMALL_WORDS_RE = re.compile(
    r"(?<![\\A-Za-z])(?:so|we|is|it|of|to|be|as|an|if|at|by|my|on)(?![A-Za-z])", re.I
)


def has_prose(text: str) -> bool:
    """True when ``text`` contains English words (not just math, units and LaTeX commands)."""
    if _SMALL_WORDS_RE.search(text):
        return True
    return any(m.group(0).lower() not in _PROSE_OK for m in _PROSE_RE.finditer(text))


_ASSIGN_RE = re.compile(r"^\s*([A-Za-z])\s*=(?!=)([^=<>]{1,200})$")


def _joined_assignments(text: str, maths: list[re.Match[str]]) -> str | None:
    """``$x = 2$ or $x = 3$`` (the last math segments, each assigning the same variable, joined by
    commas / and / or): ``"x = 2, x = 3"``, the list of solutions rather than the last one."""
    parts: list[str] = []
    var = None
    for k in range(len(maths) - 1, -1, -1):
        body = next(g for g in maths[k].groups() if g is not None)
        m = _ASSIGN_RE.match(body)
        if m is None or (var is not None and m.group(1) != var):
            break
        var = m.group(1)
        parts.append(body.strip())
        if len(parts) >= 10 or k == 0:
            break
        gap = text[maths[k - 1].end() : maths[k].start()]
        j = _JOIN_RE.fullmatch(gap)
        if j is None:
            break
    return ", ".join(reversed(parts)) if len(parts) >= 2 else None


def extract_candidates(text: str) -> list[str]:
    """All answer candidates in priority order (deduplicated, cleaned). Never raises."""
    if not isinstance(text, str) or not text:
        return []
    text = text[-MAX_SCAN:]
    out: list[str] = []

    def add(c: str | None, math: bool = False) -> None:
        if c is None:
            return
        c = clean_answer(c, math=math)
        if c and c not in out:
            out.append(c)

    tags = _ANSWER_TAG_RE.findall(text)
    if tags:
        add(tags[-1], math=True)
    add(_boxes_on_last_line(text), math=True)
    add(_last_boxed(text), math=True)
    hashes = _HASHES_RE.findall(text)
    if hashes:
        add(hashes[-1])
    add(_phrase_answer(text))
    stripped = text.strip()
    if len(stripped) <= 300 and not has_prose(stripped):
        add(stripped)
    tail_text = text[-4000:]
    maths = list(_MATH_RE.finditer(tail_text))
    if maths:
        add(_joined_assignments(tail_text, maths))
        add(next(g for g in maths[-1].groups() if g is not None))
    last_line = next((ln for ln in reversed(text.splitlines()) if ln.strip()), "")
    if "=" in last_line and len(last_line) < 300:
        # "So x = 4 or x = -4": the last line without its leading words
        add(_LEAD_WORDS_RE.sub("", last_line))
    lines = [ln for ln in text.splitlines() if "=" in ln]
    if lines:
        tail = lines[-1].rsplit("=", 1)[1]
        tail = re.split(r"(?<=\S)\s+(?=[A-Za-z]{3,})", tail.strip(), maxsplit=1)[0]
        add(tail)
    nums = _NUMBER_RE.findall(text[-2000:])
    if nums:
        add(nums[-1])
    return out


def extract_answer(text: str) -> str | None:
    """The highest-priority answer candidate of ``text`` (see module doc), or None."""
    cands = extract_candidates(text)
    return cands[0] if cands else None
