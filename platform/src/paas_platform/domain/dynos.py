"""Dynos as observed on the engine (never stored: Docker is the source of truth)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class DynoState(str, Enum):
    STARTING = "starting"
    UP = "up"
    CRASHED = "crashed"
    DOWN = "down"


@dataclass(frozen=True)
class Dyno:
    app: str
    process_type: str
    number: int
    release_version: int
    container_id: str
    running: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    exit_code: int | None
    command: str
    size: str = ""

    @property
    def name(self) -> str:
        return f"{self.process_type}.{self.number}"
