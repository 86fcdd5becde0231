#!/bin/sh
# kubeedge-ha health check "cloudcore": exit 0 = healthy. Managed by Pulumi.
# 2 probe(s) 0.5s apart per run; keepalived: interval 1s, fall 1, rise 2, weight 0.
probe() {
[ "$(curl -k -g -s -o /dev/null -w '%{http_code}' --max-time 0.4 https://127.0.0.1:10002/ca.crt)" = 200 ] &&
case "$(curl -g -s -o /dev/null -w '%{time_connect}' --max-time 0.1 telnet://127.0.0.1:10000 </dev/null)" in
  ''|0|0.000000) false ;;
  *) true ;;
esac
}
i=0
while [ "$i" -lt 2 ]; do
  [ "$i" -eq 0 ] || sleep 0.5
  probe >/dev/null 2>&1 || exit 1
  i=$((i + 1))
done
exit 0
