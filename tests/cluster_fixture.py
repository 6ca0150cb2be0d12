"""One real two-node OpenSearch cluster per test session (deploy/opensearch/cluster.py).

On free ports with a temporary data directory; every module that asks for `cluster`
shares it (conftest.py imports the fixture), so a session starts two JVMs once. Without
Java or Maven the tests skip, except in CI, where they fail; a cluster that does not
start fails them everywhere.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

__all__ = ["cluster", "LocalCluster", "CLUSTER_PY", "WAIT"]

CLUSTER_PY = ROOT / "deploy" / "opensearch" / "cluster.py"
SCRIPT_TIMEOUT = 300  # seconds for one `cluster.py start` (it waits for green itself)
WAIT = "60s"  # OpenSearch-side wait_for_* timeouts


def _require_java_and_maven() -> None:
    missing = [tool for tool in ("java", "javac", "mvn") if shutil.which(tool) is None]
    if missing:
        message = (f"{', '.join(missing)} not installed: the cluster tests need a JDK 17 and "
                   f"Maven (apt-get install openjdk-17-jdk-headless maven)")
        if IN_CI:
            pytest.fail(message + " - CI must install them")
        pytest.skip(message)


# Below Linux's ephemeral range (32768-60999): the ports the kernel hands to clients and
# to servers bound to port 0 (the other tests' gunicorns, xdist's other worker) never
# come from here, so a block found free stays free until the nodes bind it.
PORT_RANGE = (20000, 32000)
START_ATTEMPTS = 3  # a port taken all the same between the check and the bind: new ports


def _free_port_block(size: int = 4) -> int:
    """A port p with p .. p + size - 1 all free on 127.0.0.1, outside the ephemeral range."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(PORT_RANGE[0], PORT_RANGE[1] - size)
        if all(_port_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class LocalCluster:
    data_dir: Path
    args: list[str]
    urls: list[str]
    client: httpx.Client  # talks to node 1, the cluster manager

    def script(self, command: str) -> subprocess.CompletedProcess:
        """Run `cluster.py COMMAND` with this cluster's options."""
        return subprocess.run([sys.executable, str(CLUSTER_PY), command, *self.args],
                              capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)

    def pid(self, node: int) -> int:
        return int((self.data_dir / f"node-{node}.pid").read_text())

    def health(self, **params) -> dict:
        return self.client.get("/_cluster/health", params=params).json()


def _script_args(data_dir: Path) -> list[str]:
    base = _free_port_block()
    return ["--data-dir", str(data_dir), "--http-port", str(base),
            "--transport-port", str(base + 2), "--cluster-name", "kartoteka-test",
            "--owner-pid", str(os.getpid())]  # no JVM outlives a killed test run


def _start(data_dir: Path) -> tuple[list[str], subprocess.CompletedProcess]:
    """`cluster.py start` on a free port block; again on other ports when a node could
    not bind its own or exited at once (the nodes started are stopped first)."""
    for attempt in range(START_ATTEMPTS):
        args = _script_args(data_dir)
        start = subprocess.run([sys.executable, str(CLUSTER_PY), "start", *args],
                               capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
        said = start.stdout + start.stderr
        taken = any(sign in said for sign in ("BindException", "Address already in use",
                                              "exited during start-up"))
        if start.returncode == 0 or not taken or attempt == START_ATTEMPTS - 1:
            return args, start
        subprocess.run([sys.executable, str(CLUSTER_PY), "stop", *args],
                       capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A fresh two-node cluster for the session, stopped (SIGTERM) at the end."""
    _require_java_and_maven()
    data_dir = tmp_path_factory.mktemp("cluster")
    args, start = _start(data_dir)
    urls = []
    for line in start.stdout.splitlines():
        if line.startswith("KARTOTEKA_OPENSEARCH_URL="):
            urls = line.split("=", 1)[1].split(",")
    with httpx.Client(base_url=urls[0] if urls else "http://127.0.0.1:1", timeout=90,
                      trust_env=False) as client:
        local = LocalCluster(data_dir, args, urls, client)
        try:
            assert start.returncode == 0, start.stdout + start.stderr
            yield local
        finally:
            stopped = local.script("stop")
            assert stopped.returncode == 0, stopped.stderr
            assert not list(data_dir.glob("node-*.pid"))
