# kubeedge-ha: file /etc/keepalived/kubeedge-ha/check_haproxy.sh mode=0755 owner=root:root validate=sh sha256=b6c9ccd7c8977925501ee63bf37a3956d098b0282c12588ec28e7c65c2223cc5
set -eu
dst='/etc/keepalived/kubeedge-ha/check_haproxy.sh'
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
