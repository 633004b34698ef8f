"""Announcements from the calendar, for packages that core/ must not import."""

from blinker import Namespace

_signals = Namespace()

# Sent after the commit of a calendar change, with years=frozenset[int] of the years replaced;
# the complaints package listens and recomputes the deadlines of clocks not yet met.
calendar_changed = _signals.signal("calendar-changed")
