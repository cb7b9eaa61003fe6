#!/usr/bin/env bash
# Dump `terraform providers schema -json` for the three mirrored providers into OUT.json and
# check the round trip of the schema stand-ins:
#   - runpod/runpod (only while it is the stand-in): the dump must equal the committed
#     src/gen/runpod-2.0.0.schema.json; with the genuine provider (AVATAR_TF_REGISTRY=1) use the
#     provider-check command instead, which reports the differences that matter attribute by attribute
#   - hashicorp/null (only while it is a stand-in): the dump must equal
#     null-3.2.4.schema.transcribed.json
# "Equal" = same JSON after normalisation (key order, empty maps/blocks dropped); the wrapper
# (format_version, other providers) is ignored. Exit 1 on any drift.
#
# Usage: bash test/terraform/dump-schema.sh OUT.json
#   e.g. bash test/terraform/dump-schema.sh /tmp/providers.schema.json
#   Extract one provider:  jq '.provider_schemas["registry.terraform.io/kreuzwerker/docker"]' OUT.json
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: dump-schema.sh OUT.json}"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac

ENV_SH="$(bash "$HERE/toolchain.sh" --print-env)"
# shellcheck disable=SC1090
source "$ENV_SH"
TF="${TERRAFORM_BINARY_NAME:-terraform}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/avatar-tf-schema.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/main.tf.json" <<'EOF'
{
  "terraform": {
    "required_providers": {
      "docker": { "source": "kreuzwerker/docker", "version": "3.6.2" },
      "null": { "source": "null", "version": "3.2.4" },
      "runpod": { "source": "registry.terraform.io/runpod/runpod", "version": "2.0.0" }
    }
  }
}
EOF
(cd "$WORK" && "$TF" init -no-color -input=false > init.log 2>&1) || { cat "$WORK/init.log" >&2; exit 1; }
(cd "$WORK" && "$TF" providers schema -json) > "$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
echo "[dump-schema] wrote $OUT ($(wc -c < "$OUT") bytes)"
echo "[dump-schema] lane:"; grep -v '^#' "$AVATAR_TF_LANE_FILE" | sed 's/^/[dump-schema]   /'

NULL_IS_STANDIN=0
grep -q '^hashicorp/null .* = SCHEMA STAND-IN' "$AVATAR_TF_LANE_FILE" && NULL_IS_STANDIN=1
RUNPOD_IS_STANDIN=0
grep -q '^runpod/runpod .* = SCHEMA STAND-IN' "$AVATAR_TF_LANE_FILE" && RUNPOD_IS_STANDIN=1

python3 - "$OUT" "$HERE" "$NULL_IS_STANDIN" "$RUNPOD_IS_STANDIN" <<'EOF'
import json, sys, difflib

out, here = sys.argv[1], sys.argv[2]
null_is_standin, runpod_is_standin = sys.argv[3] == "1", sys.argv[4] == "1"
dump = json.load(open(out))["provider_schemas"]

def norm(x):
    """Drop empty maps/lists and false flags so that omitted == empty; sort keys via dumps."""
    if isinstance(x, dict):
        r = {k: norm(v) for k, v in x.items()}
        return {k: v for k, v in r.items() if v not in ({}, [], None, False)}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x

checks = []
if runpod_is_standin:
    checks.append(("registry.terraform.io/runpod/runpod", "../../src/gen/runpod-2.0.0.schema.json"))
if null_is_standin:
    checks.append(("registry.terraform.io/hashicorp/null", "null-3.2.4.schema.transcribed.json"))

failed = False
for addr, ref_name in checks:
    ref = json.load(open(f"{here}/{ref_name}"))["provider_schemas"][addr]
    a = json.dumps(norm(ref), indent=1, sort_keys=True).splitlines()
    b = json.dumps(norm(dump.get(addr, {})), indent=1, sort_keys=True).splitlines()
    diff = list(difflib.unified_diff(a, b, ref_name, f"dump:{addr}", lineterm=""))
    n_res = len(dump.get(addr, {}).get("resource_schemas", {}))
    if diff:
        failed = True
        print(f"[dump-schema] DRIFT {addr} vs {ref_name}:")
        print("\n".join(diff[:200]))
    else:
        print(f"[dump-schema] round trip OK: {addr} ({n_res} resources) == {ref_name} (normalised)")
for addr, p in sorted(dump.items()):
    print(f"[dump-schema]   {addr}: {len(p.get('resource_schemas', {}))} resources, "
          f"{len(p.get('data_source_schemas', {}))} data sources")
sys.exit(1 if failed else 0)
EOF
