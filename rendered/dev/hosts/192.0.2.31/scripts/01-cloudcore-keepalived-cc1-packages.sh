# kubeedge-ha: packages curl keepalived
set -eu
missing=''
command -v 'curl' >/dev/null 2>&1 || missing="$missing curl"
command -v 'keepalived' >/dev/null 2>&1 || missing="$missing keepalived"
if [ -z "$missing" ]; then echo "packages present"; exit 0; fi
echo "installing:$missing"
if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing
elif command -v dnf >/dev/null 2>&1; then dnf install -y $missing
elif command -v yum >/dev/null 2>&1; then yum install -y $missing
elif command -v zypper >/dev/null 2>&1; then zypper --non-interactive install $missing
elif command -v apk >/dev/null 2>&1; then apk add --no-cache $missing
else echo "no supported package manager (apt-get, dnf, yum, zypper, apk) for:$missing" >&2; exit 1; fi
