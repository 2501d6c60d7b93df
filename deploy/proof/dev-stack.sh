#!/usr/bin/env bash
# A developer's `docker compose up` for real (after deploy/proof/images.sh): docker-compose.yml
# with docker-compose.override.yml, Docker's compose client against podman's API on a private
# socket, then test/deploy/dev-stack.proof.ts checks the demo workspace on http://127.0.0.1:8080
# and tears the stack down. Publishes 127.0.0.1:8080 (and the base file's 443) while it runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

for port in 443 8080; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    echo "dev-stack.sh: something already listens on $port here; the dev stack publishes it" >&2
    exit 1
  fi
done

run_dir=$(mktemp -d /run/hirebox-dev.XXXXXX 2>/dev/null || mktemp -d)
podman system service --time=0 "unix://$run_dir/podman.sock" >"$run_dir/service.log" 2>&1 &
service_pid=$!
trap 'kill "$service_pid" 2>/dev/null; wait "$service_pid" 2>/dev/null; rm -rf "$run_dir"' EXIT
for _ in $(seq 50); do [ -S "$run_dir/podman.sock" ] && break; sleep 0.2; done

DOCKER_HOST="unix://$run_dir/podman.sock" npx tap --node-arg=--import=tsx --timeout 1200 test/deploy/dev-stack.proof.ts
