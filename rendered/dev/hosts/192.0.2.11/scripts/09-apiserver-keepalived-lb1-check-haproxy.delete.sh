# kubeedge-ha: remove /etc/keepalived/kubeedge-ha/check_haproxy.sh
set -eu
rm -f '/etc/keepalived/kubeedge-ha/check_haproxy.sh'
rmdir --ignore-fail-on-non-empty '/etc/keepalived/kubeedge-ha' 2>/dev/null || true
