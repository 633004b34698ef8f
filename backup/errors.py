"""The one error a backup or restore reports to the operator, in Chinese."""


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""
