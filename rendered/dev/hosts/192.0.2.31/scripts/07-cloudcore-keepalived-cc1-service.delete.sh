# kubeedge-ha: stop keepalived
set -u
if [ -s /run/kubeedge-ha-supervise-keepalived.pid ]; then kill "$(cat /run/kubeedge-ha-supervise-keepalived.pid)" 2>/dev/null || true; rm -f /run/kubeedge-ha-supervise-keepalived.pid; fi
if [ -f /var/lib/kubeedge-ha/started-keepalived ]; then
  if [ -d /run/systemd/system ]; then systemctl disable --now keepalived || true; else service keepalived stop || true; fi
  rm -f /var/lib/kubeedge-ha/started-keepalived
fi
rmdir --ignore-fail-on-non-empty /var/lib/kubeedge-ha 2>/dev/null || true
exit 0
