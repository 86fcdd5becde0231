/**
 * The keepalived health-check probe for cloudcore, per KubeEdge version. PURE: returns POSIX sh.
 *
 * Why version-aware (sources: /work/shared/reference/kubeedge-and-ha-anchors.md §2.5, §2.6, §10.1):
 * - Upstream `build/cloud/ha/README.md` checks `curl -k https://127.0.0.1:10002/readyz` == 200.
 *   `/readyz` (`cloud/pkg/cloudhub/servers/httpserver/server.go`, `electionHandler`) exists only in
 *   v1.3.1–v1.6.x: 200 on the leader, 404 when not (or no longer) leader. Standbys do not even start
 *   cloudhub (`cloud/pkg/leaderelection/leaderelection.go`: `core.StartModules()` in
 *   `OnStartedLeading`), so their check fails by connection refused. Active-standby: the VIP follows
 *   the leader.
 * - v1.7.0 removed leader election (commit b39b560b3, active-active) and the `/readyz` route with it:
 *   the upstream check returns 404 on every node (kubeedge#3059), so with weight +2 no node ever gains
 *   priority and the VIP never moves when cloudcore dies — the check is inert.
 * - For v1.7+ this probe proves the local cloudcore serves: `GET https://HOST:10002/ca.crt` answers
 *   200 (a route present at HEAD, `common/constants/default.go` `DefaultCAURL`; KubeEdge does not
 *   document it as a health check — our inference) AND a TCP connect to the cloudhub websocket port
 *   10000 succeeds.
 *
 * TCP connect, portably: `curl telnet://HOST:10000` with stdin at EOF holds the connection until
 * `--max-time`, so the probe reads `%{time_connect}` (0.000000 when no connection was made: refused,
 * unreachable, timed out) instead of the exit code. bash `/dev/tcp` was rejected: not POSIX sh
 * (dash has none) and needs `timeout` around it. curl is already required for the HTTPS part.
 *
 * Caveat (unverified against a real cloudcore): the TCP connect opens no TLS session, so cloudcore's
 * Go TLS server may log "TLS handshake error ... EOF" for each probe run.
 *
 * Time budget: a healthy v1.7+ probe takes about `connectTime` (default 0.1 s; loopback connects in
 * microseconds), a failing one at most `maxTime` + `connectTime`. Keep that below
 * interval/samples of the keepalived check (see `checkScript.ts`).
 */
import { check, port } from "./errors";
import { parseCidr, urlHost } from "./net";
import { hasLeaderElection, KubeEdgeVersion, parseKubeEdgeVersion, PORTS } from "./cloudcore";

export interface CloudCoreProbeOptions {
    /** Address cloudcore listens on as seen from the host (hostNetwork). Defaults to `127.0.0.1`. */
    host?: string;
    /** cloudhub HTTPS port. Defaults to 10002. */
    httpsPort?: number;
    /** cloudhub websocket port. Defaults to 10000. */
    wsPort?: number;
    /** curl `--max-time` (seconds) for the HTTPS request, 0.05–10. Defaults to 0.4. */
    maxTime?: number;
    /** Bound (seconds) on the TCP connect test, 0.02–10 (v1.7+ only). Defaults to 0.1. */
    connectTime?: number;
}

interface Target { host: string; httpsPort: number; wsPort: number; maxTime: string; connectTime: string }

function seconds(field: string, value: unknown, min: number, max: number, dflt: number): string {
    const v = value ?? dflt;
    check(typeof v === "number" && Number.isFinite(v) && v >= min && v <= max, field, value, `must be seconds from ${min} to ${max}`);
    return String(Math.round((v as number) * 1000) / 1000);
}

function target(o: CloudCoreProbeOptions = {}, field = "probe"): Target {
    const host = urlHost(parseCidr(`${field}.host`, o.host ?? "127.0.0.1").address);
    return {
        host,
        httpsPort: port(`${field}.httpsPort`, o.httpsPort, PORTS.https),
        wsPort: port(`${field}.wsPort`, o.wsPort, PORTS.cloudhub),
        maxTime: seconds(`${field}.maxTime`, o.maxTime, 0.05, 10, 0.4),
        connectTime: seconds(`${field}.connectTime`, o.connectTime, 0.02, 10, 0.1),
    };
}

const httpCode = (t: Target, path: string) =>
    `[ "$(curl -k -g -s -o /dev/null -w '%{http_code}' --max-time ${t.maxTime} https://${t.host}:${t.httpsPort}${path})" = 200 ]`;

/**
 * A probe command (exit 0 = healthy) for keepalived's check on a cloudcore node.
 * - v1.3.1–v1.6.x: `/readyz` == 200 (leader only; active-standby, upstream semantics).
 * - v1.7+: `/ca.crt` == 200 and a TCP connect to the websocket port (every healthy node; active-active).
 */
export function cloudCoreProbe(version: string | KubeEdgeVersion, opts?: CloudCoreProbeOptions): string {
    const v = typeof version === "string" ? parseKubeEdgeVersion("version", version) : version;
    const t = target(opts);
    if (hasLeaderElection(v)) return `${httpCode(t, "/readyz")}\n`;
    return [
        `${httpCode(t, "/ca.crt")} &&`,
        `case "$(curl -g -s -o /dev/null -w '%{time_connect}' --max-time ${t.connectTime} telnet://${t.host}:${t.wsPort} </dev/null)" in`,
        "  ''|0|0.000000) false ;;",
        "  *) true ;;",
        "esac",
        "",
    ].join("\n");
}

/**
 * The upstream README check (`check_cloudcore.sh`, seed 001) as a POSIX probe: `/readyz` == 200,
 * with no `--max-time` unless `opts.maxTime` is given (upstream has none, so a hung cloudcore hangs
 * the check). Exported so drills can show it never passing on v1.7+ (kubeedge#3059).
 */
export function upstreamReadyzProbe(opts: Omit<CloudCoreProbeOptions, "wsPort" | "connectTime"> = {}): string {
    const host = urlHost(parseCidr("probe.host", opts.host ?? "127.0.0.1").address);
    const p = port("probe.httpsPort", opts.httpsPort, PORTS.https);
    const bound = opts.maxTime === undefined ? "" : ` --max-time ${seconds("probe.maxTime", opts.maxTime, 0.05, 10, 0.4)}`;
    return `[ "$(curl -k -o /dev/null -s -w '%{http_code}'${bound} https://${host}:${p}/readyz)" = 200 ]\n`;
}
