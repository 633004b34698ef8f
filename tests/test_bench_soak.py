"""The mixed soak's request mix and its verdicts (bench/soak_bench.py): no load is sent here."""

import random
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import soak_bench  # noqa: E402
from soak_mix import MIX, public_path, schedule  # noqa: E402


@pytest.mark.parametrize("length", [20, 100, 300])
def test_every_schedule_holds_the_issue_shares_exactly(length):
    for seed in range(5):
        counts = Counter(schedule(seed, length))
        assert counts == {
            "public": length * 80 // 100,
            "track": length // 10,
            "file": length // 20,
            "staff": length // 20,
        }
    assert sum(MIX.values()) == 100


def test_visitors_walk_different_orders():
    assert schedule(1) != schedule(2)
    assert schedule(1) == schedule(1)


def test_a_length_that_cannot_hold_the_shares_is_refused():
    with pytest.raises(ValueError):
        schedule(0, 30)


def test_public_pages_stay_within_the_loaded_county():
    plan = {
        "villages": ["629950101201", "629950101202"],
        "months": ["2026-10", "2026-11", "2026-12"],
        "subsidy_months": ["2026-12"],
        "regions": ["629950000000", "629950101000"],
    }
    rng = random.Random(3)
    seen = Counter()
    for _ in range(2000):
        name, path = public_path(rng, plan)
        seen[name] += 1
        if path != "/":
            code = path.split("/")[2].split("?")[0]
            assert code in plan["villages"] + plan["regions"]
        if "month=" in path:
            assert path.rsplit("=", 1)[1] in plan["months"]
    assert set(seen) == {
        "public: ledger month",
        "public: subsidies",
        "public: village",
        "public: township / county",
        "public: home",
    }


def step(**changes):
    return {"errors": 0, "p99": 120.0, "actions_per_s": 8.0, "rate": 8} | changes


def test_a_step_holds_only_without_errors_under_the_p99_target_at_the_rate_asked():
    assert soak_bench.holds(step(), 8)
    assert not soak_bench.holds(step(errors=1), 8)
    assert not soak_bench.holds(step(p99=300.0), 8)
    assert not soak_bench.holds(step(actions_per_s=7.0), 8)


def test_the_sustainable_rate_is_the_last_step_that_held():
    steps = [step(rate=2, held=True), step(rate=4, held=True), step(rate=8, held=False), step(rate=8, held=False)]
    assert soak_bench.sustainable(steps) == 4
    assert soak_bench.sustainable([step(rate=2, held=False), step(rate=2, held=False)]) == 2


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert soak_bench.percentile(values, 50) == 50
    assert soak_bench.percentile(values, 99) == 99
    assert soak_bench.percentile([7.0], 99) == 7.0
