# kubeedge-ha: service haproxy
set -eu
mkdir -p /var/lib/kubeedge-ha
if [ -d /run/systemd/system ]; then
  systemctl enable haproxy
  if ! systemctl is-active --quiet haproxy; then systemctl start haproxy; touch /var/lib/kubeedge-ha/started-haproxy; fi
else
  if ! service haproxy status >/dev/null 2>&1; then service haproxy start; touch /var/lib/kubeedge-ha/started-haproxy; fi
fi
echo "haproxy running"
