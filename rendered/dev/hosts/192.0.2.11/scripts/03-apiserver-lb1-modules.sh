# kubeedge-ha: file /etc/modules-load.d/kubeedge-ha-ipvs.conf mode=0644 owner=root:root validate=none sha256=b25a871e1d9e9743450f1d84c1594e1c84e9efb9b7bad75eb2465eb742b2495b
set -eu
dst='/etc/modules-load.d/kubeedge-ha-ipvs.conf'
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
for m in ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh; do
  if modprobe "$m" 2>/dev/null; then echo "loaded $m";
  else echo "warning: modprobe $m failed: this kernel lacks it (persisted for boot, not loaded)" >&2; fi
done
