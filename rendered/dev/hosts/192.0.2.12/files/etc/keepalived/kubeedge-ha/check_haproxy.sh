#!/bin/sh
# kubeedge-ha health check "haproxy": exit 0 = healthy. Managed by Pulumi.
# 2 probe(s) 0.5s apart per run; keepalived: interval 1s, fall 1, rise 2, weight 0.
probe() {
curl -fsS -o /dev/null --max-time 0.3 http://127.0.0.1:8405/healthz
}
i=0
while [ "$i" -lt 2 ]; do
  [ "$i" -eq 0 ] || sleep 0.5
  probe >/dev/null 2>&1 || exit 1
  i=$((i + 1))
done
exit 0
