"""The soak's locustfile (run by bench/soak_bench.py, not by hand): simulated visitors, each
walking its own shuffled order of the mix in soak_mix.py at a fixed pace.

Configured from the environment: SOAK_PLAN (JSON written by soak_bench.py: villages, months,
regions, tracking pairs, staff accounts, the photo), SOAK_PACE (actions per second per visitor), SOAK_SEED (each run's own, so that a step run
again draws other pages than the run before it, not the ones that run left in the caches),
SOAK_OUT (where every request's time, name, milliseconds, error and path go when locust quits,
with each finished action and each case number a filing was answered with), SOAK_MIN_REQUESTS
(when set, the run stops as soon as it has that many requests; locust's --run-time is the cap).
"""

import itertools
import json
import os
import random
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent

from locust import FastHttpUser, events, task
from locust.contrib.fasthttp import FastHttpSession
from locust.user.wait_time import constant_throughput
from form_post import multipart
from soak_mix import QUEUE_FILTERS, public_path, schedule

PLAN = json.loads(Path(os.environ["SOAK_PLAN"]).read_text())
PHOTO = Path(PLAN["photo"]).read_bytes()
HIDDEN = re.compile(r'<input[^>]*\bname="(csrf_token|ticket)"[^>]*\bvalue="([^"]*)"')
CASE_CODE = re.compile(r'<p class="case-code">([^<]+)</p>')
SECRET = re.compile(r'<p class="secret-box">([^<]+)</p>')
CASE_LINK = re.compile(r'href="/admin/cases/(\d+)"')
CATEGORIES = ("funds", "subsidy", "project", "asset", "conduct", "other")
RECORD = {"requests": [], "actions": [], "filed": []}
_numbers = itertools.count()
SEED = int(os.environ.get("SOAK_SEED", "0"))


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, url=None, **_kw):
    error = None if exception is None else str(exception)[:160]
    RECORD["requests"].append((time.time(), name, response_time, error, _path(url)))


def _path(url: str | None) -> str | None:
    # The page's own address, so that the bench can tell a page's first request from its repeats.
    if not url:
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@events.test_start.add_listener
def _stop_at_enough_requests(environment, **_kw):
    wanted = int(os.environ.get("SOAK_MIN_REQUESTS", "0"))
    if not wanted or environment.runner is None:
        return

    def watch():
        while len(RECORD["requests"]) < wanted:
            gevent.sleep(0.2)
        environment.runner.quit()

    gevent.spawn(watch)


@events.quitting.add_listener
def _dump(**_kw):
    Path(os.environ["SOAK_OUT"]).write_text(json.dumps(RECORD))


class Visitor(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("SOAK_PACE", "0.5")))
    network_timeout = connection_timeout = 30.0

    def on_start(self):
        self.number = next(_numbers)
        self.rng = random.Random(f"{SEED}-{self.number}")
        self.actions = itertools.cycle(schedule(SEED * 10_000 + self.number))
        self.staff_session = None  # a second cookie jar, signed in on the first queue work

    @task
    def act(self):
        kind = next(self.actions)
        started = time.time()
        try:
            getattr(self, kind)()
        except Exception as error:  # a broken page (e.g. no link where one belongs) is an error too
            RECORD["requests"].append(
                (time.time(), f"{kind}: exception", (time.time() - started) * 1000, repr(error), None)
            )
        RECORD["actions"].append((time.time(), kind))

    # The four kinds of action -----------------------------------------------------------------

    def public(self):
        name, path = public_path(self.rng, PLAN)
        with self.client.get(path, name=name, headers={"Accept-Encoding": "gzip"}, catch_response=True) as response:
            _expect(response, 200)

    def track(self):
        code, secret = self.rng.choice(PLAN["pairs"])
        fields = self._form("/track", "track: form")
        if fields is None:
            return
        with self.client.post(
            "/track",
            data={"csrf_token": fields["csrf_token"], "code": code, "secret": secret},
            name="track: open (post → case page)",
            catch_response=True,
        ) as response:
            _expect(response, 200, code)

    def file(self):
        village = self.rng.choice(PLAN["villages"])
        path = f"/complain?village={village}"
        fields = self._form(path, "file: form")
        if fields is None:
            return
        fields |= {
            "category": self.rng.choice(CATEGORIES),
            "identity": "anonymous",
            "name": "",
            "phone": "",
            "website": "",
            "text": f"村道路灯坏了两个月没人修，晚上出行不便。浸泡测试 {secrets.token_hex(4)}",
        }
        body, content_type = multipart(fields, PHOTO)
        with self.client.post(
            path, data=body, headers={"Content-Type": content_type}, name="file: post with photo", catch_response=True
        ) as response:
            if _expect(response, 200):
                found = CASE_CODE.search(response.text or "")
                if found is None:
                    response.failure("no case number on the done page")
                else:
                    RECORD["filed"].append(found.group(1).strip())

    def staff(self):
        if self.staff_session is None and not self._sign_in():
            return
        query = self.rng.choice(QUEUE_FILTERS)
        with self.staff_session.get(f"/admin/cases?{query}", name="staff: queue", catch_response=True) as response:
            if not _expect(response, 200, "案件"):
                return
            cases = CASE_LINK.findall(response.text)
        if not cases or self.rng.random() >= 1 / 3:
            return
        case_id = self.rng.choice(cases)
        with self.staff_session.get(f"/admin/cases/{case_id}", name="staff: case", catch_response=True) as response:
            if not _expect(response, 200):
                return
            token = dict(HIDDEN.findall(response.text)).get("csrf_token")
        if self.rng.random() < 0.1 and token:
            with self.staff_session.post(
                f"/admin/cases/{case_id}/note",
                data={"csrf_token": token, "note": "已电话联系村委会，核实中。"},
                name="staff: note (post → case page)",
                catch_response=True,
            ) as response:
                _expect(response, 200, "内部备注已保存")

    # Helpers ---------------------------------------------------------------------------------

    def _form(self, path: str, name: str, client=None) -> dict | None:
        with (client or self.client).get(path, name=name, catch_response=True) as response:
            if not _expect(response, 200):
                return None
            fields = dict(HIDDEN.findall(response.text or ""))
            if "csrf_token" not in fields:
                response.failure("no csrf_token on the form")
                return None
            return fields

    def _sign_in(self) -> bool:
        session = FastHttpSession(
            base_url=self.host,
            request_event=self.environment.events.request,
            user=self,
            network_timeout=self.network_timeout,
            connection_timeout=self.connection_timeout,
        )
        fields = self._form("/staff/login", "staff: sign-in form", session)
        if fields is None:
            return False
        account = PLAN["staff"][self.number % len(PLAN["staff"])]
        with session.post(
            "/staff/login",
            data={"csrf_token": fields["csrf_token"], "username": account, "password": PLAN["password"]},
            name="staff: sign in (post → workbench)",
            catch_response=True,
        ) as response:
            if not _expect(response, 200):
                return False
        self.staff_session = session
        return True


def _expect(response, status: int, text: str | None = None) -> bool:
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}")
        return False
    if text is not None and text not in (response.text or ""):
        response.failure(f"answer without {text!r}")
        return False
    response.success()
    return True
