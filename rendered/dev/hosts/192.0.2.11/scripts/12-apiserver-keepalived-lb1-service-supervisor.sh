# kubeedge-ha: file /usr/local/lib/kubeedge-ha/supervise mode=0755 owner=root:root validate=sh sha256=279fd323906d43807eb9897e70b2bd8e026f5355e9422ed4bfe0de05cf819cb5
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
