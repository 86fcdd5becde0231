# kubeedge-ha: stop haproxy
set -u
if [ -f /var/lib/kubeedge-ha/started-haproxy ]; then
  if [ -d /run/systemd/system ]; then systemctl disable --now haproxy || true; else service haproxy stop || true; fi
  rm -f /var/lib/kubeedge-ha/started-haproxy
fi
rmdir --ignore-fail-on-non-empty /var/lib/kubeedge-ha 2>/dev/null || true
exit 0
