#!/usr/bin/env bash
# A team's integration with hirebox, end to end, with curl, jq and an API token.
#
#   HIREBOX_URL=https://hire.example.com HIREBOX_TOKEN=hbx_... docs/integration-example.sh
#
# The token needs the scopes jobs:read, jobs:write and applications:read (create one in the
# console under "API tokens", or POST /api/v1/api-tokens from a signed-in session; see
# docs/api.md). Optional: JOB_ID lists that job's applications instead of the new job's.
# test/integration/docs-example.test.ts runs this script against a listening app.
set -euo pipefail
: "${HIREBOX_URL:?set HIREBOX_URL, e.g. https://hire.example.com}"
: "${HIREBOX_TOKEN:?set HIREBOX_TOKEN to an API token (hbx_...)}"

# Every call: the token as a bearer credential (no cookie, no CSRF token needed).
api() {
  curl --silent --show-error --fail-with-body \
    --header "Authorization: Bearer ${HIREBOX_TOKEN}" \
    --header 'Accept: application/json' "$@"
}

# 1. Create a job. The Idempotency-Key makes the POST safe to retry: a retry with the same
#    key and body returns the first response instead of creating a second job.
key="example-job-$(date +%s)-$$"
job_body='{
  "title": "Integration Engineer",
  "employmentType": "full_time",
  "status": "open",
  "location": "Remote",
  "description": "Connect our systems.",
  "criteria": [{ "name": "APIs", "description": "Designs and consumes HTTP APIs", "weight": 3, "mustHave": true }],
  "interviewQuestions": ["Tell us about an integration you built."]
}'
create_job() {
  api --request POST --header 'Content-Type: application/json' --header "Idempotency-Key: ${key}" \
    --data "$1" "${HIREBOX_URL}/api/v1/jobs"
}
job=$(create_job "${job_body}")
job_id=$(jq -r .id <<<"${job}")
echo "created job ${job_id} ($(jq -r .slug <<<"${job}"))"

retry=$(create_job "${job_body}")
if [ "$(jq -r .id <<<"${retry}")" != "${job_id}" ]; then
  echo "the retried request created another job" >&2
  exit 1
fi
echo "retry with the same Idempotency-Key returned job ${job_id} again"

# The same key with a different body is refused (422 problem+json), nothing is created.
status=$(curl --silent --output /dev/null --write-out '%{http_code}' \
  --header "Authorization: Bearer ${HIREBOX_TOKEN}" --header 'Content-Type: application/json' \
  --header "Idempotency-Key: ${key}" --request POST \
  --data "$(jq '.title = "Another title"' <<<"${job_body}")" "${HIREBOX_URL}/api/v1/jobs")
echo "same key, different body: HTTP ${status}"
[ "${status}" = 422 ]

# 2. List the applications of a job.
list_job=${JOB_ID:-${job_id}}
apps=$(api "${HIREBOX_URL}/api/v1/jobs/${list_job}/applications?limit=50")
echo "job ${list_job} has $(jq '.applications | length' <<<"${apps}") application(s)"

# 3. Read each application's AI screening (advisory; humans decide).
for application_id in $(jq -r '.applications[].id' <<<"${apps}"); do
  api "${HIREBOX_URL}/api/v1/applications/${application_id}/screening" |
    jq -c '{applicationId, advisory, status: .latest.status, recommendation: .latest.recommendation}'
done
