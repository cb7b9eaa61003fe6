#!/usr/bin/env bash
# The GPU harness's entry on the device machine (docker/gpu/README.md): sets up what the worker image
# would provide, then runs harness.py. Expects, in the repository root:
#   .whl/        wheels of the image's pins that the machine lacks (docker/gpu/prepare.sh fetches them)
#   .gpu-carry/  InfiniteTalk's source archive, a static ffmpeg (xz), endpoint-env.json, manifests
# Usage: bash docker/gpu/run.sh [harness.py arguments...]; results go to $OUT.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo="$PWD"
out="${OUT:-/tmp/harness-out}"
mkdir -p "$out"
step() { printf '[run.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

step "installing $(ls .whl | wc -l) wheels into /tmp/site"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
export PYTHONPATH="/tmp/site:$repo/docker/gpu/shims:$repo/docker"

step "ffmpeg (static build from imageio-ffmpeg) and the ffprobe shim on PATH"
mkdir -p /tmp/bin
xz -dc .gpu-carry/ffmpeg.xz > /tmp/bin/ffmpeg
chmod +x /tmp/bin/ffmpeg
cp docker/gpu/shims/bin/ffprobe /tmp/bin/ffprobe
export PATH="/tmp/bin:$PATH"

step "unpacking InfiniteTalk"
archive="$(ls .gpu-carry/InfiniteTalk-*.tar.gz)"
tar -xzf "$archive" -C /tmp
export INFINITETALK_HOME="$(ls -d /tmp/InfiniteTalk-*/ | head -1)"
export HARNESS_INFINITETALK_SHA256="$(sha256sum "$archive" | cut -d' ' -f1)"
export HARNESS_INFINITETALK_COMMIT="$(cat .gpu-carry/INFINITETALK_COMMIT 2>/dev/null || echo unknown)"

step "the image's environment (ENV of docker/Dockerfile's final stage, PATH and PYTHONPATH excepted)"
eval "$(python3 docker/gpu/dockerfile_env.py docker/Dockerfile)"

export PYTHONUNBUFFERED=1
step "harness.py $*"
status=0
python3 docker/gpu/harness.py --out "$out" --env .gpu-carry/endpoint-env.json "$@" || status=$?
step "harness.py exited $status"
exit "$status"
