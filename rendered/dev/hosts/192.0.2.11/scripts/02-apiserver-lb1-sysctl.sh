# kubeedge-ha: file /etc/sysctl.d/90-kubeedge-ha-apiserver.conf mode=0644 owner=root:root validate=none sha256=ac018c0a987758144d30960cda105f7e26ae5ae60ad3d707ae13b420689a490b
set -eu
dst='/etc/sysctl.d/90-kubeedge-ha-apiserver.conf'
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
sysctl -p "$dst"
