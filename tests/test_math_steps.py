"""Step-level math checking: ``first_error`` and ``check_step`` (public API only)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgym.verifiers.math import check_step, first_error
from thoughtgym.verifiers.verdict import Verdict

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
GSM8K = DATA / "gsm8k_test.jsonl"
BBM = DATA / "bbm_multistep_arithmetic.jsonl"


# --- the issue's examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "steps,expected",
    [
        (["Janet has 18 apples.", "She gives away 6, so 18 - 6 = 11 remain."], 1),
        (["He buys 2 packs of 3: <<2*3=7>>7 items."], 0),
        (["Start.", r"So Tom gets \(1/3 \times 18 = 7\) marbles."], 1),
        (["A = 3 + 4 = 8"], 0),
        (["A = 3 + 4 = 7", "B = A * 2 = 15"], 1),
        (["She makes 9 * 2 = $<<9*2=18>>19 every day."], 0),
        ([r"It costs $12 \times 3 = $37 in total."], 0),
        (["A = (-5 + 9 * -4 - 0) = (-5 + (-36) - 0) = (-41) - 0 = -41", "ok"], None),
        (["A = (-5 + 9 * -4 - 0) = (-5 + (-38) - 0) = -43"], 0),
        (["A = (2 * 3) = 6.", "B = (1 + 1) = 2.", "Then A * B = 6 * 3 = 18."], 2),
        (["1/2 + 1/3 = 3/6 + 2/6 = 5/6"], None),
        (["1/2 + 1/3 = 3/6 + 2/6 = 4/6"], 0),
        (["10/3 = 3.33 each, so 3 * 10 = 30"], None),
        (["3 x 4 = 12 and 12 ÷ 4 = 3 and 5 − 2 = 3"], None),
        (["The price went up by 20%, so 50 * 20% = 10 and 50 + 10 = 60"], None),
        (["The price went up by 20%, so 50 * 20% = 12"], 0),
    ],
)
def test_issue_examples(steps: list[str], expected: int | None) -> None:
    assert first_error(steps) == expected


def test_check_step_reason_and_details() -> None:
    v = check_step("So 18 - 6 = 11 apples are left.")
    assert v.ok is False and v.score == 0.0
    assert "18 - 6 = 12, not 11" in v.reason
    good = check_step("So 18 - 6 = <<18-6=12>>12 apples are left.")
    assert good.ok is True and good.score == 1.0
    assert "12" in good.details["values"] and good.details["claims"]
    none = check_step("Let us think about the apples.")
    assert none.ok is None and none.score == 0.5
    assert isinstance(none, Verdict)


def test_bindings_across_steps() -> None:
    steps = [
        'This equation can be written as "A * B", where A = (2 + 3) and B = (4 - 1).',
        "Let's calculate A = (2 + 3) = 5.",
        "Let's calculate B = (4 - 1) = 3.",
        "Then, the final equation is A * B = 5 * 3 = 15. So the answer is 15",
    ]
    assert first_error(steps, "((2 + 3) * (4 - 1)) =") is None
    bad = steps[:3] + ["Then, the final equation is A * B = 5 * 4 = 20. So the answer is 20"]
    assert first_error(bad, "((2 + 3) * (4 - 1)) =") == 3
    # a decomposition that changes the problem's value is a wrong restatement
    wrong = ['This equation can be written as "A + B", where A = (2 + 3) and B = (4 - 1).'] + steps[1:]
    assert first_error(wrong, "((2 + 3) * (4 - 1)) =") == 0
    # the BIG-Bench-Mistake labelling convention does not judge the restatement step
    assert first_error(wrong, "((2 + 3) * (4 - 1)) =", {"check_restatement": False}) is None


def test_no_false_alarm_on_words_and_units() -> None:
    clean = [
        "Half of 10 = 5 apples.",
        "1 hour = 60 minutes, so 2 hours = 120 minutes.",
        "It is 12:30 - 30 = 12:00 now.",
        "20 * 75,000 = 1.5 million dollars",
        "He has 45 + 21 +28 = 94% left.",
        "She pays $3/2 = $1.50+$3.00=$4.50 in total",
        "Thus, W = 1 1/2 / 1/2 = 3 episodes.",
        "That is 200/60 = 3.33 hours",
    ]
    for s in clean:
        assert check_step(s).ok is not False, s


# --- symbolic steps -------------------------------------------------------------------------------


def test_linear_equation_steps() -> None:
    ctx = {"given": ["2*x + 3 = 11"], "variables": ["x"]}
    assert first_error(["2*x + 3 = 11", "2*x = 8", "x = 4"], "Solve 2*x + 3 = 11", ctx) is None
    assert first_error(["2*x + 3 = 11", "2*x = 9", "x = 4.5"], "Solve 2*x + 3 = 11", ctx) == 1
    assert first_error(["2*x + 3 = 11", "2*x = 8", "x = 5"], "Solve 2*x + 3 = 11", ctx) == 2


def test_linear_system_steps() -> None:
    ctx = {"given": ["x + y = 10", "x - y = 2"], "variables": ["x", "y"]}
    good = ["x + y = 10", "x - y = 2", "2*x = 12", "x = 6", "y = 4"]
    assert first_error(good, None, ctx) is None
    assert first_error(good[:3] + ["x = 7", "y = 3"], None, ctx) == 3
    assert first_error(good[:4] + ["y = 5"], None, ctx) == 4


def test_quadratic_steps() -> None:
    ctx = {"given": ["x^2 - 5*x + 6 = 0"], "variables": ["x"]}
    good = ["x^2 - 5*x + 6 = 0", "(x - 2)*(x - 3) = 0", "x = 2 or x = 3"]
    assert first_error(good, None, ctx) is None
    assert first_error(good[:2] + ["x = 2 or x = 4"], None, ctx) == 2
    assert first_error(["x^2 - 5*x + 6 = 0", "(x - 2)*(x - 3) = 1"], None, ctx) == 1


def test_expansion_and_derivative() -> None:
    ctx = {"variables": ["x"], "expression": "(x + 1)*(x + 2)"}
    assert first_error(["(x + 1)*(x + 2) = x^2 + 2*x + x + 2 = x^2 + 3*x + 2"], None, ctx) is None
    assert first_error(["(x + 1)*(x + 2) = x^2 + 2*x + x + 2 = x^2 + 3*x + 3"], None, ctx) == 0
    dctx = {"variables": ["x"], "function": "x^3*sin(x)", "variable": "x"}
    assert first_error(["d/dx(x^3) = 3*x^2", "f'(x) = 3*x^2*sin(x) + x^3*cos(x)"], None, dctx) is None
    assert first_error(["d/dx(x^3) = 3*x^3"], None, dctx) == 0
    v = check_step("f'(x) = 3*x^2*sin(x) + x^2*cos(x)", [], None, dctx)
    assert v.ok is False and "f'(x)" in v.reason


def test_quadratic_solution_set_must_be_complete() -> None:
    ctx = {"given": ["x^2 - 5*x + 6 = 0"], "variables": ["x"]}
    v = check_step("x = 2 or x = 2", [], None, ctx)
    assert v.ok is False and "x = 3" in v.reason
    assert check_step("x - 2 = 0 or x - 3 = 0", [], None, ctx).ok is True


PROBLEM = ("Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes "
           "muffins for her friends every day with four. She sells the remainder at the farmers' "
           "market daily for $2 per fresh duck egg. How much does she make every day?")


def test_numbers_from_nowhere() -> None:
    first = "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day."
    assert first_error([first, "She makes 9 * 2 = $<<9*2=18>>18 every day."], PROBLEM) is None
    bad = [first, "She makes 9 * 237 = $<<9*237=2133>>2133 every day."]
    assert first_error(bad, PROBLEM) == 1
    v = check_step(bad[1], bad[:1], PROBLEM)
    assert v.ok is False and "237" in v.reason and "nowhere" in v.reason
    # without the problem text nothing can come from nowhere; the check can be switched off
    assert first_error(bad) is None
    assert first_error(bad, PROBLEM, {"check_sources": False}) is None


def test_check_step_agrees_with_first_error() -> None:
    steps = ["A = 2 + 3 = 5", "B = A * 4 = 20", "C = B - A = 15", "D = C / 5 = 4", "E = D + A = 9"]
    assert first_error(steps) == 3
    verdicts = [check_step(s, steps[:i]) for i, s in enumerate(steps)]
    assert [v.ok for v in verdicts] == [True, True, True, False, True]


# --- properties -----------------------------------------------------------------------------------

_OPS = st.sampled_from(["+", "-", "*"])


@st.composite
def arithmetic_chains(draw: st.DrawFn) -> list[tuple[int, str, int, int]]:
    """Steps ``a op b = c`` where each uses the previous result."""
    n = draw(st.integers(1, 6))
    cur = draw(st.integers(-50, 500))
    out = []
    for _ in range(n):
        op = draw(_OPS)
        b = draw(st.integers(1, 60))
        res = cur + b if op == "+" else cur - b if op == "-" else cur * b
        out.append((cur, op, b, res))
        cur = res
    return out


def _render(a: int, op: str, b: int, res: int, style: int) -> str:
    sym = {"*": ["*", "×", "x", r"\times"][style % 4]}.get(op, op)
    if style % 3 == 0:
        return f"Then {a} {sym} {b} = <<{a}{op}{b}={res}>>{res} items."
    if style % 3 == 1:
        return rf"So \({a} {sym} {b} = {res}\)."
    return f"We get {a} {sym} {b} = {res}."


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arithmetic_chains(), st.integers(0, 11), st.data())
def test_property_correct_chains_pass_and_corruption_caught(chain, style, data) -> None:
    steps = [_render(a, op, b, r, style + i) for i, (a, op, b, r) in enumerate(chain)]
    assert first_error(steps) is None, steps
    k = data.draw(st.integers(0, len(chain) - 1))
    delta = data.draw(st.sampled_from([1, -1, 7, 10]))
    a, op, b, r = chain[k]
    bad = list(steps)
    bad[k] = _render(a, op, b, r + delta, style + k)
    assert first_error(bad) == k, bad


# --- hostile input --------------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch /tmp/pwned_thoughtgym') = 0",
    "5^{5^{5^{5^5}}} = 3",
    "10^{10^8} = 1",
    "x = 10^{10^8}",
    "(" * 100 + "1" + ")" * 100 + " = 2",
    "(" * 100 + "x" + ")" * 100 + " = 4",
    "1 + " * 250_000 + "1 = 2",
    "9" * 1_000_000,
    bytes(range(256)).decode("latin-1") * 4000,
    "<<" + "9" * 5000 + "*" + "9" * 5000 + "=1>>1",
    "(x+1)^(10^6) = x",
]
CONTEXTS = [None, {"given": ["2*x + 3 = 11"], "variables": ["x"]},
            {"variables": ["x"], "function": "x^3*sin(x)", "variable": "x"}]


def _run_hostile(errors: list[str]) -> None:
    for text in HOSTILE:
        for ctx in CONTEXTS:
            t = time.monotonic()
            try:
                v = check_step(text, ["2*x = 8"], "Solve 2*x + 3 = 11", ctx)
                assert isinstance(v, Verdict)
                fe = first_error([text, "1 + 1 = 2"], "p", ctx)
                assert fe in (None, 0, 1)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(f"{text[:30]!r}: {exc!r}")
            dt = time.monotonic() - t
            if dt > 10:
                errors.append(f"{text[:30]!r} took {dt:.1f} s")


def test_hostile_inputs_main_thread() -> None:
    errors: list[str] = []
    _run_hostile(errors)
    assert not errors, errors
    assert not os.path.exists("/tmp/pwned_thoughtgym")


def test_hostile_inputs_worker_thread() -> None:
    errors: list[str] = []
    th = threading.Thread(target=_run_hostile, args=(errors,))
    th.start()
    th.join(300)
    assert not th.is_alive() and not errors, errors


def test_bad_types_never_raise() -> None:
    assert first_error(None) is None  # type: ignore[arg-type]
    assert first_error("1 + 1 = 3") is None  # a string is not a list of steps
    assert first_error([None, 3, b"x", "1 + 1 = 3"]) == 3  # type: ignore[list-item]
    assert check_step(None).ok is None  # type: ignore[arg-type]
    assert check_step("1 + 1 = 2", previous=None, context="junk").ok is True  # type: ignore[arg-type]


def test_whole_call_bounded_by_timeout() -> None:
    steps = ["1 + 1 = 2"] * 3000
    t = time.monotonic()
    assert first_error(steps, timeout_s=0.2) is None
    assert time.monotonic() - t < 2


# --- real data ------------------------------------------------------------------------------------


@pytest.mark.skipif(not GSM8K.exists(), reason="gsm8k_test.jsonl not present")
def test_gsm8k_sample_clean_and_injected() -> None:
    rows = [json.loads(x) for x in GSM8K.read_text().splitlines()[:60]]
    for r in rows:
        steps = [s for s in r["answer"].split("\n") if s.strip() and not s.startswith("####")]
        assert first_error(steps, r["question"]) is None, steps
        for i, s in enumerate(steps):
            if "<<" in s and ">>" in s:
                inside = s[s.index("<<") + 2 : s.index(">>")]
                result = inside.rsplit("=", 1)[1]
                bad = list(steps)
                bad[i] = s.replace(f"={result}>>{result}", f"={result}1>>{result}1", 1)
                if bad[i] != s:
                    assert first_error(bad, r["question"]) == i, bad[i]
                break


@pytest.mark.skipif(not BBM.exists(), reason="bbm_multistep_arithmetic.jsonl not present")
def test_bbm_sample_matches_labels() -> None:
    rows = [json.loads(x) for x in BBM.read_text().splitlines()[:60]]
    conv = {"check_restatement": False, "tolerate_typos": True}
    hits = sum(first_error(r["steps"], r["input"], conv) == r["mistake_index"] for r in rows)
    assert hits >= 0.9 * len(rows)


# --- adjudicated BIG-Bench-Mistake disagreements (rows 11, 148, 257): pin the verifier's reading ---


BBM_CONV = {"check_restatement": False, "tolerate_typos": True}


@pytest.mark.parametrize("context", [None, BBM_CONV])
def test_grouping_subtractions_is_not_an_error(context) -> None:
    # a - b - c = a - (b + c): "- -1 - -5" becomes "- -6" (BBM row 11 labels it; rows 5, 154, 239 do not)
    assert first_error(["B = (0 * 5 - -1 - -5) = (0 * 5 - -6) = (0 - -6) = 6."], None, context) is None
    assert first_error(["A = (9 - 5 - 2) = (9 - 7) = 2."], None, context) is None
    assert first_error(["B = (0 * 5 - -1 - -5) = (0 * 5 - -4) = 4."], None, context) == 0


@pytest.mark.parametrize("context", [None, BBM_CONV])
def test_extra_closing_bracket_alone_is_not_an_error(context) -> None:
    # BBM row 148 step 1: every value holds, one ")" too many
    ok = ("A = (((-1) * (-9 * -3)) - ((-3 * 3) + (-5 * 9))) = ((-1) * (27)) - ((-9) + (-45))) "
          "= (-27) - (-54) = 27.")
    assert first_error([ok], None, context) is None
    assert first_error([ok.replace("(-54) = 27", "(-54) = 37")], None, context) == 0


def test_regrouping_cancelled_by_a_second_slip() -> None:
    # BBM row 257 step 3 (labelled) and row 125 step 2 (unlabelled) have this same shape: strict
    # checking flags it; the labellers' convention tolerates a rewrite the next expression undoes.
    step = "C = (9 - -7 - -7 - 0) = (9 - (-7 - -7) - 0) = (9 - (-14) - 0) = (9 + 14 - 0) = 23."
    assert first_error([step]) == 0
    assert first_error([step], None, BBM_CONV) is None
