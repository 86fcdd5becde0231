# kubeedge-ha: user keepalived_script
set -eu
if id 'keepalived_script' >/dev/null 2>&1; then echo "user keepalived_script present"; exit 0; fi
nologin=$(command -v nologin || echo /bin/false)
useradd --system --no-create-home --home-dir /nonexistent --shell "$nologin" 'keepalived_script'
mkdir -p /var/lib/kubeedge-ha && touch '/var/lib/kubeedge-ha/created-user-keepalived_script'
echo "created user keepalived_script"
