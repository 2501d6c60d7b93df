#!/usr/bin/env bash
# The compose stack up for real (after deploy/proof/images.sh): starts podman's Docker API
# on a private socket, builds the image of an earlier commit for the upgrade, then runs
# test/deploy/stack.proof.ts, which drives Docker's compose client (Debian's docker-compose)
# against that socket. Publishes 443 on this host while it runs.
#   deploy/proof/stack.sh [UPGRADE_FROM_COMMIT]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

if ss -Hltn 'sport = :443' | grep -q .; then
  echo "stack.sh: something already listens on 443 here; the proof publishes Caddy on 443" >&2
  exit 1
fi

read -r old_tag old_commit old_migrations < <(bash "$PROOF_DIR/old-image.sh" "$@")
echo "upgrade from $old_commit ($old_migrations migrations), image localhost/hirebox:$old_tag"

run_dir=$(mktemp -d /run/hirebox-proof.XXXXXX 2>/dev/null || mktemp -d)
podman system service --time=0 "unix://$run_dir/podman.sock" >"$run_dir/service.log" 2>&1 &
service_pid=$!
trap 'kill "$service_pid" 2>/dev/null; wait "$service_pid" 2>/dev/null; rm -rf "$run_dir"' EXIT
for _ in $(seq 50); do [ -S "$run_dir/podman.sock" ] && break; sleep 0.2; done

DOCKER_HOST="unix://$run_dir/podman.sock" \
HIREBOX_UPGRADE_FROM_TAG="$old_tag" \
HIREBOX_UPGRADE_FROM_MIGRATIONS="$old_migrations" \
  npx tap --node-arg=--import=tsx --timeout 1200 test/deploy/stack.proof.ts
