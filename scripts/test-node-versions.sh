#!/usr/bin/env bash
# Runs the test suite again on Node.js versions other than the machine's own, with the Node
# binaries that the npm registry carries as the packages node-linux-<arch>@<version>.
# Usage: scripts/test-node-versions.sh [version ...], after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned so that CI stays reproducible. Raise them when a new release should be covered.
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then versions=(22.23.5 24.22.3); fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *)
    echo "test-node-versions: no node-linux package for $(uname -m); run on x86_64 or aarch64" >&2
    exit 1
    ;;
esac

cache="${MTMOCK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mtmock-node}"
mkdir -p "$cache"

# Ctrl-C stops the whole run: npm and vitest exit with a status rather than by the signal,
# which would otherwise count as one failed version and go on to the next.
download=""
trap 'rm -rf "$download"' EXIT
trap 'echo "test-node-versions: interrupted" >&2; exit 130' INT TERM

# Unpacks into a temporary folder that is renamed once complete, so an interrupted download
# never leaves a half-written version in the cache.
fetch_node() {
  local version="$1" home="$2"
  download="$(mktemp -d)"
  if ! (cd "$download" && npm pack --loglevel=error "node-linux-$arch@$version" >/dev/null); then
    rm -rf "$download"
    echo "test-node-versions: npm pack node-linux-$arch@$version failed" >&2
    return 1
  fi
  mkdir "$download/unpacked"
  tar -xzf "$download"/node-linux-"$arch"-*.tgz -C "$download/unpacked" --strip-components=1
  rm -rf "$home"
  mv "$download/unpacked" "$home"
  rm -rf "$download"
}

failed=()
for version in "${versions[@]}"; do
  home="$cache/$version"
  if ! "$home/bin/node" --version >/dev/null 2>&1; then
    if [ -e "$home" ]; then
      echo "test-node-versions: $home does not run; fetching $version again" >&2
    fi
    if ! fetch_node "$version" "$home"; then
      failed+=("$version (download)")
      continue
    fi
  fi
  echo "test-node-versions: running the tests on $("$home/bin/node" --version)"
  # Tests start servers and npm with the node first on PATH. The Docker tests are left out
  # because their image carries the host's node, whichever version runs vitest.
  if ! PATH="$home/bin:$PATH" "$home/bin/node" node_modules/vitest/vitest.mjs run \
    --exclude 'client-tests/docker-*.test.ts'; then
    failed+=("$version")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "test-node-versions: failed on ${failed[*]}" >&2
  exit 1
fi
