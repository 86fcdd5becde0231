# kubeedge-ha: remove /etc/keepalived/keepalived.conf
set -eu
rm -f '/etc/keepalived/keepalived.conf'
