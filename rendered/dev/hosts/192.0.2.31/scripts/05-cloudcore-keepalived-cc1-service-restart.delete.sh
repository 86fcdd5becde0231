# kubeedge-ha: remove /etc/systemd/system/keepalived.service.d/10-kubeedge-ha.conf
set -eu
rm -f '/etc/systemd/system/keepalived.service.d/10-kubeedge-ha.conf'
rmdir --ignore-fail-on-non-empty '/etc/systemd/system/keepalived.service.d' 2>/dev/null || true
