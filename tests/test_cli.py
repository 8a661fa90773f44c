"""The operator CLI, run as mission IT runs it."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from haat_tools.cli import main
from haat_tools.local.stack import PROJECT_DIR


def test_demo_summary_reads_back_photos_orders_and_digest() -> None:
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("photo ") and "MISSING" not in line for line in lines)
    assert any(line.startswith("order event") and "recorded" in line for line in lines)
    assert any(line.startswith("daily digest") and "written" in line for line in lines)
    summary = result.output.split("\nSummary\n", 1)[1]
    assert "rejected" in summary
    assert "accepted" in summary
    assert "3 written" in summary
    assert all(channel in result.output for channel in ("haat", "ondc", "amazon", "flipkart", "meesho"))
    jwt = r"[\w-]+\.[\w-]+\.[\w-]+"
    assert re.search(rf"^Upload page  http://127\.0\.0\.1:\d+/upload#token={jwt}$", result.output, re.M)
    assert re.search(rf"^Token        {jwt}$", result.output, re.M)


def test_deploy_dry_run_prints_the_plan(tmp_path: Path) -> None:
    template = tmp_path / "sam.yaml"
    template.write_text("Resources: {}\n")
    result = CliRunner().invoke(main, ["deploy", "--stage", "prod", "--template", str(template), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert '"stack": "haat-prod"' in result.output


def test_local_up_serves_the_api_until_terminated(tmp_path: Path) -> None:
    env = {**os.environ, "HAAT_LOCAL_STATE": str(tmp_path / "state.json")}
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "haat_tools.cli", "local", "up", "--port", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "state.json").exists():
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "local up did not start"
            time.sleep(0.2)
        state = json.loads((tmp_path / "state.json").read_text())
        with urllib.request.urlopen(f"{state['api_url']}/health", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok"}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert not (tmp_path / "state.json").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_photos_prints_one_verdict_per_file_and_saves_renditions(tmp_path: Path) -> None:
    from tests import photo_corpus

    folder, saved = tmp_path / "drive", tmp_path / "saved"
    folder.mkdir()
    (folder / "front.jpg").write_bytes(photo_corpus.encode(photo_corpus.product_photo()))
    (folder / "readme.jpg").write_bytes(b"not a photo")
    result = CliRunner().invoke(main, ["photos", str(folder), "--save", str(saved)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith('{"file"')]
    assert [(line["file"], line["verdict"], line["codes"]) for line in lines] == [
        ("front.jpg", "accepted", []),
        ("readme.jpg", "rejected", ["not_an_image"]),
    ]
    assert sorted(p.name for p in saved.iterdir()) == [
        "front.listing.jpg",
        "front.main.jpg",
        "front.thumb.webp",
    ]
