# kubeedge-ha: reload keepalived config=d1ca1f2190ede58eb2d1f9b1e9cc294ca7fb613deb0ae6106b4cce3ce11638d3
set -eu
if [ -d /run/systemd/system ]; then
  if systemctl is-active --quiet keepalived; then systemctl reload keepalived; else systemctl start keepalived; fi
elif { [ -s /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; }; then
  service keepalived reload
else
  service keepalived start
fi
echo "keepalived reloaded"
