"""The Build entity: source turned into a runtime image, or a failure with its output."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class BuildStatus(str, Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Build:
    id: str
    app_id: str
    status: BuildStatus
    created_at: datetime
    updated_at: datetime
    source_version: str | None = None
    buildpack: str | None = None
    process_types: dict[str, str] = field(default_factory=dict)
    image_id: str | None = None
    image_tag: str | None = None
    image_size: int | None = None
    release_id: str | None = None
    user: str = "admin"


@dataclass(frozen=True)
class BuildResult:
    """What the builder produced."""

    buildpack: str
    process_types: dict[str, str]
    image_id: str
    image_tag: str
    image_size: int
