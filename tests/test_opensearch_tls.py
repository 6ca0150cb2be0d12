"""Basic auth and TLS to the cluster, through `kartoteka search` with KARTOTEKA_* settings.

The session cluster has no security plugin, so a small HTTPS front (a self-signed
certificate made by `openssl`, basic auth required, every request relayed to node 1)
stands where a secured cluster's HTTP layer would. What is tested is ours: credentials
taken from the URL, the CA bundle, the verify switch, and a clear error line for a wrong
password or an untrusted certificate.
"""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from indexer.cli import main
from tests.conftest import require_tool

pytestmark = pytest.mark.cluster

USER, PASSWORD = "kartoteka", "s3cret:p@ss"  # a colon and an @: quoted in the URL
QUERY = "библиотека"


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA) and its key."""
    openssl = require_tool("openssl")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def _front(upstream: str, cert: Path, key: Path) -> ThreadingHTTPServer:
    """HTTPS on a free port: 401 without the right basic auth, else relayed to `upstream`."""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    client = httpx.Client(base_url=upstream, timeout=60)

    class Relay(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="kartoteka"')
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else None
            if self.headers.get("Authorization") != expected:
                error = {"error": {"type": "security_exception", "reason": "unauthorized"},
                         "status": 401}
                self._answer(401, json.dumps(error).encode(), "application/json")
                return
            resp = client.request(self.command, self.path, content=data, headers={
                "Content-Type": self.headers.get("Content-Type", "application/json")})
            self._answer(resp.status_code, resp.content,
                         resp.headers.get("Content-Type", "application/json"))

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

    server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def secured(opensearch_sample, cluster, tmp_path_factory):
    """(url with credentials, url without, the CA file, the contract sample's settings)."""
    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    server = _front(cluster.urls[0], cert, key)
    port = server.server_address[1]
    quoted = str(httpx.URL(f"https://127.0.0.1:{port}").copy_with(
        username=USER, password=PASSWORD))
    yield quoted, f"https://127.0.0.1:{port}", cert, opensearch_sample
    server.shutdown()
    server.server_close()


def _search(monkeypatch, capsys, sample, url: str, **env: str) -> tuple[int, str, str]:
    monkeypatch.setenv("KARTOTEKA_ENGINE", "opensearch")
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_URL", url)
    monkeypatch.setenv("KARTOTEKA_OPENSEARCH_PREFIX", sample.opensearch_prefix)
    for name in ("KARTOTEKA_OPENSEARCH_CA_CERTS", "KARTOTEKA_OPENSEARCH_VERIFY_CERTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(["--quiet", "--index-dir", str(sample.index_dir), "search", "--json", QUERY])
    out = capsys.readouterr()
    return code, out.out, out.err


def _total(out: str) -> int:
    return json.loads(out)["total"]


def test_credentials_in_the_url_and_a_ca_bundle_reach_the_cluster(secured, cluster,
                                                                   monkeypatch, capsys):
    url, _, cert, sample = secured
    code, out, err = _search(monkeypatch, capsys, sample, url,
                             KARTOTEKA_OPENSEARCH_CA_CERTS=str(cert))
    assert code == 0, err
    direct = _search(monkeypatch, capsys, sample, ",".join(cluster.urls))
    assert direct[0] == 0 and _total(out) == _total(direct[1]) > 0


def test_certificate_checks_can_be_switched_off(secured, monkeypatch, capsys):
    url, _, _, sample = secured
    code, out, err = _search(monkeypatch, capsys, sample, url,
                             KARTOTEKA_OPENSEARCH_VERIFY_CERTS="0")
    assert code == 0, err
    assert _total(out) > 0


def test_an_untrusted_certificate_is_one_error_line(secured, monkeypatch, capsys):
    url, _, _, sample = secured
    code, out, err = _search(monkeypatch, capsys, sample, url)
    assert code == 1 and not out
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "соединение TLS с кластером OpenSearch не удалось" in err
    assert "CERTIFICATE_VERIFY_FAILED" in err


@pytest.mark.parametrize("which", ["wrong password", "no credentials"])
def test_a_refused_login_is_one_error_line(secured, monkeypatch, capsys, which):
    url, bare, cert, sample = secured
    target = url.replace("s3cret", "wrong") if which == "wrong password" else bare
    code, out, err = _search(monkeypatch, capsys, sample, target,
                             KARTOTEKA_OPENSEARCH_CA_CERTS=str(cert))
    assert code == 1 and not out
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "не принял вход (HTTP 401)" in err


def test_https_to_a_plain_http_node_says_to_use_http(cluster, opensearch_sample, monkeypatch,
                                                      capsys):
    """The advice was to set a CA bundle; the node speaks no TLS at all."""
    plain = cluster.urls[0].replace("http://", "https://")
    code, out, err = _search(monkeypatch, capsys, opensearch_sample, plain)
    assert code == 1 and not out and err.count("\n") == 1
    assert "узел говорит по простому HTTP: пишите http:// в KARTOTEKA_OPENSEARCH_URL" in err, err
