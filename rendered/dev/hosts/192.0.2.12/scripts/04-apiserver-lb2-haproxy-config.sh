# kubeedge-ha: file /etc/haproxy/haproxy.cfg mode=0600 owner=root:root validate=haproxy sha256=27f77ff093a0a7e0292576161b2ee952ccbd27fc813bc7f16fc542715a3de592
set -eu
dst='/etc/haproxy/haproxy.cfg'
mkdir -p "$(dirname "$dst")"
tmp=$(mktemp "$dst.kha-XXXXXX")
trap 'rm -f "$tmp" "$tmp.root"' EXIT
cat > "$tmp"
chown root:root "$tmp"
chmod 0600 "$tmp"
if [ -f "$dst" ] && cmp -s "$tmp" "$dst"; then
  chown root:root "$dst"; chmod 0600 "$dst"
  echo "unchanged $dst"
else
  validate() {
    rc=0; out=$(haproxy -c -f "$1" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ]; then printf '%s\n' "$out" >&2; echo "haproxy -c exited $rc" >&2; return 1; fi
  }
  validate "$tmp" || { echo "rejected new $dst; the live file is unchanged" >&2; exit 1; }
  mv -f "$tmp" "$dst"
  echo "installed $dst"
fi
