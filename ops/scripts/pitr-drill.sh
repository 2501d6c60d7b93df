#!/usr/bin/env bash
# Point-in-time recovery drill (ops/runbooks/backup-restore.md, issue 18): proves that
# continuous WAL archiving with pgBackRest restores the database to a chosen moment, and
# measures RPO and RTO.
#
#   ops/scripts/pitr-drill.sh [--archive-timeout SECONDS] [--base-rows N] [--rows N]
#                             [--cipher-pass-file FILE] [--keep]
#
# Everything runs against a PostgreSQL cluster the drill OWNS: initdb in a temporary
# directory, a free port, a Unix socket in that directory only (no TCP), started and
# stopped here; run as root it runs the cluster as the postgres OS user. It never touches
# the machine's own cluster or the production pgBackRest repository.
#
#   1. initdb; archive_mode=on, archive_command = pgbackrest archive-push, archive_timeout;
#      pgBackRest repository encrypted (repo1-cipher-type=aes-256-cbc, passphrase from
#      --cipher-pass-file, or a random one), stanza-create, check, full backup;
#   2. writes rows continuously (one commit each), records a target timestamp, writes more;
#   3. waits for the last commit's WAL segment to be archived: that delay is the measured
#      RPO (what a disk loss at the moment of the last commit would have lost; bounded by
#      archive_timeout); then crashes the cluster (immediate stop);
#   4. restores to the target time into a new data directory, starts it, and measures RTO
#      from the start of the restore until it accepts connections as a primary;
#   5. checks: every row committed before the target is there, none after it; and the
#      repository holds no plaintext of the rows (compression off in the drill, so only
#      the encryption can hide them).
# Targets (issue 18): RPO <= 300 s, RTO <= 1800 s. Exit 0 only if every check passed.
#
# Environment: PG_BINDIR (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail
umask 077
HB_PROG=$(basename "$0")
die() {
  echo "$HB_PROG: $*" >&2
  exit 1
}
note() { echo "$HB_PROG: $*" >&2; }
usage() {
  echo "usage: $HB_PROG [--archive-timeout SECONDS] [--base-rows N] [--rows N] [--cipher-pass-file FILE] [--keep]" >&2
  exit 2
}

archive_timeout=60
base_rows=50000
rows=40
cipher_file=''
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --archive-timeout) [ $# -ge 2 ] || usage; archive_timeout=$2; shift 2 ;;
    --base-rows) [ $# -ge 2 ] || usage; base_rows=$2; shift 2 ;;
    --rows) [ $# -ge 2 ] || usage; rows=$2; shift 2 ;;
    --cipher-pass-file) [ $# -ge 2 ] || usage; cipher_file=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage ;;
    *) note "unknown argument $1"; usage ;;
  esac
done
for n in "$archive_timeout" "$base_rows" "$rows"; do [[ $n =~ ^[0-9]+$ ]] || die "numbers only, got '$n'"; done
[ "$archive_timeout" -ge 1 ] && [ "$archive_timeout" -le 300 ] || die "--archive-timeout must be 1 to 300 seconds (the RPO target is 5 minutes)"
[ "$rows" -ge 2 ] || die "--rows must be at least 2"

command -v pgbackrest >/dev/null 2>&1 || die "pgbackrest is not installed (Debian package pgbackrest; deploy/ci-prereqs.sh installs it)"
bindir=${PG_BINDIR:-$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)}
[ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ] && [ -x "$bindir/psql" ] || die "no PostgreSQL server binaries (initdb, pg_ctl) in '$bindir'; set PG_BINDIR"

# Root runs the cluster as the postgres OS user (initdb refuses root); anyone else as themselves.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs a postgres OS user"
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

# A port nothing listens on (the socket lives in our own directory, but stay clear anyway).
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [ ! -e "/var/run/postgresql/.s.PGSQL.$p" ]; then
      printf '%s' "$p"
      return 0
    fi
  done
  die "no free port from $1"
}

work=$(mktemp -d /tmp/hirebox-pitr.XXXXXX)
chmod 0700 "$work"
chown "$owner" "$work"
data=$work/data
restored=$work/restored
conf=$work/pgbackrest.conf
stanza=drill
port=$(free_port 55432)
port2=$(free_port $((port + 1)))

# shellcheck disable=SC2317 # called by the EXIT trap
finish() {
  local d
  for d in "$restored" "$data"; do
    [ -f "$d/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
  done
  if [ "$keep" -eq 1 ]; then note "kept $work"; else rm -rf "$work"; fi
}
trap finish EXIT

if [ -n "$cipher_file" ]; then
  [ -r "$cipher_file" ] || die "cannot read the repository passphrase file $cipher_file"
  pass=$(head -n 1 "$cipher_file")
  [ "${#pass}" -ge 20 ] || die "the passphrase in $cipher_file is shorter than 20 characters"
else
  pass=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
fi

# The drill's own pgBackRest configuration: repository, logs and locks inside $work.
cat >"$conf" <<CONF
[global]
repo1-path=$work/repo
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$pass
repo1-retention-full=1
compress-type=none
log-path=$work/log
lock-path=$work/lock
spool-path=$work/spool
log-level-console=warn
log-level-file=info
start-fast=y

[$stanza]
pg1-path=$data
pg1-port=$port
pg1-socket-path=$work
CONF
chmod 0600 "$conf"
chown "$owner" "$conf"
install -d -m 0700 -o "$owner" "$work/log" "$work/lock" "$work/spool"
br() { as_owner pgbackrest --config="$conf" --stanza="$stanza" "$@"; }
sql() { as_owner "$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$work" -p "$1" -d postgres -c "$2"; }
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

as_owner "$bindir/initdb" -D "$data" -A trust -U postgres --no-sync >/dev/null || die "initdb failed"
cat >>"$data/postgresql.conf" <<PGCONF
# hirebox PITR drill (ops/scripts/pitr-drill.sh): a private cluster, socket only.
port = $port
listen_addresses = ''
unix_socket_directories = '$work'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$conf --stanza=$stanza archive-push %p'
archive_timeout = $archive_timeout
max_wal_senders = 3
fsync = on
PGCONF
as_owner "$bindir/pg_ctl" -D "$data" -l "$work/data.log" -w start >/dev/null || die "the drill cluster did not start (see $work/data.log with --keep)"
pg_version=$(sql "$port" "SHOW server_version")

# A demo-sized table in the base backup, then the table the drill writes to.
sql "$port" "CREATE TABLE demo_rows AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) || repeat('x', 100) AS payload FROM generate_series(1, $base_rows) g" >/dev/null
sql "$port" "CREATE TABLE drill_rows (id bigserial PRIMARY KEY, phase text NOT NULL, marker text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())" >/dev/null
db_size=$(sql "$port" "SELECT pg_size_pretty(pg_database_size('postgres'))")

br stanza-create >/dev/null || die "pgbackrest stanza-create failed"
br check >/dev/null || die "pgbackrest check failed (archive_command does not reach the repository)"
t=$(now_ms)
br --type=full backup >/dev/null || die "pgbackrest full backup failed"
backup_ms=$(($(now_ms) - t))

# Writes: each row its own transaction, a few milliseconds apart ("continuously").
marker="hirebox-pitr-marker-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
write_rows() {
  local phase=$1 n=$2 i script=''
  for ((i = 0; i < n; i++)); do
    script+="INSERT INTO drill_rows (phase, marker) VALUES ('$phase', '$marker'); SELECT pg_sleep(0.02);"$'\n'
  done
  as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$port" -d postgres >/dev/null <<<"$script"
}
before_n=$((rows / 2))
after_n=$((rows - before_n))
write_rows before "$before_n"
sleep 1
target=$(sql "$port" "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
write_rows after "$after_n"

# Failure point: the last commit. RPO = how long that commit existed only on this server's
# disk, i.e. until the WAL segment holding it reached the repository.
fail_ms=$(now_ms)
last_wal=$(sql "$port" "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
deadline=$((fail_ms + (archive_timeout + 60) * 1000))
while :; do
  archived=$(sql "$port" "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
  if [ -n "$archived" ] && [[ ! $archived < $last_wal ]]; then break; fi
  [ "$(now_ms)" -lt "$deadline" ] || die "WAL segment $last_wal was not archived within archive_timeout + 60 s"
  sleep 0.2
done
rpo_ms=$(($(now_ms) - fail_ms))
as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null

# Restore to the target time into a new data directory, as after losing the server.
t0=$(now_ms)
as_owner mkdir -m 0700 "$restored"
br --pg1-path="$restored" --type=time "--target=$target" --target-action=promote restore >/dev/null || die "pgbackrest restore failed"
cat >>"$restored/postgresql.conf" <<PGCONF
# restored copy (pitr-drill): its own port; it does not archive into the drill's repository.
port = $port2
archive_mode = off
PGCONF
as_owner "$bindir/pg_ctl" -D "$restored" -l "$work/restored.log" -w -t 1800 start >/dev/null || die "the restored cluster did not start (see $work/restored.log with --keep)"
until [ "$(sql "$port2" "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ]; do
  [ $(($(now_ms) - t0)) -lt 1800000 ] || die "the restored cluster did not finish recovery within 30 minutes"
  sleep 0.1
done
rto_ms=$(($(now_ms) - t0))

got_before=$(sql "$port2" "SELECT count(*) FROM drill_rows WHERE phase = 'before'")
got_after=$(sql "$port2" "SELECT count(*) FROM drill_rows WHERE phase = 'after'")
got_base=$(sql "$port2" "SELECT count(*) FROM demo_rows")
plaintext=$({ grep -rlF "$marker" "$work/repo" 2>/dev/null || true; } | wc -l)

failures=0
report=()
report+=("cluster:    PostgreSQL $pg_version owned by this drill ($work, socket only, port $port; $db_size)")
report+=("backup:     full backup in $(secs "$backup_ms") s (pgBackRest $(pgbackrest version | awk '{print $2}'), repository aes-256-cbc)")
report+=("writes:     $before_n rows before the target, $after_n after; target $target")
if [ "$got_before" -eq "$before_n" ] && [ "$got_after" -eq 0 ] && [ "$got_base" -eq "$base_rows" ]; then
  report+=("rows:       restored to the target: $got_before of $before_n rows before it, $got_after of $after_n after it, $got_base base rows")
else
  report+=("rows:       FAILED: $got_before of $before_n rows before the target, $got_after of $after_n after it (want 0), $got_base of $base_rows base rows")
  failures=$((failures + 1))
fi
if [ "$plaintext" -eq 0 ]; then
  report+=("encryption: no repository file holds the rows' plaintext (compression off, so the cipher hides them)")
else
  report+=("encryption: FAILED: $plaintext repository file(s) hold the rows in plaintext")
  failures=$((failures + 1))
fi
report+=("RPO:        $(secs "$rpo_ms") s measured from the last commit to its WAL in the repository (archive_timeout $archive_timeout s; target <= 300 s)")
report+=("RTO:        $(secs "$rto_ms") s measured from the start of the restore to serving as primary (target <= 1800 s)")
[ "$rpo_ms" -le 300000 ] || { report+=("RPO:        FAILED: above 5 minutes"); failures=$((failures + 1)); }
[ "$rto_ms" -le 1800000 ] || { report+=("RTO:        FAILED: above 30 minutes"); failures=$((failures + 1)); }

printf 'pitr drill report\n'
printf '  %s\n' "${report[@]}"
printf 'rpo_seconds=%s rto_seconds=%s\n' "$(secs "$rpo_ms")" "$(secs "$rto_ms")"
if [ "$failures" -eq 0 ]; then
  printf 'result: OK\n'
  exit 0
fi
printf 'result: FAILED (%d check(s))\n' "$failures"
exit 1
