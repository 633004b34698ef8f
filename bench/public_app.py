"""The bench's gunicorn app: the product's create_app plus a hello-world route to compare with.

The hello route exists only here, never in the product. Configured from the environment by
public_bench.py: BENCH_DATABASE_URI, BENCH_WORKDIR, BENCH_PAGE_CACHE_ENTRIES (0 turns the
server-side page cache off, to measure full renders), BENCH_STATE_SECONDS (0: the village's
state is queried on every request).
"""

import os
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from app import create_app  # noqa: E402
from public_data import app_config  # noqa: E402


def build():
    config = app_config(os.environ["BENCH_DATABASE_URI"], Path(os.environ["BENCH_WORKDIR"]))
    config["PORTAL_PAGE_CACHE_ENTRIES"] = int(os.environ.get("BENCH_PAGE_CACHE_ENTRIES", "256"))
    config["PORTAL_STATE_SECONDS"] = float(os.environ.get("BENCH_STATE_SECONDS", "1"))
    application = create_app(config)

    @application.get("/bench/hello")
    def hello():
        return "hello, world"

    @application.get("/bench/empty")
    def empty():
        # The first-visit bench's floor: what any page costs before its own bytes.
        return '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>空</title><p>空页面</p>'

    return application


app = build()
