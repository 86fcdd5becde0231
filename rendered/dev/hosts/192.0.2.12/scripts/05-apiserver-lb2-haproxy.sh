# kubeedge-ha: service haproxy
set -eu
mkdir -p /var/lib/kubeedge-ha
if [ -d /run/systemd/system ]; then
  systemctl enable haproxy
  if ! systemctl is-active --quiet haproxy; then systemctl start haproxy; touch /var/lib/kubeedge-ha/started-haproxy; fi
else
  if ! { [ -s /run/haproxy.pid ] && kill -0 "$(cat /run/haproxy.pid)" 2>/dev/null; }; then service haproxy start; touch /var/lib/kubeedge-ha/started-haproxy; fi
fi
echo "haproxy running"
