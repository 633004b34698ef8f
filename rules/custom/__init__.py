"""Rules that administrators compose without code: a form-built join, or a read-only SELECT."""
