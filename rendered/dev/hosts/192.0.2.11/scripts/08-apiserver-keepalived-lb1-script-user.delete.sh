# kubeedge-ha: remove user keepalived_script
set -u
[ -f '/var/lib/kubeedge-ha/created-user-keepalived_script' ] || exit 0
i=0
until userdel 'keepalived_script' 2>/dev/null || ! id 'keepalived_script' >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -ge 10 ]; then
    held=$(ps -o pid=,comm= -u 'keepalived_script' 2>/dev/null | head -n 3 | tr -s ' \n' ' ')
    echo "warning: user keepalived_script is still in use; left in place (processes: ${held:-unknown})" >&2; exit 0
  fi
  sleep 0.5
done
rm -f '/var/lib/kubeedge-ha/created-user-keepalived_script'
rmdir --ignore-fail-on-non-empty /var/lib/kubeedge-ha 2>/dev/null || true
