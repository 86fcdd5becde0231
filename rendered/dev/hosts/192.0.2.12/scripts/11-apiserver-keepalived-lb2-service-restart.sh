# kubeedge-ha: file /etc/systemd/system/keepalived.service.d/10-kubeedge-ha.conf mode=0644 owner=root:root validate=none sha256=45288766e717cc62fc99c4b69996956f6ef3f62bdc8ed203b82cfa9d5a7115d5
set -eu
dst='/etc/systemd/system/keepalived.service.d/10-kubeedge-ha.conf'
mkdir -p "$(dirname "$dst")"
tmp=$(mktemp "$dst.kha-XXXXXX")
trap 'rm -f "$tmp" "$tmp.root"' EXIT
cat > "$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
if [ -f "$dst" ] && cmp -s "$tmp" "$dst"; then
  chown root:root "$dst"; chmod 0644 "$dst"
  echo "unchanged $dst"
else
  validate() { :; }
  validate "$tmp" || { echo "rejected new $dst; the live file is unchanged" >&2; exit 1; }
  mv -f "$tmp" "$dst"
  echo "installed $dst"
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
