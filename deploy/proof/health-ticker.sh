#!/usr/bin/env bash
# podman runs HEALTHCHECKs from systemd timers; where systemd is not PID 1 (this CI
# machine) nothing runs them and every container stays "starting", so compose's
# depends_on: condition: service_healthy would wait forever. This loop is that timer:
# it runs each running container's healthcheck every few seconds.
#   health-ticker.sh PROJECT [INTERVAL_SECONDS]
set -uo pipefail
project=$1
interval=${2:-3}
while true; do
  for id in $(podman ps -q --filter "label=com.docker.compose.project=$project"); do
    podman healthcheck run "$id" >/dev/null 2>&1 &
  done
  wait
  sleep "$interval"
done
