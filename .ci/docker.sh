#!/usr/bin/env bash
# Make the Docker sandbox backend usable on a CI machine (Debian/Ubuntu, as root), idempotently:
#   1. install docker.io, debootstrap and bubblewrap when missing;
#   2. start dockerd in the background when no engine answers, and wait for it (up to 60 s);
#   3. build the sandbox image offline (debootstrap + docker import; skipped when the tag exists).
# Then run the sandbox tests with CI=true so that a Docker test that would skip fails instead:
#   CI=true python -m pytest tests/test_sandbox_api.py tests/test_sandbox_abuse.py
set -euo pipefail

PY="${PYTHON:-python}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need=()
# A machine may have the docker client alone (no engine): look for the daemon.
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ "${#need[@]}" -gt 0 ]; then
  echo "[ci/docker] installing: ${need[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  echo "[ci/docker] no engine answers: starting dockerd (log: /tmp/dockerd.log)"
  $SUDO sh -c 'nohup dockerd > /tmp/dockerd.log 2>&1 &'
  for i in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then break; fi
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "[ci/docker] dockerd did not come up within 60 s; last log lines:" >&2
    tail -n 30 /tmp/dockerd.log >&2 || true
    exit 1
  fi
fi
echo "[ci/docker] engine: $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"

"$PY" -m thoughtgym.sandbox.cli build
"$PY" -m thoughtgym.sandbox.cli status
