"""Which ref updates of a push may deploy: pure rules on the pre-receive hook's input.

Only main or master deploys, one of them per push; any other ref rejects the whole push,
and so does deleting the deploy branch. Force pushes are fine (no ancestry check).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from paas_platform.domain.errors import PaasError

DEPLOY_REFS = ("refs/heads/main", "refs/heads/master")


class PushRejected(PaasError):
    """The push must fail; the message, after `Push rejected: `, is what the pusher sees."""

    id = "push_rejected"


@dataclass(frozen=True)
class RefUpdate:
    old: str
    new: str
    ref: str

    @property
    def is_deletion(self) -> bool:
        # All zeros, whatever the hash length (SHA-1 or SHA-256 repos).
        return set(self.new) == {"0"}


def parse_ref_updates(lines: Iterable[str]) -> list[RefUpdate]:
    """`old new ref` lines, as git feeds them to pre-receive on stdin."""
    updates = []
    for line in lines:
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 3:
            raise PushRejected(f"unexpected pre-receive input line: {line.strip()!r}")
        updates.append(RefUpdate(*fields))
    return updates


def deploy_update(updates: list[RefUpdate]) -> RefUpdate:
    """The one update to deploy, or PushRejected saying why the push cannot go in."""
    for update in updates:
        if update.ref not in DEPLOY_REFS:
            kind = "branch" if update.ref.startswith("refs/heads/") else "ref"
            raise PushRejected(
                f"pushed to non-deploy {kind} {update.ref}; paas only deploys main or master"
            )
        if update.is_deletion:
            raise PushRejected(f"deleting {update.ref} is not allowed: it is the deploy branch")
    if not updates:
        raise PushRejected("nothing to deploy: the push updates no refs")
    if len(updates) > 1:
        raise PushRejected("push main or master, not both at once: one push deploys one commit")
    return updates[0]
