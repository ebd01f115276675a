"""The router on the Docker Engine: its image, its container, its configuration.

The image is the stack's run image plus Debian's nginx, tagged
`paas-stack-<stack>:router-<digest>` and rebuilt only when what it is made from
changes (like the stack images, shared read-only by every instance on the engine).

The container, `{instance}-router`, publishes the router port on the host, joins
every app network of its instance and restarts `unless-stopped`: requests keep
flowing while the control plane is down, and a restarted control plane adopts it.
nginx runs unprivileged (uid 1000, no capabilities) and appends its access lines
to a file in a host directory mounted into it (the platform's data directory). A new configuration (hosts,
maintenance, settings) is copied in, checked with `nginx -t`, moved into place and
loaded with `nginx -s reload`, which lets old workers finish their requests. A new
dyno table is only copied in: the balancer takes it up without a reload.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import logging
import tarfile
import os
import time
from pathlib import Path

import docker

from paas_platform.builder.stack import DIGEST_LABEL, STACK_LABEL, stack_repository
from paas_platform.domain.errors import NotFound, PaasError
from paas_platform.domain.router_config import (
    ACCESS_LOG_DIR, BACKENDS_FILE, BACKENDS_STATUS_PATH, BALANCER_DIR, BALANCER_MODULE, CONFIG_STATUS_PATH,
    STATUS_HOST, backends_generation, config_generation,
)
from paas_platform.domain.routing import WebEndpoint
from paas_platform.runtime.containers import ContainerSpec, create_kwargs
from paas_platform.runtime.engine import INSTANCE_LABEL, LABEL_PREFIX, engine_errors, instance_labels
from paas_platform.runtime.images import DockerImages
from paas_platform.runtime.networks import app_network_name

log = logging.getLogger("paas.router")

CONFIG_DIR = "/etc/paas-router"
CONFIG_FILE = f"{CONFIG_DIR}/nginx.conf"
NEXT_FILE = "nginx.conf.next"
LISTEN_PORT = 8080  # inside the container; the host port is PAAS_ROUTER_PORT
ROUTER_USER = "1000:1000"
ROUTER_MEMORY = 512 * 1024**2
ROLE_LABEL = f"{LABEL_PREFIX}.role"
PORT_LABEL = f"{LABEL_PREFIX}.router_port"
LOG_DIR_LABEL = f"{LABEL_PREFIX}.router_log_dir"
NGINX = ["nginx", "-c", CONFIG_FILE, "-e", "stderr"]

BALANCER_SOURCE = (Path(__file__).with_name("router_balancer.lua")).read_text()

# nginx and its Lua module, from Debian; the balancer (router_balancer.lua) beside it.
_DOCKERFILE = """FROM {run_image}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends nginx libnginx-mod-http-lua \\
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \\
 && mkdir -p {config_dir} {balancer_dir} \\
 && chown 1000:1000 {config_dir}
COPY --chown=1000:1000 nginx.conf {config_file}
COPY balancer.lua {balancer_dir}/{balancer_module}.lua
"""


def _generation_at(address: str, path: str) -> str | None:
    """The generation the router at `address` answers on its status `path`, if any."""
    connection = http.client.HTTPConnection(address, LISTEN_PORT, timeout=1)
    try:
        connection.request("GET", path, headers={"Host": STATUS_HOST, "Connection": "close"})
        response = connection.getresponse()
        return response.read().decode() if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


class RouterConfigRejected(PaasError):
    id = "router_config_rejected"


def router_container_name(instance: str) -> str:
    return f"{instance}-router"


# The image's own configuration, for a router started by hand; the platform copies
# in a rendered one before it starts the container. Constant, so that changes to the
# renderer never change the image (and never replace a running router).
PLACEHOLDER_CONFIG = """pid /tmp/nginx.pid;
events {}
http {
    access_log off;
    client_body_temp_path /tmp/nginx-client-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    server {
        listen 8080 default_server;
        return 404;
    }
}
"""


def _tar(files: dict[str, bytes], uid: int = 1000) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), 0o644, uid, uid
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def ensure_router_image(images: DockerImages, run_image: str, stack: str,
                        progress: Callable[[str], None] = log.info) -> str:
    """The router image for this run image, built when missing (idempotent by digest)."""
    text = _DOCKERFILE.format(run_image=run_image, config_dir=CONFIG_DIR, config_file=CONFIG_FILE,
                              balancer_dir=BALANCER_DIR, balancer_module=BALANCER_MODULE)
    config, balancer = PLACEHOLDER_CONFIG.encode(), BALANCER_SOURCE.encode()
    run_id = images.size(run_image)[0]
    digest = hashlib.sha256(
        b"\0".join([run_id.encode(), text.encode(), config, balancer])).hexdigest()
    ref = f"{stack_repository(stack)}:router-{digest[:12]}"
    labels = images.labels(ref)
    if labels is not None and labels.get(DIGEST_LABEL) == digest:
        return ref
    progress(f"stack {stack}: building the router image (nginx)")
    context = io.BytesIO(_tar({"Dockerfile": text.encode(), "nginx.conf": config,
                               "balancer.lua": balancer}, uid=0))
    images.build(context, tag=ref, labels={DIGEST_LABEL: digest, STACK_LABEL: stack},
                 on_output=lambda line: log.debug("router image: %s", line))
    progress(f"stack {stack}: router image ready")
    return ref


class DockerRouter:
    """The `{instance}-router` container and what the platform asks of it."""

    def __init__(self, client: docker.DockerClient, instance: str, log_dir: Path) -> None:
        self._client = client
        self._instance = instance
        self._log_dir = Path(log_dir).resolve()
        self.name = router_container_name(instance)

    # -- the container ---------------------------------------------------------------------

    def ensure(self, image: str, host_port: int, config: str, backends: str) -> bool:
        """Start the router with `config` and `backends`, or adopt the one running; True
        when adopted.

        A container made from another image, for another port or another log
        directory is replaced (an upgrade or a settings change); a stopped one is
        started again.
        """
        found = self._find()
        if found is not None:
            with engine_errors(f"inspecting image {image}"):
                image_id = self._client.images.get(image).id
            if (found.labels.get(PORT_LABEL) == str(host_port)
                    and found.labels.get(LOG_DIR_LABEL) == str(self._log_dir)
                    and found.attrs.get("Image") == image_id):
                if found.status != "running":
                    with engine_errors(f"starting {self.name}"):
                        found.start()
                    return False
                return True
            log.info("replacing %s: made from another image or for another port", self.name)
            with engine_errors(f"removing {self.name}"):
                found.remove(force=True)
        self._create(image, host_port, config, backends)
        return False

    def _find(self):
        try:
            with engine_errors(f"inspecting {self.name}"):
                container = self._client.containers.get(self.name)
        except NotFound:
            return None
        if container.labels.get(INSTANCE_LABEL) != self._instance:
            raise PaasError(f"a container named {self.name} exists that is not this platform's")
        return container

    def _create(self, image: str, host_port: int, config: str, backends: str) -> None:
        self._prepare_log_dir()
        spec = ContainerSpec(
            image=image, name=self.name,
            labels={**instance_labels(self._instance, role="router"), PORT_LABEL: str(host_port),
                    LOG_DIR_LABEL: str(self._log_dir)},
            command=[*NGINX, "-g", "daemon off;"], user=ROUTER_USER, working_dir=None,
            memory_bytes=ROUTER_MEMORY, volumes={str(self._log_dir): ACCESS_LOG_DIR},
        )
        kwargs = {
            **create_kwargs(spec),
            "ports": {f"{LISTEN_PORT}/tcp": host_port},
            # Survives a control-plane crash and a Docker restart; `docker stop` keeps it down.
            "restart_policy": {"Name": "unless-stopped"},
        }
        with engine_errors(f"starting {self.name} on port {host_port}"):
            container = self._client.containers.create(**kwargs)
            try:
                container.put_archive(CONFIG_DIR, _tar({"nginx.conf": config.encode(),
                                                        "backends": backends.encode()}))
                container.start()
            except docker.errors.DockerException:
                container.remove(force=True)  # e.g. the port is taken: leave nothing behind
                raise
        log.info("router %s started, publishing port %d", self.name, host_port)

    def _prepare_log_dir(self) -> None:
        """The host directory nginx (uid 1000 in the container) writes its access log to."""
        self._log_dir.mkdir(parents=True, exist_ok=True)
        try:
            os.chown(self._log_dir, 1000, 1000)
        except PermissionError:  # a platform not running as root: let anyone write
            self._log_dir.chmod(0o777)

    def container_id(self) -> str | None:
        found = self._find()
        return found.id if found is not None else None

    # -- networks ----------------------------------------------------------------------------

    def app_networks(self) -> dict[str, str]:
        """Network name -> app, for every app network of this instance."""
        with engine_errors("listing app networks"):
            networks = self._client.api.networks(filters={"label": [
                f"{INSTANCE_LABEL}={self._instance}", f"{LABEL_PREFIX}.app"]})
        return {n["Name"]: n["Labels"][f"{LABEL_PREFIX}.app"] for n in networks}

    def connected_networks(self) -> set[str]:
        with engine_errors(f"inspecting {self.name}"):
            attrs = self._client.api.inspect_container(self.name)
        return set((attrs.get("NetworkSettings") or {}).get("Networks") or {})

    def connect(self, network: str) -> None:
        with engine_errors(f"connecting {self.name} to {network}"):
            self._client.api.connect_container_to_network(self.name, network)

    def disconnect(self, network: str) -> None:
        try:
            with engine_errors(f"disconnecting {self.name} from {network}"):
                self._client.api.disconnect_container_from_network(self.name, network)
        except NotFound:
            pass

    # -- dynos -------------------------------------------------------------------------------

    def web_endpoints(self) -> list[WebEndpoint]:
        """Running web dynos of this instance with their app-network addresses (one call)."""
        with engine_errors("listing web dynos"):
            containers = self._client.api.containers(filters={"status": "running", "label": [
                f"{INSTANCE_LABEL}={self._instance}", f"{ROLE_LABEL}=dyno",
                f"{LABEL_PREFIX}.process_type=web"]})
        found = []
        for c in containers:
            labels = c.get("Labels") or {}
            app = labels.get(f"{LABEL_PREFIX}.app", "")
            networks = (c.get("NetworkSettings") or {}).get("Networks") or {}
            address = (networks.get(app_network_name(self._instance, app)) or {}).get("IPAddress")
            if not address:
                continue
            found.append(WebEndpoint(
                container_id=c["Id"], app=app, number=int(labels[f"{LABEL_PREFIX}.number"]),
                release_version=int(labels[f"{LABEL_PREFIX}.release"]), address=address))
        return found

    # -- configuration -----------------------------------------------------------------------

    def current_config(self) -> str | None:
        """The configuration the router holds (None when it cannot be read)."""
        return self._read(CONFIG_FILE)

    def current_backends(self) -> str | None:
        """The dyno table the router holds (None when it cannot be read)."""
        return self._read(BACKENDS_FILE)

    def _read(self, path: str) -> str | None:
        try:
            with engine_errors(f"reading {path} in {self.name}"):
                chunks, _ = self._client.api.get_archive(self.name, path)
                data = b"".join(chunks)
        except NotFound:
            return None
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            member = tar.extractfile(tar.getmembers()[0])
            return member.read().decode() if member else None

    def load_backends(self, text: str) -> None:
        """Give the balancer a new dyno table (no reload); return once it is in use."""
        directory, name = BACKENDS_FILE.rsplit("/", 1)
        with engine_errors(f"configuring {self.name}"):
            if not self._client.api.put_archive(self.name, directory, _tar({name: text.encode()})):
                raise RouterConfigRejected(f"could not copy the dyno table into {self.name}")
        self._wait_live(BACKENDS_STATUS_PATH, backends_generation(text), confirmations=1)

    def load_config(self, text: str) -> None:
        """Check `text` with nginx -t, put it in place and reload gracefully.

        A rejected configuration raises RouterConfigRejected and leaves the running
        one (and the file a restarted router would read) untouched.
        """
        with engine_errors(f"configuring {self.name}"):
            if not self._client.api.put_archive(self.name, CONFIG_DIR, _tar({NEXT_FILE: text.encode()})):
                raise RouterConfigRejected(f"could not copy the configuration into {self.name}")
        next_file = f"{CONFIG_DIR}/{NEXT_FILE}"
        code, output = self._exec(["nginx", "-t", "-q", "-c", next_file, "-e", "stderr"])
        if code != 0:
            raise RouterConfigRejected(f"nginx rejected the configuration: {output.strip()}")
        for argv in (["mv", "-f", next_file, CONFIG_FILE], [*NGINX, "-s", "reload"]):
            code, output = self._exec(argv)
            if code != 0:
                raise RouterConfigRejected(f"{' '.join(argv)} failed: {output.strip()}")
        generation = config_generation(text)
        if generation is not None:
            self._wait_live(CONFIG_STATUS_PATH, generation, confirmations=3)

    def _wait_live(self, path: str, generation: str, confirmations: int,
                   timeout: float = 10.0) -> None:
        """Return once new requests meet the new configuration or dyno table.

        `nginx -s reload` only signals the master; it starts new workers, then tells
        the old ones to stop accepting: several answers in a row from the new
        generation mean that has happened. A dyno table is shared by all workers: one
        answer is enough. (A drain relies on this before dynos stop.)
        """
        address = self._address()
        deadline, in_a_row = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            in_a_row = in_a_row + 1 if _generation_at(address, path) == generation else 0
            if in_a_row == confirmations:
                return
            time.sleep(0.005 if in_a_row else 0.02)
        raise RouterConfigRejected(f"{self.name} did not take up the change within "
                                   f"{timeout:.0f} s")

    def _address(self) -> str:
        with engine_errors(f"inspecting {self.name}"):
            attrs = self._client.api.inspect_container(self.name)
        networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
        for name in ("bridge", *sorted(networks)):
            address = (networks.get(name) or {}).get("IPAddress")
            if address:
                return address
        raise RouterConfigRejected(f"{self.name} has no address to check its configuration on")

    def _exec(self, argv: list[str]) -> tuple[int, str]:
        api = self._client.api
        with engine_errors(f"running {argv[0]} in {self.name}"):
            exec_id = api.exec_create(self.name, argv, user=ROUTER_USER)["Id"]
            output = api.exec_start(exec_id)
            code = api.exec_inspect(exec_id).get("ExitCode")
        return (1 if code is None else int(code)), output.decode("utf-8", "replace")

    # -- the access log ----------------------------------------------------------------------

    def reopen_logs(self) -> None:
        """Make nginx reopen its access log (after the platform renamed it)."""
        code, output = self._exec([*NGINX, "-s", "reopen"])
        if code != 0:
            raise RouterConfigRejected(f"nginx -s reopen failed: {output.strip()}")
