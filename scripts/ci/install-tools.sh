#!/usr/bin/env bash
# Installs the third-party SCEP clients that test/server/apple/scep-interop.test.ts drives against our
# SCEP server (RFC 8894), so that the server is checked by code nobody here wrote:
#   - the micromdm/scep Go library (Debian: golang-github-micromdm-scep-dev). Debian ships the library
#     but not upstream's cmd/scepclient, so a ~250-line command line around the library (below, every
#     SCEP structure and the HTTP binding come from the library) is built in GOPATH mode, offline, into
#     .tools/bin/scepclient;
#   - certmonger's SCEP helper scep-submit (transport + CertRep signature check, run standalone);
#   - openssl (verifying and opening what the clients get);
# and Debian's Chromium, in which test/scripts/report-browser.test.ts opens the HTML reports
# (playwright-core drives it; Playwright's own browser download is not used).
# Idempotent: when everything is present it only checks and prints a one-line summary.
# Needs root (or password-less sudo) only when a Debian package is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SELF="$ROOT/scripts/ci/install-tools.sh"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
PACKAGES=(golang-go golang-github-micromdm-scep-dev certmonger openssl chromium)
GOCODE=/usr/share/gocode # Debian's GOPATH tree of Go library sources
SCEP_SRC="$GOCODE/src/github.com/micromdm/scep"
DRIVER_DIR="$TOOLS/gopath/src/mdmlab-scepclient"

done_steps=()
pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  else
    echo "install-tools: missing Debian packages: ${missing[*]}" >&2
    echo "install-tools: not root and no password-less sudo; as root run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "  then run scripts/ci/install-tools.sh again" >&2
    exit 1
  fi
  # A fresh image may have no package lists; old lists may name files the mirror no longer has.
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  done_steps+=("installed ${missing[*]}")
fi

# certmonger keeps its helpers outside PATH (Debian: /usr/lib/certmonger); ask dpkg where.
SCEP_SUBMIT="$(dpkg -L certmonger 2>/dev/null | grep -E '/scep-submit$' | head -n1 || true)"
if [ -z "$SCEP_SUBMIT" ] || [ ! -x "$SCEP_SUBMIT" ]; then
  echo "install-tools: certmonger is installed but its scep-submit helper was not found (dpkg -L certmonger)" >&2
  exit 1
fi
if [ ! -f "$SCEP_SRC/client/client.go" ] || [ ! -f "$SCEP_SRC/go.mod" ]; then
  echo "install-tools: $SCEP_SRC does not look like micromdm/scep v2 (golang-github-micromdm-scep-dev changed?)" >&2
  exit 1
fi

# Rebuild only when the binary is missing or the toolchain, the library package or this script changed.
stamp="$(dpkg-query -W -f='${Version}' golang-github-micromdm-scep-dev) $(go version) $(cat "$SELF" "$(dirname "$SELF")/scepclient/main.go" | sha256sum | cut -c1-16)"
if [ ! -x "$BIN/scepclient" ] || [ "$(cat "$BIN/.scepclient.stamp" 2>/dev/null || true)" != "$stamp" ]; then
  mkdir -p "$BIN" "$DRIVER_DIR" "$TOOLS/gocache"
  # The go.mod only marks the driver as "module-aware" code: in GOPATH mode that is what lets its
  # github.com/micromdm/scep/v2/... imports resolve to Debian's .../micromdm/scep tree, whose go.mod
  # says "module github.com/micromdm/scep/v2" (minimal module compatibility, golang.org/issue/25069).
  printf 'module mdmlab-scepclient\n\ngo 1.19\n' >"$DRIVER_DIR/go.mod"
  cp "$(dirname "$SELF")/scepclient/main.go" "$DRIVER_DIR/main.go"
  # GOPATH mode, offline: GO111MODULE=off reads only the GOPATH trees, GOPROXY=off turns any network
  # attempt into an error, GOFLAGS is cleared (a -mod=... there is an error outside module mode).
  # With a C compiler the toolchain's precompiled standard library is reused (seconds); without one,
  # CGO_ENABLED=0 compiles the needed standard library once into .tools/gocache (~10 s on 2 cores).
  cgo=0
  if command -v "${CC:-gcc}" >/dev/null 2>&1; then cgo=1; fi
  (cd "$DRIVER_DIR" && GO111MODULE=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local CGO_ENABLED=$cgo \
    GOPATH="$TOOLS/gopath:$GOCODE" GOCACHE="$TOOLS/gocache" \
    go build -o "$BIN/scepclient" mdmlab-scepclient)
  printf '%s\n' "$stamp" >"$BIN/.scepclient.stamp"
  done_steps+=("built .tools/bin/scepclient (CGO_ENABLED=$cgo)")
fi

# test/helpers/tools.ts reads this to find certmonger's helper.
printf '%s\n' "$SCEP_SUBMIT" >"$TOOLS/scep-submit.path"

if [ "${#done_steps[@]}" -eq 0 ]; then done_steps+=("all present"); fi
summary="$(printf '%s; ' "${done_steps[@]}")"
echo "install-tools: ${summary%; } [scepclient=.tools/bin/scepclient scep-submit=$SCEP_SUBMIT $(openssl version | cut -d' ' -f1-2)]"
