#!/usr/bin/env bash
# Offline real-Terraform toolchain for cdktf-runpod-avatar.
#
# Builds the three providers our stacks pin (hashicorp/null 3.2.4, kreuzwerker/docker 3.6.2,
# runpod/runpod 2.0.0) with Go from the Go module proxy, lays them out as an unpacked
# filesystem mirror, and writes a Terraform CLI config (mirror only, no direct installs)
# plus an env.sh that the tests source. Everything lives in a cache OUTSIDE the clone:
#   ${AVATAR_TF_CACHE:-$HOME/.cache/cdktf-runpod-avatar/terraform}
# Idempotent; a second run only re-checks (seconds). See PROVENANCE.md for what each
# provider binary really is.
#
# Usage: bash test/terraform/toolchain.sh [--print-env] [--strict]
#   --print-env   stdout carries only the absolute path of env.sh (all logs go to stderr)
#   --strict      (or AVATAR_TF_STRICT=1) fail instead of falling back to a substitute /
#                 schema stand-in for null and docker when the pinned commit is unavailable
# Environment:
#   AVATAR_TF_CACHE     cache root (default above)
#   AVATAR_TF_REPROBE=1 re-ask the Go proxy for pinned commits it refused earlier
#   TERRAFORM_BINARY_NAME  terraform CLI to check (default: terraform)
set -euo pipefail

PRINT_ENV=0
STRICT="${AVATAR_TF_STRICT:-0}"
for arg in "$@"; do
  case "$arg" in
    --print-env) PRINT_ENV=1 ;;
    --strict) STRICT=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "toolchain.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${AVATAR_TF_CACHE:-$HOME/.cache/cdktf-runpod-avatar/terraform}"
T0=$EPOCHREALTIME

log() { printf '[toolchain] %s\n' "$*" >&2; }
die() {
  printf '\n[toolchain] ERROR: %s\n' "$1" >&2
  shift || true
  for l in "$@"; do printf '[toolchain]   %s\n' "$l" >&2; done
  exit 1
}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'; }

# ---------------------------------------------------------------- pins
NULL_VERSION=3.2.4
NULL_MODULE=github.com/terraform-providers/terraform-provider-null
NULL_COMMIT=01034f80eb238732fd9e8673582e0e770cfab578

DOCKER_VERSION=3.6.2
DOCKER_MODULE=github.com/terraform-providers/terraform-provider-docker   # path declared in its go.mod
DOCKER_FORK=github.com/kreuzwerker/terraform-provider-docker
DOCKER_COMMIT=2f20f8c3ce8290fcd03d96e69c7bc6338897a479
DOCKER_PSEUDO=v0.0.0-20250613214648-2f20f8c3ce82                          # = DOCKER_COMMIT (tag v3.6.2)
# Fallback when the proxy refuses DOCKER_PSEUDO: the newest kreuzwerker commit the proxy serves
# (≈ v4.6.0, 2026-09-16). Real kreuzwerker code, but NOT 3.6.2 — labelled SUBSTITUTE everywhere.
DOCKER_SUBST_PSEUDO=v0.0.0-20260916201441-96d331c98ff4

RUNPOD_VERSION=2.0.0
STANDIN_SRC="$HERE/runpod-schema-standin"
RUNPOD_SCHEMA="$HERE/runpod-2.0.0.schema.inferred.json"
NULL_SCHEMA="$HERE/null-3.2.4.schema.transcribed.json"

# ---------------------------------------------------------------- 1. terraform
TF_BIN="${TERRAFORM_BINARY_NAME:-terraform}"
if ! command -v "$TF_BIN" >/dev/null 2>&1; then
  die "'$TF_BIN' was not found on PATH. The real-Terraform tests cannot run without it (no silent skip)." \
    "Install Terraform >= 1.6 (v1.11.4 is what this lane was verified with), e.g. unzip the official" \
    "terraform_1.11.4_linux_amd64.zip into /usr/local/bin, or point TERRAFORM_BINARY_NAME at a compatible CLI." \
    "Debian has no terraform package; see /work/shared/reference/TOOLCHAIN.md section 3."
fi
TF_PATH="$(command -v "$TF_BIN")"
# An unrelated TF_CLI_CONFIG_FILE in the caller's env (e.g. a missing ~/.terraformrc) only adds noise here.
TF_VERSION="$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$TF_BIN" version -json 2>/dev/null \
  | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -n1)"
[ -n "$TF_VERSION" ] || die "'$TF_PATH version -json' did not report a version."
log "terraform: $TF_PATH (v$TF_VERSION)"

# ---------------------------------------------------------------- 2. go
if ! command -v go >/dev/null 2>&1; then
  die "'go' was not found on PATH; the provider binaries are built from source with Go." \
    "Install Go >= 1.25.8 (verified with go1.26.8) from https://go.dev/dl/ (Debian's golang-go is too old)." \
    "GOPROXY must reach proxy.golang.org (or a mirror of it)."
fi
GO_VERSION="$(go env GOVERSION)"
GOOS="$(go env GOOS)"; GOARCH="$(go env GOARCH)"
PLATFORM="${GOOS}_${GOARCH}"
log "go: $(command -v go) ($GO_VERSION, $PLATFORM, GOPROXY=$(go env GOPROXY))"
export CGO_ENABLED=0
case " ${GOFLAGS:-} " in *" -buildvcs=false "*) ;; *) export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false" ;; esac

mkdir -p "$CACHE"/{bin,build,probe,logs}
MIRROR="$CACHE/mirror"

# ---------------------------------------------------------------- helpers
# probe KEY QUERY -> prints the resolved version on success; caches refusals.
probe() {
  local key="$1" query="$2" marker="$CACHE/probe/$1.unavailable" out
  if [ -f "$marker" ] && [ "${AVATAR_TF_REPROBE:-0}" != 1 ]; then
    log "  (proxy refusal cached $(date -r "$marker" -u +%FT%TZ); AVATAR_TF_REPROBE=1 to ask again)"
    sed 's/^/[toolchain]     /' "$marker" >&2
    return 1
  fi
  if out="$(cd "$CACHE/build" && go list -m -json "$query" 2>&1)"; then
    rm -f "$marker"
    printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"Version": "\(.*\)",*$/\1/p' | head -n1
    return 0
  fi
  printf '$ go list -m -json %s\n%s\n' "$query" "$out" > "$marker"
  sed 's/^/[toolchain]     /' "$marker" >&2
  return 1
}

# build_tool_module KEY OUTBIN MODULE VERSION [REPLACEMENT] LDFLAGS
# Throw-away tools module that requires MODULE@VERSION (optionally replaced by the fork path at
# the same version) and builds its main package (TOOLCHAIN.md §4.3).
build_tool_module() {
  local key="$1" outbin="$2" module="$3" version="$4" replacement="$5" ldflags="$6"
  local dir="$CACHE/build/$key" logf="$CACHE/logs/$key.log"
  rm -rf "$dir"; mkdir -p "$dir"
  (
    set -e
    cd "$dir"
    go mod init tfproviders.local
    go mod edit -require="$module@$version"
    if [ -n "$replacement" ]; then go mod edit -replace="$module=$replacement@$version"; fi
    go mod edit -tool="$module"
    go mod tidy
    go build -trimpath -ldflags "$ldflags" -o "$outbin.tmp" "$module"
    mv "$outbin.tmp" "$outbin"
  ) > "$logf" 2>&1 || {
    tail -n 40 "$logf" | sed 's/^/[toolchain]   go: /' >&2
    die "building $key failed (full log: $logf)."
  }
}

# build_standin KEY OUTBIN SCHEMA ADDRESS LABEL
build_standin() {
  local key="$1" outbin="$2" schema="$3" address="$4" label="$5"
  local dir="$CACHE/build/$key" logf="$CACHE/logs/$key.log"
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$STANDIN_SRC/main.go" "$STANDIN_SRC/go.mod" "$STANDIN_SRC/go.sum" "$dir/"
  cp "$schema" "$dir/schema.json"
  (
    set -e
    cd "$dir"
    go build -mod=readonly -trimpath \
      -ldflags "-X 'main.address=$address' -X 'main.label=$label'" -o "$outbin.tmp" .
    mv "$outbin.tmp" "$outbin"
  ) > "$logf" 2>&1 || {
    tail -n 40 "$logf" | sed 's/^/[toolchain]   go: /' >&2
    die "building the schema stand-in $key failed (full log: $logf)."
  }
}

hash_files() { cat "$@" | sha256sum | cut -c1-12; }

LANE=()          # human-readable lane lines
declare -A BIN   # provider type -> built binary

# ensure TYPE KEY DESCRIPTION BUILD-FUNCTION-AND-ARGS...
ensure() {
  local type="$1" key="$2" what="$3"; shift 3
  local outdir="$CACHE/bin/$key" t
  local outbin="$outdir/terraform-provider-$type"
  if [ -x "$outbin" ]; then
    log "  cached  $what -> $outbin"
  else
    log "  build   $what ..."
    t=$EPOCHREALTIME
    mkdir -p "$outdir"
    "$@" "$outbin"
    log "  built   $what in $(elapsed "$t") -> $outbin"
  fi
  BIN[$type]="$outbin"
  # Keep one build per provider type in the cache: drop stale keys (older pins, old stand-in source).
  local d
  for d in "$CACHE"/bin/"$type"-* "$CACHE"/build/"$type"-* "$CACHE"/logs/"$type"-*; do
    [ -e "$d" ] || continue
    case "$(basename "$d")" in "$key" | "$key.log") ;; *) rm -rf "$d"; log "  pruned  stale $d" ;; esac
  done
}

# Adapters so `ensure` can append OUTBIN as the last argument.
_null_genuine()   { build_tool_module "$1" "$3" "$NULL_MODULE" "$2" "" "-X main.version=$NULL_VERSION"; }
_docker_build()   { build_tool_module "$1" "$3" "$DOCKER_MODULE" "$2" "$DOCKER_FORK" "-X main.version=$DOCKER_VERSION"; }
# The substitute reports an honest version string (user agent etc.): 3.6.2+subst.<commit>.
_docker_subst()   { build_tool_module "$1" "$3" "$DOCKER_MODULE" "$2" "$DOCKER_FORK" "-X main.version=$DOCKER_VERSION+subst.${2##*-}"; }
_standin()        { build_standin "$1" "$5" "$2" "$3" "$4"; }

strict_or_fallback() {
  if [ "$STRICT" = 1 ]; then
    die "$1 is not obtainable from the Go proxy and --strict/AVATAR_TF_STRICT=1 forbids the fallback." \
      "See test/terraform/PROVENANCE.md."
  fi
  log "  !!! FALLBACK: $1 is not obtainable; using the labelled fallback below."
}

# ---------------------------------------------------------------- 3. hashicorp/null 3.2.4
log "hashicorp/null $NULL_VERSION (commit $NULL_COMMIT)"
NULL_KEY_BASE="null-$NULL_VERSION-${NULL_COMMIT:0:12}-$GO_VERSION"
if [ -x "$CACHE/bin/$NULL_KEY_BASE/terraform-provider-null" ]; then
  ensure null "$NULL_KEY_BASE" "hashicorp/null $NULL_VERSION (genuine)" true
  LANE+=("hashicorp/null $NULL_VERSION = GENUINE ($NULL_MODULE @ ${NULL_COMMIT:0:12}, $GO_VERSION)")
elif NULL_PSEUDO="$(probe "$NULL_KEY_BASE" "$NULL_MODULE@$NULL_COMMIT")"; then
  log "  proxy resolved $NULL_MODULE@${NULL_COMMIT:0:12} -> $NULL_PSEUDO"
  ensure null "$NULL_KEY_BASE" "hashicorp/null $NULL_VERSION ($NULL_PSEUDO)" \
    _null_genuine "$NULL_KEY_BASE" "$NULL_PSEUDO"
  LANE+=("hashicorp/null $NULL_VERSION = GENUINE ($NULL_MODULE@$NULL_PSEUDO, $GO_VERSION)")
else
  strict_or_fallback "hashicorp/null $NULL_VERSION ($NULL_MODULE@$NULL_COMMIT)"
  key="null-$NULL_VERSION-standin-$(hash_files "$STANDIN_SRC"/main.go "$STANDIN_SRC"/go.mod "$STANDIN_SRC"/go.sum "$NULL_SCHEMA")-$GO_VERSION"
  ensure null "$key" "hashicorp/null $NULL_VERSION SCHEMA STAND-IN" \
    _standin "$key" "$NULL_SCHEMA" "registry.terraform.io/hashicorp/null" \
    "hashicorp/null 3.2.4 schema stand-in (schema transcribed from the 3.2.x source)"
  LANE+=("hashicorp/null $NULL_VERSION = SCHEMA STAND-IN (schema transcribed from null 3.2.x source; real provider unavailable from the Go proxy)")
fi

# ---------------------------------------------------------------- 4. kreuzwerker/docker 3.6.2
log "kreuzwerker/docker $DOCKER_VERSION (commit $DOCKER_COMMIT)"
DOCKER_KEY_BASE="docker-$DOCKER_VERSION-${DOCKER_COMMIT:0:12}-$GO_VERSION"
if [ -x "$CACHE/bin/$DOCKER_KEY_BASE/terraform-provider-docker" ]; then
  ensure docker "$DOCKER_KEY_BASE" "kreuzwerker/docker $DOCKER_VERSION (genuine)" true
  LANE+=("kreuzwerker/docker $DOCKER_VERSION = GENUINE ($DOCKER_FORK@$DOCKER_PSEUDO, $GO_VERSION)")
elif probe "$DOCKER_KEY_BASE" "$DOCKER_FORK@$DOCKER_PSEUDO" >/dev/null; then
  ensure docker "$DOCKER_KEY_BASE" "kreuzwerker/docker $DOCKER_VERSION ($DOCKER_PSEUDO)" \
    _docker_build "$DOCKER_KEY_BASE" "$DOCKER_PSEUDO"
  LANE+=("kreuzwerker/docker $DOCKER_VERSION = GENUINE ($DOCKER_FORK@$DOCKER_PSEUDO, $GO_VERSION)")
else
  strict_or_fallback "kreuzwerker/docker $DOCKER_VERSION ($DOCKER_FORK@$DOCKER_PSEUDO)"
  key="docker-$DOCKER_VERSION-subst-${DOCKER_SUBST_PSEUDO##*-}-v2-$GO_VERSION"
  ensure docker "$key" "kreuzwerker/docker SUBSTITUTE $DOCKER_SUBST_PSEUDO" \
    _docker_subst "$key" "$DOCKER_SUBST_PSEUDO"
  LANE+=("kreuzwerker/docker $DOCKER_VERSION = SUBSTITUTE (real kreuzwerker provider built from $DOCKER_FORK@$DOCKER_SUBST_PSEUDO ~ v4.6.x, not 3.6.2; pinned commit unavailable from the Go proxy)")
fi

# ---------------------------------------------------------------- 5. runpod/runpod 2.0.0 stand-in
log "runpod/runpod $RUNPOD_VERSION (real provider unavailable: Go proxy answers 403, see PROVENANCE.md)"
key="runpod-$RUNPOD_VERSION-standin-$(hash_files "$STANDIN_SRC"/main.go "$STANDIN_SRC"/go.mod "$STANDIN_SRC"/go.sum "$RUNPOD_SCHEMA")-$GO_VERSION"
ensure runpod "$key" "runpod/runpod $RUNPOD_VERSION SCHEMA STAND-IN" \
  _standin "$key" "$RUNPOD_SCHEMA" "registry.terraform.io/runpod/runpod" \
  "runpod/runpod 2.0.0 schema stand-in (inferred schema)"
LANE+=("runpod/runpod $RUNPOD_VERSION = SCHEMA STAND-IN (inferred schema; real provider unavailable)")

# ---------------------------------------------------------------- 6. mirror
place() { # TYPE NAMESPACE VERSION
  local type="$1" ns="$2" ver="$3"
  local dir="$MIRROR/registry.terraform.io/$ns/$type/$ver/$PLATFORM"
  local dst="$dir/terraform-provider-${type}_v$ver"
  mkdir -p "$dir"
  # Drop anything else in the slot (an older layout or a different build).
  find "$dir" -mindepth 1 -maxdepth 1 ! -name "terraform-provider-${type}_v$ver" -exec rm -rf {} +
  if ! cmp -s "${BIN[$type]}" "$dst" 2>/dev/null; then
    cp -f "${BIN[$type]}" "$dst.tmp" && chmod 0755 "$dst.tmp" && mv -f "$dst.tmp" "$dst"
    log "  mirror  updated $dst"
  else
    log "  mirror  ok      $dst"
  fi
}
log "mirror: $MIRROR"
place null hashicorp "$NULL_VERSION"
place docker kreuzwerker "$DOCKER_VERSION"
place runpod runpod "$RUNPOD_VERSION"

# ---------------------------------------------------------------- 7. CLI config + env.sh
CLI_CONFIG="$CACHE/terraform.rc"
cat > "$CLI_CONFIG.tmp" <<EOF
# Generated by test/terraform/toolchain.sh — installs providers ONLY from the local mirror.
# No direct {} block: a provider missing from the mirror fails instead of touching the network.
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/*/*"]
  }
}
EOF
mv -f "$CLI_CONFIG.tmp" "$CLI_CONFIG"

LANE_FILE="$CACHE/lane.txt"
{
  echo "# Providers in $MIRROR (written by toolchain.sh at $(date -u +%FT%TZ))"
  echo "# terraform $TF_VERSION ($TF_PATH), $GO_VERSION"
  printf '%s\n' "${LANE[@]}"
} > "$LANE_FILE"

ENV_SH="$CACHE/env.sh"
cat > "$ENV_SH.tmp" <<EOF
# Generated by test/terraform/toolchain.sh — source me before running real-Terraform tests.
export TF_CLI_CONFIG_FILE="$CLI_CONFIG"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
export TF_INPUT=0
unset TF_PLUGIN_CACHE_DIR
export CDKTF_DISABLE_PLUGIN_CACHE_ENV=1
export AVATAR_TF_MIRROR="$MIRROR"
export AVATAR_TF_LANE_FILE="$LANE_FILE"
# Dummy RunPod settings (never a real key): 16+ chars, closed loopback port for any API call.
export RUNPOD_API_KEY="\${RUNPOD_API_KEY:-offline-dummy-runpod-api-key-0000}"
export RUNPOD_API_BASE_URL="\${RUNPOD_API_BASE_URL:-http://127.0.0.1:9}"
export RUNPOD_GRAPHQL_URL="\${RUNPOD_GRAPHQL_URL:-http://127.0.0.1:9}"
EOF
mv -f "$ENV_SH.tmp" "$ENV_SH"

# ---------------------------------------------------------------- summary
log "cli config: $CLI_CONFIG"
log "env.sh:     $ENV_SH"
log "lane ($LANE_FILE):"
for l in "${LANE[@]}"; do log "  $l"; done
log "done in $(elapsed "$T0")"

if [ "$PRINT_ENV" = 1 ]; then
  printf '%s\n' "$ENV_SH"
fi
