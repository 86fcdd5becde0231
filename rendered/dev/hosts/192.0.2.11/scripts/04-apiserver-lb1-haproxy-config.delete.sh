# kubeedge-ha: remove /etc/haproxy/haproxy.cfg
set -eu
rm -f '/etc/haproxy/haproxy.cfg'
