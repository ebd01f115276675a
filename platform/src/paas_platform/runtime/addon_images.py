"""Add-on images: the stack's run image plus PostgreSQL or Redis from Debian, and an
entrypoint that runs the server as its own unprivileged user.

Tagged `paas-stack-<stack>:addon-<kind>-<digest>` by a digest of what they are made
from (like the stack and router images), shared read-only by every platform instance
on the engine and never removed by one. The run image already trusts the extra CA
bundle and uses the stack's Debian mirror, so apt works here as it does in builds.

Both servers keep their data under DATA_DIR, the add-on's named volume. The image
makes that directory owned by the server's user with mode 0700; Docker copies that
ownership into a new empty volume, so the server never needs root or capabilities.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Callable

from paas_platform.builder.stack import DIGEST_LABEL, STACK_LABEL, stack_repository
from paas_platform.runtime.images import DockerImages, tar_context

log = logging.getLogger("paas.addons")

DATA_DIR = "/var/lib/paas-addon"
ENTRYPOINT = "/usr/local/bin/paas-addon-entrypoint"

# Debian's postgresql package would create and start a cluster of its own; the
# entrypoint makes ours in the volume instead. The binaries are on PATH by a link
# that does not name the major version.
_POSTGRESQL_DOCKERFILE = """FROM {run_image}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends postgresql-common \\
 && sed -ri 's/^#?\\s*create_main_cluster.*/create_main_cluster = false/' \\
      /etc/postgresql-common/createcluster.conf \\
 && apt-get install -y --no-install-recommends postgresql \\
 && rm -rf /var/lib/apt/lists/* \\
 && ln -s "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)" /usr/local/lib/paas-pg-bin \\
 && mkdir -p {data_dir} && chown postgres:postgres {data_dir} && chmod 0700 {data_dir}
ENV PATH=/usr/local/lib/paas-pg-bin:$PATH
COPY paas-addon-entrypoint {entrypoint}
USER postgres
"""

# First start: initdb into the volume with the generated superuser and password
# (password auth from every network; trust only on the container's own socket,
# for the readiness check), then the database. Every start: run the server.
_POSTGRESQL_ENTRYPOINT = """#!/bin/bash
set -euo pipefail
export PGDATA={data_dir}/pgdata
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile="$(mktemp)"
  printf '%s' "$PAAS_ADDON_PASSWORD" > "$pwfile"
  initdb --pgdata="$PGDATA" --username="$PAAS_ADDON_USER" --pwfile="$pwfile" \\
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  {{
    echo "host all all 0.0.0.0/0 scram-sha-256"
    echo "host all all ::/0 scram-sha-256"
  }} >> "$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE \\"$PAAS_ADDON_DATABASE\\" OWNER \\"$PAAS_ADDON_USER\\";" \\
    | postgres --single -D "$PGDATA" -j postgres >/dev/null
  echo "paas-addon: initialised a new PostgreSQL cluster"
fi
unset PAAS_ADDON_PASSWORD
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp \\
  -c password_encryption=scram-sha-256
"""

_REDIS_DOCKERFILE = """FROM {run_image}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends redis-server \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p {data_dir} && chown redis:redis {data_dir} && chmod 0700 {data_dir}
COPY paas-addon-entrypoint {entrypoint}
USER redis
"""

# The password goes into a config file only the redis user can read, never argv
# (which `ps` in any container sharing the PID namespace would show).
_REDIS_ENTRYPOINT = """#!/bin/bash
set -euo pipefail
umask 077
conf="$(mktemp)"
cat > "$conf" <<EOF
bind * -::*
protected-mode no
port 6379
dir {data_dir}
appendonly yes
requirepass $PAAS_ADDON_PASSWORD
EOF
unset PAAS_ADDON_PASSWORD
exec redis-server "$conf"
"""

_SOURCES = {
    "postgresql": (_POSTGRESQL_DOCKERFILE, _POSTGRESQL_ENTRYPOINT),
    "redis": (_REDIS_DOCKERFILE, _REDIS_ENTRYPOINT),
}
SERVER_USER = {"postgresql": "postgres", "redis": "redis"}


def ensure_addon_image(images: DockerImages, run_image: str, stack: str, kind: str,
                       progress: Callable[[str], None] = log.info) -> str:
    """The image for add-ons of `kind` on this run image, built when missing."""
    dockerfile, entrypoint = _SOURCES[kind]
    text = dockerfile.format(run_image=run_image, data_dir=DATA_DIR, entrypoint=ENTRYPOINT)
    script = entrypoint.format(data_dir=DATA_DIR)
    run_id = images.size(run_image)[0]
    inputs = [run_id.encode(), text.encode(), script.encode()]
    digest = hashlib.sha256(b"\0".join(inputs)).hexdigest()
    ref = f"{stack_repository(stack)}:addon-{kind}-{digest[:12]}"
    labels = images.labels(ref)
    if labels is not None and labels.get(DIGEST_LABEL) == digest:
        return ref
    progress(f"stack {stack}: building the {kind} add-on image")
    context = tar_context({"Dockerfile": (text.encode(), 0o644),
                        "paas-addon-entrypoint": (script.encode(), 0o755)})
    images.build(context, tag=ref, labels={DIGEST_LABEL: digest, STACK_LABEL: stack},
                 on_output=lambda line: log.debug("%s add-on image: %s", kind, line))
    progress(f"stack {stack}: {kind} add-on image ready")
    return ref
