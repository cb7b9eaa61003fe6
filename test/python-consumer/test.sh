#!/usr/bin/env bash
# The Python consumer lane: bash test/python-consumer/test.sh [pytest args...]
#
# Builds this library's jsii Python wheel (projen's package:python), installs it into a fresh venv
# with cdktf's Python packages (requirements.txt), and runs test_same_as_typescript.py there: the
# Python app (main.py, stack.py) must synthesize what the TypeScript example does.
#
# lib/ must be compiled first (`npx projen compile`; the test task does it). The venv lives outside
# the repository, keyed by everything that goes into it: the npm tarball the wheel wraps (lib/, .jsii,
# docker/, package.json), jsii-pacmak's version, the Python version and requirements.txt. A warm run
# starts pytest at once; any change to the library builds a new wheel and a new venv.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "${script_dir}/../.." && pwd)"
requirements="${script_dir}/requirements.txt"
python="$(command -v python3)"
started=${SECONDS}

fail() {
  echo "python consumer lane FAILED: $*" >&2
  exit 1
}

cd "${repo_dir}"
[[ -f .jsii && -d lib ]] || fail "no compiled library (.jsii, lib/): run \`npx projen compile\` first."

# npm computes the tarball's sha1 without writing it (its entries carry a fixed mtime, so the sum
# depends on contents only); jsii-pacmak packs the same files into the wheel.
tarball_sha="$(npm pack --dry-run --json 2>/dev/null | "${python}" -c 'import json, sys; print(json.load(sys.stdin)[0]["shasum"])')" \
  || fail "\`npm pack --dry-run\` did not report the package's checksum."
pacmak_version="$(node -p 'require("jsii-pacmak/package.json").version')"
python_version="$("${python}" -c 'import platform; print(platform.python_version())')"
key="$(printf '%s\n' "${tarball_sha}" "jsii-pacmak ${pacmak_version}" "python ${python_version}" "$(cat "${requirements}")" | sha256sum | cut -c1-16)"
cache_dir="${HOME}/.cache/cdktf-runpod-avatar"
venv="${cache_dir}/python-consumer-py${python_version}-${key}"

install_wheel_and_pins() {
  local wheels
  echo "building the Python wheel (npx projen package:python)" >&2
  rm -rf dist/python
  local log="${TMPDIR:-/tmp}/python-consumer-package-$$.log"
  npx projen package:python >"${log}" 2>&1 || { cat "${log}" >&2; fail "\`npx projen package:python\` failed (its output is above)."; }
  rm -f "${log}"
  wheels=(dist/python/*.whl)
  [[ ${#wheels[@]} == 1 && -f "${wheels[0]}" ]] || fail "expected one wheel in dist/python, found: ${wheels[*]}"
  echo "creating the consumer venv ${venv}" >&2
  # One resolver run for the wheel and the pins: a wheel whose dependencies clash with the pinned
  # cdktf packages fails here, as it would for a user.
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r "${requirements}" "${wheels[0]}" \
    || fail "pip could not install ${wheels[0]} with ${requirements}."
  "$1/bin/python" -m pip check || fail "the consumer venv has broken dependencies (pip check above)."
}

source "${repo_dir}/docker/scripts/venv.sh"
if [[ -f "${venv}/.installed" ]]; then
  echo "consumer venv cached: ${venv}" >&2
else
  cached_venv "${venv}" "${python}" install_wheel_and_pins
  # Each library change leaves a venv behind (about 60 MB): drop those unused for a day.
  find "${cache_dir}" -maxdepth 1 -name 'python-consumer-*' -mtime +0 -exec rm -rf {} + 2>/dev/null || true
fi
touch "${venv}"
echo "python consumer lane: venv ready after $((SECONDS - started)) s" >&2

status=0
"${venv}/bin/python" -m pytest -p no:cacheprovider "${script_dir}" "$@" || status=$?
echo "python consumer lane: $([[ ${status} == 0 ]] && echo passed || echo FAILED) in $((SECONDS - started)) s" >&2
exit "${status}"
