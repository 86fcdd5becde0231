# kubeedge-ha: remove /etc/sysctl.d/90-kubeedge-ha-apiserver.conf
set -eu
rm -f '/etc/sysctl.d/90-kubeedge-ha-apiserver.conf'
