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

for version in "${versions[@]}"; do
  home="$cache/$version"
  if [ ! -x "$home/bin/node" ]; then
    download="$(mktemp -d)"
    (cd "$download" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
    mkdir -p "$home"
    tar -xzf "$download"/node-linux-"$arch"-*.tgz -C "$home" --strip-components=1
    rm -rf "$download"
  fi
  echo "test-node-versions: running the tests on $("$home/bin/node" --version)"
  # Tests start servers and npm with the node first on PATH. The Docker tests are left out
  # because their image carries the host's node, whichever version runs vitest.
  PATH="$home/bin:$PATH" "$home/bin/node" node_modules/vitest/vitest.mjs run \
    --exclude 'client-tests/docker-*.test.ts'
done
