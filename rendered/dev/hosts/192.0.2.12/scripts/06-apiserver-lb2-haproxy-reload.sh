# kubeedge-ha: reload haproxy config=27f77ff093a0a7e0292576161b2ee952ccbd27fc813bc7f16fc542715a3de592
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet haproxy; then systemctl reload haproxy; else systemctl start haproxy; fi
elif { [ -s /run/haproxy.pid ] && kill -0 "$(cat /run/haproxy.pid)" 2>/dev/null; }; then
  haproxy -c -q -f /etc/haproxy/haproxy.cfg && kill -USR2 "$(cat /run/haproxy.pid)"
else
  service haproxy start
fi
echo "haproxy reloaded"
