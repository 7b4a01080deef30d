#!/usr/bin/env bash
# Prepares a Docker engine for the container tests on a CI machine that cannot pull images.
# It installs docker.io and docker-compose with apt if they are missing, and starts dockerd
# unless an engine already responds. Then it imports a shell-less base image made from the
# host's node binary.
# Prints the base image name as the last line on stdout. Everything else goes to stderr.
#
#   export MTMOCK_BASE_IMAGE="$(.ci/docker-setup.sh)"
#
# Re-running it is cheap: each step is skipped when its result is already there.
set -euo pipefail

BASE_IMAGE="${MTMOCK_BASE_IMAGE:-mtmock-node-base:local}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/mtmock-dockerd.log}"
# Seconds to wait for a freshly started dockerd to respond to `docker info`.
DOCKERD_START_TIMEOUT=60

log() { echo "docker-setup: $*" >&2; }

# Bounds every client call, so a hung engine fails the setup instead of stalling CI.
docker_cli() { timeout 120 docker "$@"; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  log "installing ${missing[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq >&2
  timeout 900 apt-get install -y -qq "${missing[@]}" >&2
}

# A dockerd that was killed (as when a session ends) leaves its pid file behind, and a new
# dockerd refuses to start while the file exists. Removes the file unless its process still runs.
remove_stale_pid_file() {
  local file="$1" name="$2" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  # A killed process that its parent has not reaped yet is a zombie (state Z), so it counts as stopped.
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "$name" ] &&
    [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)" != "Z" ]; then
    return 0
  fi
  log "removing stale $file (pid ${pid:-none} is not a running $name)"
  rm -f "$file"
}

start_dockerd() {
  if docker_cli info >/dev/null 2>&1; then
    log "a Docker engine is already running"
    return
  fi
  remove_stale_pid_file /var/run/docker.pid dockerd
  remove_stale_pid_file /var/run/docker/containerd/containerd.pid containerd
  log "starting dockerd (log: $DOCKERD_LOG)"
  nohup dockerd >"$DOCKERD_LOG" 2>&1 &
  local waited=0
  until docker_cli info >/dev/null 2>&1; do
    if [ "$waited" -ge "$DOCKERD_START_TIMEOUT" ]; then
      log "dockerd did not answer within ${DOCKERD_START_TIMEOUT}s; last lines of $DOCKERD_LOG:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "dockerd answered after ${waited}s"
}

# The image contains only node, the shared libraries that ldd lists, the dynamic loader and an
# empty /tmp, so it has no shell. A label records the node version to rebuild after an upgrade.
import_base_image() {
  local node_path node_version current
  node_path="$(readlink -f "$(command -v node)")"
  node_version="$("$node_path" --version)"
  current="$(docker_cli image inspect --format '{{ index .Config.Labels "org.mtmock.node-version" }}' \
    "$BASE_IMAGE" 2>/dev/null || true)"
  if [ "$current" = "$node_version" ]; then
    log "$BASE_IMAGE already holds node $node_version"
    return
  fi

  local root
  root="$(mktemp -d)"
  install -D -m 0755 "$node_path" "$root/usr/local/bin/node"
  # ldd prints "name => /path (address)" for libraries and "/path (address)" for the loader.
  ldd "$node_path" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    while read -r library; do
      install -D -m 0755 "$(readlink -f "$library")" "$root$library"
    done
  install -d -m 1777 "$root/tmp"

  log "importing $BASE_IMAGE from $node_path ($node_version)"
  tar -C "$root" -c . | docker_cli import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "LABEL org.mtmock.node-version=$node_version" \
    --change 'CMD ["node"]' \
    - "$BASE_IMAGE" >&2
  rm -rf "$root"
}

install_packages
start_dockerd
import_base_image
echo "$BASE_IMAGE"
