"""What a backup holds, written down so a restore can be checked against it: rows per table, each
village's chain head, every uploaded file's size and SHA-256, and which keys the data needs."""

import hashlib
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, column, func, inspect, select, table

from core.config import SECRET_NAMES
from core.crypto import keys_from_setting
from disclosures.models import Batch
from disclosures.queries import chain_heads

FORMAT = 1
# Tables a freshly migrated database already fills (the built-in subsidy items, the holiday
# calendar from chinesecalendar): their rows do not make it "not empty".
SEEDED_TABLES = {"alembic_version", "subsidy_items", "calendar_days", "calendar_years"}
# Uploaded files, when the database store keeps them: checked one by one against the manifest's
# uploads, as a backup of one store may be restored into the other (local → database, and back).
FILE_TABLES = {"stored_files"}
KEYS_NOTE = (
    "这份备份不含密钥。恢复后要读出身份证号、银行账号和反映人身份，须使用备份时的密钥"
    "（环境变量或 instance/secrets.json），密钥应与备份分开保存。"
)


def describe(connection: Connection) -> dict:
    """What a database holds, as the manifest records it: rows per table, its schema revision and
    each village's chain head."""
    names = sorted(inspect(connection).get_table_names())
    tables = {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}
    revision = (
        connection.scalar(select(column("version_num")).select_from(table("alembic_version")))
        if "alembic_version" in names
        else None
    )
    heads = (
        {
            village: {"sequence": sequence, "hash": content_hash}
            for village, sequence, content_hash in connection.execute(chain_heads())
        }
        if Batch.__tablename__ in names
        else {}
    )
    return {"tables": tables, "revision": revision, "chain_heads": heads}


def file_entry(data: bytes) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def key_facts() -> dict[str, dict]:
    """Per key: where it is kept and fingerprints that tell whether a restore has the same one
    (one-way hashes of random keys: they reveal nothing of them)."""
    return {name: {"kept_in": _kept_in(name), "fingerprints": fingerprints(name)} for name in SECRET_NAMES}


def _kept_in(name: str) -> str:
    if os.environ.get(name):
        return "environment"
    stored = Path(current_app.instance_path) / "secrets.json"
    return "instance/secrets.json" if stored.exists() and name in stored.read_text() else "configuration"


def fingerprints(name: str) -> list[str]:
    """The key's fingerprints; one per key id for DATA_ENCRYPTION_KEY, which lists old keys too."""
    value = current_app.config[name]
    parts = (
        [f"{key_id}:{key}" for key_id, key in keys_from_setting(value)[0].items()]
        if name == "DATA_ENCRYPTION_KEY"
        else [value]
    )
    return sorted(
        hashlib.sha256(b"yangguang-cunwu key fingerprint\0" + part.encode()).hexdigest()[:16] for part in parts
    )


def holds_data(counts: dict[str, int]) -> list[str]:
    """The tables, of those counted, that hold rows a restore would overwrite."""
    return [name for name, rows in counts.items() if rows and name not in SEEDED_TABLES]


def differences(expected: dict, found: dict) -> list[str]:
    """Where the restored database disagrees with the manifest (tables and chain heads)."""
    problems = [
        f"表 {name}：备份时 {rows} 行，恢复后 {found['tables'].get(name)} 行"
        for name, rows in expected["tables"].items()
        if found["tables"].get(name) != rows and name not in FILE_TABLES
    ]
    problems += [
        f"村 {village} 的哈希链头与备份时不同"
        for village in sorted(set(expected["chain_heads"]) | set(found["chain_heads"]))
        if expected["chain_heads"].get(village) != found["chain_heads"].get(village)
    ]
    return problems


def key_warnings(expected: dict) -> list[str]:
    """Keys configured now that lack one the backup's data was written with."""
    return [
        f"警告：当前的 {name} 不是备份时的密钥（备份时保存在 {facts['kept_in']}）；不换回原密钥，加密的数据读不出来"
        for name, facts in expected["keys"].items()
        if not set(facts["fingerprints"]) <= set(fingerprints(name))
    ]
