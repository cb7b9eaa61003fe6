"""The entrypoint: mode selection, usage errors, and the lazy ``serve`` import."""

from __future__ import annotations

import io
import json
import sys
import types
from contextlib import redirect_stdout
from typing import Dict

import pytest

from avatar_worker import cli

from .conftest import parse_events, run_cli


def run_in_process(argv, environ) -> tuple:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = cli.main(argv, environ)
    return code, parse_events(buffer.getvalue())


def test_argv_wins_over_avatar_mode() -> None:
    assert cli.resolve_argv(["verify"], {"AVATAR_MODE": "init"}) == ["verify"]
    assert cli.resolve_argv([], {"AVATAR_MODE": "init"}) == ["init"]
    assert cli.resolve_argv(["--hashes"], {"AVATAR_MODE": "verify"}) == ["verify", "--hashes"]
    assert cli.resolve_argv([], {}) == ["serve"]


def test_unknown_mode_is_a_usage_error() -> None:
    code, events = run_in_process([], {"AVATAR_MODE": "train"})
    assert code == 64
    assert events[-1]["error"]["code"] == "USAGE" and "AVATAR_MODE is 'train'" in events[-1]["error"]["message"]
    code, events = run_in_process(["verify", "--bogus"], {})
    assert code == 64 and "unrecognized arguments" in events[-1]["error"]["message"]


@pytest.mark.parametrize("mode", ["init", "verify"])
def test_missing_manifest_is_exit_64_with_a_result_line(mode: str) -> None:
    code, events = run_in_process([mode], {})
    assert code == 64
    assert events[-1]["event"] == "result" and events[-1]["mode"] == mode
    assert events[-1]["error"]["code"] == "MANIFEST_MISSING"


def test_bad_tunable_is_a_usage_error(worker_env: Dict[str, str]) -> None:
    run = run_cli(["init"], {**worker_env, "AVATAR_DOWNLOAD_ATTEMPTS": "many"})
    assert run.returncode == 64
    assert "AVATAR_DOWNLOAD_ATTEMPTS is 'many'" in run.result["error"]["message"]


def test_hash_mismatch_through_the_entrypoint(worker_env: Dict[str, str]) -> None:
    run = run_cli(["verify"], {**worker_env, "AVATAR_MODEL_MANIFEST_SHA256": "f" * 64})
    assert run.returncode == 64
    assert run.result["error"]["code"] == "MANIFEST_HASH_MISMATCH"
    assert run.stderr == ""


def test_serve_imports_the_serving_half_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    fake = types.ModuleType("avatar_worker.serve")
    fake.main = lambda: calls.append("served") or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "avatar_worker.serve", fake)
    import avatar_worker

    monkeypatch.setattr(avatar_worker, "serve", fake, raising=False)
    assert cli.main([], {}) == 0
    assert calls == ["served"]


def test_importing_the_storage_half_has_no_side_effects() -> None:
    import subprocess

    code = (
        "import sys, avatar_worker.cli, avatar_worker.storage, avatar_worker.manifest;"
        "print(json.dumps(sorted(m for m in ('torch','avatar_worker.serve','avatar_worker.pipeline') if m in sys.modules)))"
    )
    from .conftest import DOCKER_DIR

    out = subprocess.run(
        [sys.executable, "-c", "import json;" + code], capture_output=True, text=True, check=True, cwd=str(DOCKER_DIR)
    )
    assert json.loads(out.stdout) == []
