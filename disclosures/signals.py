"""Announcements across the wall: the rules listen; the accountants' code never learns who does."""

from blinker import Namespace

signals = Namespace()
# Sent after the commit that published batches, with batch_ids=[...].
batches_published = signals.signal("batches-published")
