# kubeedge-ha: remove user keepalived_script
set -eu
if [ -f '/var/lib/kubeedge-ha/created-user-keepalived_script' ]; then userdel 'keepalived_script' 2>/dev/null || true; rm -f '/var/lib/kubeedge-ha/created-user-keepalived_script'; fi
