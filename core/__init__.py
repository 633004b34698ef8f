"""Infrastructure shared by every feature package; imports no feature package."""
