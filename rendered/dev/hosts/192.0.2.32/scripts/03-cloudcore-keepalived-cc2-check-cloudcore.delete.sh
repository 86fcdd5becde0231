# kubeedge-ha: remove /etc/keepalived/kubeedge-ha/check_cloudcore.sh
set -eu
rm -f '/etc/keepalived/kubeedge-ha/check_cloudcore.sh'
rmdir --ignore-fail-on-non-empty '/etc/keepalived/kubeedge-ha' 2>/dev/null || true
