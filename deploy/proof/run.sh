#!/usr/bin/env bash
# The whole deploy proof (npm run test:deploy), each step timed:
#   1. packages (podman, buildah, docker-compose, debootstrap, systemd-nspawn, nmap, ssh-audit)
#   2. Node 24 from the npm registry (cached) first on PATH
#   3. images: Debian base, Node 24 base, hirebox, Caddy/PostgreSQL/Redis stand-ins (cached layers)
#   4. the image's files and runtime (test/deploy/image.proof.ts)
#   5. the compose stack: upgrade from an earlier commit, end to end over TLS, probes,
#      point-in-time restore with pgBackRest (deploy/proof/stack.sh)
#   6. a developer's `docker compose up` with the override: the demo workspace (deploy/proof/dev-stack.sh)
#   7. the Ansible playbook applied twice to a throwaway Debian 12 host, probes (deploy/proof/playbook.sh)
# Needs root (buildah, podman, nspawn), a full git history (the upgrade's earlier commit)
# and port 443 free on this machine. Caches live in $HIREBOX_CI_CACHE (default /var/cache/hirebox-ci).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
times=()
timed() {
  local name=$1
  shift
  step "$name"
  "$@"
  local took=$(($(date +%s) - step_started))
  times+=("$(printf '%-44s %4ss' "$name" "$took")")
  step_done "$name"
}

timed "packages" bash deploy/ci-prereqs.sh
timed "proof packages" bash "$PROOF_DIR/prereqs.sh"
node_bin=$(bash ops/scripts/node24.sh)
export PATH="$node_bin:$PATH"
timed "images (buildah)" bash "$PROOF_DIR/images.sh"
# The proofs run from their TypeScript sources through tsx (no build needed; their start-up
# is nothing next to the image builds), unlike `npm test`, which runs the compiled suite.
timed "image files and runtime" npx tap --node-arg=--import=tsx --timeout 600 test/deploy/image.proof.ts
timed "compose stack (upgrade, e2e, probes, PITR)" bash "$PROOF_DIR/stack.sh"
timed "dev stack (compose up + demo seed)" bash "$PROOF_DIR/dev-stack.sh"
timed "playbook twice + host probes" bash "$PROOF_DIR/playbook.sh"

printf '\n=== deploy proof: all steps passed\n'
printf '  %s\n' "${times[@]}"
printf '  %-44s %4ss\n' total "$(($(date +%s) - proof_started))"
