# kubeedge-ha: reload keepalived config=0fc49460cf393353a004d2c0bbec750a93e59b29c5cb3f2d290928db1ed738c8
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif { [ -s /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; }; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
