# kubeedge-ha: file /etc/keepalived/kubeedge-ha/check_cloudcore.sh mode=0755 owner=root:root validate=sh sha256=7b3825db1bd4c1bea9a56cbe715a268db64da8afb2843edd5f366ed78458da9e
set -eu
dst='/etc/keepalived/kubeedge-ha/check_cloudcore.sh'
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
