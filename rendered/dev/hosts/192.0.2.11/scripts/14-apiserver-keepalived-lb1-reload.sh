# kubeedge-ha: reload keepalived config=f26f6731d9d57b45e27a3f51df8fa99da6128fa923478915ed1ca76089063464
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif { [ -s /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; }; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
