"""The command line of a throwaway Redis server, as the tests and the fault benchmarks start one."""

from pathlib import Path


def redis_command(port: int, folder: Path, executable: str = "redis-server") -> list[str]:
    """redis-server on 127.0.0.1:`port`, working in `folder` and keeping nothing on disk."""
    return [
        executable,
        *("--port", str(port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no"),
        *("--dir", str(folder)),
    ]
