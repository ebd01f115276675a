"""TokenService: make, bootstrap and check API tokens (shown once, stored hashed)."""

from __future__ import annotations

import logging
import secrets

from paas_platform.domain.errors import Unauthorized
from paas_platform.services.clock import Clock, utc_now
from paas_platform.store import Store
from paas_platform.store.tokens import TokenRecord

log = logging.getLogger("paas.tokens")

ADMIN = "admin"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class TokenService:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def create(self, user: str = ADMIN, description: str = "created by tokens:create") -> str:
        token = new_token()
        with self._store.transaction(write=True) as tx:
            record = tx.tokens.insert(token, user, description, self._clock())
        log.info("token %s created for %s", record.id, user)
        return token

    def bootstrap(self, token: str | None) -> bool:
        """On a store with no tokens, install `token` as an admin token."""
        if not token:
            return False
        with self._store.transaction(write=True) as tx:
            if tx.tokens.count() > 0:
                return False
            record = tx.tokens.insert(token, ADMIN, "PAAS_BOOTSTRAP_TOKEN", self._clock())
        log.info("bootstrap admin token installed (token id %s)", record.id)
        return True

    def authenticate(self, token: str | None) -> TokenRecord:
        if not token:
            raise Unauthorized("missing API token: send Authorization: Bearer TOKEN")
        with self._store.transaction() as tx:
            record = tx.tokens.find(token)
        if record is None:
            raise Unauthorized("invalid API token")
        return record
