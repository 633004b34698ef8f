"""Backup and restore: the database, the uploaded files and a manifest in one archive, without keys."""
