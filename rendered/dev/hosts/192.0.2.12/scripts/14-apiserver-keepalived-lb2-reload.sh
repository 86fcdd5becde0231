# kubeedge-ha: reload keepalived config=1d05746c9d90f4a6b3d1e82c4687c661b47363d0854da94cd592ba33626f988a
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif { [ -s /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; }; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
