"""The built wheel, installed into a fresh venv, reindexes, searches and serves from anywhere.

The wheel is built from a clean copy of the source tree without network
(`pip wheel --no-build-isolation --no-index`, the test extra brings setuptools) and installed
with `--no-deps` into a new venv; its dependencies come from the project's .venv through a
.pth line, so the package's own files (code, gunicorn settings, the sample, dictionaries)
come only from the wheel. Everything then runs from an empty temporary directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.server_helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
_CACHES = shutil.ignore_patterns(".venv", ".git", "__pycache__", "build", "dist", "*.egg-info",
                                 ".pytest_cache", ".ruff_cache", ".hypothesis", "*.log")


def _not_sources(folder: str, names: list[str]) -> set[str]:
    """What a clean checkout would not have: caches, the venv, built indexes, bench output."""
    skip = set(_CACHES(folder, names))
    if Path(folder) in (ROOT / "index_data", ROOT / "bench"):
        skip |= {"index", "out"} & set(names)
    return skip
SERVE_TIMEOUT = 60.0


def _run(argv: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=300,
                          **kwargs)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; its bin/ directory."""
    tmp = tmp_path_factory.mktemp("package")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=_not_sources)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--no-index", "--wheel-dir", tmp / "wheels", source])
    [wheel] = (tmp / "wheels").glob("kartoteka-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                .stdout.strip())
    (site / "kartoteka-test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
          "--no-index", wheel])
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path) -> tuple[Path, dict[str, str]]:
    """An empty working directory outside any checkout, and an environment with its own HOME."""
    (tmp_path / "work").mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KARTOTEKA_", "XDG_", "PYTHON"))}
    env["HOME"] = str(tmp_path / "home")
    return tmp_path / "work", env


def test_wheel_holds_the_package_files(installed):
    code = ("import api.gunicorn_conf, search, search.settings as s; "
            "print(search.__file__); print(s.SAMPLE_DIR); print(len(list(s.SAMPLE_DIR.rglob('*.*'))))")
    out = _run([installed / "python", "-c", code], cwd=installed).stdout.splitlines()
    site = installed.parent / "lib"
    assert Path(out[0]).is_relative_to(site), out
    assert Path(out[1]).is_relative_to(site), out
    assert int(out[2]) == len([p for p in (ROOT / "search/data/sample").rglob("*.*")])


def test_installed_kartoteka_reindexes_searches_and_serves_anywhere(installed, elsewhere):
    work, env = elsewhere
    kartoteka = installed / "kartoteka"
    index_dir = Path(env["HOME"]) / ".local" / "share" / "kartoteka" / "index"

    done = _run([kartoteka, "reindex", "--sample", "--no-progress"], cwd=work, env=env)
    assert done.stdout.startswith("добавлено: 70  обновлено: 0  удалено: 0  пропущено: 0\n")
    assert (index_dir / "CURRENT").is_file()
    assert list(work.iterdir()) == []  # nothing written where it ran
    assert not list(installed.parent.glob("lib/*/site-packages/index_data"))

    stats = _run([kartoteka, "stats"], cwd=work, env=env).stdout
    assert (f"каталог индекса: {index_dir}  (выбран по умолчанию: каталог данных "
            "пользователя)") in stats
    found = json.loads(_run([kartoteka, "search", "выставка", "--json"], cwd=work,
                            env=env).stdout)
    assert found["total"] > 0

    # served from a directory that holds a package of its own named `api` (not ours)
    (work / "api").mkdir()
    (work / "api" / "__init__.py").write_text("", encoding="utf-8")
    port = free_port()
    log = work.parent / "serve.log"
    with open(log, "wb") as out, _serving(
            [kartoteka, "serve", "--port", str(port), "--workers", "1"], work, env, out):
        body = _get_when_up(port, "/api/search?" + urllib.parse.urlencode({"q": "выставка"}),
                            log)
        assert body["total"] == found["total"] and body["hits"]
    said = log.read_text(encoding="utf-8")
    assert (f"каталог индекса: {index_dir}  (выбран по умолчанию: каталог данных "
            "пользователя)") in said
    assert "Traceback" not in said


def test_installed_kartoteka_uses_a_source_checkout_index(installed, elsewhere):
    work, env = elsewhere
    (work / "pyproject.toml").write_text('[project]\nname = "kartoteka"\n')
    (work / "deep" / "er").mkdir(parents=True)
    _run([installed / "kartoteka", "reindex", "--sample", "--quiet", "--no-progress"],
         cwd=work / "deep" / "er", env=env)
    assert (work / "index_data" / "index" / "CURRENT").is_file()
    stats = _run([installed / "kartoteka", "stats"], cwd=work / "deep", env=env).stdout
    assert (f"каталог индекса: {work / 'index_data' / 'index'}  (выбран по рабочей копии "
            f"исходников {work})") in stats


@contextlib.contextmanager
def _serving(argv: list, cwd: Path, env: dict[str, str], out):
    proc = subprocess.Popen([str(a) for a in argv], cwd=cwd, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _get_when_up(port: int, path: str, log: Path) -> dict:
    deadline = time.monotonic() + SERVE_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the server did not answer in {SERVE_TIMEOUT} s\n{log.read_text()}")


def test_the_sdist_carries_the_deploy_files_and_no_jars(tmp_path):
    """An administrator installing from the sdist gets the systemd unit and the cron file
    (a wheel cannot carry them); the OpenSearch jars Maven fetched stay out."""
    import tarfile

    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_not_sources)
    (source / "deploy" / "opensearch" / "lib").mkdir(exist_ok=True)
    (source / "deploy" / "opensearch" / "lib" / "opensearch-x.jar").write_bytes(b"jar")
    _run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
          "build_meta.build_sdist(sys.argv[1])", tmp_path / "dist"], cwd=source)
    [sdist] = (tmp_path / "dist").glob("kartoteka-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"deploy/kartoteka.service", "deploy/kartoteka-reindex.cron",
            "deploy/opensearch/cluster.py", "deploy/opensearch/pom.xml"} <= names
    assert not [n for n in names if n.endswith(".jar")]


def test_the_opensearch_engine_without_its_client_says_how_to_install_it(installed, tmp_path):
    """The OpenSearch client is an extra; the wheel's venv has it only through the
    project's .pth. Without it, one error line names the extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")}
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "opensearchpy.py").write_text("raise ModuleNotFoundError(\"No module named "
                                             "'opensearchpy'\", name='opensearchpy')\n")
    env.update(KARTOTEKA_ENGINE="opensearch", PYTHONPATH=str(blocker))
    done = subprocess.run([str(installed / "kartoteka"), "stats"], capture_output=True,
                          text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith("pip install 'kartoteka[opensearch]'"), done.stderr
