"""Finding the checkable claims inside one step of a worked solution.

A step is free text.  The claims we can check are

* calculator annotations ``<<expr=result>>after`` (GSM8K style), whose inside must hold and whose
  ``after`` text (when it is a number) must state the result;
* chains of expressions joined by ``=`` (or ``≈``) inside "math runs": maximal stretches of the text
  made of numbers, operators, brackets, LaTeX arithmetic commands and math names (single letters,
  names bound earlier, the task's variables), e.g. ``A = 3 + 4 = 8`` or ``\\(1/3 \\times 18 = 6\\)``;
* a decomposition ``written as "A - B - C"`` (BIG-Bench multistep arithmetic).

Segmentation is deliberately conservative: a false alarm on a correct solution costs more than a
missed error, so the first link of a run is marked *uncertain* when the run is glued to a word or
follows a word such as "of", "times" or "than" (``half of 10 = 5`` must not read as ``10 = 5``), and
the last link is marked uncertain when its right side is followed by a scale word (``1.5 million``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Annotation", "Chain", "Segmented", "segment", "clean_text", "number_literals", "MAX_STEP_CHARS"]

MAX_STEP_CHARS = 50_000

# words after which a number may be the operand of a verbal operation ("half of 10 = 5")
OP_WORDS = frozenset(
    """of times by than as plus minus and with over into per less more half twice double triple thrice
    quarter quarters third thirds fourth fifth fifths percent each every multiplied divided added
    subtracted from to sum product difference quotient x squared cubed at off remaining remainder
    another extra""".split()
)
# words after a right-hand side that change its value ("= 1.5 million")
SCALE_WORDS = frozenset(
    """hundred hundreds thousand thousands million millions billion billions trillion k m bn mn dozen
    dozens percent times half halves third thirds quarter quarters score gross""".split()
)
FUNC_NAMES = frozenset({"sqrt", "sin", "cos", "tan", "ln", "log", "exp"})

_ANN_RE = re.compile(r"<<([^<>]{0,400})>>")
_AFTER_RE = re.compile(r"\s*\$?\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+)(?![\d]|/\d)")
ANN_MARK = "\u2063"  # stands where an annotation was: the text link into it is the annotation's claim
_LATEX_DELIMS = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$")
_LIST_MARKER = re.compile(r"^\s*(?:(?:step\s*)?\d{1,3}[.):]\s+|[-*•]\s+)", re.IGNORECASE)
_LATEX_OK = ("\\times", "\\cdot", "\\div", "\\frac", "\\dfrac", "\\tfrac", "\\left", "\\right", "\\sqrt", "\\,", "\\%")
_PIECE_RE = re.compile(
    r"(?P<latex>\\[A-Za-z]+|\\[,;!% ])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*'*)"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<sym>[-+−–*×·∙⋅/÷^()\[\]{}%=≈.,])"
    r"|(?P<space>[ \t\u2063]+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_OPENERS = "([{"
_CLOSERS = ")]}"


@dataclass(frozen=True)
class Annotation:
    """A calculator annotation ``<<inside>>after``."""

    inside: str
    after: str | None  # the number literal right after ``>>``, if any


@dataclass(frozen=True)
class Chain:
    """Expressions joined by relations: ``parts[0] rels[0] parts[1] ...``."""

    parts: tuple[str, ...]
    rels: tuple[str, ...]
    uncertain_first: bool = False
    uncertain_last: bool = False
    source: str = "text"
    annotated: tuple[bool, ...] = ()

    def links(self) -> Iterable[tuple[int, str, str, str]]:
        for i, rel in enumerate(self.rels):
            yield i, self.parts[i], rel, self.parts[i + 1]


@dataclass
class Segmented:
    """Everything checkable found in one step."""

    text: str  # cleaned text with annotations removed
    annotations: list[Annotation] = field(default_factory=list)
    chains: list[Chain] = field(default_factory=list)
    decomposition: str | None = None


def clean_text(step: str) -> str:
    """Drop list markers and LaTeX math delimiters, normalise a few unicode operators."""
    s = _LIST_MARKER.sub("", step, count=1)
    s = _LATEX_DELIMS.sub(" ", s)
    s = s.replace("\u2212", "-").replace("\u00a0", " ").replace("\\$", "$")
    s = s.replace("$", "")
    return s


def _is_math_word(word: str, names: frozenset[str], prev_kind: str, nxt: str) -> bool:
    if word in names or word in FUNC_NAMES:
        return True
    if len(word) == 1:
        if word in ("a", "I"):
            return False
        return not nxt[:1].isalpha()
    if word in ("dx", "dy", "dt", "dz"):
        return True
    if word.endswith("'"):
        return word.rstrip("'") in names or len(word.rstrip("'")) == 1
    return False


def _balance(run: str) -> str:
    """Strip unmatched leading openers / trailing closers and edge punctuation from a run."""
    for _ in range(50):
        before = run
        run = run.strip(" \t,").rstrip(".")
        while run.startswith(".") and not run[1:2].isdigit():
            run = run[1:].lstrip(" \t,")
        if not run:
            return run
        depth = 0
        bad_close = False
        for ch in run:
            if ch in _OPENERS:
                depth += 1
            elif ch in _CLOSERS:
                depth -= 1
                if depth < 0:
                    bad_close = True
                    break
        if bad_close and run[-1] in _CLOSERS:
            run = run[:-1]
        elif depth > 0 and run[0] in _OPENERS:
            run = run[1:]
        if run == before:
            return run
    return run


def _split_runs(text: str, names: frozenset[str]) -> list[tuple[str, str, str]]:
    """Return (run, text_before, text_after) for each maximal math run containing a relation."""
    pieces = [(m.lastgroup or "other", m.group(0)) for m in _PIECE_RE.finditer(text)]
    runs: list[tuple[int, int]] = []
    start = None
    for i, (kind, tok) in enumerate(pieces):
        ok = kind in ("num", "space", "sym")
        if kind == "latex":
            ok = tok in _LATEX_OK
        elif kind == "word":
            nxt = pieces[i + 1][1] if i + 1 < len(pieces) else ""
            prev = pieces[i - 1][0] if i else ""
            ok = _is_math_word(tok, names, prev, nxt)
        elif kind == "sym" and tok in ",.":
            nxt = pieces[i + 1] if i + 1 < len(pieces) else ("space", " ")
            # ", " and ". " end clauses; "1,000" and "2.5" were read as one number anyway
            ok = nxt[0] == "num"
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(pieces)))
    out = []
    for a, b in runs:
        run = "".join(t for _, t in pieces[a:b])
        if "=" not in run and "≈" not in run:
            continue
        before = "".join(t for _, t in pieces[max(0, a - 6) : a])
        after = "".join(t for _, t in pieces[b : b + 6])
        lead = len(run) - len(run.lstrip(" \t"))
        trail = len(run) - len(run.rstrip(" \t"))
        bal = _balance(run)
        # remember spacing so glue detection sees what touched the run
        if bal and run.strip(" \t").startswith(bal):
            before = before + run[: lead]
        else:
            before = before + "("  # an opener was stripped: treat as not glued
        if trail:
            after = " " + after
        out.append((bal, before, after))
    return out


def _prev_word(before: str) -> str:
    m = re.search(r"([A-Za-z]+)\W*$", before)
    return m.group(1).lower() if m else ""


def _next_word(after: str) -> str:
    m = re.match(r"\W*?([A-Za-z]+)", after)
    return m.group(1).lower() if m else ""


def _chain_from_run(run: str, before: str, after: str, source: str) -> Chain | None:
    parts = re.split(r"(==|=|≈)", run)
    raw = [p.strip(" \t,") for p in parts[0::2]]
    annotated = tuple(p.startswith(ANN_MARK) for p in raw)
    exprs = [p.replace(ANN_MARK, " ").strip(" \t,") for p in raw]
    rels = tuple("≈" if r == "≈" else "=" for r in parts[1::2])
    if len(exprs) < 2:
        return None
    glued_left = bool(before) and not before[-1].isspace() and before[-1] not in "\"'(["
    pw = _prev_word(before) if not glued_left else ""
    first = exprs[0]
    starts_with_op = bool(first) and (first[0] in "+*/^×÷·" or first[:2] in ("- ", "– ", "− "))
    bare = re.fullmatch(r"-?[\d.,]+%?", first) is not None
    uncertain_first = glued_left or starts_with_op or (pw in OP_WORDS) or (bool(pw) and bare)
    glued_right = bool(after) and not after[0].isspace() and after[0] not in ".,;:!?)\"'" and not after[0].isalpha()
    if after[:1] == ":" and after[1:2].isdigit():
        glued_right = True
    nw = _next_word(after)
    uncertain_last = glued_right or nw in SCALE_WORDS or (after[:1].isalpha() and nw in ("k", "m"))
    return Chain(tuple(exprs), rels, uncertain_first, uncertain_last, source, annotated)


def segment(step: str, names: Iterable[str] = ()) -> Segmented:
    """Find annotations, relation chains and a decomposition in ``step``.

    ``names`` are identifiers to keep inside math runs even when longer than one letter
    (bound names from earlier steps, the task's variables).
    """
    step = step[:MAX_STEP_CHARS]
    anns: list[Annotation] = []

    def _ann(m: re.Match[str]) -> str:
        a = _AFTER_RE.match(step, m.end())
        anns.append(Annotation(m.group(1), a.group(1) if a else None))
        return ANN_MARK

    text = _ANN_RE.sub(_ann, step)
    text = clean_text(text)
    seg = Segmented(text=text, annotations=anns)
    m = re.search(r"(?:written|rewritten|expressed)\s+as\s*[\"“']([^\"”']{1,500})[\"”']", text)
    if m:
        seg.decomposition = m.group(1).strip()
    nameset = frozenset(names)
    for run, before, after in _split_runs(text, nameset):
        ch = _chain_from_run(run, before, after, "text")
        if ch is not None:
            seg.chains.append(ch)
    return seg


_NUMBER_RE = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?|(?<![\w\d])\.\d+")


def number_literals(text: str) -> list[str]:
    """All number literals in ``text`` (thousands separators removed)."""
    return [m.group(0).replace(",", "") for m in _NUMBER_RE.finditer(text[:MAX_STEP_CHARS])]
