"""The worker suite's loopback Hugging Face Hub (docker/tests/hf_server.py), served for a TypeScript test.

    python test/storage-init-lifecycle/loopback_hub.py

Starts the standard scaled-down world (the fp8 set's three repositories) on 127.0.0.1 and prints one
JSON line, ``{"url": ..., "manifest": ...}``, where ``manifest`` is the manifest that world was made
for, so the test builds its model set from the fixture instead of restating it. Serves until its
standard input closes (the test process ended or closed the pipe).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DOCKER_DIR = Path(__file__).resolve().parents[2] / "docker"
sys.path.insert(0, str(DOCKER_DIR))

from tests.hf_server import HubFixture, standard_manifest, standard_world  # noqa: E402


def main() -> None:
    fixture = standard_world(HubFixture()).start()
    print(json.dumps({"url": fixture.url, "manifest": standard_manifest()}), flush=True)
    try:
        sys.stdin.read()
    finally:
        fixture.stop()


if __name__ == "__main__":
    main()
