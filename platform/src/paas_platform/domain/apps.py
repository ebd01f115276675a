"""The App entity as the domain sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class App:
    id: str
    name: str
    stack: str
    created_at: datetime
    updated_at: datetime
    config: dict[str, str]
    buildpack: str | None = None
    maintenance: bool = False
    health_check_path: str | None = None
