#!/usr/bin/env bash
# Restore drill (ops/runbooks/backup-restore.md): proves a backup can be read and restored.
#
#   ops/scripts/restore-drill.sh [--database-url URL] [--identity FILE] [--app-database-url URL]
#                                [--allow-drift] [--keep] BACKUP_FILE_OR_DIR
#
# Takes BACKUP_FILE (or the newest backup in a directory), verifies its checksum, decrypts
# it with the age identity (the offline private key), restores it into a throwaway database
# (created here, dropped at the end unless --keep), then checks:
#   - migrations: every applied migration exists in ./migrations with the same checksum;
#   - audit: `hirebox audit verify --json` passes on the restored database;
#   - rows: every table has as many rows as in the source database (backup_runs excepted).
#     An older backup, or a busy source, differs legitimately: --allow-drift reports the
#     differences without failing.
#   - erasures: the erasure ledger (ERASURE_LEDGER_PATH, outside the database) is re-applied
#     as restore.sh does (`hirebox erasures reapply`); the report prints how many erased
#     candidates/orgs the backup held readable and how many are readable afterwards (must be 0).
#   - record: the result and restore time go into restore_drills (read by /trust, issue 23).
# Prints a short report; exits 0 only if every check passed.
#
# Environment: BACKUP_AGE_IDENTITY_FILE, HIREBOX_BACKUP_DATABASE_URL (URL mode),
# HIREBOX_CLI (CLI command override), MASTER_KEY_FILE / AUDIT_SIGNING_KEY_FILE (URL mode).
set -euo pipefail
umask 077
# shellcheck source-path=SCRIPTDIR source=lib/backup-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/backup-common.sh"

usage() {
  echo "usage: $HB_PROG [--database-url URL] [--identity FILE] [--app-database-url URL] [--allow-drift] [--keep] BACKUP_FILE_OR_DIR" >&2
  exit 2
}

identity=${BACKUP_AGE_IDENTITY_FILE:-}
app_url=''
allow_drift=0
keep=0
target=''
while [ $# -gt 0 ]; do
  case $1 in
    --database-url) [ $# -ge 2 ] || usage; HB_DB_URL=$2; shift 2 ;;
    --identity) [ $# -ge 2 ] || usage; identity=$2; shift 2 ;;
    --app-database-url) [ $# -ge 2 ] || usage; app_url=$2; shift 2 ;;
    --allow-drift) allow_drift=1; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage ;;
    -*) note "unknown option $1"; usage ;;
    *) [ -z "$target" ] || usage; target=$1; shift ;;
  esac
done
[ -n "$target" ] || usage

check_restore_tools "$identity"
file=$(pick_backup "$target")
verify_checksum "$file"

src=$(source_db)
drill="hirebox_drill_$(date -u +%Y%m%d%H%M%S)_$$"
if [ -n "$HB_DB_URL" ]; then
  owner_url=$(url_with_db "$HB_DB_URL" "$drill")
  app_url=$(url_with_db "${app_url:-$HB_DB_URL}" "$drill")
else
  owner_url=$(url_with_db "$(secret_url migration_database_url)" "$drill")
  app_url=$(url_with_db "${app_url:-$(secret_url database_url)}" "$drill")
fi

# shellcheck disable=SC2317 # called by the EXIT trap
finish() {
  if [ "$keep" -eq 1 ]; then
    note "kept database $drill (drop it with: DROP DATABASE $drill)"
  else
    drop_db "$drill" || note "could not drop database $drill; drop it by hand"
  fi
}
create_db "$drill"
trap finish EXIT

t0=$(date +%s)
restore_into "$file" "$identity" "$drill"
t1=$(date +%s)

failures=0
report=()
report+=("backup:     $(basename "$file") ($(stat -c %s "$file") bytes), checksum ok")
report+=("restore:    into throwaway database $drill in $((t1 - t0)) s")

if counts=$(migrations_check "$drill"); then
  report+=("migrations: ${counts% *} applied, all match migrations/ (${counts#* } newer to apply on restore)")
else
  report+=("migrations: FAILED (see above)")
  failures=$((failures + 1))
fi

if audit_out=$(run_cli "$app_url" "$owner_url" audit verify --json 2>&1) && grep -q '^{"ok":true' <<<"$audit_out"; then
  events=$(grep -o '"eventsChecked":[0-9]*' <<<"$audit_out" | awk -F: '{n += $2} END {print n + 0}')
  report+=("audit:      hash chains and signed checkpoints verify ($events events)")
else
  report+=("audit:      FAILED: $(head -c 400 <<<"$audit_out" | tr '\n' ' ')")
  failures=$((failures + 1))
fi

restored_counts=$(table_counts "$drill")
source_counts=$(table_counts "$src")
drift=$(LC_ALL=C join -t '|' -a 1 -a 2 -e missing -o 0,1.2,2.2 <(printf '%s\n' "$restored_counts") <(printf '%s\n' "$source_counts") | awk -F'|' '$2 != $3 {printf "%s (restored %s, source %s); ", $1, $2, $3}')
tables=$(printf '%s\n' "$restored_counts" | wc -l)
rows=$(printf '%s\n' "$restored_counts" | awk -F'|' '{n += $2} END {print n + 0}')
if [ -z "$drift" ]; then
  report+=("rows:       $tables tables, $rows rows, identical to $src")
elif [ "$allow_drift" -eq 1 ]; then
  report+=("rows:       $tables tables, $rows rows; differs from $src (allowed): ${drift%; }")
else
  report+=("rows:       FAILED: differs from $src: ${drift%; } (use --allow-drift for an older backup)")
  failures=$((failures + 1))
fi

# After the row comparison (re-applying erasures changes rows), exactly what restore.sh does.
if er=$(reapply_erasures "$app_url" "$owner_url" "${counts#* }" 2>&1); then
  read -r entries readable_before readable_after <<<"$(tail -n 1 <<<"$er")"
  report+=("erasures:   ledger $entries entries; $readable_before erased candidate(s)/org(s) readable as restored, $readable_after after re-applying the ledger")
else
  report+=("erasures:   FAILED: $(head -c 400 <<<"$er" | tr '\n' ' ')")
  failures=$((failures + 1))
fi

# issue 23: record the drill in the source database (owner connection) for the trust page's
# backups line: its result and the measured restore time (RTO). A --keep run is a drill too.
drill_ok=false
[ "$failures" -eq 0 ] && drill_ok=true
if ! printf '%s\n' "INSERT INTO restore_drills (backup_file, ok, restore_seconds) VALUES (:'name', :'ok'::boolean, :'secs'::integer);" |
  psql_in "$src" -v name="$(basename "$file")" -v ok="$drill_ok" -v secs="$((t1 - t0))" >/dev/null; then
  report+=("record:     FAILED to record this drill in restore_drills (is migration 0046 applied?); /trust will not show it")
  failures=$((failures + 1))
fi

printf 'restore drill report\n'
printf '  %s\n' "${report[@]}"
if [ "$failures" -eq 0 ]; then
  printf 'result: OK\n'
  exit 0
fi
printf 'result: FAILED (%d check(s))\n' "$failures"
exit 1
