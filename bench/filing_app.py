"""The filing bench's gunicorn app: bench/public_app.py's app (the product's create_app plus the
hello-world route), with the two anti-robot brakes loosened for a throughput test.

Loosened, and said so in bench/README.md: COMPLAINT_MIN_FILL_SECONDS = 0 (the bench's phones
submit right after loading the form, a person takes ≥ 3 s) and the per-address / per-device
filing limits raised (every simulated phone comes from 127.0.0.1). The CSRF token, the signed
ticket (idempotency key), the honeypot and the limiter itself all stay on and are exercised.
"""

import os

from public_app import app  # noqa: F401  (reads BENCH_DATABASE_URI and BENCH_WORKDIR)

app.config.update(
    COMPLAINT_MIN_FILL_SECONDS=int(os.environ.get("BENCH_MIN_FILL_SECONDS", "0")),
    COMPLAINT_LIMIT_PER_ADDRESS="1000000 per hour",
    # bench/faults/redis_stop.py puts the product's own per-device limit back, to see it hold.
    COMPLAINT_LIMIT_PER_DEVICE=os.environ.get("BENCH_LIMIT_PER_DEVICE", "1000 per hour"),
)
