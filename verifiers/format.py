"""Parse a policy's completion into reasoning steps and a final answer.

Accepted shapes (any mix): ``<think>…</think>`` and ``<answer>…</answer>`` tags, ``\\boxed{…}``,
"the answer is …", GSM8K's ``#### N``; steps one per line or as numbered items
(``1.``, ``2)``, ``Step 3:``, ``- ``). Bounded: only the first ``MAX_COMPLETION_CHARS`` characters are
read, and at most ``MAX_STEPS`` steps are returned. Never raises on any ``str``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_COMPLETION_CHARS = 200_000
MAX_STEPS = 128
MAX_STEP_CHARS = 4_000

_THINK_RE = re.compile(r"<think>(.*?)(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_ANSWER_RE = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_THE_ANSWER_RE = re.compile(
    r"(?:final answer|the answer)\s*(?:is|:|=)\s*:?\s*(.+?)\s*(?:\.\s*$|\.\s+(?=[A-Z])|$)",
    re.IGNORECASE | re.MULTILINE,
)
_HASHES_RE = re.compile(r"^\s*####\s*(.+?)\s*$", re.MULTILINE)
_ITEM_PREFIX_RE = re.compile(r"^\s*(?:(?:step\s*)?\d{1,3}\s*[.):]|step\s*\d{1,3}\s*[-–:]|[-*•])\s+", re.IGNORECASE)
_LEADING_NUMBER_RE = re.compile(r"^\s*(?:step\s*)?(\d{1,3})\s*([.):])\s+", re.IGNORECASE)


@dataclass
class ParsedCompletion:
    """What the parser found in a completion.

    Attributes:
        steps: reasoning steps in order, numbering stripped, blank lines dropped.
        answer: the final answer text, or None when no answer could be found.
        answer_source: where the answer came from: "tag", "boxed", "phrase", "hashes" or None.
        has_think: a ``<think>`` block was present.
        truncated: the completion was longer than the parser reads, or had more than MAX_STEPS steps.
        problems: human-readable format problems found.
    """

    steps: list[str] = field(default_factory=list)
    answer: str | None = None
    answer_source: str | None = None
    has_think: bool = False
    truncated: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def format_score(self) -> float:
        """1.0 for ``<think>`` + ``<answer>`` tags, 0.5 for any other recognised answer, else 0."""
        if self.answer is None:
            return 0.0
        if self.answer_source == "tag" and self.has_think and not self.truncated:
            return 1.0
        return 0.5


def find_boxed(text: str) -> list[str]:
    """Contents of every ``\\boxed{…}`` / ``\\fbox{…}`` with balanced braces, in order."""
    out: list[str] = []
    for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            i += 1
        if depth == 0:
            out.append(text[m.end() : i - 1].strip())
    return out


def extract_final_answer(text: str) -> tuple[str | None, str | None]:
    """The final answer and where it came from, by priority: tag, boxed, phrase, ``####``."""
    tags = _ANSWER_RE.findall(text)
    if tags:
        inner = tags[-1].strip()
        boxed = find_boxed(inner)
        return (boxed[-1] if boxed else inner), "tag"
    boxed = find_boxed(text)
    if boxed:
        return boxed[-1], "boxed"
    phrases = _THE_ANSWER_RE.findall(text)
    if phrases:
        return phrases[-1].strip().rstrip("."), "phrase"
    hashes = _HASHES_RE.findall(text)
    if hashes:
        return hashes[-1].strip(), "hashes"
    return None, None


def split_steps(text: str) -> list[str]:
    """Split reasoning text into steps: one per non-blank line or numbered item."""
    steps: list[str] = []
    for line in text.splitlines():
        for piece in _split_inline_items(line):
            piece = _ITEM_PREFIX_RE.sub("", piece, count=1).strip()
            if piece:
                steps.append(piece[:MAX_STEP_CHARS])
    return steps


def _split_inline_items(line: str) -> list[str]:
    """``"1. a 2. b 3. c"`` -> three items. Only a line that starts with item n is split, and only at
    n+1, n+2, ... in order, with the same delimiter, after no operator, so ``1. d/dx(x - 2) = 1`` and
    ``(x - 6) = 0`` are never mistaken for items."""
    m = _LEADING_NUMBER_RE.match(line)
    if not m:
        return [line]
    pieces, start, n, delim = [], 0, int(m.group(1)), re.escape(m.group(2))
    while True:
        nxt = re.search(rf"(?<=[^\s+\-*/^=(<>])\s+(?=(?:step\s*)?{n + 1}{delim}\s+\S)", line[start + 1 :], re.IGNORECASE)
        if not nxt:
            break
        cut = start + 1 + nxt.start()
        pieces.append(line[start:cut])
        start, n = cut, n + 1
    pieces.append(line[start:])
    return pieces


def _only_states_answer(step: str) -> bool:
    rest = _THE_ANSWER_RE.sub("", re.sub(r"\\(?:boxed|fbox)\s*\{.*\}", "", step))
    return rest != step and "=" not in rest


NO_ANSWER_PROBLEM = "no final answer found (use <answer>…</answer> or \\boxed{…})"


def parse_completion(
    text: str,
    split: Callable[[str], list[str]] | None = None,
    extract: Callable[[str], tuple[str | None, str | None]] | None = None,
    no_answer_problem: str = NO_ANSWER_PROBLEM,
) -> ParsedCompletion:
    """Parse a whole completion. Never raises; odd input gives a result with ``problems``.

    ``split`` turns the reasoning text into steps (default ``split_steps``: one per line) and
    ``extract`` finds the final answer (default ``extract_final_answer``); a verifier whose steps
    span lines or whose answers come only from tags (code) passes its own.
    """
    if not isinstance(text, str):
        return ParsedCompletion(problems=[f"completion is {type(text).__name__}, not str"])
    parsed = ParsedCompletion()
    if len(text) > MAX_COMPLETION_CHARS:
        text = text[:MAX_COMPLETION_CHARS]
        parsed.truncated = True
        parsed.problems.append(f"completion longer than {MAX_COMPLETION_CHARS} characters; the rest was ignored")
    text = text.replace("\x00", "")
    parsed.answer, parsed.answer_source = (extract or extract_final_answer)(text)
    think = _THINK_RE.search(text)
    if think:
        parsed.has_think = True
        body = think.group(1)
        if "</think>" not in text.lower():
            parsed.problems.append("<think> is never closed")
    else:
        body = text
        parsed.problems.append("no <think> block")
    body = _ANSWER_RE.sub("", body)
    if parsed.answer_source == "hashes":  # elsewhere (code) a #### line is ordinary text
        body = _HASHES_RE.sub("", body)
    steps = (split or split_steps)(body)
    # A last line that only restates the answer ("The answer is 7.") is not a reasoning step.
    if steps and parsed.answer_source in ("phrase", "boxed") and _only_states_answer(steps[-1]):
        steps.pop()
    if len(steps) > MAX_STEPS:
        steps = steps[:MAX_STEPS]
        parsed.truncated = True
        parsed.problems.append(f"more than {MAX_STEPS} steps; the rest were ignored")
    parsed.steps = steps
    if parsed.answer is None:
        parsed.problems.append(no_answer_problem)
    elif parsed.answer_source != "tag":
        parsed.problems.append("answer not in <answer>…</answer> tags")
    return parsed
