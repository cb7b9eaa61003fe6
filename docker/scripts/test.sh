#!/usr/bin/env bash
# Run the worker's Python tests in a cached virtualenv: bash docker/scripts/test.sh [pytest args...]
#
# The venv lives outside the repository, keyed by the hash of requirements/test.txt, so a rerun
# with unchanged pins starts pytest in seconds. Override its location with AVATAR_PY_VENV.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
docker_dir="$(cd "${script_dir}/.." && pwd)"
repo_dir="$(cd "${docker_dir}/.." && pwd)"
requirements="${docker_dir}/requirements/test.txt"

# The image runs Python 3.10: test on the same minor version when this machine has it.
source "${script_dir}/venv.sh"
python="$(python310)"
if [[ -z "${python}" ]]; then
  python="$(command -v python3)"
  echo "note: Python 3.10 not found; using ${python} ($("${python}" --version 2>&1)). The image runs 3.10." >&2
fi

requirements_sha="$(sha256sum "${requirements}" | cut -c1-16)"
python_tag="$("${python}" -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')"
venv="${AVATAR_PY_VENV:-${HOME}/.cache/cdktf-runpod-avatar/venv-${python_tag}-${requirements_sha}}"

install_test_requirements() {
  echo "creating test venv ${venv}" >&2
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r "${requirements}"
}
cached_venv "${venv}" "${python}" install_test_requirements

# The media tests decode and encode with the ffmpeg binary, as the image does.
if ! command -v ffmpeg >/dev/null 2>&1; then
  if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ffmpeg with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null
  else
    echo "warning: ffmpeg is missing and cannot be installed (not root); media tests may fail" >&2
  fi
fi

# Type hints are part of the contract: the package type-checks before its tests run.
(cd "${docker_dir}" && "${venv}/bin/python" -m mypy)

cd "${repo_dir}"
exec "${venv}/bin/python" -m pytest docker/tests "$@"
