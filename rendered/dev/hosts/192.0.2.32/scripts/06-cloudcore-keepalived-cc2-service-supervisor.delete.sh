# kubeedge-ha: remove /usr/local/lib/kubeedge-ha/supervise
set -eu
rm -f '/usr/local/lib/kubeedge-ha/supervise'
