"""JupyterLab as a reader uses it (``./run lab``): the server on ``notebooks/``, the project's
kernel, a cell run through the kernel's websocket, and the page in a headless browser.

One JupyterLab server per module, on a free loopback port with a random token, its Jupyter
config, data and runtime folders in a temporary directory (so only the environment's own
kernelspec, installed by scripts/setup.sh with ``--sys-prefix``, can answer to ``corrlib``).
The notebooks are opened, never saved: the test checks that ``coefficients.ipynb`` is unchanged.
"""

from __future__ import annotations

import asyncio
import html
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
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOK = "coefficients.ipynb"  # reads no results files: opens and runs anywhere
KERNEL = "corrlib"


class Lab:
    """A running JupyterLab server: its base URL, token and process."""

    def __init__(self, port: int, token: str, proc: subprocess.Popen, log: Path) -> None:
        self.port, self.token, self.proc, self.log = port, token, proc, log
        self.url = f"http://127.0.0.1:{port}"

    def api(self, method: str, path: str, body: dict | None = None):
        """Call the server's REST API; return the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("lab")
    token = secrets.token_hex(16)
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    cmd = [
        str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO / 'notebooks'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI and containers run as root; JupyterLab refuses without this
        cmd.append("--allow-root")
    log = home / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = Lab(port, token, proc, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                status = server.api("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer in 120 s:\n{server.log_tail()}")
                time.sleep(0.5)
        assert status["kernels"] == 0
        yield server
    finally:
        try:
            server.api("POST", "/api/shutdown")
            proc.wait(timeout=30)
        except Exception:  # the server is gone or hangs: end its process group (ours)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)


def _message(msg_type: str, content: dict, session: str) -> dict:
    """A Jupyter protocol message for the server's JSON websocket."""
    header = {
        "msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session,
        "username": "test_lab", "version": "5.3", "date": datetime.now(timezone.utc).isoformat(),
    }  # fmt: skip
    return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
            "channel": "shell", "buffers": []}  # fmt: skip


async def _execute(lab: Lab, kernel_id: str, code: str, timeout: float = 180) -> tuple[dict, str]:
    """Run ``code`` in a kernel through its websocket; return (execute_reply content, stdout)."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels"
    ws = await websocket_connect(
        HTTPRequest(url, headers={"Authorization": f"token {lab.token}"}, connect_timeout=30)
    )
    try:
        request = _message("execute_request", {
            "code": code, "silent": False, "store_history": False, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True,
        }, session=uuid.uuid4().hex)  # fmt: skip
        await ws.write_message(json.dumps(request))
        msg_id = request["header"]["msg_id"]
        reply, stdout, idle = None, [], False
        deadline = asyncio.get_running_loop().time() + timeout
        while reply is None or not idle:
            left = deadline - asyncio.get_running_loop().time()
            raw = await asyncio.wait_for(ws.read_message(), timeout=max(left, 0.1))
            assert raw is not None, "the kernel's websocket closed before the cell finished"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if msg["channel"] == "shell" and kind == "execute_reply":
                reply = msg["content"]
            elif kind == "stream" and msg["content"]["name"] == "stdout":
                stdout.append(msg["content"]["text"])
            elif kind == "error":
                stdout.append("\n".join(msg["content"]["traceback"]))
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        return reply, "".join(stdout)
    finally:
        ws.close()


CELL = """\
import sys

import torch

import corrlib.metrics
from corrlib.losses import concordance

x = torch.tensor([0.2, 0.4, 0.6, 0.8], dtype=torch.float64)
print(corrlib.metrics.__name__)
print(corrlib.metrics.spearman([1, 2, 3, 4], [10, 20, 40, 30]))
print(f"{float(concordance(x, x / 2)):.6f}")
print(sys.prefix)
"""


def test_a_notebook_opens_and_a_cell_runs_in_the_project_kernel(lab: Lab) -> None:
    before = (REPO / "notebooks" / NOTEBOOK).read_bytes()
    model = lab.api("GET", f"/api/contents/{NOTEBOOK}")
    assert model["type"] == "notebook" and model["name"] == NOTEBOOK
    notebook = model["content"]
    assert notebook["metadata"]["kernelspec"]["name"] == KERNEL
    first_code = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    assert "parameters" in first_code["metadata"].get("tags", [])  # papermill's cell

    specs = lab.api("GET", "/api/kernelspecs")["kernelspecs"]
    assert KERNEL in specs, f"no {KERNEL!r} kernel; found {sorted(specs)}"
    argv0 = Path(specs[KERNEL]["spec"]["argv"][0])
    assert argv0.parent == BIN, f"the {KERNEL!r} kernel runs {argv0}, not this environment"

    session = lab.api("POST", "/api/sessions", {
        "path": NOTEBOOK, "name": NOTEBOOK, "type": "notebook", "kernel": {"name": KERNEL},
    })  # fmt: skip
    try:
        assert session["kernel"]["name"] == KERNEL
        reply, out = asyncio.run(_execute(lab, session["kernel"]["id"], CELL))
        assert reply["status"] == "ok", out
        lines = out.strip().splitlines()
        assert lines[0] == "corrlib.metrics", out
        # ranks (1, 2, 3, 4) against (1, 2, 4, 3): 1 - 6·2 / (4·15) = 0.8
        assert float(lines[1]) == pytest.approx(0.8), out
        # Lin's concordance of x and x/2: 2·0.025 / (0.05 + 0.0125 + 0.0625) = 0.4
        assert lines[2] == "0.400000", out
        assert Path(lines[3]).resolve() == Path(sys.prefix).resolve(), out
        kernels = lab.api("GET", "/api/kernels")
        assert [k["id"] for k in kernels] == [session["kernel"]["id"]]
    finally:
        lab.api("DELETE", f"/api/sessions/{session['id']}")
    assert lab.api("GET", "/api/sessions") == []
    assert (REPO / "notebooks" / NOTEBOOK).read_bytes() == before


def _title_words() -> str:
    """The first words of the notebook's first Markdown heading (what the page must show)."""
    notebook = json.loads((REPO / "notebooks" / NOTEBOOK).read_text())
    first = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
    heading = "".join(first["source"]).splitlines()[0].lstrip("# ")
    return " ".join(heading.split()[:3])


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=1280,800", "--virtual-time-budget=15000",
    ]  # fmt: skip
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=180)


def test_the_lab_page_shows_the_notebook_with_the_project_kernel(lab: Lab, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI; scripts/setup.sh should have installed it")
        pytest.skip("chromium not installed (CORRLIB_BROWSER=1 bash scripts/setup.sh)")
    from PIL import Image

    page = f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}"
    dom = _chromium(tmp_path / "profile-dom", "--dump-dom", page)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for needle in ["jp-Notebook", html.escape(_title_words(), quote=False), "Python (corrlib)"]:
        assert needle in dom.stdout, f"{needle!r} not in the rendered lab page"

    shot = tmp_path / "lab.png"
    taken = _chromium(tmp_path / "profile-shot", f"--screenshot={shot}", page)
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1280, 800)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50, "the screenshot is (nearly) blank"

    # the page itself opened the notebook on the server, with the project's kernel
    sessions = [s for s in lab.api("GET", "/api/sessions") if s["path"] == NOTEBOOK]
    assert sessions and all(s["kernel"]["name"] == KERNEL for s in sessions), sessions
    for s in sessions:
        lab.api("DELETE", f"/api/sessions/{s['id']}")
