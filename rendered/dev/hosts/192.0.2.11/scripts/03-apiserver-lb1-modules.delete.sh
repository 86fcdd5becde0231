# kubeedge-ha: remove /etc/modules-load.d/kubeedge-ha-ipvs.conf
set -eu
rm -f '/etc/modules-load.d/kubeedge-ha-ipvs.conf'
