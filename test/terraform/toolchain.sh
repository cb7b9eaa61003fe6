#!/usr/bin/env bash
# Real-Terraform toolchain for cdktf-runpod-avatar's test lane.
#
# Provides the three providers our stacks pin (hashicorp/null 3.2.4, kreuzwerker/docker 3.6.2,
# runpod/runpod 2.0.0) and writes a Terraform CLI config plus an env.sh that the tests source.
# Where each provider comes from, in order of preference (the lane file labels every provider
# GENUINE / SUBSTITUTE / SCHEMA STAND-IN and says where it came from):
#   1. AVATAR_TF_REGISTRY=1 (opt-in, for a machine that reaches the public Terraform registry):
#      the CLI config installs the registry's genuine releases of all three directly, runpod 2.0.0
#      included, so the suite checks our bindings against the real provider. Nothing is built and
#      no Go is needed. Never switched on by probing the network: only by this variable.
#   2. The vendored release sources in $AVATAR_TF_VENDOR_DIR (default: shared/vendor/terraform-providers
#      beside the clone): each archive's sha256 is checked against its SOURCES.md, then it is built
#      with Go (dependencies from the Go module proxy) into an unpacked filesystem mirror.
#   3. When no vendored source is there: the pinned commit from the Go module proxy if it serves it,
#      else null as a schema stand-in and docker as a SUBSTITUTE (a newer kreuzwerker commit).
#   runpod/runpod 2.0.0 outside the registry mode is always a schema stand-in serving the committed
#   src/gen/runpod-2.0.0.schema.json: no source for the real provider can be had here.
# Everything lives in a cache OUTSIDE the clone:
#   ${AVATAR_TF_CACHE:-$HOME/.cache/cdktf-runpod-avatar/terraform}
# Idempotent; a second run only re-checks (seconds). See PROVENANCE.md for what each binary is.
#
# CLI: the `terraform` on PATH (or $TERRAFORM_BINARY_NAME). When it is absent, OpenTofu is built
# from the Go module proxy instead (cached like the providers; first build takes minutes), the
# mirror gets registry.opentofu.org twins of every provider slot, and the tofu variants of the
# generated files are written (tofu.rc, env.tofu.sh, lane.tofu.txt) so a concurrent terraform
# run sharing the cache keeps its own terraform.rc / env.sh / lane.txt. The registry mode writes
# registry.rc, env.registry.sh and lane.registry.txt (registry-tofu.* with OpenTofu).
#
# Usage: bash test/terraform/toolchain.sh [--print-env] [--strict]
#   --print-env   stdout carries only the absolute path of the env file written (all logs go to
#                 stderr)
#   --strict      (or AVATAR_TF_STRICT=1) fail instead of falling back to a substitute /
#                 schema stand-in for null and docker when the genuine release is unavailable
# Environment:
#   AVATAR_TF_CACHE       cache root (default above)
#   AVATAR_TF_REGISTRY=1  use the public Terraform registry's genuine providers (see 1. above)
#   AVATAR_TF_VENDOR_DIR  folder of the vendored provider sources and their SOURCES.md (see 2.)
#   AVATAR_TF_REPROBE=1   re-ask the Go proxy for pinned commits it refused earlier
#   TERRAFORM_BINARY_NAME terraform CLI to check (default: terraform)
#   AVATAR_TF_CLI         auto (default): TERRAFORM_BINARY_NAME/terraform if on PATH, else OpenTofu
#                         built from the Go proxy; terraform: require it (fail if absent);
#                         tofu: always use the OpenTofu built from the Go proxy (tests the fallback)
set -euo pipefail

PRINT_ENV=0
STRICT="${AVATAR_TF_STRICT:-0}"
for arg in "$@"; do
  case "$arg" in
    --print-env) PRINT_ENV=1 ;;
    --strict) STRICT=1 ;;
    -h|--help) sed -n '2,43p' "$0"; exit 0 ;;
    *) echo "toolchain.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
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
# The stand-in serves the very schema the bindings are generated from: one truth, no copy.
RUNPOD_SCHEMA="$REPO/src/gen/runpod-2.0.0.schema.json"
NULL_SCHEMA="$HERE/null-3.2.4.schema.transcribed.json"

# Vendored release sources (`git archive` of the tag) and their SOURCES.md (file, repository, tag,
# commit, sha256). A clean clone elsewhere (CI) points AVATAR_TF_VENDOR_DIR at its copy.
VENDOR_DIR="${AVATAR_TF_VENDOR_DIR:-$REPO/../shared/vendor/terraform-providers}"
[ -d "$VENDOR_DIR" ] && VENDOR_DIR="$(cd "$VENDOR_DIR" && pwd)"
NULL_ARCHIVE="terraform-provider-null-$NULL_VERSION.tar.gz"
DOCKER_ARCHIVE="terraform-provider-docker-$DOCKER_VERSION.tar.gz"
# Release builds use these flags (each tag's .goreleaser.yml); -trimpath and CGO_ENABLED=0 too.
NULL_RELEASE_LDFLAGS="-s -w -X main.Version=$NULL_VERSION"
DOCKER_RELEASE_LDFLAGS="-s -w -X main.version=$DOCKER_VERSION -X main.commit=$DOCKER_COMMIT"

REGISTRY="${AVATAR_TF_REGISTRY:-0}"
case "$REGISTRY" in
  0|1) ;;
  *) die "AVATAR_TF_REGISTRY must be 1 (use the public Terraform registry's genuine providers) or 0/unset (got '$REGISTRY')." ;;
esac

# OpenTofu: the CLI fallback when terraform is absent (TOOLCHAIN.md section 3).
TOFU_VERSION=1.12.6
TOFU_MODULE=github.com/opentofu/opentofu
TOFU_MAIN=github.com/opentofu/opentofu/cmd/tofu
# Release builds set version.dev=no (otherwise `tofu version` says 1.12.6-dev); -s -w as upstream.
TOFU_LDFLAGS="-s -w -X github.com/opentofu/opentofu/version.dev=no"

# ---------------------------------------------------------------- 1. terraform (or OpenTofu)
TF_BIN="${TERRAFORM_BINARY_NAME:-terraform}"
TF_CLI_MODE="${AVATAR_TF_CLI:-auto}"
BUILD_TOFU=0
TOFU_REASON=""
case "$TF_CLI_MODE" in
  auto)
    if ! command -v "$TF_BIN" >/dev/null 2>&1; then
      BUILD_TOFU=1; TOFU_REASON="$TF_BIN not found"
      log "'$TF_BIN' is not on PATH: falling back to OpenTofu $TOFU_VERSION built from the Go module proxy."
    fi ;;
  terraform)
    if ! command -v "$TF_BIN" >/dev/null 2>&1; then
      die "'$TF_BIN' was not found on PATH and AVATAR_TF_CLI=terraform forbids the OpenTofu fallback." \
        "Install Terraform >= 1.6 (v1.11.4 is what this lane was verified with), e.g. unzip the official" \
        "terraform_1.11.4_linux_amd64.zip into /usr/local/bin, or point TERRAFORM_BINARY_NAME at a compatible CLI," \
        "or unset AVATAR_TF_CLI to build OpenTofu $TOFU_VERSION from the Go proxy (TOOLCHAIN.md section 3)."
    fi ;;
  tofu) BUILD_TOFU=1; TOFU_REASON="forced by AVATAR_TF_CLI=tofu" ;;
  *) die "AVATAR_TF_CLI must be auto, terraform or tofu (got '$TF_CLI_MODE')." ;;
esac

# cli_version BIN -> prints the core version (`version -json` reports terraform_version for tofu too).
cli_version() {
  TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version -json 2>/dev/null \
    | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -n1
}
if [ "$BUILD_TOFU" = 0 ]; then
  TF_PATH="$(command -v "$TF_BIN")"
  # An unrelated TF_CLI_CONFIG_FILE in the caller's env (e.g. a missing ~/.terraformrc) only adds noise here.
  TF_VERSION="$(cli_version "$TF_BIN")"
  [ -n "$TF_VERSION" ] || die "'$TF_PATH version -json' did not report a version."
  # A TERRAFORM_BINARY_NAME that names an OpenTofu binary (e.g. inherited from env.tofu.sh) is OpenTofu.
  TF_VERSION_TEXT="$(TF_CLI_CONFIG_FILE=/dev/null "$TF_BIN" version 2>/dev/null || true)"
  if [ "${TF_VERSION_TEXT#OpenTofu }" != "$TF_VERSION_TEXT" ]; then
    TF_FLAVOUR=tofu
    log "tofu: $TF_PATH (OpenTofu v$TF_VERSION, from TERRAFORM_BINARY_NAME)"
  else
    TF_FLAVOUR=terraform
    log "terraform: $TF_PATH (v$TF_VERSION)"
  fi
else
  TF_FLAVOUR=tofu
fi

# ---------------------------------------------------------------- 2. go
GO_VERSION=""
# Only the registry mode with a terraform on PATH builds nothing and needs no Go.
if [ "$REGISTRY" = 0 ] || [ "$BUILD_TOFU" = 1 ]; then
  if ! command -v go >/dev/null 2>&1; then
    die "'go' was not found on PATH; the provider binaries are built from source with Go." \
      "Install Go >= 1.25.8 (verified with go1.26.8) from https://go.dev/dl/ (Debian's golang-go is too old)." \
      "Its GOPROXY setting (go env GOPROXY) must reach the Go module proxy or a mirror of it." \
      "Or, on a machine that reaches the public Terraform registry, set AVATAR_TF_REGISTRY=1 (no Go needed)."
  fi
  GO_VERSION="$(go env GOVERSION)"
  GOOS="$(go env GOOS)"; GOARCH="$(go env GOARCH)"
  PLATFORM="${GOOS}_${GOARCH}"
  log "go: $(command -v go) ($GO_VERSION, $PLATFORM, GOPROXY=$(go env GOPROXY))"
  export CGO_ENABLED=0
  case " ${GOFLAGS:-} " in *" -buildvcs=false "*) ;; *) export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false" ;; esac
fi

mkdir -p "$CACHE"/{bin,build,probe,logs}
MIRROR="$CACHE/mirror"

# ---------------------------------------------------------------- 2b. OpenTofu from the Go proxy
# `go install github.com/opentofu/opentofu/cmd/tofu@vX` is refused because OpenTofu's go.mod has
# `replace` directives. Instead: a throw-away tools module that requires OpenTofu at the tag and
# copies its replace (and godebug) lines, then `go mod tidy` + `go build` (TOOLCHAIN.md section 4.3).
# go_refusals LOG -> prints the distinct "module@version: ... 403" lines of a go log.
go_refusals() {
  grep -E '403 Forbidden|410 Gone|404 Not Found|not available' "$1" | sed 's/^[[:space:]]*//' | sort -u
}
# go_fail LOG MESSAGE CONSEQUENCE...: a failed go command, with the modules the proxy refused (if
# that is why) or the log's tail, and what the failure means for the lane.
go_fail() {
  local logf="$1" msg="$2" refused
  shift 2
  refused="$(go_refusals "$logf" || true)"
  if [ -n "$refused" ]; then
    printf '%s\n' "$refused" | sed 's/^/[toolchain]   refused: /' >&2
    die "$msg: the Go module proxy refused the module(s) listed above (full log: $logf)." "$@" \
      "Use a GOPROXY that serves these modules."
  fi
  tail -n 40 "$logf" | sed 's/^/[toolchain]   go: /' >&2
  die "$msg (full log: $logf)." "$@"
}
tofu_fail() { # LOG MESSAGE
  go_fail "$1" "$2" "Without OpenTofu (and without terraform) the real-Terraform lane cannot run. Install Terraform >= 1.6" \
    "(TOOLCHAIN.md section 3)."
}
build_tofu() { # KEY OUTBIN
  local key="$1" outbin="$2"
  local dir="$CACHE/build/$key" logf="$CACHE/logs/$key.log" dl gomod line old new args=()
  rm -rf "$dir"; mkdir -p "$dir"
  : > "$logf"
  # OpenTofu's own go.mod, from the proxy (small; the module cache keeps it).
  dl="$(cd "$dir" && go mod download -json "$TOFU_MODULE@v$TOFU_VERSION" 2>>"$logf")" \
    || { printf '%s\n' "$dl" >> "$logf"; tofu_fail "$logf" "downloading $TOFU_MODULE@v$TOFU_VERSION failed"; }
  printf '$ go mod download -json %s@v%s\n%s\n' "$TOFU_MODULE" "$TOFU_VERSION" "$dl" >> "$logf"
  gomod="$(printf '%s\n' "$dl" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' | head -n1)"
  [ -f "$gomod" ] || tofu_fail "$logf" "go mod download did not report OpenTofu's go.mod"
  # replace lines: `replace OLD [VER] => NEW VER` and `replace ( ... )` blocks; comments dropped.
  while IFS= read -r line; do
    old="${line%%=>*}"; new="${line#*=>}"
    read -r -a o <<<"$old"; read -r -a n <<<"$new"
    if [ "${#n[@]}" -ne 2 ]; then
      die "OpenTofu $TOFU_VERSION's go.mod has a local-path replace ('$line'): a module zip cannot satisfy it." \
        "See TOOLCHAIN.md section 3 (the same problem rules out building HashiCorp Terraform)."
    fi
    args+=("-replace=${o[0]}${o[1]:+@${o[1]}}=${n[0]}@${n[1]}")
  done < <(awk '
    { sub(/\/\/.*/, "") }
    /^replace[[:space:]]*\(/ { blk = 1; next }
    blk && /^[[:space:]]*\)/ { blk = 0; next }
    blk && /=>/ { print; next }
    /^replace[[:space:]]/ && /=>/ { sub(/^replace[[:space:]]+/, ""); print }' "$gomod")
  # godebug defaults of OpenTofu's release build (e.g. tlsmlkem=0) only apply in the main module.
  while IFS= read -r line; do args+=("-godebug=$line"); done < <(awk '
    { sub(/\/\/.*/, ""); gsub(/^[[:space:]]+|[[:space:]]+$/, "") }
    /^godebug[[:space:]]*\(/ { blk = 1; next }
    blk && /^\)/ { blk = 0; next }
    blk && /=/ { print; next }
    /^godebug[[:space:]]/ { sub(/^godebug[[:space:]]+/, ""); print }' "$gomod")
  log "  copied from OpenTofu's go.mod: ${args[*]:-(nothing)}"
  (
    set -ex
    cd "$dir"
    go mod init toftools.local
    go mod edit -require="$TOFU_MODULE@v$TOFU_VERSION"
    [ "${#args[@]}" -eq 0 ] || go mod edit "${args[@]}"
    go mod edit -tool="$TOFU_MAIN"
    go mod tidy
    go build -trimpath -ldflags "$TOFU_LDFLAGS" -o "$outbin.tmp" "$TOFU_MAIN"
    mv -f "$outbin.tmp" "$outbin"
  ) >> "$logf" 2>&1 || tofu_fail "$logf" "building OpenTofu $TOFU_VERSION from the Go proxy failed"
}

if [ "$BUILD_TOFU" = 1 ]; then
  TOFU_KEY="tofu-$TOFU_VERSION-$GO_VERSION"
  TF_PATH="$CACHE/bin/$TOFU_KEY/tofu"
  if [ -x "$TF_PATH" ]; then
    log "tofu: cached  OpenTofu $TOFU_VERSION -> $TF_PATH"
  else
    log "tofu: build   OpenTofu $TOFU_VERSION ($TOFU_MODULE@v$TOFU_VERSION, $GO_VERSION; first build takes minutes, log: $CACHE/logs/$TOFU_KEY.log) ..."
    t=$EPOCHREALTIME
    mkdir -p "$(dirname "$TF_PATH")"
    build_tofu "$TOFU_KEY" "$TF_PATH"
    log "tofu: built   OpenTofu $TOFU_VERSION in $(elapsed "$t") -> $TF_PATH"
  fi
  TF_VERSION="$(cli_version "$TF_PATH")"
  [ "$TF_VERSION" = "$TOFU_VERSION" ] \
    || die "'$TF_PATH version -json' reported '$TF_VERSION', expected $TOFU_VERSION (remove $(dirname "$TF_PATH") to rebuild)."
  TF_BIN="$TF_PATH"
  log "tofu: $TF_PATH (OpenTofu v$TF_VERSION)"
fi

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

# vendored_source ARCHIVE COMMIT -> sets VENDORED to the archive's path when the vendored source is
# there; returns 1 when it is not (the caller falls back). An archive that is there but does not
# match SOURCES.md (sha256, or a commit other than our pin) stops the script, never a fallback (so
# this is not called inside a command substitution, whose subshell `die` would only end).
vendored_source() {
  local archive="$1" commit="$2" path="$VENDOR_DIR/$1" row listed_commit listed_sha actual
  VENDORED=""
  [ -f "$path" ] || return 1
  [ -f "$VENDOR_DIR/SOURCES.md" ] \
    || die "$path has no SOURCES.md beside it to check its sha256 against." \
      "Restore $VENDOR_DIR/SOURCES.md, or point AVATAR_TF_VENDOR_DIR at a complete copy."
  # SOURCES.md table row: | file | repository | tag | commit | sha256 | licence |
  row="$(awk -F'|' -v f="$archive" '{ for (i = 1; i <= NF; i++) gsub(/^[ \t`]+|[ \t`]+$/, "", $i) } $2 == f { print $5, $6; exit }' "$VENDOR_DIR/SOURCES.md")"
  [ -n "$row" ] || die "$VENDOR_DIR/SOURCES.md has no row for $archive: its sha256 cannot be checked."
  read -r listed_commit listed_sha <<<"$row"
  [ "$listed_commit" = "$commit" ] \
    || die "$VENDOR_DIR/SOURCES.md says $archive is commit $listed_commit, but this lane pins $commit." \
      "Vendor the pinned release, or update the pin in test/terraform/toolchain.sh together with the stacks' provider version."
  actual="$(sha256sum "$path" | cut -d' ' -f1)"
  [ "$actual" = "$listed_sha" ] \
    || die "$path has sha256 $actual, but SOURCES.md lists $listed_sha." \
      "The archive is damaged or not the release SOURCES.md describes: restore it from the vendored copy."
  VENDORED="$path"
}

# build_vendored KEY OUTBIN ARCHIVE LDFLAGS: unpack a release's source archive and build it at its
# root with the release ldflags; dependencies come from the Go module proxy, checked against the
# archive's own go.sum (and the checksum database for any it lacks).
build_vendored() {
  local key="$1" outbin="$2" archive="$3" ldflags="$4"
  local dir="$CACHE/build/$key" logf="$CACHE/logs/$key.log" top
  rm -rf "$dir"; mkdir -p "$dir"
  tar -xzf "$archive" -C "$dir" || die "unpacking $archive failed."
  top="$(find "$dir" -mindepth 1 -maxdepth 1 -type d | head -n1)"
  [ -f "$top/go.mod" ] || die "$archive does not unpack into one folder with a go.mod at its root."
  (
    set -ex
    cd "$top"
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -ldflags "$ldflags" -o "$outbin.tmp" .
    mv -f "$outbin.tmp" "$outbin"
  ) > "$logf" 2>&1 || go_fail "$logf" "building $key from $archive failed"
}

LANE=()          # human-readable lane lines
if [ "$BUILD_TOFU" = 1 ]; then
  LANE+=("CLI: OpenTofu $TOFU_VERSION (built from the Go proxy; $TOFU_REASON)")
elif [ "$TF_FLAVOUR" = tofu ]; then
  LANE+=("CLI: OpenTofu $TF_VERSION ($TF_PATH from TERRAFORM_BINARY_NAME)")
fi
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
_vendored()       { build_vendored "$1" "$4" "$2" "$3"; }

# vendored_provider TYPE NAME VERSION COMMIT ARCHIVE LDFLAGS: the genuine release built from its
# vendored source (cached), with its lane line; returns 1 when the vendored source is not there.
vendored_provider() {
  local type="$1" name="$2" version="$3" commit="$4" archive="$5" ldflags="$6" key
  vendored_source "$archive" "$commit" || return 1
  key="$type-$version-vendored-${commit:0:12}-$GO_VERSION"
  ensure "$type" "$key" "$name $version (genuine, vendored source, sha256 checked; a first build takes minutes)" \
    _vendored "$key" "$VENDORED" "$ldflags"
  LANE+=("$name $version = GENUINE (release v$version, commit ${commit:0:12}, built from the vendored source $VENDORED, sha256 checked against SOURCES.md; $GO_VERSION)")
}

strict_or_fallback() {
  if [ "$STRICT" = 1 ]; then
    die "$1 is not obtainable (no vendored source in $VENDOR_DIR, and the Go proxy refuses the pin) and" \
      "--strict/AVATAR_TF_STRICT=1 forbids the fallback. See test/terraform/PROVENANCE.md."
  fi
  log "  !!! FALLBACK: $1 is not obtainable; using the labelled fallback below."
}

REGISTRY_LABEL="public Terraform registry release, installed directly by the CLI; opted in by AVATAR_TF_REGISTRY=1"
if [ "$REGISTRY" = 1 ]; then
  log "providers: the public Terraform registry's genuine releases (AVATAR_TF_REGISTRY=1); nothing to build"
  LANE+=("hashicorp/null $NULL_VERSION = GENUINE ($REGISTRY_LABEL)")
  LANE+=("kreuzwerker/docker $DOCKER_VERSION = GENUINE ($REGISTRY_LABEL)")
  LANE+=("runpod/runpod $RUNPOD_VERSION = GENUINE ($REGISTRY_LABEL)")
else
# ---------------------------------------------------------------- 3. hashicorp/null 3.2.4
log "hashicorp/null $NULL_VERSION (commit $NULL_COMMIT)"
NULL_KEY_BASE="null-$NULL_VERSION-${NULL_COMMIT:0:12}-$GO_VERSION"
if vendored_provider null hashicorp/null "$NULL_VERSION" "$NULL_COMMIT" "$NULL_ARCHIVE" "$NULL_RELEASE_LDFLAGS"; then
  :
elif [ -x "$CACHE/bin/$NULL_KEY_BASE/terraform-provider-null" ]; then
  ensure null "$NULL_KEY_BASE" "hashicorp/null $NULL_VERSION (genuine)" true
  LANE+=("hashicorp/null $NULL_VERSION = GENUINE (commit ${NULL_COMMIT:0:12} from the Go module proxy, $GO_VERSION)")
elif NULL_PSEUDO="$(probe "$NULL_KEY_BASE" "$NULL_MODULE@$NULL_COMMIT")"; then
  log "  proxy resolved $NULL_MODULE@${NULL_COMMIT:0:12} -> $NULL_PSEUDO"
  ensure null "$NULL_KEY_BASE" "hashicorp/null $NULL_VERSION ($NULL_PSEUDO)" \
    _null_genuine "$NULL_KEY_BASE" "$NULL_PSEUDO"
  LANE+=("hashicorp/null $NULL_VERSION = GENUINE ($NULL_MODULE@$NULL_PSEUDO from the Go module proxy, $GO_VERSION)")
else
  strict_or_fallback "hashicorp/null $NULL_VERSION ($NULL_MODULE@$NULL_COMMIT)"
  key="null-$NULL_VERSION-standin-$(hash_files "$STANDIN_SRC"/main.go "$STANDIN_SRC"/go.mod "$STANDIN_SRC"/go.sum "$NULL_SCHEMA")-$GO_VERSION"
  ensure null "$key" "hashicorp/null $NULL_VERSION SCHEMA STAND-IN" \
    _standin "$key" "$NULL_SCHEMA" "registry.terraform.io/hashicorp/null" \
    "hashicorp/null 3.2.4 schema stand-in (schema transcribed from the 3.2.x source)"
  LANE+=("hashicorp/null $NULL_VERSION = SCHEMA STAND-IN (schema transcribed from the null 3.2.x source; no vendored source in $VENDOR_DIR and the Go proxy refuses the pin)")
fi

# ---------------------------------------------------------------- 4. kreuzwerker/docker 3.6.2
log "kreuzwerker/docker $DOCKER_VERSION (commit $DOCKER_COMMIT)"
DOCKER_KEY_BASE="docker-$DOCKER_VERSION-${DOCKER_COMMIT:0:12}-$GO_VERSION"
if vendored_provider docker kreuzwerker/docker "$DOCKER_VERSION" "$DOCKER_COMMIT" "$DOCKER_ARCHIVE" "$DOCKER_RELEASE_LDFLAGS"; then
  :
elif [ -x "$CACHE/bin/$DOCKER_KEY_BASE/terraform-provider-docker" ]; then
  ensure docker "$DOCKER_KEY_BASE" "kreuzwerker/docker $DOCKER_VERSION (genuine)" true
  LANE+=("kreuzwerker/docker $DOCKER_VERSION = GENUINE ($DOCKER_FORK@$DOCKER_PSEUDO from the Go module proxy, $GO_VERSION)")
elif probe "$DOCKER_KEY_BASE" "$DOCKER_FORK@$DOCKER_PSEUDO" >/dev/null; then
  ensure docker "$DOCKER_KEY_BASE" "kreuzwerker/docker $DOCKER_VERSION ($DOCKER_PSEUDO)" \
    _docker_build "$DOCKER_KEY_BASE" "$DOCKER_PSEUDO"
  LANE+=("kreuzwerker/docker $DOCKER_VERSION = GENUINE ($DOCKER_FORK@$DOCKER_PSEUDO from the Go module proxy, $GO_VERSION)")
else
  strict_or_fallback "kreuzwerker/docker $DOCKER_VERSION ($DOCKER_FORK@$DOCKER_PSEUDO)"
  key="docker-$DOCKER_VERSION-subst-${DOCKER_SUBST_PSEUDO##*-}-v2-$GO_VERSION"
  ensure docker "$key" "kreuzwerker/docker SUBSTITUTE $DOCKER_SUBST_PSEUDO" \
    _docker_subst "$key" "$DOCKER_SUBST_PSEUDO"
  LANE+=("kreuzwerker/docker $DOCKER_VERSION = SUBSTITUTE (real kreuzwerker provider built from $DOCKER_FORK@$DOCKER_SUBST_PSEUDO from the Go module proxy, ~ v4.6.x, not 3.6.2; no vendored source in $VENDOR_DIR and the proxy refuses the pin)")
fi

# ---------------------------------------------------------------- 5. runpod/runpod 2.0.0 stand-in
log "runpod/runpod $RUNPOD_VERSION (no source for the real provider here, see PROVENANCE.md; AVATAR_TF_REGISTRY=1 uses the genuine release)"
key="runpod-$RUNPOD_VERSION-standin-$(hash_files "$STANDIN_SRC"/main.go "$STANDIN_SRC"/go.mod "$STANDIN_SRC"/go.sum "$RUNPOD_SCHEMA")-$GO_VERSION"
ensure runpod "$key" "runpod/runpod $RUNPOD_VERSION SCHEMA STAND-IN" \
  _standin "$key" "$RUNPOD_SCHEMA" "registry.terraform.io/runpod/runpod" \
  "runpod/runpod 2.0.0 schema stand-in (serves the committed, inferred src/gen/runpod-2.0.0.schema.json)"
LANE+=("runpod/runpod $RUNPOD_VERSION = SCHEMA STAND-IN (serves the committed src/gen/runpod-2.0.0.schema.json, which is inferred; no source for the real provider here; AVATAR_TF_REGISTRY=1 uses the genuine release)")

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
  # OpenTofu resolves short sources ("null", "kreuzwerker/docker") to registry.opentofu.org: give it
  # a twin slot, a relative symlink to the same directory (tofu follows a symlink at this depth).
  if [ "$TF_FLAVOUR" = tofu ]; then
    local twin="$MIRROR/registry.opentofu.org/$ns/$type/$ver/$PLATFORM"
    local target="../../../../registry.terraform.io/$ns/$type/$ver/$PLATFORM"
    mkdir -p "$(dirname "$twin")"
    if [ -L "$twin" ] && [ "$(readlink "$twin")" = "$target" ]; then
      log "  mirror  ok      $twin -> $target"
    elif [ -e "$twin" ] && [ ! -L "$twin" ]; then
      log "  mirror  kept    $twin (exists and is not a symlink; not touched)"
    else
      ln -sfn "$target" "$twin"
      log "  mirror  linked  $twin -> $target"
    fi
  fi
}
log "mirror: $MIRROR"
place null hashicorp "$NULL_VERSION"
place docker kreuzwerker "$DOCKER_VERSION"
place runpod runpod "$RUNPOD_VERSION"
fi # registry or mirror

# ---------------------------------------------------------------- 7. CLI config + env.sh
# One set of generated files per variant, so runs of different variants can share the cache:
# terraform.rc / env.sh / lane.txt; tofu.*; registry.*; registry-tofu.*.
VARIANT=""
[ "$TF_FLAVOUR" = tofu ] && VARIANT=tofu
[ "$REGISTRY" = 1 ] && VARIANT="registry${VARIANT:+-$VARIANT}"
CLI_CONFIG="$CACHE/${VARIANT:-terraform}.rc"; LANE_FILE="$CACHE/lane${VARIANT:+.$VARIANT}.txt"; ENV_SH="$CACHE/env${VARIANT:+.$VARIANT}.sh"
if [ "$TF_FLAVOUR" = terraform ]; then
  INCLUDE='"registry.terraform.io/*/*"'
  CHECKPOINT_LINE="disable_checkpoint = true"
  BIN_LINE=""   # unchanged behaviour: the tests run TERRAFORM_BINARY_NAME or `terraform` from PATH
else
  INCLUDE='"registry.terraform.io/*/*", "registry.opentofu.org/*/*"'
  CHECKPOINT_LINE="# (no disable_checkpoint: OpenTofu has no checkpoint call)"
  # OpenTofu 1.12 reads its CLI config from TF_CLI_CONFIG_FILE as well (cliconfig.go has no TOFU_ name).
  BIN_LINE="export TERRAFORM_BINARY_NAME=\"$TF_PATH\""
fi
if [ "$REGISTRY" = 1 ]; then
  # Every test stack runs its own init: the plugin cache downloads each release once. Without a
  # lock file Terraform >= 1.4 ignores the cache unless told it may (test stacks commit no lock).
  PLUGIN_CACHE="$CACHE/registry-plugin-cache"
  mkdir -p "$PLUGIN_CACHE"
  cat > "$CLI_CONFIG.tmp" <<EOF
# Generated by test/terraform/toolchain.sh (AVATAR_TF_REGISTRY=1): installs the genuine providers
# directly from the public registry; nothing comes from the local mirror.
$CHECKPOINT_LINE
plugin_cache_dir = "$PLUGIN_CACHE"
plugin_cache_may_break_dependency_lock_file = true

provider_installation {
  direct {}
}
EOF
  SOURCE_LINE="# Providers installed directly from the public registry (AVATAR_TF_REGISTRY=1; written by toolchain.sh at $(date -u +%FT%TZ))"
else
  cat > "$CLI_CONFIG.tmp" <<EOF
# Generated by test/terraform/toolchain.sh — installs providers ONLY from the local mirror.
# No direct {} block: a provider missing from the mirror fails instead of touching the network.
$CHECKPOINT_LINE

provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = [$INCLUDE]
  }
}
EOF
  SOURCE_LINE="# Providers in $MIRROR (written by toolchain.sh at $(date -u +%FT%TZ))"
fi
mv -f "$CLI_CONFIG.tmp" "$CLI_CONFIG"

if [ "$TF_FLAVOUR" = terraform ]; then CLI_NAME=terraform; else CLI_NAME=OpenTofu; fi
{
  echo "$SOURCE_LINE"
  echo "# $CLI_NAME $TF_VERSION ($TF_PATH)${GO_VERSION:+, $GO_VERSION}"
  printf '%s\n' "${LANE[@]}"
} > "$LANE_FILE.tmp"
mv -f "$LANE_FILE.tmp" "$LANE_FILE"

MIRROR_LINE=""
[ "$REGISTRY" = 1 ] || MIRROR_LINE="export AVATAR_TF_MIRROR=\"$MIRROR\""
cat > "$ENV_SH.tmp" <<EOF
# Generated by test/terraform/toolchain.sh — source me before running real-Terraform tests.
export TF_CLI_CONFIG_FILE="$CLI_CONFIG"
${BIN_LINE:+$BIN_LINE
}export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
export TF_INPUT=0
unset TF_PLUGIN_CACHE_DIR
export CDKTF_DISABLE_PLUGIN_CACHE_ENV=1
${MIRROR_LINE:+$MIRROR_LINE
}export AVATAR_TF_LANE_FILE="$LANE_FILE"
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
