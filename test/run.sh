#!/usr/bin/env bash
# The test command (`npm test`): installs what the tests need when it is missing — Debian packages
# (keepalived, haproxy, OpenSSH, curl, iproute2, openssl) and the npm dependencies — then runs every
# test with mocha. The last line is "N passed, N failed"; the exit code is non-zero on any failure.
# Needs root (network namespaces) on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
for pair in keepalived:keepalived haproxy:haproxy sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client \
            curl:curl ip:iproute2 openssl:openssl sysctl:procps modprobe:kmod nsenter:util-linux runuser:util-linux; do
    have "${pair%%:*}" || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "missing packages ${need[*]}: run as root or install them" >&2; exit 1; }
    # install without starting the daemons on this machine (they only run inside lab hosts)
    created_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && created_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
    [ -z "$created_policy" ] || rm -f /usr/sbin/policy-rc.d
fi
[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund

exec npx mocha "$@"
