"""GSM8K-style word problems, generated procedurally from story templates.

Task: a short story with numbers and a question, e.g. "Mia has 14 marbles. She buys 3 bags of
marbles with 12 marbles in each bag. Then she gives 9 marbles to Leo. How many marbles does Mia have
now? Give the final answer as a number." Gold answer: ``"41"``.

Stories: a collection that changes through events (buying packs, giving away, receiving, doubling,
losing half, sharing equally), shopping with change, and reading (or working) at several rates.

Difficulty levels (the number of reference steps, as GSM8K buckets them):
    1: 2 steps, numbers up to about 20.
    2: 3-4 steps, numbers up to about 50.
    3: 5-7 steps, numbers up to about 100.

Solution format: like GSM8K, one arithmetic claim per step with words around it and no number in
the words, e.g. ``Marbles in the bags: 3 * 12 = 36 marbles.``; every result is a whole number.
The verifier spec has no ``given``: the story is the prompt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from thoughtgym.envs.task import Task
from thoughtgym.envs.tasks._mathutil import check_range
from thoughtgym.envs.tasks.base import TaskFamily, register_family

_NAMES = (
    ("Mia", "She", "her"), ("Leo", "He", "his"), ("Ava", "She", "her"), ("Noah", "He", "his"),
    ("Zoe", "She", "her"), ("Omar", "He", "his"), ("Lena", "She", "her"), ("Ravi", "He", "his"),
    ("Emma", "She", "her"), ("Tom", "He", "his"), ("Sofia", "She", "her"), ("Kenji", "He", "his"),
)
_ITEMS = (
    ("marbles", "bag", "bags"), ("stickers", "sheet", "sheets"), ("pencils", "box", "boxes"),
    ("cookies", "tray", "trays"), ("cards", "pack", "packs"), ("apples", "crate", "crates"),
    ("beads", "jar", "jars"), ("stamps", "book", "books"),
)
_GOODS = (
    ("notebooks", "notebook"), ("pens", "pen"), ("mugs", "mug"), ("shirts", "shirt"),
    ("books", "book"), ("plants", "plant"), ("candles", "candle"), ("towels", "towel"),
)


@dataclass
class WordProblemConfig:
    """Parameters per difficulty (index 0 = difficulty 1).

    Attributes:
        steps: (min, max) number of reference steps.
        max_number: rough upper bound on the numbers in the story.
    """

    steps: tuple[tuple[int, int], ...] = ((2, 2), (3, 4), (5, 7))
    max_number: tuple[int, ...] = (20, 50, 100)

    def validate(self) -> None:
        """Raise ``ValueError`` on inconsistent settings."""
        if not (len(self.steps) == len(self.max_number) == 3):
            raise ValueError("WordProblemConfig needs one entry per difficulty (3)")
        for bounds in self.steps:
            check_range("steps", bounds, minimum=2)
        for n in self.max_number:
            if n < 10:
                raise ValueError(f"max_number must be >= 10, got {n}")


class _Story:
    """Collects the prompt sentences, the reference steps and their results."""

    def __init__(self) -> None:
        self.sentences: list[str] = []
        self.steps: list[str] = []
        self.results: list[int] = []

    def step(self, words: str, a: int, op: str, b: int, unit: str) -> int:
        value = {"+": a + b, "-": a - b, "*": a * b, "/": a // b}[op]
        if op == "/":
            assert b != 0 and a % b == 0
        self.steps.append(f"{words}: {a} {op} {b} = {value} {unit}.")
        self.results.append(value)
        return value


def _collection(rng: random.Random, n_steps: int, top: int) -> tuple[_Story, str]:
    """A collection that changes through events; ``n_steps`` reference steps."""
    name, pron, _ = rng.choice(_NAMES)
    friend = rng.choice([n for n in _NAMES if n[0] != name])[0]
    item, container, containers = rng.choice(_ITEMS)
    story = _Story()
    count = rng.randint(5, top)
    story.sentences.append(f"{name} has {count} {item}.")
    share = n_steps >= 3 and rng.random() < 0.5
    remaining = n_steps - (1 if share else 0)
    first = True
    while remaining > 0:
        then = "" if first else "Then "
        subj = name if first else pron.lower()
        first = False
        choices = ["give", "receive"]
        if remaining >= 2:
            choices += ["packs", "packs"]
        if count % 2 == 0 and count > 0:
            choices.append("half")
        if count <= top:
            choices.append("double")
        event = rng.choice(choices)
        if event == "packs":
            k, m = rng.randint(2, max(3, top // 8)), rng.randint(3, max(4, top // 4))
            story.sentences.append(
                f"{then}{subj} buys {k} {containers} of {item} with {m} {item} in each {container}."
            )
            bought = story.step(f"{item.capitalize()} in the {containers}", k, "*", m, item)
            count = story.step(f"{item.capitalize()} {name} has after buying", count, "+", bought, item)
            remaining -= 2
        elif event == "give" and count > 1:
            g = rng.randint(1, count - 1)
            story.sentences.append(f"{then}{subj} gives {g} {item} to {friend}.")
            count = story.step(f"{item.capitalize()} {name} keeps after giving some away", count, "-", g, item)
            remaining -= 1
        elif event == "half":
            story.sentences.append(f"{then}{subj} loses half of the {item}.")
            count = story.step(f"{item.capitalize()} {name} has after the loss", count, "/", 2, item)
            remaining -= 1
        elif event == "double":
            story.sentences.append(f"{then}{subj} doubles the number of {item} {name} has.")
            count = story.step(f"{item.capitalize()} after doubling", count, "*", 2, item)
            remaining -= 1
        else:
            r = rng.randint(2, top)
            story.sentences.append(f"{then}{friend} gives {name} {r} more {item}.")
            count = story.step(f"{item.capitalize()} {name} has after the gift", count, "+", r, item)
            remaining -= 1
    if share:
        divisors = [d for d in range(2, 11) if count % d == 0]
        if not divisors:
            # make the total divisible by giving one or more away first is not possible here:
            # instead ask for the count (the step budget is met by one more simple event).
            r = rng.randint(2, top)
            story.sentences.append(f"Then {friend} gives {name} {r} more {item}.")
            count = story.step(f"{item.capitalize()} {name} has after the gift", count, "+", r, item)
            question = f"How many {item} does {name} have now?"
        else:
            d = rng.choice(divisors)
            story.sentences.append(f"{name} shares all the {item} equally among {d} friends.")
            count = story.step("Share for each friend", count, "/", d, item)
            question = f"How many {item} does each friend get?"
    else:
        question = f"How many {item} does {name} have now?"
    story.sentences.append(question)
    return story, str(count)


def _shopping(rng: random.Random, n_steps: int, top: int) -> tuple[_Story, str]:
    """Buying several goods, optionally paying with a bill; 2, 3, 4, 5 or 6 steps."""
    name, pron, _ = rng.choice(_NAMES)
    # steps = kinds + (kinds - 1) + change
    kinds, change = {2: (1, True), 3: (2, False), 4: (2, True), 5: (3, False)}.get(n_steps, (3, True))
    goods = rng.sample(_GOODS, kinds)
    story = _Story()
    parts = []
    costs = []
    for plural, singular in goods:
        q, p = rng.randint(2, max(3, top // 5)), rng.randint(2, max(3, top // 3))
        parts.append(f"{q} {plural} at {p} dollars per {singular}")
        costs.append(story.step(f"Cost of the {plural}", q, "*", p, "dollars"))
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    story.sentences.append(f"{name} buys {listing}.")
    total = costs[0]
    for c in costs[1:]:
        total = story.step("Total cost so far", total, "+", c, "dollars")
    if change:
        bill = next(b for b in (10, 20, 50, 100, 200, 500, 1000, 5000) if b > total)
        story.sentences.append(f"{pron} pays with a {bill}-dollar bill.")
        answer = story.step("Change", bill, "-", total, "dollars")
        story.sentences.append(f"How much change does {name} get, in dollars?")
    else:
        answer = total
        story.sentences.append(f"How much does {name} spend in total, in dollars?")
    return story, str(answer)


def _reading(rng: random.Random, n_steps: int, top: int) -> tuple[_Story, str]:
    """Reading at several rates; ``periods + (periods - 1) + 1`` steps (2, 4 or 6: odd counts round up,
    7 rounds down)."""
    name, _pron, _ = rng.choice(_NAMES)
    periods = min(3, max(1, (n_steps + 1) // 2))
    story = _Story()
    phrases = []
    read = []
    for i in range(periods):
        rate, days = rng.randint(3, max(4, top // 2)), rng.randint(2, 7)
        lead = "" if i == 0 else "then "
        phrases.append(f"{lead}{rate} pages a day for {days} days")
        read.append(story.step("Pages read in this stretch" if periods > 1 else "Pages read", rate, "*", days, "pages"))
    total = read[0]
    for r in read[1:]:
        total = story.step("Pages read so far", total, "+", r, "pages")
    book = total + rng.randint(5, 4 * top)
    story.sentences.insert(0, f"{name}'s book has {book} pages.")
    story.sentences.append(f"{name} reads " + ", ".join(phrases) + ".")
    answer = story.step("Pages still to read", book, "-", total, "pages")
    story.sentences.append(f"How many pages does {name} still have to read?")
    return story, str(answer)


@register_family
class WordProblemFamily(TaskFamily):
    """Procedural GSM8K-style word problems with arithmetic steps wrapped in words."""

    name = "word_problem"
    domain = "math"
    difficulties = (1, 2, 3)
    description = "GSM8K-style word problems generated from story templates, solved in arithmetic steps."
    config = WordProblemConfig()

    def generate(self, rng: random.Random, difficulty: int) -> Task:
        cfg = self.config
        lo, hi = cfg.steps[difficulty - 1]
        top = cfg.max_number[difficulty - 1]
        n_steps = rng.randint(lo, hi)
        kind = rng.choice(("collection", "collection", "shopping", "reading"))
        if kind == "shopping":
            story, answer = _shopping(rng, n_steps, top)
        elif kind == "reading":
            story, answer = _reading(rng, n_steps, top)
        else:
            story, answer = _collection(rng, n_steps, top)
        prompt = " ".join(story.sentences) + " Give the final answer as a number."
        return Task(
            id="",
            family=self.name,
            prompt=prompt,
            answer=answer,
            solution=list(story.steps),
            difficulty=difficulty,
            verifier={
                "kind": "math",
                "given": [],
                "variables": [],
                "milestones": [str(r) for r in story.results],
            },
            meta={"story": kind},
        )
