#!/usr/bin/env bash
# Debian packages the deploy proof needs (npm run test:deploy), installed only when missing.
# Quiet and idempotent like deploy/ci-prereqs.sh, which installs the rest.
set -euo pipefail
packages=(podman buildah runc uidmap slirp4netns fuse-overlayfs netavark aardvark-dns catatonit
  docker-compose debootstrap systemd-container nmap ssh-audit openssh-client ansible nftables iproute2
  iptables age) # age: ops/scripts/backup.sh in compose mode (stack proof); netavark sets up every podman network, internal ones too, with iptables
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/proof/prereqs.sh: missing packages (${missing[*]}) and not root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
