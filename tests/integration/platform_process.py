"""Start and stop a real `paas-platform up` process for integration tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
PLATFORM_BIN = Path(sys.executable).with_name("paas-platform")
CLI_BIN = Path(sys.executable).with_name("paas")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PlatformProcess:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir / "platform.log"
        self.env = {
            **os.environ,
            "PAAS_API_HOST": "127.0.0.1",
            "PAAS_API_PORT": str(self.port),
            "PAAS_DATA_DIR": str(data_dir),
            # Each platform under test gets its own `paas run` port, router port and
            # instance label: they run side by side, and never touch the objects of a
            # platform someone runs on this machine (instance `paas`, router on 8080).
            "PAAS_RENDEZVOUS_PORT": str(free_port()),
            "PAAS_ROUTER_PORT": str(free_port()),
            "PAAS_INSTANCE": f"t{uuid.uuid4().hex[:10]}",
            **env,
        }
        self.instance = self.env["PAAS_INSTANCE"]
        self.proc: subprocess.Popen | None = None

    def admin(self, *args: str) -> subprocess.CompletedProcess:
        """Run `paas-platform ARGS` against the same settings."""
        return subprocess.run([str(PLATFORM_BIN), *args], env=self.env, capture_output=True,
                              text=True, timeout=120)

    def start(self, timeout: float = 60) -> "PlatformProcess":
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(PLATFORM_BIN), "up"], env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"paas-platform up exited {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"paas-platform up not ready after {timeout}s:\n{self.output()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
