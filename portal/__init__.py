"""Public read side. Importing the view modules attaches their routes to the blueprint."""
from portal import disclosure_views, downloads, kiosk, lookup, routes  # noqa: F401
from portal.blueprint import bp

__all__ = ["bp"]
