"""Public read side: the blueprint, with views in several modules (attached in app.py)."""

from portal.blueprint import bp

__all__ = ["bp"]
