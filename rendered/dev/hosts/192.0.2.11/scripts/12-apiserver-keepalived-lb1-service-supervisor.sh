# kubeedge-ha: file /usr/local/lib/kubeedge-ha/supervise mode=0755 owner=root:root validate=sh sha256=a8cbb2ed312534ba2806070cb485a4402ab35467d47be1e00e17e321863b8f4a
set -eu
dst='/usr/local/lib/kubeedge-ha/supervise'
mkdir -p "$(dirname "$dst")"
tmp=$(mktemp "$dst.kha-XXXXXX")
trap 'rm -f "$tmp" "$tmp.root"' EXIT
cat > "$tmp"
chown root:root "$tmp"
chmod 0755 "$tmp"
if [ -f "$dst" ] && cmp -s "$tmp" "$dst"; then
  chown root:root "$dst"; chmod 0755 "$dst"
  echo "unchanged $dst"
else
  validate() { sh -n "$1"; }
  validate "$tmp" || { echo "rejected new $dst; the live file is unchanged" >&2; exit 1; }
  mv -f "$tmp" "$dst"
  echo "installed $dst"
fi
