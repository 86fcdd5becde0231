/**
 * haproxy.cfg for a TCP load balancer in front of kube-apiservers (pure: settings in, text out).
 *
 * Design notes (measurements in /work/shared/reference/failover-facts.md §3 and §12):
 * - `mode tcp` passthrough: TLS and client-certificate auth stay end-to-end with the apiservers.
 * - `master-worker`: reloads are SIGUSR2 to the master (systemd `-Ws` + `kill -USR2 $MAINPID`), which
 *   passes the listening sockets to the new worker: 0 failed connections in 630 measured reloads.
 * - `option redispatch` + `retries 3` + `timeout connect 1s`: a connection to a dead apiserver is retried
 *   on another one, so a killed apiserver costs no failed new connection.
 * - Health check `GET /readyz` over TLS every 1 s, fall 2: an apiserver that starts draining (/readyz 500)
 *   or dies leaves the rotation after about 1-2 s.
 */
import { ABS_PATH, NAME, check, fail, intIn, port, text, unique } from "./errors";
import { parseCidr, parseNetwork, urlHost } from "./net";
import * as ipaddr from "ipaddr.js";

export type HaproxyTopology = "dedicated" | "colocated";
export type HaproxyBalance = "roundrobin" | "leastconn";
export type HaproxyLog = "stdout" | "syslog" | "none";

/** One kube-apiserver behind the load balancer. */
export interface HaproxyMaster {
    /** Server name in haproxy.cfg and on the stats page; letters, digits, `_.-`. */
    name: string;
    /** IP address the apiserver listens on (no host names: haproxy would resolve them only at start). */
    address: string;
    /** apiserver secure port. Default 6443. */
    port?: number;
}

/** User-facing settings; every optional field states its default. */
export interface HaproxySettings {
    /** The apiservers. At least one; names and address:port pairs unique. */
    masters: HaproxyMaster[];
    /**
     * `dedicated`: haproxy runs on its own hosts. `colocated`: haproxy runs on the masters, next to an
     * apiserver, so the frontend must not take the apiserver's address:port. Default `dedicated`.
     */
    topology?: HaproxyTopology;
    /**
     * Frontend address: `*` (all addresses) or one IP address, typically the VIP. A VIP is absent on the
     * BACKUP node, so binding it needs `net.ipv4.ip_nonlocal_bind=1` (see `ResolvedHaproxy.nonlocalBind`).
     * Default `*`.
     */
    bind?: string;
    /** Frontend port clients (kubelet, kubectl, cloudcore) connect to. Default 6443. */
    port?: number;
    /** `roundrobin` or `leastconn` (better spread of long watches after an apiserver returns). Default `roundrobin`. */
    balance?: HaproxyBalance;
    /** Source networks (CIDR) allowed to connect to the frontend; others are rejected at accept. Default: all. */
    allowedSources?: string[];
    /**
     * CA bundle (absolute path on the haproxy host) that signed the apiserver serving certificates.
     * Given: health checks use `verify required`. Default: none, checks use `verify none`.
     */
    caFile?: string;
    /** Health-check interval in ms. Default 1000. */
    checkIntervalMs?: number;
    /** Consecutive failed checks before a server is marked DOWN. Default 2. */
    checkFall?: number;
    /** Consecutive good checks before a server is marked UP again. Default 2. */
    checkRise?: number;
    /** Read timeout of one health check in ms (`timeout check`). Default 2000. */
    checkTimeoutMs?: number;
    /**
     * `on-marked-down shutdown-sessions`: reset every session to a server when it is marked DOWN. Frees
     * clients stuck on a frozen apiserver, but also cuts the watches of a merely draining one and turns
     * connections being retried at that instant into failures. Default false.
     */
    shutdownSessionsOnDown?: boolean;
    /** Connection attempts retried (then redispatched to another server). Default 3. */
    retries?: number;
    /** `timeout connect` in ms. Default 1000. */
    connectTimeoutMs?: number;
    /** Idle timeout of client, server and tunnel (watch, exec, logs -f) in seconds. Default 3600. */
    idleTimeoutSeconds?: number;
    /** `timeout client-fin`/`server-fin` for half-closed connections, in seconds. Default 30. */
    finTimeoutSeconds?: number;
    /** `hard-stop-after`: longest life of an old worker after a reload, in seconds. Default 600. */
    hardStopAfterSeconds?: number;
    /**
     * Global and frontend `maxconn`. haproxy needs about 2 x maxconn + 40 file descriptors and refuses to start
     * when the hard RLIMIT_NOFILE is lower (systemd LimitNOFILE, container ulimit). Default 8000.
     */
    maxconn?: number;
    /** Runtime API socket (mode 600, level admin). Default `/run/haproxy/admin.sock`. */
    statsSocket?: string;
    /** Stats page address. Default `127.0.0.1`. */
    statsBind?: string;
    /** Stats page port. Default 8404. */
    statsPort?: number;
    /** Stats page user; the password is passed to {@link renderHaproxyCfg}. Default `admin`. */
    statsUser?: string;
    /** Address of the `/healthz` monitor frontend for keepalived's check. Default `127.0.0.1`. */
    monitorBind?: string;
    /** Port of the `/healthz` monitor frontend. Default 8405. */
    monitorPort?: number;
    /** `/healthz` answers 503 while no apiserver is UP, so keepalived moves the VIP away. Default true. */
    monitorRequiresBackend?: boolean;
    /** `stdout` (journald under systemd), `syslog` (`/dev/log`) or `none`. Default `stdout`. */
    log?: HaproxyLog;
}

export interface ResolvedMaster { name: string; address: string; port: number }

/** Settings with every default filled in and every value checked. */
export interface ResolvedHaproxy {
    masters: ResolvedMaster[];
    topology: HaproxyTopology;
    bind: string;
    port: number;
    balance: HaproxyBalance;
    allowedSources: string[];
    caFile?: string;
    checkIntervalMs: number;
    checkFall: number;
    checkRise: number;
    checkTimeoutMs: number;
    shutdownSessionsOnDown: boolean;
    retries: number;
    connectTimeoutMs: number;
    idleTimeoutSeconds: number;
    finTimeoutSeconds: number;
    hardStopAfterSeconds: number;
    maxconn: number;
    statsSocket: string;
    statsBind: string;
    statsPort: number;
    statsUser: string;
    monitorBind: string;
    monitorPort: number;
    monitorRequiresBackend: boolean;
    log: HaproxyLog;
    /** The frontend binds one address (not `*`): a VIP there needs `net.ipv4.ip_nonlocal_bind=1` (ipv6 likewise). */
    nonlocalBind: boolean;
}

export const HAPROXY_DEFAULTS = {
    topology: "dedicated", bind: "*", port: 6443, masterPort: 6443, balance: "roundrobin",
    checkIntervalMs: 1000, checkFall: 2, checkRise: 2, checkTimeoutMs: 2000, retries: 3,
    connectTimeoutMs: 1000, idleTimeoutSeconds: 3600, finTimeoutSeconds: 30, hardStopAfterSeconds: 600,
    maxconn: 8000, statsSocket: "/run/haproxy/admin.sock", statsBind: "127.0.0.1", statsPort: 8404,
    statsUser: "admin", monitorBind: "127.0.0.1", monitorPort: 8405, log: "stdout",
} as const;

const KNOWN = new Set(["masters", "topology", "bind", "port", "balance", "allowedSources", "caFile", "checkIntervalMs",
    "checkFall", "checkRise", "checkTimeoutMs", "shutdownSessionsOnDown", "retries", "connectTimeoutMs",
    "idleTimeoutSeconds", "finTimeoutSeconds", "hardStopAfterSeconds", "maxconn", "statsSocket", "statsBind",
    "statsPort", "statsUser", "monitorBind", "monitorPort", "monitorRequiresBackend", "log"]);

/** A server or listener IP address (loopback allowed), canonical text. */
function address(field: string, value: unknown): string {
    const c = parseCidr(field, value);
    check(!(value as string).includes("/"), field, value, "must be a plain IP address without /prefix");
    const range = ipaddr.parse(c.address).range();
    check(!["unspecified", "multicast", "broadcast"].includes(range), field, value, `must be a unicast address, not ${range}`);
    return c.address;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], dflt: T): T {
    if (value === undefined) return dflt;
    check(allowed.includes(value as T), field, value, `must be one of ${allowed.map(a => `"${a}"`).join(", ")}`);
    return value as T;
}

function bool(field: string, value: unknown, dflt: boolean): boolean {
    if (value === undefined) return dflt;
    check(typeof value === "boolean", field, value, "must be true or false");
    return value as boolean;
}

/** Two listeners clash when their ports match and one is `*` or both bind the same address. */
function clash(a: { bind: string; port: number }, b: { bind: string; port: number }): boolean {
    return a.port === b.port && (a.bind === "*" || b.bind === "*" || a.bind === b.bind);
}

/** Validates `s` and fills defaults; throws InputError naming `field`.sub.path and the value. */
export function resolveHaproxy(s: HaproxySettings, field = "haproxy"): ResolvedHaproxy {
    check(typeof s === "object" && s !== null && !Array.isArray(s), field, s, "must be an object");
    for (const k of Object.keys(s)) check(KNOWN.has(k), `${field}.${k}`, (s as any)[k], "is not a known haproxy setting");
    const D = HAPROXY_DEFAULTS;
    const f = (k: string) => `${field}.${k}`;

    check(Array.isArray(s.masters) && s.masters.length > 0, f("masters"), s.masters, "must list at least one apiserver");
    const masters = s.masters.map((m, i) => {
        const mf = `${f("masters")}[${i}]`;
        check(typeof m === "object" && m !== null, mf, m, "must be an object { name, address, port? }");
        return {
            name: text(`${mf}.name`, m.name, NAME, "a name of letters, digits, '_', '.', '-' (max 63)"),
            address: address(`${mf}.address`, m.address),
            port: port(`${mf}.port`, m.port, D.masterPort),
        };
    });
    unique(f("masters"), masters, m => m.name, "name");
    unique(f("masters"), masters, m => `${urlHost(m.address)}:${m.port}`, "address:port");

    const topology = oneOf(f("topology"), s.topology, ["dedicated", "colocated"] as const, D.topology);
    const bind = s.bind === undefined || s.bind === "*" ? "*" : address(f("bind"), s.bind);
    const fport = port(f("port"), s.port, D.port);
    if (topology === "colocated") {
        for (const [i, m] of masters.entries()) {
            if (!clash({ bind, port: fport }, { bind: m.address, port: m.port })) continue;
            fail(f(bind === "*" ? "port" : "bind"), bind === "*" ? fport : bind,
                `colocated haproxy would take ${urlHost(bind)}:${fport}, where the apiserver ${f("masters")}[${i}] ` +
                `listens (${urlHost(m.address)}:${m.port}); use another frontend port such as 8443, or bind only the ` +
                `VIP (needs net.ipv4.ip_nonlocal_bind=1 and the apiserver's --bind-address set to the node address)`);
        }
    }

    const allowedSources = s.allowedSources === undefined ? [] : (() => {
        check(Array.isArray(s.allowedSources) && s.allowedSources.length > 0, f("allowedSources"), s.allowedSources,
            "must be a non-empty list of CIDR networks (omit it to allow every source)");
        return s.allowedSources.map((c, i) => {
            const n = parseNetwork(`${f("allowedSources")}[${i}]`, c);
            return `${n.address}/${n.prefixLength}`;
        });
    })();

    let caFile: string | undefined;
    if (s.caFile !== undefined) caFile = text(f("caFile"), s.caFile, ABS_PATH, "an absolute path without blanks or quotes");

    const checkIntervalMs = intIn(f("checkIntervalMs"), s.checkIntervalMs, 100, 60000, D.checkIntervalMs);
    const checkTimeoutMs = intIn(f("checkTimeoutMs"), s.checkTimeoutMs, 100, 60000, D.checkTimeoutMs);
    const statsBind = s.statsBind === undefined ? D.statsBind : s.statsBind === "*" ? "*" : address(f("statsBind"), s.statsBind);
    const monitorBind = s.monitorBind === undefined ? D.monitorBind : s.monitorBind === "*" ? "*" : address(f("monitorBind"), s.monitorBind);
    const statsPort = port(f("statsPort"), s.statsPort, D.statsPort);
    const monitorPort = port(f("monitorPort"), s.monitorPort, D.monitorPort);
    const listeners: [string, { bind: string; port: number }][] = [
        ["port", { bind, port: fport }], ["statsPort", { bind: statsBind, port: statsPort }],
        ["monitorPort", { bind: monitorBind, port: monitorPort }],
    ];
    for (let i = 0; i < listeners.length; i++) {
        for (let j = 0; j < i; j++) {
            const [a, la] = listeners[i], [b, lb] = listeners[j];
            check(!clash(la, lb), f(a), la.port, `collides with ${f(b)} (${urlHost(lb.bind)}:${lb.port}); pick another port`);
        }
    }

    return {
        masters, topology, bind, port: fport,
        balance: oneOf(f("balance"), s.balance, ["roundrobin", "leastconn"] as const, D.balance),
        allowedSources, caFile, checkIntervalMs,
        checkFall: intIn(f("checkFall"), s.checkFall, 1, 100, D.checkFall),
        checkRise: intIn(f("checkRise"), s.checkRise, 1, 100, D.checkRise),
        checkTimeoutMs,
        shutdownSessionsOnDown: bool(f("shutdownSessionsOnDown"), s.shutdownSessionsOnDown, false),
        retries: intIn(f("retries"), s.retries, 1, 10, D.retries),
        connectTimeoutMs: intIn(f("connectTimeoutMs"), s.connectTimeoutMs, 100, 60000, D.connectTimeoutMs),
        idleTimeoutSeconds: intIn(f("idleTimeoutSeconds"), s.idleTimeoutSeconds, 60, 7 * 86400, D.idleTimeoutSeconds),
        finTimeoutSeconds: intIn(f("finTimeoutSeconds"), s.finTimeoutSeconds, 1, 3600, D.finTimeoutSeconds),
        hardStopAfterSeconds: intIn(f("hardStopAfterSeconds"), s.hardStopAfterSeconds, 1, 86400, D.hardStopAfterSeconds),
        maxconn: intIn(f("maxconn"), s.maxconn, 100, 1000000, D.maxconn),
        statsSocket: text(f("statsSocket"), s.statsSocket, ABS_PATH, "an absolute path without blanks or quotes", D.statsSocket),
        statsBind, statsPort,
        statsUser: text(f("statsUser"), s.statsUser, /^[A-Za-z0-9_.-]{1,32}$/, "a user name of letters, digits, '_', '.', '-'", D.statsUser),
        monitorBind, monitorPort,
        monitorRequiresBackend: bool(f("monitorRequiresBackend"), s.monitorRequiresBackend, true),
        log: oneOf(f("log"), s.log, ["stdout", "syslog", "none"] as const, D.log),
        nonlocalBind: bind !== "*",
    };
}

/** Stats password characters that need no quoting in haproxy.cfg (no blank, quote, backslash, '#', '$'). */
const PASSWORD = /^[A-Za-z0-9!%&()*+,./:;<=>?@\[\]^_`{|}~-]{8,128}$/;

function listen(bind: string, p: number): string {
    return bind === "*" ? `*:${p}` : `${urlHost(bind)}:${p}`;
}

/** `ms` as haproxy time text: whole seconds/minutes/hours when exact. */
function ms(v: number): string {
    if (v % 3600000 === 0) return `${v / 3600000}h`;
    if (v % 60000 === 0) return `${v / 60000}m`;
    if (v % 1000 === 0) return `${v / 1000}s`;
    return `${v}ms`;
}

export const HAPROXY_FRONTEND = "kube-apiserver";
export const HAPROXY_BACKEND = "kube-apiserver";

/**
 * haproxy.cfg text for `r`. Deterministic. `statsPassword` is a secret: the returned text contains it,
 * so the caller must treat the whole file as secret. Errors about the password never echo it.
 */
export function renderHaproxyCfg(r: ResolvedHaproxy, statsPassword: string): string {
    if (typeof statsPassword !== "string" || !PASSWORD.test(statsPassword)) {
        fail("statsPassword", "[secret]", "must be 8-128 characters without blanks, quotes, backslash, '#' or '$'");
    }
    const L: string[] = [];
    const add = (...lines: string[]) => L.push(...lines);
    const logLine = r.log === "stdout" ? ["    log stdout format raw local0"]
        : r.log === "syslog" ? ["    log /dev/log local0"] : [];
    const serverOpts = [
        "check", "check-ssl", r.caFile ? `verify required ca-file ${r.caFile}` : "verify none",
        `inter ${ms(r.checkIntervalMs)}`, `fall ${r.checkFall}`, `rise ${r.checkRise}`,
        ...(r.shutdownSessionsOnDown ? ["on-marked-down shutdown-sessions"] : []),
    ].join(" ");

    add("# haproxy.cfg rendered by kubeedge-ha (components/render/haproxy.ts); do not edit by hand.",
        `# Reload: kill -USR2 <master pid> (systemctl reload with -Ws); validate first: haproxy -c -f <this file>`,
        "global",
        "    master-worker",
        `    hard-stop-after ${ms(r.hardStopAfterSeconds * 1000)}`,
        `    maxconn ${r.maxconn}`,
        `    stats socket ${r.statsSocket} mode 600 level admin`,
        ...logLine,
        "",
        "defaults",
        ...(r.log === "none" ? [] : ["    log global"]),
        `    maxconn ${r.maxconn}`,
        "    option tcpka",
        "    option redispatch",
        `    retries ${r.retries}`,
        `    timeout connect ${ms(r.connectTimeoutMs)}`,
        `    timeout client ${ms(r.idleTimeoutSeconds * 1000)}`,
        `    timeout server ${ms(r.idleTimeoutSeconds * 1000)}`,
        `    timeout tunnel ${ms(r.idleTimeoutSeconds * 1000)}`,
        `    timeout client-fin ${ms(r.finTimeoutSeconds * 1000)}`,
        `    timeout server-fin ${ms(r.finTimeoutSeconds * 1000)}`,
        `    timeout check ${ms(r.checkTimeoutMs)}`,
        "",
        `frontend ${HAPROXY_FRONTEND}`,
        `    bind ${listen(r.bind, r.port)}`,
        "    mode tcp",
        ...(r.log === "none" ? [] : ["    option tcplog", "    option dontlognull"]),
        "    clitcpka-idle 30s",
        "    clitcpka-intvl 10s",
        "    clitcpka-cnt 3",
    );
    if (r.allowedSources.length > 0) {
        add(`    acl allowed_src src ${r.allowedSources.join(" ")}`,
            "    tcp-request connection reject unless allowed_src");
    }
    add(`    default_backend ${HAPROXY_BACKEND}`,
        "",
        `backend ${HAPROXY_BACKEND}`,
        "    mode tcp",
        `    balance ${r.balance}`,
        "    option httpchk",
        "    http-check send meth GET uri /readyz",
        "    http-check expect status 200",
        "    srvtcpka-idle 30s",
        "    srvtcpka-intvl 10s",
        "    srvtcpka-cnt 3",
        `    default-server ${serverOpts}`,
        ...r.masters.map(m => `    server ${m.name} ${urlHost(m.address)}:${m.port}`),
        "",
        "frontend stats",
        `    bind ${listen(r.statsBind, r.statsPort)}`,
        "    mode http",
        "    timeout client 30s",
        "    timeout http-request 5s",
        "    stats enable",
        "    stats uri /stats",
        "    stats refresh 10s",
        "    stats hide-version",
        `    stats auth ${r.statsUser}:${statsPassword}`,
        "",
        "frontend healthz",
        `    bind ${listen(r.monitorBind, r.monitorPort)}`,
        "    mode http",
        "    timeout client 10s",
        "    timeout http-request 5s",
        "    monitor-uri /healthz",
        ...(r.monitorRequiresBackend ? [`    monitor fail if { nbsrv(${HAPROXY_BACKEND}) lt 1 }`] : []),
        "");
    return L.join("\n");
}
