# kubeedge-ha: file /etc/keepalived/keepalived.conf mode=0600 owner=root:root validate=keepalived sha256=10bf93284d4c020d4a4a8be996d88828428f42262274eaf228bc74599c9fc74d
set -eu
dst='/etc/keepalived/keepalived.conf'
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
    user=$(sed -n 's/^[[:space:]]*script_user[[:space:]]\{1,\}\([^[:space:]]\{1,\}\).*/\1/p' "$1" | head -n 1)
    cfg=$1
    if [ -n "$user" ] && [ "$user" != root ]; then
      id "$user" >/dev/null 2>&1 || { echo "script_user $user does not exist on $(hostname)" >&2; return 1; }
      for s in $(sed -n 's/^[[:space:]]*\(script\|notify[a-z_]*\)[[:space:]]\{1,\}"\([^" ]*\).*/\2/p' "$1"); do
        runuser -u "$user" -- test -x "$s" || { echo "script_user $user cannot execute $s" >&2; return 1; }
      done
      sed 's/^\([[:space:]]*script_user[[:space:]]\{1,\}\).*/\1root/' "$1" > "$1.root"
      cfg=$1.root
    fi
    rc=0; out=$(keepalived -t -f "$cfg" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ]; then printf '%s\n' "$out" >&2; echo "keepalived -t exited $rc" >&2; return 1; fi
  }
  validate "$tmp" || { echo "rejected new $dst; the live file is unchanged" >&2; exit 1; }
  mv -f "$tmp" "$dst"
  echo "installed $dst"
fi
