"""The storage advice names what exists: construct props of the compiled library, the commands that work, documented codes.

A worker message that tells a user to raise a prop the constructs do not have, or to run a command that
does nothing, sends them nowhere; these tests tie the advice to the library's jsii assembly (``.jsii``,
written by ``npx projen compile``) and to the docs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, Set

import pytest

from avatar_worker import errors
from avatar_worker.contract import ENDPOINT_WORKERS_MIN_PROP, VOLUME_SIZE_PROP
from avatar_worker.manifest import manifest_sha256

from .conftest import DOCKER_DIR
from .serving_fixtures import write_tiny_volume
from .test_serve_api import run_serve

REPO_DIR = DOCKER_DIR.parent
JSII = REPO_DIR / ".jsii"
README = DOCKER_DIR / "README.md"
TROUBLESHOOTING = REPO_DIR / "docs" / "TROUBLESHOOTING.md"
REFILL_LINK = "DEPLOYMENT.md#re-fill-a-damaged-volume"


def construct_props(type_name: str) -> Set[str]:
    if not JSII.exists():
        pytest.fail(f"{JSII} is missing: compile the library first with `npx projen compile`.")
    assembly = json.loads(JSII.read_text())
    return {p["name"] for p in assembly["types"][f"{assembly['name']}.{type_name}"]["properties"]}


def test_the_props_the_advice_names_are_construct_props() -> None:
    assert VOLUME_SIZE_PROP in construct_props("ModelVolumeProps")
    assert ENDPOINT_WORKERS_MIN_PROP in construct_props("AvatarServerlessEndpointProps")


def serve_refusal(tmp_path: Path, damage: str) -> str:
    env: Dict[str, str] = write_tiny_volume(str(tmp_path))
    if damage == "no lock":
        os.remove(tmp_path / "avatar-models.lock.json")
    elif damage == "missing file":
        os.remove(tmp_path / "chinese-wav2vec2-base" / "config.json")
    else:
        manifest = json.loads(env["AVATAR_MODEL_MANIFEST"])
        manifest["modelSet"] = "another-set"
        env.update(AVATAR_MODEL_MANIFEST=json.dumps(manifest), AVATAR_MODEL_MANIFEST_SHA256=manifest_sha256(manifest))
    result = run_serve(env)
    assert result.returncode in (2, 3, 4), result.stdout + result.stderr
    return result.stderr


@pytest.mark.parametrize("damage", ["no lock", "missing file"])
def test_serve_gives_the_forced_rerun_when_the_init_job_already_ran(tmp_path: Path, damage: str) -> None:
    message = serve_refusal(tmp_path, damage)
    assert "-replace=<address of the StorageInitJob's null_resource>" in message
    assert '"Re-fill a damaged volume"' in message
    assert "python -m avatar_worker init" in message  # the way without Terraform


def test_serve_on_another_model_set_says_deploy_aligns_them(tmp_path: Path) -> None:
    message = serve_refusal(tmp_path, "another model set")
    assert "`cdktf deploy` brings the volume and the endpoint to the same model set" in message


def rows(document: Path, code: str) -> str:
    """The table rows of ``document`` that name ``code``."""
    found = [line for line in document.read_text().splitlines() if line.lstrip().startswith("|") and f"`{code}`" in line]
    assert found, f"{document.name} has no row for {code}"
    return "\n".join(found)


def storage_codes() -> Set[str]:
    return {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.StorageError) and cls is not errors.StorageError
    }


def test_every_storage_code_is_documented_where_users_look() -> None:
    codes = storage_codes()
    assert {"INSUFFICIENT_SPACE", "VOLUME_IN_USE", "LOCK_MISSING", "VOLUME_FILES_MISMATCH"} <= codes
    for code in codes - {"VOLUME_NOT_READY"}:  # the base class: its three codes are the rows
        rows(README, code)
        rows(TROUBLESHOOTING, code)


@pytest.mark.parametrize("document", [README, TROUBLESHOOTING], ids=lambda d: d.name)
def test_the_documented_fixes_match_the_worker_advice(document: Path) -> None:
    for code in ("LOCK_MISSING", "VOLUME_FILES_MISMATCH"):
        row = rows(document, code)
        assert "-replace=" in row and REFILL_LINK in row, row
    assert f"`{VOLUME_SIZE_PROP}`" in rows(document, "INSUFFICIENT_SPACE")
    assert f"`{ENDPOINT_WORKERS_MIN_PROP}`" in rows(document, "VOLUME_IN_USE")
    assert "volumeSizeGb" not in document.read_text(), "the ModelVolume prop is `sizeGb`"
