"""Print ``export`` lines for the ENV of a Dockerfile's final stage, so the GPU harness runs the
worker with the image's environment (PATH and PYTHONPATH excepted: the harness lays those out itself).

    eval "$(python3 docker/gpu/dockerfile_env.py docker/Dockerfile)"
"""

import json
import re
import shlex
import sys
from typing import Dict

SKIPPED = {"PATH", "PYTHONPATH"}


def final_stage_env(text: str) -> Dict[str, str]:
    """``KEY=value`` pairs of the ENV instructions after the last FROM (continuation lines joined)."""
    # Docker drops comment lines, also inside an instruction continued over several lines.
    uncommented = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    joined = re.sub(r"\\\n", " ", uncommented)
    lines = [line.strip() for line in joined.splitlines()]
    last_from = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    env: Dict[str, str] = {}
    for line in lines[last_from:]:
        if line.upper().startswith("ENV "):
            for token in shlex.split(line[4:]):
                key, _, value = token.partition("=")
                env[key] = value
    return env


if __name__ == "__main__":
    values = {k: v for k, v in final_stage_env(open(sys.argv[1]).read()).items() if k not in SKIPPED and "$" not in v}
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}")
    print(f"export HARNESS_IMAGE_ENV_KEYS={shlex.quote(json.dumps(sorted(values)))}")
