#!/usr/bin/env bash
# The Ansible playbook applied for real, twice, to a throwaway Debian 12 host:
#  - the host is a systemd-nspawn container booted with systemd from a Debian bookworm
#    rootfs (debootstrap minbase + systemd, sshd, python3; cached as a tarball), with its
#    own network namespace on a veth pair (10.79.0.2, the CI machine is 10.79.0.1 and
#    NATs it to Debian's mirror);
#  - run 1 connects as root with a throwaway key, run 2 as the deploy user (the ssh role
#    turns root login off) and must report changed=0;
#  - then, from outside the host's network namespace: nmap (only 22/tcp and 443 answer),
#    sshd refuses passwords and root, ssh-audit reports no failure, unattended upgrades
#    are enabled.
# Roles applied: base, patches, ssh, firewall, docker, backups. docker with
# hirebox_docker_source=debian (Debian's docker.io and docker-compose behind the `docker
# compose` shim; Docker's apt repository is not reachable from here): the engine must run
# and `docker compose version` answer. Not applied: app (it clones hirebox_repo_url, which
# the throwaway host cannot reach, and builds the images from Docker Hub bases, which
# cannot be pulled here; the compose stack it starts is proven by deploy/proof/stack.sh
# with podman instead).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

MACHINE=hbhost
HOST_IP=10.79.0.2
GW_IP=10.79.0.1
ROLES=base,patches,ssh,firewall,docker,backups
# Packages preinstalled in the cached host image (the tarball's name follows the list).
host_packages="systemd systemd-sysv dbus openssh-server python3 python3-apt sudo iproute2 ca-certificates curl gnupg git chrony
  fail2ban python3-systemd nftables openssl needrestart unattended-upgrades apt-listchanges age docker.io docker-compose iptables"
host_tar="$HIREBOX_CI_CACHE/rootfs/bookworm-systemd-host-$(printf '%s' "$host_packages" | sha256sum | cut -c1-12).tar"
base_tar="$HIREBOX_CI_CACHE/rootfs/bookworm-minbase.tar"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ -s "$base_tar" ] || bash "$PROOF_DIR/images.sh" >/dev/null

# ---- the host image: built once, reused (packages the roles install are preinstalled
# so a run is fast; the roles still install/verify them through apt) ----
if [ ! -s "$host_tar" ] || [ "$base_tar" -nt "$host_tar" ]; then
  build=$(mktemp -d /var/tmp/hirebox-host-build.XXXXXX)
  tar -C "$build" -xf "$base_tar"
  mount -t proc proc "$build/proc"
  mount --bind /dev "$build/dev"
  printf '#!/bin/sh\nexit 101\n' >"$build/usr/sbin/policy-rc.d"
  chmod 0755 "$build/usr/sbin/policy-rc.d"
  # shellcheck disable=SC2086 # a list of package names
  if ! chroot "$build" sh -c "DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(echo $host_packages) >/dev/null" ; then
    umount "$build/dev" "$build/proc"; rm -rf "$build"; exit 1
  fi
  umount "$build/dev" "$build/proc"
  rm -f "$build/usr/sbin/policy-rc.d"
  chroot "$build" systemctl enable systemd-networkd >/dev/null 2>&1
  echo hirebox-proof-host >"$build/etc/hostname"
  tar -C "$build" --numeric-owner -cf "$host_tar.tmp" . && mv "$host_tar.tmp" "$host_tar"
  rm -rf "$build"
fi

work=$(mktemp -d /var/tmp/hirebox-host.XXXXXX)
root="$work/root"
mkdir -p "$root"
tar -C "$root" -xf "$host_tar"
ssh-keygen -q -t ed25519 -N '' -C hirebox-proof -f "$work/id_ed25519"
install -d -m 0700 "$root/root/.ssh"
# A fixed address: sorts before Debian's 80-container-host0.network (DHCP) and wins.
printf '[Match]\nName=host0\n\n[Network]\nAddress=%s/24\nGateway=%s\nDNS=%s\n' \
  "$HOST_IP" "$GW_IP" "$(awk '/^nameserver/{print $2; exit}' /etc/resolv.conf)" >"$root/etc/systemd/network/10-host0.network"
rm -f "$root/etc/systemd/network/host0.network"
printf '127.0.0.1 localhost\n127.0.1.1 hirebox-proof-host\n' >"$root/etc/hosts"
install -m 0600 "$work/id_ed25519.pub" "$root/root/.ssh/authorized_keys"

nspawn_pid=
cleanup() {
  if [ -n "$nspawn_pid" ]; then kill "$nspawn_pid" 2>/dev/null || true; wait "$nspawn_pid" 2>/dev/null || true; fi
  nft delete table ip hirebox_proof_nat 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

systemd-nspawn -q -D "$root" --register=no --keep-unit -b -M "$MACHINE" --network-veth >"$work/console.log" 2>&1 &
nspawn_pid=$!
for _ in $(seq 100); do ip link show "ve-$MACHINE" >/dev/null 2>&1 && break; sleep 0.2; done
ip addr add "$GW_IP/24" dev "ve-$MACHINE"
ip link set "ve-$MACHINE" up
# The throwaway host reaches Debian's mirror through this machine (NAT), as a server would.
nft -f - <<NFT
table ip hirebox_proof_nat {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; ip saddr $GW_IP/24 oifname != "ve-$MACHINE" masquerade; }
}
NFT

ssh_opts=(-i "$work/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5)
for _ in $(seq 60); do ssh "${ssh_opts[@]}" "root@$HOST_IP" true 2>/dev/null && break; sleep 1; done
ssh "${ssh_opts[@]}" "root@$HOST_IP" 'systemctl is-system-running --wait >/dev/null 2>&1; cat /etc/debian_version'

pub=$(cat "$work/id_ed25519.pub")
cat >"$work/inventory.ini" <<INV
[hirebox]
proofhost ansible_host=$HOST_IP ansible_ssh_private_key_file=$work/id_ed25519 ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'

[hirebox:vars]
hirebox_domain=hire.proof.example
hirebox_acme_email=ops@proof.example
hirebox_mail_from=hirebox@proof.example
hirebox_deploy_user=deploy
hirebox_deploy_ssh_keys=["$pub"]
hirebox_backup_age_recipients=["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"]
hirebox_docker_source=debian
INV

export ANSIBLE_CONFIG="$REPO_ROOT/deploy/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False
echo "--- run 1 (as root)"
(cd deploy && ansible-playbook -i "$work/inventory.ini" -e ansible_user=root --tags "$ROLES" site.yml) | tee "$work/run1.log" | grep -E '^(PLAY RECAP|proofhost|fatal|failed)' || true
grep -Eq 'proofhost +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' "$work/run1.log" || { cat "$work/run1.log"; exit 1; }
echo "--- run 2 (as the deploy user; must change nothing)"
(cd deploy && ansible-playbook -i "$work/inventory.ini" -e ansible_user=deploy --tags "$ROLES" site.yml) | tee "$work/run2.log" | grep -E '^(PLAY RECAP|proofhost|fatal|failed)|changed:' || true
grep -Eq 'proofhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/run2.log" || { grep -B2 -A8 'changed:' "$work/run2.log"; exit 1; }

echo "--- probes from outside the host"
HOST_IP=$HOST_IP WORK=$work MACHINE=$MACHINE bash "$PROOF_DIR/host-probes.sh"
