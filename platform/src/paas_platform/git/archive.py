"""Stream `git archive` of a pushed commit as a gzipped tarball, chunk by chunk.

Run from the pre-receive hook, whose environment points git at the push's quarantined
objects: before the push is accepted, only there can the new commit be read.
"""

from __future__ import annotations

import subprocess
from typing import Iterator, Mapping

from paas_platform.git.refs import PushRejected

CHUNK = 64 * 1024


def source_tarball(commit: str, env: Mapping[str, str]) -> Iterator[bytes]:
    if not commit.isalnum():
        raise PushRejected(f"not a commit id: {commit!r}")  # never let it pass for an option
    # stderr is inherited: git relays it to the pusher, who can act on it.
    proc = subprocess.Popen(
        ["git", "archive", "--format=tar.gz", commit],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=dict(env),
    )
    try:
        while chunk := proc.stdout.read(CHUNK):
            yield chunk
    finally:
        proc.stdout.close()  # if we stopped early, git gets SIGPIPE instead of blocking
        status = proc.wait()
    if status != 0:
        raise PushRejected(f"git archive {commit} failed (exit status {status})")
