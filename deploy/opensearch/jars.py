"""The jars of a local OpenSearch node: fetched by Maven (pom.xml), plus the compiled launcher.

Used by cluster.py; `python3 deploy/opensearch/cluster.py fetch` refreshes them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["ClusterError", "LIB", "LAUNCHER_CLASSES", "fetch", "find_tool", "opensearch_version"]

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LIB = HERE / "lib"  # git-ignored
LAUNCHER = HERE / "OsNode.java"
LAUNCHER_CLASSES = LIB / "launcher"


class ClusterError(Exception):
    """The cluster could not be fetched, started, stopped or reached."""


def find_tool(name: str, env_home: str | None = None) -> str:
    """The path of java, javac or mvn ($JAVA_HOME/bin first when env_home names it)."""
    home = os.environ.get(env_home) if env_home else None
    path = str(Path(home) / "bin" / name) if home else shutil.which(name)
    if not path or not Path(path).exists():
        raise ClusterError(f"{name} not found (install a JDK 17 and Maven, or set JAVA_HOME)")
    return path


def opensearch_version() -> str:
    """The OpenSearch version pinned in pom.xml."""
    match = re.search(r"<opensearch.version>([^<]+)<", POM.read_text(encoding="utf-8"))
    if not match:
        raise ClusterError(f"no opensearch.version in {POM}")
    return match.group(1)


def jars_present() -> bool:
    """True when lib/ holds the jars of the pinned version."""
    return (LIB / f"opensearch-{opensearch_version()}.jar").exists()


def fetch(force: bool = False, timeout: float = 900) -> None:
    """Copy the pinned jars into lib/ with Maven (only when missing) and compile the launcher."""
    if force or not jars_present():
        LIB.mkdir(exist_ok=True)
        for jar in LIB.glob("*.jar"):  # never mix versions on the classpath
            jar.unlink()
        shutil.rmtree(LAUNCHER_CLASSES, ignore_errors=True)  # compile against the new jars
        print(f"fetching the OpenSearch {opensearch_version()} jars with Maven ...",
              file=sys.stderr, flush=True)
        _run([find_tool("mvn"), "-B", "-q", "-f", str(POM), "dependency:copy-dependencies"],
             "fetching the OpenSearch jars with Maven", timeout)
        if not jars_present():
            raise ClusterError(f"Maven finished but {LIB} has no opensearch jar")
    compiled = LAUNCHER_CLASSES / "OsNode.class"
    if not compiled.exists() or compiled.stat().st_mtime < LAUNCHER.stat().st_mtime:
        _run([find_tool("javac", "JAVA_HOME"), "-nowarn", "-cp", str(LIB / "*"),
              "-d", str(LAUNCHER_CLASSES), str(LAUNCHER)], "compiling OsNode.java", timeout)


def _run(cmd: list[str], what: str, timeout: float) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise ClusterError(f"{what}: no result after {timeout:.0f} s") from e
    if done.returncode != 0:
        raise ClusterError(f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
