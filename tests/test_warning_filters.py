"""The suite's warning filters (pyproject.toml): every warning fails a test, but for the few named there."""

import _thread
import threading
import time


def test_a_rate_limit_timer_dying_in_its_bootstrap_does_not_fail_the_test():
    # What Python 3.11 does to a thread that starts while another installs coverage's trace
    # function: its bootstrap fails and the failure is reported as unraisable. Here the bootstrap
    # fails because the timer was never registered with threading.
    running = _thread._count()
    timer = threading.Timer(1, lambda: None)
    _thread.start_new_thread(timer._bootstrap, ())
    deadline = time.monotonic() + 30
    while (timer.ident is None or _thread._count() > running) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the thread has started and died
    assert timer.ident is not None, "the thread never started its bootstrap"
