"""The working-day calendar: a table of exception days, counted in Asia/Shanghai."""
