"""Caddy in front of an app, as ``deploy/Caddyfile`` puts it, on loopback with its own CA.

The test's Caddyfile is the deployment's, with three changes made here: the public name
becomes ``https://127.0.0.1:<port>`` with ``tls internal`` (a certificate from Caddy's own
local CA instead of Let's Encrypt), listening on loopback only; the upstream is the app the
test started; and a global block keeps Caddy to itself (no admin endpoint, no port 80, no
change to the system's trust store). Caddy runs as a child process with its own HOME and XDG
folders in a temporary directory, where its CA's root certificate is
(:attr:`CaddyProcess.root_ca`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import shutil
import signal
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.helpers.servers import PROJECT_ROOT, free_port

DEPLOY_CADDYFILE = PROJECT_ROOT / "deploy" / "Caddyfile"
PUBLIC_NAME = "ftapp.example.com"
"""The placeholder domain of ``deploy/Caddyfile``'s site."""
UPSTREAM = "127.0.0.1:3000"
"""Where ``deploy/Caddyfile`` proxies to: ftapp on loopback, port 3000."""
CADDY = shutil.which("caddy") or "/usr/bin/caddy"


def caddyfile_for_test(public_port: int, upstream: str, http_port: int) -> str:
    """``deploy/Caddyfile`` for a test: served at ``https://127.0.0.1:<public_port>`` with
    Caddy's local CA, proxying to ``upstream`` (``host:port``)."""
    deployed = DEPLOY_CADDYFILE.read_text()
    site = f"{PUBLIC_NAME} {{"
    assert deployed.count(site) == 1, f"deploy/Caddyfile has no site block {site!r}"
    assert deployed.count(UPSTREAM) == 1, f"deploy/Caddyfile does not proxy to {UPSTREAM}"
    served = deployed.replace(
        site, f"https://127.0.0.1:{public_port} {{\n\ttls internal\n\tbind 127.0.0.1"
    ).replace(UPSTREAM, upstream)
    options = (
        "{\n"
        "\tadmin off\n"
        "\tskip_install_trust\n"
        "\tauto_https disable_redirects\n"
        f"\thttp_port {http_port}\n"
        "}\n\n"
    )
    return options + served


@dataclass
class CaddyProcess:
    """A running Caddy, the origin it serves and its CA's certificates."""

    process: subprocess.Popen
    origin: str
    home: Path
    log_path: Path

    @property
    def root_ca(self) -> Path:
        """The root certificate of Caddy's local CA (``tls internal``)."""
        return self.home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts Caddy's local CA (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.root_ca))

    def ca_spki_hashes(self) -> str:
        """Base64 SHA-256 of the public keys of Caddy's CA (its root, and the intermediate
        that signs the certificates it serves), comma-separated, for Chromium's
        ``--ignore-certificate-errors-spki-list``: trust this CA, not any certificate."""
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        hashes = []
        for name in ("root.crt", "intermediate.crt"):
            certificate = x509.load_pem_x509_certificate((self.root_ca.parent / name).read_bytes())
            spki = certificate.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            hashes.append(base64.b64encode(hashlib.sha256(spki).digest()).decode())
        return ",".join(hashes)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


def start_caddy(
    upstream_url: str, directory: Path, public_port: int, timeout_seconds: float = 30
) -> CaddyProcess:
    """Start Caddy at ``https://127.0.0.1:<public_port>`` in front of the app at
    ``upstream_url`` (``http://127.0.0.1:<port>``); wait until it serves the app's
    ``/healthz`` with a certificate of its CA."""
    if not Path(CADDY).exists():
        raise RuntimeError("caddy not found: install it with 'apt-get install -y caddy'")
    upstream = upstream_url.removeprefix("http://")
    home = directory / "caddy"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "Caddyfile"
    config.write_text(caddyfile_for_test(public_port, upstream, free_port()))
    log_path = home / "caddy.log"
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PATH": "/usr/bin:/bin",
    }
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
            cwd=home,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    caddy = CaddyProcess(process, f"https://127.0.0.1:{public_port}", home, log_path)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"caddy exited early:\n{caddy.log()[-4000:]}")
        if caddy.root_ca.exists():
            try:
                response = httpx.get(caddy.origin + "/healthz", verify=caddy.ssl_context())
                if response.status_code == 200:
                    return caddy
            except (httpx.HTTPError, ssl.SSLError):
                pass
        time.sleep(0.2)
    caddy.stop()
    raise RuntimeError(f"caddy not serving after {timeout_seconds}s:\n{caddy.log()[-4000:]}")
