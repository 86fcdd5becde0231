# kubeedge-ha: remove /etc/keepalived/kubeedge-ha/check_cloudcore.sh
set -eu
rm -f '/etc/keepalived/kubeedge-ha/check_cloudcore.sh'
