#!/usr/bin/env bash
# Generate (or check) the TypeScript bindings for runpod/runpod 2.0.0 from the committed schema
# (src/gen/runpod-2.0.0.schema.json) with @cdktf/provider-generator 0.21.0.
#
#   runpod-bindings.sh generate   rewrite src/gen/runpod from the schema
#   runpod-bindings.sh check      fail when regenerating would change the committed bindings
#
# The generator lives in its own tool folder outside the clone: it resolves jsii 5.8.9 and
# jsii-pacmak 1.112.0 at load time (the versions cdktf-cli 0.21.0 pins), which must not leak into the
# library's own devDependencies (the library compiles with jsii 6.0).
set -euo pipefail
mode="${1:-check}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tool="${AVATAR_GENERATOR_HOME:-$HOME/.cache/cdktf-runpod-avatar/provider-generator}"
if [[ ! -d "$tool/node_modules/@cdktf/provider-generator" ]]; then
  echo "runpod-bindings: installing @cdktf/provider-generator 0.21.0 into $tool"
  mkdir -p "$tool"
  echo '{"name":"provider-generator-tool","private":true}' > "$tool/package.json"
  (cd "$tool" && npm install --no-audit --no-fund --loglevel=error \
    @cdktf/provider-generator@0.21.0 jsii@5.8.9 jsii-pacmak@1.112.0 >/dev/null)
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
NODE_PATH="$tool/node_modules" node "$repo/test/tools/generate-runpod-bindings.cjs" \
  "$repo/src/gen/runpod-2.0.0.schema.json" "$out"
case "$mode" in
  generate)
    rm -rf "$repo/src/gen/runpod"
    cp -r "$out/runpod" "$repo/src/gen/runpod"
    echo "runpod-bindings: wrote src/gen/runpod ($(find "$repo/src/gen/runpod" -name '*.ts' | wc -l) files)"
    ;;
  check)
    if ! diff -ru "$repo/src/gen/runpod" "$out/runpod" > "$out/diff.txt"; then
      head -60 "$out/diff.txt"
      echo "runpod-bindings: the committed src/gen/runpod differs from what the schema generates; run: npx projen gen:runpod" >&2
      exit 1
    fi
    echo "runpod-bindings: src/gen/runpod matches the committed schema"
    ;;
  *) echo "usage: $0 generate|check" >&2; exit 64 ;;
esac
