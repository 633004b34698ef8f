"""The soak's request mix, kept apart from the locustfile so that it can be checked without
starting locust (importing locust monkey-patches the standard library with gevent).

An *action* is what one visitor does in one go: a public page (1 request), tracking a case (the
form, the pair posted, the case page it leads to: 3 requests, the last one a redirect locust
follows), a complaint with a photo (the form, the post: 2 requests), a staff member's queue work
(the queue with a filter; every third time a case from it; every tenth such case, a note:
1–3 requests). The shares are of actions, as the issue states them.
"""

import random

MIX = {"public": 80, "track": 10, "file": 5, "staff": 5}
QUEUE_FILTERS = (
    "",
    "clock=overdue",
    "clock=due_soon",
    "status=in_progress",
    "category=subsidy",
    "assignee=none",
    "page=2",
    "page=5",
)


def schedule(seed: int, length: int = 100) -> list[str]:
    """`length` actions in exactly the MIX shares (length a multiple of 20), shuffled by `seed`:
    each simulated visitor walks its own order, so every 100 actions hold the shares exactly."""
    total = sum(MIX.values())
    if length % (total // 5):
        raise ValueError(f"length must be a multiple of {total // 5}")
    actions = [kind for kind, share in MIX.items() for _ in range(share * length // total)]
    random.Random(seed).shuffle(actions)
    return actions


def public_path(rng: random.Random, plan: dict) -> tuple[str, str]:
    """(locust name, path) of one public page: a village's ledger month (half of them the last
    three months, as people look at what is new; the rest anywhere in ~28 years, mostly past the
    page cache), its subsidy roster, the village, township and county pages, the home page."""
    village = rng.choice(plan["villages"])
    roll = rng.random()
    if roll < 0.45:
        months = plan["months"][-3:] if rng.random() < 0.5 else plan["months"]
        return "public: ledger month", f"/r/{village}/ledger?month={rng.choice(months)}"
    if roll < 0.65:
        return "public: subsidies", f"/r/{village}/subsidies?month={rng.choice(plan['subsidy_months'])}"
    if roll < 0.85:
        return "public: village", f"/r/{village}"
    if roll < 0.95:
        return "public: township / county", f"/r/{rng.choice(plan['regions'])}"
    return "public: home", "/"
