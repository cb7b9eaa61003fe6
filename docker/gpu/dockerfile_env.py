"""Print ``export`` lines for the ENV of docker/Dockerfile's final stage, so the GPU harness runs the
worker with the image's environment (PATH and PYTHONPATH excepted: the harness lays those out itself).
The Dockerfile is read with the image-environment check's own parser (docker/scripts/image_env_check.py).

    eval "$(python3 docker/gpu/dockerfile_env.py docker/Dockerfile)"
"""

import json
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from image_env_check import dockerfile_stages, stage_env  # noqa: E402

SKIPPED = {"PATH", "PYTHONPATH"}

if __name__ == "__main__":
    final = dockerfile_stages(Path(sys.argv[1]).read_text())[-1]
    values = {k: v for k, v in stage_env(final).items() if k not in SKIPPED and "$" not in v}
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}")
    print(f"export HARNESS_IMAGE_ENV_KEYS={shlex.quote(json.dumps(sorted(values)))}")
