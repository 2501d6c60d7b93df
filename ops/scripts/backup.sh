#!/usr/bin/env bash
# Encrypted backup of the hirebox database (ops/runbooks/backup-restore.md).
#
#   ops/scripts/backup.sh [--database-url URL] [--recipients-file FILE] [--keep-days N] DEST_DIR
#
# pg_dump (custom format) | age -R recipients  ->  DEST_DIR/hirebox-<UTC stamp>.dump.age
# The dump is encrypted to age public keys only: the server holds no key that can read its
# own backups (the identity stays offline). Written as .partial and renamed, mode 0600, with
# a sha256sum-style .sha256 beside it; backups older than --keep-days (at most 90, the
# promise in DESIGN §9) are deleted. On success one row goes into backup_runs so the
# worker's backup monitor can see how fresh the newest backup is.
#
# The newest copy of the erasure ledger (server/core/erasure-ledger.ts; ids only, no personal
# data) is written beside the dumps as erasure-ledger.jsonl (0600, never pruned), so off-site
# copies carry it and a restore on a new server can re-apply every erasure. Its source:
# ERASURE_LEDGER_PATH (default HIREBOX_DATA_DIR/erasure-ledger.jsonl) in URL mode, the app container's ledger volume in compose mode.
#
# Environment (flags win): HIREBOX_BACKUP_DATABASE_URL (URL mode, see lib/backup-common.sh),
# BACKUP_AGE_RECIPIENTS_FILE (default /etc/hirebox/backup-recipients.txt),
# BACKUP_KEEP_DAYS (default 90).
set -euo pipefail
umask 077
# shellcheck source-path=SCRIPTDIR source=lib/backup-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/backup-common.sh"

usage() {
  echo "usage: $HB_PROG [--database-url URL] [--recipients-file FILE] [--keep-days N] DEST_DIR" >&2
  exit 2
}

recipients=${BACKUP_AGE_RECIPIENTS_FILE:-/etc/hirebox/backup-recipients.txt}
keep_days=${BACKUP_KEEP_DAYS:-90}
dest=''
while [ $# -gt 0 ]; do
  case $1 in
    --database-url) [ $# -ge 2 ] || usage; HB_DB_URL=$2; shift 2 ;;
    --recipients-file) [ $# -ge 2 ] || usage; recipients=$2; shift 2 ;;
    --keep-days) [ $# -ge 2 ] || usage; keep_days=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) note "unknown option $1"; usage ;;
    *) [ -z "$dest" ] || usage; dest=$1; shift ;;
  esac
done
[ -n "$dest" ] || usage

if ! [[ $keep_days =~ ^[0-9]+$ ]] || [ "$keep_days" -lt 1 ] || [ "$keep_days" -gt 90 ]; then
  die "--keep-days must be a whole number from 1 to 90 (backups expire within 90 days), got '$keep_days'"
fi
need_cmd age "Debian package age"
need_cmd sha256sum
check_pg_tools
[ -f "$recipients" ] || die "age recipients file $recipients does not exist (one age public key per line; see ops/runbooks/backup-restore.md)"
grep -Eq '^(age1|ssh-)' "$recipients" || die "age recipients file $recipients holds no public key (lines starting age1...); refusing to write an unencrypted backup"
mkdir -p "$dest"
chmod 0700 "$dest"
[ -w "$dest" ] || die "backup directory $dest is not writable"

db=$(source_db)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="hirebox-$stamp.dump.age"
n=1
while [ -e "$dest/$name" ]; do
  n=$((n + 1))
  name="hirebox-$stamp-$n.dump.age"
done
out="$dest/$name"
partial="$out.partial"
cleanup() { rm -f "$partial" "$out.sha256.partial"; }
trap cleanup EXIT

# pipefail: a pg_dump failure fails the pipeline even though age exits 0 on a short input.
if ! pg_tool "$db" pg_dump --format=custom --no-password | age --encrypt --recipients-file "$recipients" --output "$partial"; then
  die "pg_dump of database $db or its encryption failed; no backup written (see the error above)"
fi
# An age file starts with its header line; anything else means the encryption did not happen.
head -c 21 "$partial" | grep -q '^age-encryption.org/v1' || die "output is not an age-encrypted file; no backup written"
chmod 0600 "$partial"
size=$(stat -c %s "$partial")
sha=$(sha256sum "$partial" | awk '{print $1}')
printf '%s  %s\n' "$sha" "$name" >"$out.sha256.partial"
chmod 0600 "$out.sha256.partial"
sync "$partial" "$out.sha256.partial" 2>/dev/null || true
mv "$partial" "$out"
mv "$out.sha256.partial" "$out.sha256"
trap - EXIT

# Record the run (owner connection; the app role can only read backup_runs).
if ! printf '%s\n' "INSERT INTO backup_runs (file_name, size_bytes, sha256, started_at, finished_at) VALUES (:'name', :'size'::bigint, :'sha', :'started'::timestamptz, now());" |
  psql_in "$db" -v name="$name" -v size="$size" -v sha="$sha" -v started="$started" >/dev/null; then
  die "backup $out was written but could not be recorded in backup_runs (is migration 0030 applied?); the stale-backup alert will fire"
fi

# Prune: anything older than keep_days (minutes, so "older than 90 days" means exactly that),
# including legacy unencrypted dumps and interrupted .partial files.
minutes=$((keep_days * 1440))
pruned=$(find "$dest" -maxdepth 1 -type f \( -name 'hirebox-*.dump.age' -o -name 'hirebox-*.dump.age.sha256' -o -name 'hirebox-*.dump' -o -name 'hirebox-*.partial' \) -mmin "+$minutes" -print -delete | wc -l)

ledger_note='no erasure ledger yet'
ledger_partial="$dest/erasure-ledger.jsonl.partial"
if [ -n "$HB_DB_URL" ]; then
  # The app's default when ERASURE_LEDGER_PATH is unset (server/core/config.ts).
  ledger_src=${ERASURE_LEDGER_PATH:-${HIREBOX_DATA_DIR:-.data}/erasure-ledger.jsonl}
  if [ -f "$ledger_src" ]; then cp "$ledger_src" "$ledger_partial"; fi
elif ! docker compose exec -T app cat /var/lib/hirebox/ledger/erasure-ledger.jsonl >"$ledger_partial" 2>/dev/null; then
  rm -f "$ledger_partial"
fi
if [ -s "$ledger_partial" ]; then
  chmod 0600 "$ledger_partial"
  sync "$ledger_partial" 2>/dev/null || true
  mv "$ledger_partial" "$dest/erasure-ledger.jsonl"
  ledger_note="erasure ledger copied ($(wc -l <"$dest/erasure-ledger.jsonl") entries)"
else
  rm -f "$ledger_partial"
fi

echo "backup written: $out ($size bytes, sha256 $sha); pruned $pruned file(s) older than $keep_days days; $ledger_note"
