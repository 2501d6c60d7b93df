#!/usr/bin/env bash
# Probes of the throwaway host after the playbook (called by deploy/proof/playbook.sh),
# run from outside its network namespace. Fails on the first probe that does not hold.
#   HOST_IP=... WORK=<dir with id_ed25519> host-probes.sh
set -euo pipefail
: "${HOST_IP:?}" "${WORK:?}"
fail() { echo "PROBE FAILED: $*" >&2; exit 1; }
ssh_opts=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 -o BatchMode=yes)

# Every TCP port, and 443/udp: which answer at all (open, or closed = a RST got through).
nmap -n -Pn -sS -p- -T4 --min-rate 4000 --max-retries 1 -oG "$WORK/nmap-tcp.txt" "$HOST_IP" >/dev/null
answering=$(grep -o '[0-9]*/\(open\|closed\)/tcp' "$WORK/nmap-tcp.txt" | cut -d/ -f1 | sort -n | tr '\n' ' ' | sed 's/ $//')
echo "nmap TCP 1-65535: answering ports: ${answering:-none} (all others filtered)"
[ "$answering" = "22 443" ] || fail "expected exactly 22 and 443 to answer, got: $answering"
grep -q '22/open/tcp' "$WORK/nmap-tcp.txt" || fail "22/tcp is not open"
udp=$(nmap -n -Pn -sU -p 443,53,123 --max-retries 1 "$HOST_IP" | awk '/\/udp/{print $1"="$2}' | tr '\n' ' ')
echo "nmap UDP 443,53,123: $udp"

# sshd: keys only, deploy user only.
methods=$(ssh -v "${ssh_opts[@]}" -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive deploy@"$HOST_IP" true 2>&1 | grep -o 'Authentications that can continue: .*' | head -1 | tr -d '\r' || true)
echo "sshd offers: ${methods#Authentications that can continue: }"
[ "$methods" = "Authentications that can continue: publickey" ] || fail "sshd offers more than publickey: $methods"
if ssh "${ssh_opts[@]}" -i "$WORK/id_ed25519" root@"$HOST_IP" true 2>/dev/null; then fail "root logged in"; fi
echo "root login with a valid key: refused"
ssh "${ssh_opts[@]}" -i "$WORK/id_ed25519" deploy@"$HOST_IP" true || fail "the deploy user cannot log in"
echo "deploy user with its key: admitted"

# ssh-audit (Debian's package): no failure. Debian 12 ships ssh-audit 2.5.0 (2021): it
# does not know kex-strict-s-v00 (the 2023 Terrapin fix) and still calls the post-quantum
# hybrid sntrup761x25519-sha512 "experimental" and recommends removing it (its exit code 2
# comes from that recommendation alone); ssh-audit 3.x rates it good. That one removal
# advice is accepted here; any [fail] or any other "remove" advice fails the probe.
set +e
ssh-audit -n -b "$HOST_IP" >"$WORK/ssh-audit.txt" 2>&1
audit_rc=$?
set -e
fails=$(grep -c '\[fail\]' "$WORK/ssh-audit.txt" || true)
removals=$(grep '^(rec) -' "$WORK/ssh-audit.txt" | grep -vc '^(rec) -sntrup761x25519-sha512@openssh.com' || true)
warns=$(grep -c '\[warn\]' "$WORK/ssh-audit.txt" || true)
echo "ssh-audit $(ssh-audit -h 2>&1 | grep -o 'v[0-9.]*' | head -1): exit $audit_rc, $fails [fail], $removals other removal advice, $warns [warn]"
grep '\[warn\]\|^(rec) -' "$WORK/ssh-audit.txt" | sed 's/^/  /' || true
[ "$fails" -eq 0 ] && [ "$removals" -eq 0 ] && [ "$audit_rc" -ne 3 ] && [ "$audit_rc" -ne 4 ] || { cat "$WORK/ssh-audit.txt"; fail "ssh-audit reports failures"; }

# Unattended upgrades enabled, from the host's own apt and systemd.
remote() { ssh "${ssh_opts[@]}" -i "$WORK/id_ed25519" deploy@"$HOST_IP" sudo -n "$@"; }
periodic=$(remote apt-config dump APT::Periodic::Unattended-Upgrade | tr -d '\n')
echo "apt: $periodic"
[[ "$periodic" == *'"1"'* ]] || fail "APT::Periodic::Unattended-Upgrade is not 1"
for timer in apt-daily.timer apt-daily-upgrade.timer; do
  state=$(remote systemctl is-enabled "$timer")
  echo "$timer: $state"
  [ "$state" = enabled ] || fail "$timer is $state"
done
remote unattended-upgrade --dry-run >/dev/null 2>&1 || fail "unattended-upgrade --dry-run fails"
echo "unattended-upgrade --dry-run: ok"
ruleset=$(remote nft list ruleset | grep -c 'policy drop' || true)
echo "nftables on the host: $ruleset chain(s) with policy drop"

# The docker role, applied with Debian's own packages (hirebox_docker_source=debian).
engine=$(remote docker version --format '{{.Server.Version}}' 2>/dev/null || true)
echo "docker engine (Debian docker.io): ${engine:-not running}"
[ -n "$engine" ] || fail "the Docker engine does not run on the host"
compose=$(remote docker compose version 2>/dev/null | head -1 || true)
echo "docker compose (Debian docker-compose behind the shim): ${compose:-missing}"
[[ "$compose" == *1.29* ]] || fail "docker compose does not run Debian's docker-compose"
remote cat /etc/docker/daemon.json | grep -q '"no-new-privileges": true' || fail "the role's daemon.json is not in place"
echo "docker daemon.json: the role's (no-new-privileges, icc off, log rotation)"
