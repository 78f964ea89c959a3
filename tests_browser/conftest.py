"""Fixtures for the browser tests: a private JupyterLab server and a headless Chromium driven by
Playwright (``make test-browser``; see README.md in this folder).

- ``lab``: ``jupyter lab --no-browser`` on 127.0.0.1, a free port and a random token, with fresh
  settings / workspaces / config / data / runtime dirs in a temporary folder. The settings turn off
  autosave (the notebooks on disk must never change), windowed rendering (every cell stays in the
  DOM) and the news / update checks (no pop-up, no network). Stopped, kernels first, at the end.
- ``browser``: ``/usr/bin/chromium`` (or ``$IOU_LAB_CHROMIUM``) headless with a fresh, empty
  user-data dir; Playwright never downloads a browser here.
- ``artifacts``: ``test-artifacts/browser/`` (git-ignored) for the screenshots and the server log.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("IOU_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 90

# JupyterLab settings for the fresh settings dir: plugin id -> overrides
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Lab:
    """A running JupyterLab server."""

    url: str  # http://127.0.0.1:PORT
    token: str
    log: Path

    def lab_url(self, path: str) -> str:
        """Address of ``/lab/tree/PATH`` (relative to the repository root), token included."""
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel (each notebook test starts one)."""
        for k in self.api("kernels"):
            try:
                self.api(f"kernels/{k['id']}", method="DELETE")
            except urllib.error.URLError:
                pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.split(":")
        path = settings_dir / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)  # jupyter_server asks on the first SIGINT, stops on the second
    time.sleep(0.5)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def lab(tmp_path_factory, artifacts):
    """A private JupyterLab server rooted at the repository."""
    home = tmp_path_factory.mktemp("jupyter")
    dirs = {
        name: home / name for name in ("settings", "workspaces", "config", "data", "runtime", "ipython", "checkpoints")
    }
    for d in dirs.values():
        d.mkdir()
    _write_settings(dirs["settings"])
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the root conftest sets Agg for nbval; the kernel should use inline
    env.pop("JUPYTER_TOKEN", None)
    env.update(
        {
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_DATA_DIR": str(dirs["data"]),  # also holds the notebook-trust database
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "IPYTHONDIR": str(dirs["ipython"]),
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
    )
    token = secrets.token_hex(16)
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",  # jupyter_server 2's name for --ServerApp.token
        f"--ServerApp.root_dir={REPO}",
        "--LabApp.extension_manager=readonly",  # never query PyPI for extensions
        # JupyterLab makes a checkpoint of each notebook it opens: keep them out of notebooks/
        f"--FileCheckpoints.checkpoint_dir={dirs['checkpoints']}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the tests read cell outputs' types
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    log = artifacts / "jupyterlab.log"
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = Lab(url=f"http://127.0.0.1:{port}", token=token, log=log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with code {proc.returncode}; see {log}:\n{log.read_text()[-3000:]}")
            try:
                server.api("status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer within {SERVER_START_TIMEOUT_S} s; see {log}")
                time.sleep(0.5)
        yield server
    finally:
        try:
            server.shutdown_kernels()
        except Exception:
            pass
        _stop(proc)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chromium (persistent context with a fresh, empty user-data dir)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Chromium (Debian/Ubuntu: apt-get install -y chromium), "
            "or point IOU_LAB_CHROMIUM at a Chromium binary. These tests never download a browser."
        )
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("Playwright is missing: pip install -r requirements-browser.txt (or make test-browser).")
    user_data = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(user_data),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
            device_scale_factor=1,
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(user_data, ignore_errors=True)
