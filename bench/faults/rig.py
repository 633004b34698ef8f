"""What every fault script needs: a PostgreSQL cluster, a Redis and a gunicorn of its own (never
the shared servers), phones that file a complaint with a photo, and the audit afterwards.

Each script builds a Rig in a `with` block; leaving it (normally, by an error or by Ctrl-C) stops
gunicorn, Redis and PostgreSQL and removes their folders.
"""

import glob
import http.client
import io
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import public_data  # noqa: E402
from filing_bench import CASE_CODE, CATEGORIES, HIDDEN, SHAPE  # noqa: E402
from form_post import multipart  # noqa: E402,F401  (soak_bench takes it from here)
from public_bench import free_port, log, machine, serve  # noqa: E402,F401  (log: for the scripts)
from tools.redis_server import redis_command  # noqa: E402

TIMEOUT = 30
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # initdb refuses root


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        sys.exit(f"{name} not found under /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)")
    return found[-1]


class Postgres:
    """A throwaway cluster on its own port, data under /tmp, trust authentication on loopback."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="faults_pg_"))
        if AS_POSTGRES:
            shutil.chown(self.root, "postgres", "postgres")
        self.data, self.port, self.running = self.root / "data", free_port(), False
        self._as_postgres(
            pg_bin("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        self.start()

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(AS_POSTGRES + list(command), check=True, stdout=subprocess.DEVNULL)

    @property
    def server(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._as_postgres(
            pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1",
            "start",
        )
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def close(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """redis-server on its own port, keeping nothing on disk."""

    def __init__(self, root: Path):
        self.root, self.port, self.process = root, free_port(), None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            redis_command(self.port, self.root),
            stdout=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        sys.exit("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)
            self.process = None

    close = stop


class Rig:
    """PostgreSQL + Redis + a migrated database with one township's villages + gunicorn -w 4."""

    def __init__(self, workers: int = 4, env: dict | None = None, before_serve=None):
        self.workers, self.env, self.before_serve = workers, env or {}, before_serve
        self.workdir = Path(tempfile.mkdtemp(prefix="faults_"))
        self.postgres = self.redis = self.gunicorn = None
        self.on_close = []  # run first on the way out, e.g. an unmount before the folder goes

    def __enter__(self) -> "Rig":
        try:
            self.postgres = Postgres()
            self.redis = Redis(self.workdir)
            self.uri = public_data.create_database("postgresql", self.workdir, self.postgres.server)
            public_data.migrate(self.uri, self.workdir)
            self.villages = public_data.load(self.uri, replace(SHAPE, ledger_rows=60), date.today()).villages
            if self.before_serve:
                self.before_serve(self)
            self.serve()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def serve(self) -> None:
        env = dict(
            os.environ,
            BENCH_DATABASE_URI=self.uri,
            BENCH_WORKDIR=str(self.workdir),
            RATELIMIT_STORAGE_URI=self.redis.url,
            **self.env,
        )
        self.gunicorn, self.base = serve(
            ["-w", str(self.workers), "--graceful-timeout", "5", "filing_app:app"], free_port(), env
        )

    @property
    def upload_dir(self) -> Path:
        return self.workdir / "uploads"

    def worker_pids(self) -> list[int]:
        master = self.gunicorn.pid
        try:
            return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        except OSError:
            return []

    def __exit__(self, *_exc) -> None:
        if self.gunicorn is not None:
            self.gunicorn.send_signal(signal.SIGTERM)
            try:
                self.gunicorn.wait(30)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
        for undo in reversed(self.on_close):
            undo()
        for part in (self.redis, self.postgres):
            if part is not None:
                part.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


# Phones ------------------------------------------------------------------------------------------


def photo_bytes(width: int = 480, height: int = 360) -> bytes:
    """A phone-like JPEG (noise, so that it neither shrinks to nothing nor decodes instantly)."""
    from PIL import Image

    image = Image.frombytes("RGB", (width, height), random.Random(1).randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


PHOTO = photo_bytes()


@dataclass
class Outcome:
    started: float
    ended: float = 0.0
    form_status: int | None = None
    status: int | None = None  # of the POST's last attempt; None: no answer (connection dropped)
    code: str | None = None
    attempts: int = 0
    errors: list = field(default_factory=list)
    body: str = ""


def request(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """One request on its own connection: status, Set-Cookie pairs, body."""
    host = base.split("//", 1)[1]
    connection = http.client.HTTPConnection(host, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        page = response.read().decode(errors="replace")
        cookies = dict(value.split(";", 1)[0].split("=", 1) for value in response.headers.get_all("Set-Cookie") or [])
        return response.status, cookies, page
    finally:
        connection.close()


def file_once(
    base: str, village: str, cookies: dict | None = None, retries: int = 1, photo: bytes | None = PHOTO
) -> Outcome:
    """A villager's phone: open the form, post it with a photo, read the case number. A post that
    gets no answer is sent again, the same form with the same ticket, as complaint-form.js does."""
    outcome = Outcome(started=time.time())
    cookies = {} if cookies is None else cookies
    path = f"/complain?village={village}"
    try:
        outcome.form_status, set_cookies, page = request(base, "GET", path, headers=_cookie_header(cookies))
        cookies.update(set_cookies)
    except (OSError, http.client.HTTPException) as error:
        outcome.errors.append(f"form: {type(error).__name__}")
        outcome.ended = time.time()
        return outcome
    fields = dict(HIDDEN.findall(page))
    if outcome.form_status != 200 or set(fields) != {"csrf_token", "ticket"}:
        outcome.ended = time.time()
        return outcome
    fields |= {
        "category": random.choice(CATEGORIES),
        "identity": "anonymous",
        "name": "",
        "phone": "",
        "website": "",
        "text": f"村道路灯坏了两个月没人修，晚上出行不便。故障测试 {secrets.token_hex(4)}",
    }
    body, content_type = multipart(fields, photo)
    for attempt in range(retries + 1):
        outcome.attempts = attempt + 1
        try:
            outcome.status, set_cookies, done = request(
                base, "POST", path, body, {"Content-Type": content_type} | _cookie_header(cookies)
            )
            cookies.update(set_cookies)
        except (OSError, http.client.HTTPException) as error:
            outcome.status = None
            outcome.errors.append(f"post: {type(error).__name__}")
            time.sleep(0.2)
            continue
        found = CASE_CODE.search(done)
        outcome.code = found.group(1).strip() if outcome.status == 200 and found else None
        outcome.body = done if outcome.status not in (200,) else ""
        break
    outcome.ended = time.time()
    return outcome


def _cookie_header(cookies: dict) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


class Load:
    """`phones` threads filing one after another until stopped; every outcome kept."""

    def __init__(self, base: str, villages: list[str], phones: int = 8, **phone_options):
        self.base, self.villages, self.options = base, villages, phone_options
        self.outcomes: list[Outcome] = []
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._phone, args=(n,), daemon=True) for n in range(phones)]

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def _phone(self, n: int) -> None:
        i = 0
        while not self.stopping.is_set():
            i += 1
            outcome = file_once(self.base, self.villages[(n + i) % len(self.villages)], **self.options)
            with self.lock:
                self.outcomes.append(outcome)

    def __exit__(self, *_exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(TIMEOUT * 3)

    @property
    def acknowledged(self) -> list[str]:
        return [outcome.code for outcome in self.outcomes if outcome.code]


# Afterwards -------------------------------------------------------------------------------------


def audit(rig: Rig, acknowledged: list[str], photos_per_case: int | None = 1, prune: bool = True) -> dict:
    """Every acknowledged case exactly once; every case whole (clocks, its received event, its photo
    row — unless photos_per_case is None — and every photo row's file); then the files no case names, before and after one prune run (each
    file's age set back two hours first: prune leaves anything younger than an hour alone, as a
    filing may be between its file and its commit)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(rig.uri)
    with engine.connect() as connection:
        cases = connection.execute(text("SELECT id, code, idempotency_key FROM complaints")).all()
        clocks = dict(connection.execute(text("SELECT complaint_id, count(*) FROM case_clocks GROUP BY 1")).all())
        received = dict(
            connection.execute(
                text("SELECT complaint_id, count(*) FROM case_events WHERE kind = 'received' GROUP BY 1")
            ).all()
        )
        photos = connection.execute(text("SELECT complaint_id, stored_name FROM complaint_attachments")).all()
    engine.dispose()
    codes = [code for _id, code, _key in cases]
    keys = [key for _id, _code, key in cases if key]
    per_case: dict[int, int] = {}
    for complaint_id, _name in photos:
        per_case[complaint_id] = per_case.get(complaint_id, 0) + 1
    named = {name for _id, name in photos}
    half = [
        code
        for case_id, code, _key in cases
        if not clocks.get(case_id)
        or received.get(case_id) != 1
        or photos_per_case is not None
        and per_case.get(case_id, 0) != photos_per_case
    ]
    folder = rig.upload_dir / "attachments"
    result = {
        "acknowledged": len(acknowledged),
        "distinct_acknowledged": len(set(acknowledged)),
        "cases": len(cases),
        "lost": len(set(acknowledged) - set(codes)),
        "duplicate_codes": len(codes) - len(set(codes)),
        "duplicate_keys": len(keys) - len(set(keys)),
        "unacknowledged_cases": len(set(codes) - set(acknowledged)),
        "half_written": len(half),
        "half_written_sample": half[:5],
        "photo_rows_without_file": sum(not (folder / name).is_file() for name in named),
        "orphans_before_prune": len(_orphans(folder, named)),
    }
    if prune:
        old = time.time() - 2 * 3600
        for path in folder.iterdir() if folder.is_dir() else []:
            os.utime(path, (old, old))
        result["prune_said"] = prune_cli(rig)
        result["orphans_after_prune"] = len(_orphans(folder, named))
        result["photo_rows_without_file_after_prune"] = sum(not (folder / name).is_file() for name in named)
    return result


def _orphans(folder: Path, named: set[str]) -> list[str]:
    return (
        [path.name for path in folder.iterdir() if path.is_file() and path.name not in named] if folder.is_dir() else []
    )


def prune_cli(rig: Rig) -> str:
    """`flask --app app uploads prune`, as cron runs it, against the rig's database and folder."""
    from app import create_app

    app = create_app(public_data.app_config(rig.uri, rig.workdir))
    result = app.test_cli_runner().invoke(args=["uploads", "prune"])
    if result.exit_code != 0:
        raise RuntimeError(f"prune failed: {result.output} {result.exception!r}")
    with app.app_context():
        from core.extensions import db

        db.engine.dispose()
    return result.output.strip()


def stamp() -> str:
    return f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {machine()} · load average {os.getloadavg()[0]:.1f}"
