# kubeedge-ha: reload keepalived config=0fc49460cf393353a004d2c0bbec750a93e59b29c5cb3f2d290928db1ed738c8
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif service keepalived status >/dev/null 2>&1; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
