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
    return {"errors": 0, "p99": 120.0, "actions_per_s": 8.0, "rate": 8, "requests": 400} | changes


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


def test_a_step_with_fewer_requests_than_asked_does_not_hold():
    assert soak_bench.holds(step(requests=400), 8, 400)
    assert not soak_bench.holds(step(requests=399), 8, 400)


def test_a_step_is_capped_by_the_time_its_requests_take_at_one_per_action():
    # 400 requests at 0.5 actions/s need at most 800 s (an action is at least one request);
    # half as long again as a margin, and never under the floor.
    assert soak_bench.step_seconds(0.5, 400, 20) == 1200
    assert soak_bench.step_seconds(2, 400, 20) == 300
    assert soak_bench.step_seconds(36, 400, 20) == 20
    assert soak_bench.step_seconds(3, 400, 20) == 200
    # A lower rate never gets a shorter cap: every step can reach its request count.
    caps = [soak_bench.step_seconds(rate, 400, 20) for rate in soak_bench.FULL["steps"]]
    assert caps == sorted(caps, reverse=True)
    assert all(cap * rate >= 400 for cap, rate in zip(caps, soak_bench.FULL["steps"], strict=True))


def test_the_full_ramp_starts_below_two_actions_a_second():
    assert soak_bench.FULL["steps"][0] < 2
    assert soak_bench.FULL["min_requests"] >= 400


def request(name, path, t=0.0):
    return (t, name, 10.0, None, path)


def test_first_requests_are_a_public_pages_first_in_the_bench_not_warmed_ones():
    seen = {"/r/1/ledger"}  # warmed as after a publication
    requests = [
        request("public: ledger month", "/r/1/ledger"),
        request("public: ledger month", "/r/1/ledger?month=2026-10"),
        request("public: ledger month", "/r/1/ledger?month=2026-10"),
        request("track: form", "/track"),
        request("track: form", "/track"),
        request("public: village", "/r/1"),
    ]
    assert soak_bench.first_requests(requests, seen) == [False, True, False, False, False, True]
    # The set carries over to the next run: a page rendered in the ramp is warm in the soak.
    assert soak_bench.first_requests(requests[1:2], seen) == [False]


def test_the_summary_gives_the_p99_with_and_without_first_requests():
    # Five pages, each first rendered slowly and then served 20 times from the cache.
    requests = []
    for page in range(5):
        requests.append((page * 100.0 + 1, "public: ledger month", 900.0, None, f"/r/1/ledger?month=2026-0{page + 1}"))
        requests += [
            (page * 100.0 + 2 + n, "public: ledger month", 10.0, None, f"/r/1/ledger?month=2026-0{page + 1}")
            for n in range(20)
        ]
    summary = soak_bench.summarise({"requests": requests, "actions": [], "filed": []}, 2, 100, set())
    assert summary["requests"] == 105 and summary["first"] == 5
    assert summary["p99"] == 900.0  # all requests: the cold renders are in it
    assert summary["p99_first"] == 900.0
    assert summary["p99_repeat"] == 10.0


def test_the_landing_page_and_recent_months_take_most_ledger_requests():
    months = [f"{year}-{month:02d}" for year in range(1999, 2027) for month in range(1, 13)]
    plan = {"villages": ["629950101201"], "months": months, "subsidy_months": months[-120:], "regions": ["1"]}
    rng = random.Random(7)
    queries = Counter()
    for _ in range(20000):
        name, path = public_path(rng, plan)
        if name == "public: ledger month":
            queries[path.partition("?month=")[2]] += 1
    total = sum(queries.values())
    assert 0.5 < queries[""] / total < 0.6  # no month: the latest, as a notice-board link opens it
    last_year = sum(queries[m] for m in months[-13:-1])
    assert 0.3 < last_year / total < 0.45
    assert queries[months[-2]] > queries[months[-4]] > queries[months[-8]]
    assert sum(n for m, n in queries.items() if m and m < months[-13]) / total < 0.12
