# kubeedge-ha: remove /usr/local/lib/kubeedge-ha/supervise
set -eu
rm -f '/usr/local/lib/kubeedge-ha/supervise'
rmdir --ignore-fail-on-non-empty '/usr/local/lib/kubeedge-ha' 2>/dev/null || true
