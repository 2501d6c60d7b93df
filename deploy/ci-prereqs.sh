#!/usr/bin/env bash
# Installs the Debian packages that test/deploy (and the backup scripts' tests) need, only when they are missing.
# Idempotent and quiet: a second run does nothing and prints nothing.
set -euo pipefail

packages=(
  caddy          # Caddyfile is run for real in test/deploy/caddy.test.ts
  ansible        # ansible-playbook --syntax-check / --check, template rendering
  ansible-lint
  nftables       # nft -c -f and loading the ruleset in a network namespace
  openssh-server # sshd -t -f on the rendered sshd_config
  iproute2       # ip netns
  curl
  openssl        # TLS version probes, key generation
  docker-compose # compose v1 client: validates docker-compose.yml (no engine needed)
  procps
  age               # backups are encrypted to age recipients (test/integration/backup-restore.test.ts)
  postgresql-client # pg_dump / pg_restore / psql for ops/scripts/backup.sh and restore-drill.sh
  pgbackrest        # WAL archiving and point-in-time recovery (ops/scripts/pitr-drill.sh, test/integration/pitr-drill.test.ts)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/ci-prereqs.sh: missing packages (${missing[*]}) and not root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# policy-rc.d keeps package postinst scripts from starting sshd/caddy services here.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
# debconf chatter goes to stderr even with -qq; keep it unless the install fails.
log=$(mktemp)
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
