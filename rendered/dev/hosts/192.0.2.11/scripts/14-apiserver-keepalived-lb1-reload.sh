# kubeedge-ha: reload keepalived config=f26f6731d9d57b45e27a3f51df8fa99da6128fa923478915ed1ca76089063464
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif service keepalived status >/dev/null 2>&1; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
