# kubeedge-ha: remove /etc/keepalived/kubeedge-ha/check_haproxy.sh
set -eu
rm -f '/etc/keepalived/kubeedge-ha/check_haproxy.sh'
