"""The handlers' side of complaints: who sees which case, the queue, and the case actions."""
