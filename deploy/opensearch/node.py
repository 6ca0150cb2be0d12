"""One node of the local OpenSearch cluster (deploy/opensearch/cluster.py): its ports,
home directory, pid file and logs, whether its JVM runs, and signalling it.
Standard library only, so it runs without the project's venv.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Node", "signal_node", "port_free"]


@dataclass(frozen=True)
class Node:
    """One node: its number, ports and home directory."""

    number: int
    http_port: int
    transport_port: int
    data_dir: Path

    @property
    def name(self) -> str:
        return f"node-{self.number}"

    @property
    def home(self) -> Path:
        return self.data_dir / self.name

    @property
    def pid_file(self) -> Path:
        return self.data_dir / f"{self.name}.pid"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def stdout_log(self) -> Path:
        return self.home / "logs" / "stdout.log"

    def pid(self) -> int | None:
        """The process id of this node's running JVM, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _is_our_jvm(pid, self.home) else None

    def log_tail(self, lines: int = 25) -> str:
        """The last lines of the node's own log and of its JVM's stdout/stderr."""
        parts = []
        for path in sorted((self.home / "logs").glob("*.log")):
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            if text:
                parts.append(f"--- {path} (last {len(text)} lines)\n" + "\n".join(text))
        return "\n".join(parts) or f"--- no logs under {self.home / 'logs'}"


def _is_our_jvm(pid: int, home: Path) -> bool:
    """True when pid is a live (not zombie) OsNode process for this node home."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X") and b"OsNode" in cmdline and (
        f"path.home={home}".encode() in cmdline)


def signal_node(node: Node, sig: int) -> None:
    pid = node.pid()
    if pid is not None:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:  # it has just exited
            pass


def port_free(port: int) -> bool:
    """True when nothing listens on the port; TIME_WAIT leftovers of a killed node are fine."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the node binds
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
