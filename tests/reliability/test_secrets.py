"""An API key never reaches stderr or a written file, even when the server echoes it back in its error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import fake_openai
from filmaster.backends.http import redact_url, scrub

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def _echo_auth(path: str, auth: str | None, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    # A careless server: it quotes the request's Authorization header in its error message.
    return 400, {}, {"error": {"message": f"bad request from {auth}; key {KEY} is not allowed here"}}


def test_a_key_echoed_by_the_server_reaches_neither_stderr_nor_any_file(tmp_path: Path) -> None:
    with fake_openai.serve_json(_echo_auth) as base_url:
        (tmp_path / "filmaster.toml").write_text(
            '[cinematography]\nplanner = "llm"\n'
            f'[backends.settings.llm]\nbase_url = "{base_url}"\nmodel = "m"\napi_key_env = "FILMASTER_TEST_KEY"\n'
        )
        (tmp_path / "tiny.fountain").write_text((ROOT / "examples" / "tiny.fountain").read_text())
        result = subprocess.run(
            [sys.executable, "-m", "filmaster", "--verbose", "make", "tiny.fountain", "-o", "out", "--draft"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=tmp_path,
            env={**os.environ, "FILMASTER_TEST_KEY": KEY},
        )
    assert result.returncode == 0, result.stderr
    assert "answered HTTP 400" in result.stderr  # the server's refusal is reported ...
    assert KEY not in result.stderr + result.stdout  # ... without the key
    assert "Bearer ***" in result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 20
    leaked = [p for p in written if KEY.encode() in p.read_bytes()]
    assert leaked == []


def test_scrub_and_redact() -> None:
    assert scrub(f"got Bearer {KEY} and {KEY}", KEY) == "got Bearer *** and ***"
    assert scrub("Authorization: Bearer abcdefghijklmnop") == "Authorization: Bearer ***"
    assert redact_url("https://user:pw@api.example.com/v1?key=abc&model=m") == (
        "https://api.example.com/v1?key=***&model=m"
    )
