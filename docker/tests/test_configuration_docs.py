"""docs/CONFIGURATION.md lists every environment variable the worker reads."""

from __future__ import annotations

import re
from pathlib import Path

DOCKER_DIR = Path(__file__).resolve().parents[1]
CONFIGURATION = DOCKER_DIR.parent / "docs" / "CONFIGURATION.md"
NAME = re.compile(r"[\"'](AVATAR_[A-Z0-9_]+|BUCKET_[A-Z0-9_]+|HF_[A-Z0-9_]+|RUNPOD_[A-Z0-9_]+|INFINITETALK_HOME)[\"']")


def variables_read_by_the_worker() -> set:
    names = set()
    for source in (DOCKER_DIR / "avatar_worker").rglob("*.py"):
        names.update(NAME.findall(source.read_text()))
    return names


def test_every_variable_the_worker_reads_is_documented() -> None:
    names = variables_read_by_the_worker()
    assert len(names) > 20, names
    documented = CONFIGURATION.read_text()
    missing = sorted(n for n in names if f"`{n}`" not in documented)
    assert not missing, f"add these to docs/CONFIGURATION.md: {missing}"


def test_docker_readme_states_the_contracts_defaults() -> None:
    from avatar_worker.contract import SERVING_SETTINGS

    readme = (DOCKER_DIR / "README.md").read_text()
    for setting in SERVING_SETTINGS.values():
        default = str(int(setting.default)) if float(setting.default).is_integer() else str(setting.default)
        assert f"| `{setting.env}` | `{default}`" in readme, f"docker/README.md: {setting.env} defaults to {default}"
