#!/usr/bin/env bash
# Records what the trust page's build_audit line reads (issue 23): the dependency audit and
# the secret scan of THIS build, with its version and commit, into dist/build-info.json.
# The Dockerfile runs it after `npm run build`, so the record is inside the image; a build
# made without it shows "unknown" on /trust, never green.
#
#   ops/scripts/build-info.sh [OUTPUT]      (default dist/build-info.json)
#
# Environment: BUILD_COMMIT (the Docker build has no .git; defaults to `git rev-parse`).
# Exit status is 0 even when a check fails: the result is recorded and shown, and CI fails
# on ops/scripts/audit.sh and `npm run secret-scan` separately.
set -uo pipefail
out=${1:-dist/build-info.json}
mkdir -p "$(dirname "$out")"

commit=${BUILD_COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
version=$(node -p 'require("./package.json").version' 2>/dev/null || echo unknown)

# Dependency audit: same rules as ops/scripts/audit.sh (high/critical in production deps fail;
# a registry without the advisory endpoint is "unavailable", not a pass).
audit_out=$(ops/scripts/audit.sh 2>&1)
audit_rc=$?
if [ $audit_rc -ne 0 ]; then
  audit_status=fail
elif grep -q UNAVAILABLE <<<"$audit_out"; then
  audit_status=unavailable
else
  audit_status=pass
fi
audit_summary=$(head -n 1 <<<"$audit_out" | cut -c1-200)

# Secret scan of the sources this image was built from.
scan_out=$(npx --no-install secretlint "**/*" 2>&1)
scan_rc=$?
if [ $scan_rc -eq 0 ]; then
  scan_status=pass
  scan_summary='secretlint: no findings'
elif command -v npx >/dev/null && npx --no-install secretlint --version >/dev/null 2>&1; then
  scan_status=fail
  scan_summary="secretlint: $(grep -c 'error' <<<"$scan_out") finding(s)"
else
  scan_status=unavailable
  scan_summary='secretlint is not installed in this build stage'
fi

node -e '
const [out, version, commit, aStatus, aSummary, sStatus, sSummary] = process.argv.slice(1);
const info = { version, commit, builtAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  dependencyAudit: { status: aStatus, summary: aSummary }, secretScan: { status: sStatus, summary: sSummary } };
require("node:fs").writeFileSync(out, JSON.stringify(info, null, 2) + "\n");
console.log(`build-info: ${out}: dependency audit ${aStatus}, secret scan ${sStatus} (${commit})`);
' "$out" "$version" "$commit" "$audit_status" "$audit_summary" "$scan_status" "$scan_summary"
