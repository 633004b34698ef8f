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


# Which month of a village's ledger or rosters a visitor opens. Assumed, not measured (no county's
# logs yet), from how people reach these pages: most come from a notice-board link or QR code,
# which opens the page without a month (the latest, and the address portal/warming.py renders
# after a publication); some look back over the last year, mostly the last few months; a few
# browse the archive.
LANDING = 0.55  # the page as a link opens it: no month in the address
RECENT = 0.35  # one of the 12 months before the latest, each half as likely as the one after it
RECENT_MONTHS = 12  # the rest (0.10): any month on record


def month_query(rng: random.Random, months: list[str]) -> str:
    """'' (the landing page) or '?month=…' drawn as the comment above says; `months` oldest first."""
    roll = rng.random()
    if roll < LANDING or len(months) < 2:
        return ""
    if roll < LANDING + RECENT:
        back = min(RECENT_MONTHS, len(months) - 1)
        weights = [0.5**k for k in range(back)]
        k = rng.choices(range(back), weights)[0]
        return f"?month={months[-2 - k]}"
    return f"?month={rng.choice(months)}"


def public_path(rng: random.Random, plan: dict) -> tuple[str, str]:
    """(locust name, path) of one public page: a village's ledger (its month drawn by
    month_query), its subsidy rosters (likewise), the village, township and county pages, the
    home page."""
    village = rng.choice(plan["villages"])
    roll = rng.random()
    if roll < 0.45:
        return "public: ledger month", f"/r/{village}/ledger{month_query(rng, plan['months'])}"
    if roll < 0.65:
        return "public: subsidies", f"/r/{village}/subsidies{month_query(rng, plan['subsidy_months'])}"
    if roll < 0.85:
        return "public: village", f"/r/{village}"
    if roll < 0.95:
        return "public: township / county", f"/r/{rng.choice(plan['regions'])}"
    return "public: home", "/"
