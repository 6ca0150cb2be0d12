"""A local two-node OpenSearch cluster from Maven jars, for development and tests.

    python3 deploy/opensearch/cluster.py start [--data-dir DIR] [--http-port 9200] [--transport-port 9300]
    python3 deploy/opensearch/cluster.py stop [--data-dir DIR]
    python3 deploy/opensearch/cluster.py status [--data-dir DIR]
    python3 deploy/opensearch/cluster.py fetch

Node N (1 or 2) is its own JVM (OsNode.java over the jars that pom.xml copies to lib/),
listening on 127.0.0.1 at http-port + N - 1 and transport-port + N - 1, with its home
(config, data, logs) in DIR/node-N/ and its process id in DIR/node-N.pid. Node 1 is the
cluster manager (and holds data); node 2 only holds data. `start` starts the nodes that are
not running, so it also restarts a node that died, then waits for green. The ports are
remembered in DIR/cluster.json. Standard library only, so it runs without the project's venv.
One node's process is deploy/opensearch/node.py; the Maven jars are deploy/opensearch/jars.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from jars import LAUNCHER_CLASSES, LIB, ClusterError, fetch, find_tool, opensearch_version
from node import Node, port_free, signal_node

__all__ = ["ClusterError", "Cluster", "main"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_DATA_DIR = ROOT / "index_data" / "cluster"
NODES = 2
STOP_TIMEOUT = 30  # seconds between SIGTERM and SIGKILL
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
ROLES = {1: "cluster_manager,data,ingest", 2: "data"}
# From the distribution's SystemJvmOptions: Netty and Log4j as OpenSearch expects them.
JVM_FLAGS = [
    "-Dio.netty.noUnsafe=true", "-Dio.netty.noKeySetOptimization=true",
    "-Dio.netty.recycler.maxCapacityPerThread=0", "-Dio.netty.allocator.numDirectArenas=0",
    "-Dlog4j.shutdownHookEnabled=false", "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8", "-Djava.locale.providers=SPI,COMPAT",
    "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
]


class Cluster:
    """The two nodes under one data directory."""

    def __init__(self, data_dir: Path, http_port: int | None = None,
                 transport_port: int | None = None, cluster_name: str | None = None,
                 heap: str = "512m", owner_pid: int | None = None):
        self.data_dir = data_dir.resolve()
        self.saved = saved = self._saved()
        self.http_port = http_port or saved.get("http_port", 9200)
        self.transport_port = transport_port or saved.get("transport_port", 9300)
        self.name = cluster_name or saved.get("cluster_name", "kartoteka-dev")
        self.heap = heap
        self.owner_pid = owner_pid
        self.nodes = [Node(n, self.http_port + n - 1, self.transport_port + n - 1,
                           self.data_dir) for n in range(1, NODES + 1)]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def _saved(self) -> dict:
        try:
            return json.loads((self.data_dir / "cluster.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _state(self) -> dict:
        return {"cluster_name": self.name, "http_port": self.http_port,
                "transport_port": self.transport_port}

    def _save(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "cluster.json").write_text(json.dumps(self._state(), indent=1) + "\n")

    def start(self, timeout: float = 240) -> dict:
        """Start every node that is not running and wait for green; return the health."""
        fetch()
        started = [node for node in self.nodes if node.pid() is None]
        if len(started) < NODES and self.saved and self.saved != self._state():
            raise ClusterError(f"the cluster in {self.data_dir} runs with {self.saved}: "
                               f"stop it first to change its ports or name")
        for node in started:
            for port in (node.http_port, node.transport_port):
                if not port_free(port):
                    raise ClusterError(f"port {port} of {node.name} is taken by another "
                                       f"process (another cluster? try `cluster.py stop`)")
        self._save()
        procs = {node.name: self._spawn(node) for node in started}
        try:
            return self.wait_green(timeout, watch=procs)
        except ClusterError:
            self._terminate(started, STOP_TIMEOUT)  # leave nothing half-started behind
            raise

    def _spawn(self, node: Node) -> subprocess.Popen:
        (node.home / "config").mkdir(parents=True, exist_ok=True)
        (node.home / "logs").mkdir(exist_ok=True)
        shutil.copy(HERE / "log4j2.properties", node.home / "config" / "log4j2.properties")
        seeds = ",".join(f"127.0.0.1:{n.transport_port}" for n in self.nodes)
        settings = {
            "cluster.name": self.name, "node.name": node.name,
            "node.roles": ROLES[node.number], "path.home": node.home,
            "path.data": node.home / "data", "path.logs": node.home / "logs",
            # where `fs` snapshot repositories may be (README, Backups): one for the nodes
            "path.repo": node.home.parent / "snapshots",
            "network.host": "127.0.0.1", "http.port": node.http_port,
            "transport.port": node.transport_port, "discovery.seed_hosts": seeds,
            # Development machines run with little free disk: never go read-only for it.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }
        if node.number == 1:  # ignored once the cluster has formed
            settings["cluster.initial_cluster_manager_nodes"] = self.nodes[0].name
        owner = [f"-Dkartoteka.owner.pid={self.owner_pid}"] if self.owner_pid else []
        cmd = [find_tool("java", "JAVA_HOME"), f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS,
               *owner,
               "-cp", f"{LAUNCHER_CLASSES}{os.pathsep}{LIB / '*'}", "OsNode",
               *(f"{key}={value}" for key, value in settings.items())]
        with open(node.stdout_log, "ab") as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        node.pid_file.write_text(f"{proc.pid}\n")
        return proc

    def health(self, params: str = "", timeout: float = 10) -> dict | None:
        """GET _cluster/health from the first node that answers, or None."""
        for url in self.urls:
            try:
                with _HTTP.open(f"{url}/_cluster/health{params}", timeout=timeout) as resp:
                    return json.load(resp)
            except urllib.error.HTTPError as e:  # 408: wait_for_* timed out, body is health
                if e.code == 408:
                    return json.load(e)
            except (OSError, ValueError):
                continue
        return None

    def wait_green(self, timeout: float, watch: dict[str, subprocess.Popen]) -> dict:
        """Wait until both nodes have joined and the cluster is green; fail if one exits."""
        deadline = time.monotonic() + timeout
        params = f"?wait_for_nodes={NODES}&wait_for_status=green&timeout=5s"
        health = None
        while time.monotonic() < deadline:
            for name, proc in watch.items():
                if proc.poll() is not None:
                    raise ClusterError(f"{name} exited during start-up (exit code "
                                       f"{proc.returncode})\n" + self._tails())
            health = self.health(params)
            if health and not health.get("timed_out") and health["status"] == "green":
                return health
            if health is None:
                time.sleep(1)  # no node answers HTTP yet
        raise ClusterError(f"cluster not green after {timeout:.0f} s (last health: {health})\n"
                           + self._tails())

    def _tails(self) -> str:
        return "\n".join(node.log_tail() for node in self.nodes)

    def stop(self, timeout: float = STOP_TIMEOUT) -> list[str]:
        """Stop every running node; the names of those that were running."""
        return self._terminate(self.nodes, timeout)

    def _terminate(self, nodes: list[Node], timeout: float) -> list[str]:
        """SIGTERM the nodes, SIGKILL those still alive after timeout, remove the pid files."""
        running = [node for node in nodes if node.pid() is not None]
        for node in running:
            signal_node(node, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(n.pid() for n in running) and time.monotonic() < deadline:
            time.sleep(0.2)
        for node in running:
            signal_node(node, signal.SIGKILL)
        for node in nodes:
            node.pid_file.unlink(missing_ok=True)
        return [node.name for node in running]

    def status(self) -> list[str]:
        """One line per node (pid, URL) and one for the cluster's health."""
        lines = [f"{node.name}: {'pid ' + str(pid) if (pid := node.pid()) else 'not running'}"
                 f" {node.url} ({ROLES[node.number]})" for node in self.nodes]
        health = self.health()
        # a node up without a cluster manager (node 1 gone: node 2 holds data only and
        # cannot become one) answers health with a 503, though it serves searches
        answering = [node.url for node in self.nodes if not health and _answers(node.url)]
        lines.append(f"cluster {self.name}: " + (
            f"{health['status']}, {health['number_of_nodes']} nodes" if health
            else f"no cluster manager (answering: {', '.join(answering)}; searches work, "
                 "writes wait for it)" if answering else "not reachable"))
        return lines


def _answers(url: str, timeout: float = 3) -> bool:
    """Whether an HTTP server answers at `url`, with anything (an error too)."""
    try:
        with _HTTP.open(url + "/", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "fetch"])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="node homes, pid files and cluster.json (default index_data/cluster)")
    parser.add_argument("--http-port", type=int,
                        help="node 1's HTTP port, node 2 uses the next (default 9200)")
    parser.add_argument("--transport-port", type=int,
                        help="node 1's transport port, node 2 uses the next (default 9300)")
    parser.add_argument("--cluster-name", help="default kartoteka-dev")
    parser.add_argument("--heap", default="512m", help="JVM heap of each node (default 512m)")
    parser.add_argument("--owner-pid", type=int,
                        help="nodes started now exit when this process ends (test runs)")
    parser.add_argument("--timeout", type=float, default=240,
                        help="seconds `start` waits for green (default 240)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The command line: start, stop, status or fetch; exit 1 with 'error: ...' on failure."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            fetch(force=True)
            print(f"OpenSearch {opensearch_version()} jars in {LIB}")
            return 0
        cluster = Cluster(args.data_dir, args.http_port, args.transport_port,
                          args.cluster_name, args.heap, args.owner_pid)
        if args.command == "start":
            health = cluster.start(args.timeout)
            print(f"cluster {cluster.name} is {health['status']} with "
                  f"{health['number_of_nodes']} nodes; data in {cluster.data_dir}")
            print(f"KARTOTEKA_OPENSEARCH_URL={','.join(cluster.urls)}")
        elif args.command == "stop":
            stopped = cluster.stop()
            print("stopped " + (", ".join(stopped) if stopped else "nothing (no node running)"))
        else:
            print("\n".join(cluster.status()))
            return 0 if all(node.pid() for node in cluster.nodes) else 1
    except ClusterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
