# kubeedge-ha: reload keepalived config=04999f6ebcb7da0998b3f8e3f24165ffcc40d0a9e1e36cc44db64cd35d28af9b
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif { [ -s /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; }; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
