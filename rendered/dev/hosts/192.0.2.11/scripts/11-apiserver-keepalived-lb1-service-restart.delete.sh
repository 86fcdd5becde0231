# kubeedge-ha: remove /etc/systemd/system/keepalived.service.d/10-kubeedge-ha.conf
set -eu
rm -f '/etc/systemd/system/keepalived.service.d/10-kubeedge-ha.conf'
