# kubeedge-ha: reload keepalived config=1d05746c9d90f4a6b3d1e82c4687c661b47363d0854da94cd592ba33626f988a
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif service keepalived status >/dev/null 2>&1; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
