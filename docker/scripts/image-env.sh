#!/usr/bin/env bash
# Check the worker image's Python environment on this machine (CPU only): bash docker/scripts/image-env.sh
#
# 1. Installs requirements/image.lock.txt into a Python 3.10 venv with the pip command of
#    docker/Dockerfile's builder stage (read from the Dockerfile, not copied: today
#    `pip install --no-deps --only-binary=:all: -r image.lock.txt`), then `pip check`. The venv is
#    cached outside the repository, keyed by the lock and that command: about 3.2 GB of wheels the
#    first time, seconds afterwards. Override its location with AVATAR_IMAGE_ENV_VENV.
# 2. Runs image_env_check.py in it: the InfiniteTalk tree (INFINITETALK_ARCHIVE), the worker's own
#    import and audio path, the models on the meta device, the Dockerfile's compile switch and
#    optimum-quanto's kernels. Extra arguments go to it (e.g. --report-json result.json).
# Exits non-zero when the install, pip check or any check fails; the summary says what would break.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
docker_dir="$(cd "${script_dir}/.." && pwd)"
repo_dir="$(cd "${docker_dir}/.." && pwd)"
lock="${docker_dir}/requirements/image.lock.txt"

# The image runs Ubuntu 22.04's Python 3.10; another minor version would install other wheels.
source "${script_dir}/venv.sh"
python="$(python310)"
if [[ -z "${python}" ]]; then
  echo "error: Python 3.10 is required (the image runs python3.10); install it or put python3.10 on PATH." >&2
  exit 2
fi

mapfile -t install_args < <("${python}" "${script_dir}/image_env_check.py" --print-pip-install)
key="$( (cat "${lock}"; printf '%s\n' "${install_args[@]}") | sha256sum | cut -c1-16)"
venv="${AVATAR_IMAGE_ENV_VENV:-${HOME}/.cache/cdktf-runpod-avatar/image-env-py310-${key}}"

install_image_lock() {
  echo "image-env: creating ${venv} (about 3.2 GB of wheels on a cold cache)" >&2
  "$1/bin/python" -m pip "${install_args[@]}"
}
started=${SECONDS}
cached_venv "${venv}" "${python}" install_image_lock
echo "image-env: venv ready in $((SECONDS - started)) s: ${venv}" >&2

"${venv}/bin/python" -m pip check

cd "${repo_dir}"
exec "${venv}/bin/python" "${script_dir}/image_env_check.py" --venv "${venv}" "$@"
