/**
 * Client probe for the drills: runs inside the lab's client namespace (lab.startProcess) and opens a NEW
 * connection to a VIP every `--every` ms (open loop: a slow or hanging request does not delay the next one),
 * bounded by `--count` requests and `--duration` ms, each request bounded by `--timeout` ms.
 *
 *   node -r <repo>/node_modules/ts-node/register/transpile-only drill/probe.ts --mode https --host 192.0.2.10 \
 *        --port 6443 --path /version [--ca FILE] [--every 20] [--count 3000] [--duration 60000] [--timeout 1500]
 *   --mode tcp: a TCP connect (success = connected), e.g. the cloudhub websocket port 10000.
 *
 * One JSON line per request on stdout, written when it ends:
 *   {"i":7,"s":1700000000123.4,"e":1700000000131.9,"ok":true,"code":200,"name":"master2"}
 *   {"i":8,"s":...,"e":...,"ok":false,"err":"ECONNRESET"}
 * s/e are wall-clock epoch milliseconds (sub-ms), comparable with Date.now() in the driver process.
 * "ok" = HTTP 200 (https) or connected (tcp). A final {"done":true,...} line follows the last request.
 * SIGTERM/SIGINT: stop issuing, report every in-flight request as "aborted", exit 0.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import { performance } from "node:perf_hooks";

export interface ProbeOptions {
    mode: "https" | "tcp";
    host: string;
    port: number;
    path: string;
    ca?: string;
    everyMs: number;
    count: number;
    durationMs: number;
    timeoutMs: number;
}

export interface ProbeLine {
    i: number;
    /** start, end: epoch ms */
    s: number;
    e: number;
    ok: boolean;
    code?: number;
    name?: string;
    err?: string;
}

const now = () => performance.timeOrigin + performance.now();

function parseArgs(argv: string[]): ProbeOptions {
    const a: Record<string, string> = {};
    for (let i = 0; i < argv.length; i += 2) {
        if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
        a[argv[i].slice(2)] = argv[i + 1];
    }
    const num = (k: string, d: number, min: number, max: number) => {
        const v = a[k] === undefined ? d : Number(a[k]);
        if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${k} must be ${min}..${max}`);
        return v;
    };
    const mode = (a.mode ?? "https") as ProbeOptions["mode"];
    if (mode !== "https" && mode !== "tcp") throw new Error("--mode must be https or tcp");
    if (!a.host || !a.port) throw new Error("usage: --host H --port P [--mode https|tcp] [--path /version] [--ca F] [--every ms] [--count n] [--duration ms] [--timeout ms]");
    return {
        mode, host: a.host, port: num("port", 0, 1, 65535), path: a.path ?? "/version", ca: a.ca,
        everyMs: num("every", 20, 1, 10_000), count: num("count", 3000, 1, 100_000),
        durationMs: num("duration", 60_000, 100, 600_000), timeoutMs: num("timeout", 1500, 50, 60_000),
    };
}

export interface StopFlag { stopped: boolean; onStop?: () => void }

/** Runs the probe; `emit` gets each finished request. Resolves when every request has ended. */
export function runProbe(o: ProbeOptions, emit: (l: ProbeLine) => void, stop: StopFlag): Promise<number> {
    const ca = o.ca ? fs.readFileSync(o.ca) : undefined;
    const t0 = now();
    let issued = 0, inflight = 0;
    const aborts = new Set<() => void>();
    return new Promise((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const maybeDone = () => { if (!timer && inflight === 0) resolve(issued); };
        const one = () => {
            const i = issued++;
            inflight++;
            const s = now();
            let settled = false;
            const finish = (l: Omit<ProbeLine, "i" | "s" | "e">) => {
                if (settled) return;
                settled = true;
                clearTimeout(to);
                aborts.delete(abort);
                inflight--;
                emit({ i, s, e: now(), ...l });
                maybeDone();
            };
            let destroy: (err: string) => void = () => undefined;
            const abort = () => { destroy("aborted"); finish({ ok: false, err: "aborted" }); };
            aborts.add(abort);
            const to = setTimeout(() => { destroy("timeout"); finish({ ok: false, err: "timeout" }); }, o.timeoutMs);
            if (o.mode === "tcp") {
                const sock = net.connect({ host: o.host, port: o.port });
                destroy = () => sock.destroy();
                sock.once("connect", () => { sock.destroy(); finish({ ok: true }); });
                sock.once("error", (e: NodeJS.ErrnoException) => finish({ ok: false, err: e.code ?? e.message }));
            } else {
                const req = https.request({
                    host: o.host, port: o.port, path: o.path, method: "GET", agent: false,
                    ca, rejectUnauthorized: !!ca, servername: net.isIP(o.host) ? undefined : o.host,
                    headers: { connection: "close" },
                }, (res) => {
                    let body = "";
                    res.setEncoding("utf8");
                    res.on("data", (d: string) => { if (body.length < 8192) body += d; });
                    res.on("end", () => {
                        let name: string | undefined;
                        try { name = JSON.parse(body).name; } catch { /* not /version */ }
                        finish({ ok: res.statusCode === 200, code: res.statusCode, ...(name ? { name } : {}) });
                    });
                    res.on("error", (e: NodeJS.ErrnoException) => finish({ ok: false, code: res.statusCode, err: e.code ?? e.message }));
                });
                destroy = () => req.destroy();
                req.on("error", (e: NodeJS.ErrnoException) => finish({ ok: false, err: e.code ?? e.message }));
                req.end();
            }
        };
        const tick = () => {
            const elapsed = now() - t0;
            if (stop.stopped || issued >= o.count || elapsed >= o.durationMs) {
                timer = undefined;
                if (stop.stopped) for (const a of [...aborts]) a();
                maybeDone();
                return;
            }
            one();
            // fixed rate from t0 (no drift): next slot after now
            const next = t0 + Math.ceil((now() - t0 + 0.001) / o.everyMs) * o.everyMs;
            timer = setTimeout(tick, Math.max(0, next - now()));
        };
        timer = setTimeout(tick, 0);
        stop.onStop = () => {
            if (timer) { clearTimeout(timer); timer = undefined; }
            for (const a of [...aborts]) a();
            maybeDone();
        };
    });
}

if (require.main === module) {
    const o = parseArgs(process.argv.slice(2));
    const stop: StopFlag = { stopped: false };
    const lines: string[] = [];
    const flush = () => { if (lines.length) { fs.writeSync(1, lines.join("")); lines.length = 0; } };
    const flusher = setInterval(flush, 50);
    let ok = 0, failed = 0;
    const onSig = () => { stop.stopped = true; stop.onStop?.(); };
    process.on("SIGTERM", onSig);
    process.on("SIGINT", onSig);
    fs.writeSync(1, JSON.stringify({ start: true, t: now(), pid: process.pid, ...o }) + "\n");
    runProbe(o, (l) => { if (l.ok) ok++; else failed++; lines.push(JSON.stringify(l) + "\n"); }, stop).then((n) => {
        clearInterval(flusher);
        flush();
        fs.writeSync(1, JSON.stringify({ done: true, t: now(), issued: n, ok, failed }) + "\n");
        process.exit(0);
    });
}
