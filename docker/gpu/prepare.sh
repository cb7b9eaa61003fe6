#!/usr/bin/env bash
# Prepares, on this machine, what the GPU harness carries to the device machine (docker/gpu/README.md):
#   .whl/        the wheels of docker/gpu/wheels.txt for CPython 3.12 / manylinux x86_64
#   .gpu-carry/  InfiniteTalk's source archive (checked against its SOURCES.md), imageio-ffmpeg's static
#                ffmpeg (xz), the endpoint environment and manifests as the constructs render them
# Both folders are git-ignored (.git/info/exclude); `run` carries them: carry [".whl", ".gpu-carry"].
# Usage: bash docker/gpu/prepare.sh [model set name]   (default fp8-lightx2v)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
vendor="${AVATAR_VENDOR_DIR:-$(cd .. && pwd)/shared/vendor}"
set_name="${1:-fp8-lightx2v}"
for ignored in /.whl/ /.gpu-carry/; do
  grep -qxF "$ignored" .git/info/exclude 2>/dev/null || echo "$ignored" >> .git/info/exclude
done

mkdir -p .whl .gpu-carry
grep -v '^#' docker/gpu/wheels.txt | while read -r pin; do
  [[ -n "$pin" ]] || continue
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_26_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux2010_x86_64 \
    --platform manylinux1_x86_64 -d .whl "$pin"
done
# imageio-ffmpeg is carried for its static ffmpeg only, compressed harder than the wheel's zip.
wheel="$(ls .whl/imageio_ffmpeg-*.whl)"
if [[ ! -f .gpu-carry/ffmpeg.xz ]]; then
  tmp="$(mktemp -d)"
  unzip -q -o "$wheel" 'imageio_ffmpeg/binaries/ffmpeg-*' -d "$tmp"
  xz -9 -T0 -c "$tmp"/imageio_ffmpeg/binaries/ffmpeg-* > .gpu-carry/ffmpeg.xz
  rm -rf "$tmp"
fi
rm -f "$wheel"

archive="$(ls "$vendor"/infinitetalk/InfiniteTalk-*.tar.gz)"
expected="$(grep -o '[0-9a-f]\{64\}' "$vendor/infinitetalk/SOURCES.md" | head -1)"
actual="$(sha256sum "$archive" | cut -d' ' -f1)"
[[ "$expected" == "$actual" ]] || { echo "prepare.sh: $archive has sha256 $actual, SOURCES.md says $expected" >&2; exit 1; }
cp "$archive" .gpu-carry/
grep -o '| [0-9a-f]\{40\} |' "$vendor/infinitetalk/SOURCES.md" | head -1 | tr -d '| ' > .gpu-carry/INFINITETALK_COMMIT

npx ts-node --transpile-only docker/gpu/endpoint-env.ts .gpu-carry "$set_name" 15
du -sh .whl .gpu-carry
