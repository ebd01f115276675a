"""Start a throwaway control plane for a benchmark and clean up what it made."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
TOKEN = "benchmark-token-" + uuid.uuid4().hex
HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def tar_of(files: dict[str, str], compress: bool = False) -> bytes:
    """A tar (gzipped with `compress`, as the builds API takes it) of name -> text."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Platform:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = f"bench{uuid.uuid4().hex[:8]}"
        self.dir = Path(tempfile.mkdtemp(prefix="paas-bench-"))
        self.env = {**os.environ, "PAAS_API_HOST": "127.0.0.1", "PAAS_API_PORT": str(self.port),
                    "PAAS_DATA_DIR": str(self.dir / "data"), "PAAS_BOOTSTRAP_TOKEN": TOKEN,
                    "PAAS_INSTANCE": self.instance, "PAAS_RENDEZVOUS_PORT": str(_free_port())}
        if "PAAS_EXTRA_CA_CERTS" not in os.environ and os.path.exists(HOST_CA_BUNDLE):
            self.env["PAAS_EXTRA_CA_CERTS"] = HOST_CA_BUNDLE

    def __enter__(self) -> "Platform":
        subprocess.run([str(BIN / "paas-platform"), "stack:build"], env=self.env, check=True,
                       capture_output=True)
        self.log = open(self.dir / "platform.log", "wb")
        self.proc = subprocess.Popen([str(BIN / "paas-platform"), "up"], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the platform did not start")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()
        from paas_platform.runtime.cleanup import remove_instance_objects
        from paas_platform.runtime.engine import connect

        client = connect()
        remove_instance_objects(client, self.instance)
        client.close()

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=60)

    def git_env(self, home: Path) -> dict[str, str]:
        netrc = home / ".netrc"
        netrc.write_text(f"machine 127.0.0.1 login admin password {TOKEN}\n")
        netrc.chmod(0o600)
        return {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
                "HOME": str(home), "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "b",
                "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
                "GIT_COMMITTER_EMAIL": "b@example.com"}
