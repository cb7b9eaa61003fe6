# Shared by the scripts that keep a Python virtualenv outside the repository (docker/scripts/test.sh,
# docker/scripts/image-env.sh, test/python-consumer/test.sh). Source it; it defines two functions.

# python310: print the Python 3.10 the image runs (Ubuntu 22.04's minor version), or nothing.
python310() {
  local candidate
  for candidate in /root/.pyenv/versions/3.10.13/bin/python python3.10; do
    if command -v "${candidate}" >/dev/null 2>&1; then
      command -v "${candidate}"
      return 0
    fi
  done
}

# cached_venv VENV PYTHON INSTALL: make VENV with PYTHON unless it is complete, calling
# `INSTALL <staging dir>` to fill it. The venv is built under a temporary name and renamed, so an
# interrupted run never leaves a half-installed one under the final name, and two runs starting
# together wait for one another (flock) instead of racing. INSTALL must use `<dir>/bin/python -m pip`:
# the rename breaks console-script shebangs.
cached_venv() {
  local venv="$1" python="$2" install="$3"
  [[ -f "${venv}/.installed" ]] && return 0
  mkdir -p "$(dirname "${venv}")"
  exec 9>"${venv}.lock"
  flock 9
  if [[ ! -f "${venv}/.installed" ]]; then
    local staging="${venv}.tmp-$$"
    rm -rf "${staging}"
    "${python}" -m venv "${staging}"
    "${install}" "${staging}"
    touch "${staging}/.installed"
    rm -rf "${venv}"
    mv "${staging}" "${venv}"
  fi
  flock -u 9
}
