"""Row gateway for API tokens, stored only as their sha256."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from paas_platform.store.schema import tokens


@dataclass(frozen=True)
class TokenRecord:
    id: str
    user: str
    description: str
    created_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRows:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def insert(self, token: str, user: str, description: str, now: datetime) -> TokenRecord:
        row = {
            "id": str(uuid.uuid4()),
            "user_name": user,
            "description": description,
            "token_hash": hash_token(token),
            "created_at": now,
        }
        self._conn.execute(tokens.insert().values(**row))
        return _to_record(row)

    def find(self, token: str) -> TokenRecord | None:
        query = sa.select(tokens).where(tokens.c.token_hash == hash_token(token))
        row = self._conn.execute(query).mappings().first()
        return _to_record(row) if row else None

    def count(self) -> int:
        return self._conn.execute(sa.select(sa.func.count()).select_from(tokens)).scalar_one()


def _to_record(row) -> TokenRecord:
    return TokenRecord(
        id=row["id"], user=row["user_name"], description=row["description"],
        created_at=row["created_at"],
    )
