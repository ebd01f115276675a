"""Stack images: a Debian base, a *build* image (compilers, git, Python tooling) and
a slimmer *run* image, both with the dyno launcher and, when configured, an extra
CA bundle in their trust stores.

The base comes from `debian:<stack>-slim` when a registry serves it, else from
`debootstrap --variant=minbase` + `docker import`. Each image records a digest of
what it was made from (label io.paas.stack.digest), so `ensure()` rebuilds only
what changed: a second call costs a few inspections. Stack images are shared,
read-only, by every platform instance on the engine; no instance removes them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from paas_platform.domain.errors import PaasError
from paas_platform.runtime.images import DockerImages, tar_context

log = logging.getLogger("paas.stack")

DIGEST_LABEL = "io.paas.stack.digest"
STACK_LABEL = "io.paas.stack"
CA_FILE = "paas-extra-ca.crt"

BUILD_PACKAGES = (
    "ca-certificates", "python3", "python3-venv", "python3-pip", "python3-dev",
    "build-essential", "git", "curl", "libpq-dev", "pkg-config", "procps",
)
RUN_PACKAGES = ("ca-certificates", "python3", "python3-venv", "libpq5", "curl", "procps")

# The dyno launcher: Heroku's start sequence. Profile scripts first (buildpacks put
# PATH and the like there), then the command: a Procfile line runs through bash -c
# as on Heroku; several arguments (paas run) are exec'd as they are.
LAUNCHER = """#!/bin/bash
cd /app 2>/dev/null || true
export HOME=/app
for profile in /app/.profile.d/*.sh; do
  [ -r "$profile" ] && . "$profile"
done
if [ "$#" -eq 0 ]; then
  echo "paas-launcher: no command given" >&2
  exit 64
elif [ "$#" -eq 1 ]; then
  exec bash -c "$1"
else
  exec "$@"
fi
"""

_DOCKERFILE = """FROM {base}
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
{copy_ca}RUN apt-get update \\
 && apt-get install -y --no-install-recommends {packages} \\
 && rm -rf /var/lib/apt/lists/* \\
 && update-ca-certificates
RUN groupadd -g 1000 paas \\
 && useradd -u 1000 -g 1000 -d /app -s /bin/bash paas \\
 && mkdir -p /app /cache /env /buildpacks \\
 && chown paas:paas /app /cache /env /buildpacks
COPY paas-launcher /usr/local/bin/paas-launcher
WORKDIR /app
"""


class StackError(PaasError):
    id = "stack_error"


@dataclass(frozen=True)
class StackImages:
    build: str
    run: str


def stack_repository(stack: str) -> str:
    return f"paas-stack-{stack}"


def dockerfile(base: str, packages: tuple[str, ...], with_ca: bool) -> str:
    copy_ca = f"COPY {CA_FILE} /usr/local/share/ca-certificates/{CA_FILE}\n" if with_ca else ""
    return _DOCKERFILE.format(base=base, packages=" ".join(packages), copy_ca=copy_ca)


def build_context(dockerfile_text: str, extra_ca: bytes | None) -> io.BytesIO:
    """A tar build context: Dockerfile, launcher, and the CA bundle if any."""
    files = {"Dockerfile": (dockerfile_text.encode(), 0o644), "paas-launcher": (LAUNCHER.encode(), 0o755)}
    if extra_ca is not None:
        files[CA_FILE] = (extra_ca, 0o644)
    return tar_context(files)


def debootstrap_rootfs(stack: str, target: Path, mirror: str | None) -> None:
    """Make a minimal Debian root filesystem (needs root and the debootstrap package)."""
    if shutil.which("debootstrap") is None:
        raise StackError("debootstrap is not installed (scripts/setup-host.sh installs it)")
    argv = ["debootstrap", "--variant=minbase", stack, str(target)]
    if mirror:
        argv.append(mirror)
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        tail = " ".join(result.stderr.strip().splitlines()[-2:]) or result.stdout.strip()[-200:]
        raise StackError(f"debootstrap {stack} failed: {tail}")


class StackBuilder:
    def __init__(
        self,
        images: DockerImages,
        stack: str,
        work_dir: Path,
        extra_ca_path: Path | None = None,
        mirror: str | None = None,
        progress: Callable[[str], None] = log.info,
    ) -> None:
        self._images = images
        self._stack = stack
        self._work_dir = work_dir
        self._extra_ca = extra_ca_path.read_bytes() if extra_ca_path else None
        self._mirror = mirror
        self._progress = progress
        self._repo = stack_repository(stack)

    def ensure(self) -> StackImages:
        base = self._ensure_base()
        base_id = self._images.size(base)[0]
        build = self._ensure_image("build", base, base_id, BUILD_PACKAGES)
        run = self._ensure_image("run", base, base_id, RUN_PACKAGES)
        return StackImages(build=build, run=run)

    def _ensure_base(self) -> str:
        base = f"{self._repo}:base"
        if self._images.labels(base) is not None:
            return base
        slim = f"debian:{self._stack}-slim"
        self._progress(f"stack {self._stack}: pulling {slim}")
        if self._images.pull(slim):
            self._images.tag(slim, self._repo, "base")
            return base
        self._progress(f"stack {self._stack}: no registry; making the base with debootstrap")
        self._work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._work_dir, prefix="rootfs-") as tmp:
            rootfs, archive = Path(tmp) / "rootfs", Path(tmp) / "rootfs.tar"
            debootstrap_rootfs(self._stack, rootfs, self._mirror)
            with tarfile.open(archive, "w") as tar:
                tar.add(rootfs, arcname=".")
            self._progress(f"stack {self._stack}: importing the base image")
            self._images.import_rootfs(archive, self._repo, "base")
        return base

    def _ensure_image(self, kind: str, base: str, base_id: str, packages: tuple[str, ...]) -> str:
        text = dockerfile(base, packages, self._extra_ca is not None)
        digest = hashlib.sha256(
            b"\0".join([base_id.encode(), text.encode(), LAUNCHER.encode(), self._extra_ca or b""])
        ).hexdigest()
        # The digest is in the tag: platforms with different settings (say, another CA
        # bundle) sharing one engine each find their own image instead of rebuilding.
        ref = f"{self._repo}:{kind}-{digest[:12]}"
        labels = self._images.labels(ref)
        if labels is not None and labels.get(DIGEST_LABEL) == digest:
            return ref
        self._progress(f"stack {self._stack}: building the {kind} image")
        self._images.build(
            build_context(text, self._extra_ca),
            tag=ref,
            labels={DIGEST_LABEL: digest, STACK_LABEL: self._stack},
            on_output=lambda line: log.debug("stack %s %s: %s", self._stack, kind, line),
        )
        self._progress(f"stack {self._stack}: {kind} image ready")
        return ref
