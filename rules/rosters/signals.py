"""Announced after a roster import commits; the rules' background run listens."""

from blinker import Namespace

signals = Namespace()
roster_imported = signals.signal("roster-imported")  # sent with version_id=...
