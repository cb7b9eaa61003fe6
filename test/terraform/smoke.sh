#!/usr/bin/env bash
# Smoke test of the offline real-Terraform lane (see toolchain.sh, PROVENANCE.md).
#   1. smoke/good: terraform init (from the mirror only) + validate + plan must succeed.
#   2. smoke/bad (cdk.tf.json-style JSON) and smoke/bad-hcl (native syntax): terraform validate
#      must FAIL on runpod_serverless_endpoint.gpu_ids (a 1.x attribute absent in 2.0.0) with
#      Terraform's own message: "Extraneous JSON object property ... No argument or block type
#      is named "gpu_ids"" for JSON, "Unsupported argument" for HCL.
# Runs on temp copies; the checked-in directories are never written to.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENV_SH="$(bash "$HERE/toolchain.sh" --print-env)"
# shellcheck disable=SC1090
source "$ENV_SH"
TF="${TERRAFORM_BINARY_NAME:-terraform}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/avatar-tf-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
FAILED=0

say() { printf '\n[smoke] %s\n' "$*"; }
fail() { printf '[smoke] FAIL: %s\n' "$*"; FAILED=1; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

say "lane:"
grep -v '^#' "$AVATAR_TF_LANE_FILE" | sed 's/^/[smoke]   /'

# ------------------------------------------------------------------ good
cp -r "$HERE/smoke/good" "$WORK/good"
cd "$WORK/good"
t=$EPOCHREALTIME
say "good: terraform init (mirror only)"
if "$TF" init -no-color -input=false > init.log 2>&1; then
  grep -E 'Installed|Initializing provider|successfully initialized' init.log | sed 's/^/[smoke]   /' || true
else
  cat init.log; fail "init of smoke/good failed"
fi

if [ "$FAILED" = 0 ]; then
  say "good: terraform validate -json"
  "$TF" validate -json -no-color > validate.json 2>validate.err || true
  if python3 - validate.json <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for d in v.get("diagnostics", []):
    print(f"[smoke]   {d['severity']}: {d['summary']}: {d.get('detail', '')}")
print(f"[smoke]   valid={v['valid']} errors={v['error_count']} warnings={v['warning_count']}")
sys.exit(0 if v["valid"] else 1)
EOF
  then :; else cat validate.err; fail "smoke/good is not valid"; fi
fi

if [ "$FAILED" = 0 ]; then
  say "good: terraform plan -input=false -lock=false (as cdktf's toPlanSuccessfully)"
  if "$TF" plan -input=false -lock=false -no-color > plan.log 2>&1; then
    grep -E '^  # |^Plan:|known after apply' plan.log | sed 's/^/[smoke]   /' | head -n 40
    grep -q '^Plan: 5 to add, 0 to change, 0 to destroy' plan.log \
      || fail "expected 'Plan: 5 to add, 0 to change, 0 to destroy' in the plan"
  else
    cat plan.log; fail "plan of smoke/good failed"
  fi
fi
say "good: done in $(elapsed "$t")"

# ------------------------------------------------------------------ bad
# expect_invalid DIR PATTERN...: validate -json must report valid=false (what cdktf's
# toBeValidTerraform checks) and the human-readable validate output must contain every PATTERN.
expect_invalid() {
  local dir="$1"; shift
  local t=$EPOCHREALTIME
  cp -r "$HERE/smoke/$dir" "$WORK/$dir"
  cd "$WORK/$dir"
  say "$dir: terraform init + validate (must fail: $*)"
  "$TF" init -no-color -input=false > init.log 2>&1 || { cat init.log; fail "init of smoke/$dir failed"; return; }
  "$TF" validate -json -no-color > validate.json 2>/dev/null || true
  if ! python3 -c 'import json,sys; sys.exit(0 if json.load(open("validate.json"))["valid"] is False else 1)'; then
    cat validate.json; fail "smoke/$dir: validate -json did not report valid=false"; return
  fi
  if "$TF" validate -no-color > validate.log 2>&1; then
    cat validate.log; fail "smoke/$dir validated but must not"; return
  fi
  sed 's/^/[smoke]   /' validate.log | grep -vE '^\[smoke\]   *$' || true
  local p
  for p in "$@"; do
    grep -qF -- "$p" validate.log || { fail "smoke/$dir: validate output lacks: $p"; return; }
  done
  say "$dir: rejected as expected in $(elapsed "$t")"
}
# cdk.tf.json is JSON syntax: Terraform words the unknown-attribute error differently there.
expect_invalid bad 'Extraneous JSON object property' 'No argument or block type is named "gpu_ids"'
# The same mistake in native HCL: Terraform's "Unsupported argument".
expect_invalid bad-hcl 'Unsupported argument' 'An argument named "gpu_ids" is not expected here.'

if [ "$FAILED" = 0 ]; then
  say "OK: good config valid + planned; bad configs (JSON + HCL) rejected by terraform validate."
else
  say "SMOKE TEST FAILED"; exit 1
fi
