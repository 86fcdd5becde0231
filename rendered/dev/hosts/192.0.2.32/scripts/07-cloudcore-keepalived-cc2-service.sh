# kubeedge-ha: service keepalived
set -eu
mkdir -p /var/lib/kubeedge-ha
if [ -d /run/systemd/system ]; then
  systemctl enable keepalived
  if ! systemctl is-active --quiet keepalived; then systemctl start keepalived; touch /var/lib/kubeedge-ha/started-keepalived; fi
else
  if ! { [ -s /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; }; then service keepalived start; touch /var/lib/kubeedge-ha/started-keepalived; fi
  if ! { [ -s /run/kubeedge-ha-supervise-keepalived.pid ] && kill -0 "$(cat /run/kubeedge-ha-supervise-keepalived.pid)" 2>/dev/null; }; then
    start-stop-daemon --start --background --make-pidfile --pidfile /run/kubeedge-ha-supervise-keepalived.pid --output /var/log/kubeedge-ha-supervise-keepalived.log --startas /usr/local/lib/kubeedge-ha/supervise -- keepalived 4 /run/keepalived.pid /run/vrrp.pid /run/checkers.pid /run/bfd.pid
  fi
fi
echo "keepalived running"
