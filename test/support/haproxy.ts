/**
 * Shared helpers for haproxy tests and bench: `haproxy -c`, child processes (fake apiservers, haproxy) with
 * bounded start-up waits and cleanup, HTTPS requests and a bounded closed-loop load generator.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as tls from "node:tls";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { HaproxySettings, renderHaproxyCfg, resolveHaproxy } from "../../components/render/haproxy";
import { makeSelfSignedCert } from "../../lab/fakes/apiserver";

export const REPO = path.resolve(__dirname, "..", "..");

export function tmpDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** `haproxy -c -dW -f <cfg>` (warnings are fatal); writes `cfg` into `dir` first. */
export function haproxyCheck(cfg: string, dir: string): { status: number | null; output: string } {
    const file = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(file, cfg, { mode: 0o600 });
    const r = spawnSync("haproxy", ["-c", "-dW", "-f", file], { encoding: "utf8", timeout: 10000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A port free right now on `host` (the OS picks it; tiny race until the caller binds it). */
export function freePort(host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, host, () => {
            const p = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(p));
        });
    });
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Thrown by a `waitFor` probe to stop waiting at once (e.g. the process died). */
export class Fatal extends Error {}

/** Polls `probe` every `everyMs` until it returns a truthy value; throws after `timeoutMs` or on {@link Fatal}. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T> | T, everyMs = 50): Promise<T> {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await probe();
            if (v) return v;
        } catch (e) {
            if (e instanceof Fatal || e instanceof assert.AssertionError) throw e;
            last = e;
        }
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
        await sleep(everyMs);
    }
}

/** Child processes started by the helpers, so `stopAll` can end them (also after a failed test). */
export class Procs {
    readonly list: { name: string; child: ChildProcess; out: string[] }[] = [];

    /** With `logDir`, every child's full output also goes to `<logDir>/<name>.log`. */
    constructor(public logDir?: string) {}

    start(name: string, cmd: string, args: string[]): { child: ChildProcess; out: string[] } {
        const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], cwd: REPO });
        const out: string[] = [];
        const file = this.logDir ? path.join(this.logDir, `${name.replace(/\W+/g, "-")}.log`) : undefined;
        const keep = (d: Buffer) => {
            out.push(d.toString());
            if (out.length > 200) out.shift();
            if (file) fs.appendFileSync(file, d);
        };
        child.stdout!.on("data", keep);
        child.stderr!.on("data", keep);
        const entry = { name, child, out };
        this.list.push(entry);
        return entry;
    }

    /** SIGTERM, then SIGKILL after `graceMs`, for every child still running. */
    async stopAll(graceMs = 3000): Promise<void> {
        await Promise.all(this.list.map(async ({ child }) => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise(r => child.once("exit", r));
            child.kill("SIGTERM");
            const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
            await exited;
            clearTimeout(t);
        }));
        this.list.length = 0;
    }

    /** Tail of every child's output, for failure messages. */
    logs(): string {
        return this.list.map(p => `--- ${p.name} (pid ${p.child.pid})\n${p.out.join("").slice(-3000)}`).join("\n");
    }
}

export interface Fake { name: string; pid: number; host: string; port: number; readyzFile: string; child: ChildProcess }

/** Starts lab/fakes/apiserver.ts as a child process and waits (bounded) for its "listening" line. */
export async function startFake(procs: Procs, o: { name: string; host?: string; port?: number; cert: string; key: string; dir: string }): Promise<Fake> {
    const host = o.host ?? "127.0.0.1";
    const readyzFile = path.join(o.dir, `${o.name}.readyz`);
    const { child, out } = procs.start(`fake ${o.name}`, process.execPath, ["-r", "ts-node/register/transpile-only",
        path.join(REPO, "lab/fakes/apiserver.ts"), "--listen", `${host}:${o.port ?? 0}`, "--cert", o.cert, "--key", o.key,
        "--name", o.name, "--readyz-file", readyzFile]);
    const line = await waitFor(`fake apiserver ${o.name} to listen`, 15000, () => {
        if (child.exitCode !== null) throw new Fatal(`exited ${child.exitCode}: ${out.join("")}`);
        return /listening \S+:(\d+)/.exec(out.join(""));
    }, 20);
    return { name: o.name, pid: child.pid!, host, port: Number(line![1]), readyzFile, child };
}

export interface Haproxy { pid: number; child: ChildProcess; cfgFile: string; out: string[] }

/** Runs `haproxy -W -f cfg` in the foreground (master pid = child pid); waits until `ready()` holds. */
export async function startHaproxy(procs: Procs, cfgFile: string, ready: () => Promise<boolean>): Promise<Haproxy> {
    const { child, out } = procs.start("haproxy", "haproxy", ["-W", "-f", cfgFile]);
    await waitFor("haproxy to serve", 15000, async () => {
        if (child.exitCode !== null) throw new Fatal(`haproxy exited ${child.exitCode}: ${out.join("")}`);
        return ready();
    });
    return { pid: child.pid!, child, cfgFile, out };
}

/** Worker pids of a haproxy master (its direct children). */
export function children(pid: number): number[] {
    try {
        return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch { return []; }
}

/** One command on the haproxy runtime API socket (e.g. "show stat"). */
export function runtimeApi(socket: string, command: string, timeoutMs = 3000): Promise<string> {
    return new Promise((resolve, reject) => {
        const c = net.connect(socket);
        let data = "";
        c.setTimeout(timeoutMs, () => { c.destroy(); reject(new Error(`runtime API ${command}: timeout`)); });
        c.on("connect", () => c.write(`${command}\n`));
        c.on("data", d => { data += d.toString(); });
        c.on("end", () => resolve(data));
        c.on("error", reject);
    });
}

/** Status column of `show stat` for backend/server, e.g. "UP", "DOWN", "UP 1/2". */
export async function serverStatus(socket: string, backend: string, server: string): Promise<string> {
    const csv = await runtimeApi(socket, "show stat");
    const row = csv.split("\n").map(l => l.split(",")).find(c => c[0] === backend && c[1] === server);
    return row ? row[17] : "absent";
}

export interface Reply { status: number; body: string }

const contexts = new Map<string | Buffer, tls.SecureContext>();

/** One TLS context per CA, so a new connection costs a handshake but not a context (CA parsing) per request. */
function contextFor(ca: string | Buffer): tls.SecureContext {
    let c = contexts.get(ca);
    if (!c) contexts.set(ca, c = tls.createSecureContext({ ca }));
    return c;
}

/** GET over HTTPS; `agent: false` opens a new TCP+TLS connection. Verifies the server against `ca` when given. */
export function get(o: { host: string; port: number; path: string; ca?: string | Buffer; agent?: https.Agent | false; timeoutMs?: number }): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const opts: https.RequestOptions & tls.ConnectionOptions = { host: o.host, port: o.port, path: o.path, method: "GET",
            agent: o.agent ?? false, secureContext: o.ca === undefined ? undefined : contextFor(o.ca),
            rejectUnauthorized: o.ca !== undefined, timeout: o.timeoutMs ?? 5000 };
        const req = https.request(opts, res => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", d => { body += d; });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error("request timeout")));
        req.on("error", reject);
        req.end();
    });
}

/** Plain-HTTP GET status (stats page, monitor frontend); 0 when the connection fails. */
export function httpStatus(url: string, auth?: string): Promise<number> {
    return new Promise(resolve => {
        const req = require("node:http").get(url, { timeout: 2000, auth, agent: false }, (res: any) => { res.resume(); resolve(res.statusCode); });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(0));
    });
}

/** Which fake answered /version ("" when not JSON). */
export function backendName(r: Reply): string {
    try { return JSON.parse(r.body).name ?? ""; } catch { return ""; }
}

export interface Sample { start: number; end: number; ok: boolean; name: string; error?: string }

export interface LoadOptions {
    host: string; port: number; path?: string; ca?: string | Buffer;
    workers: number; count: number; durationMs: number;
    /** One keep-alive connection per worker instead of a new connection per request. */
    keepAlive?: boolean;
    /** Called after each completed request with the number completed so far. */
    onDone?: (done: number) => void;
}

/** Closed loop: `workers` concurrent clients until `count` requests were started or `durationMs` passed. */
export async function runLoad(o: LoadOptions): Promise<Sample[]> {
    const samples: Sample[] = [];
    const end = performance.now() + o.durationMs;
    let started = 0;
    const worker = async () => {
        const agent = o.keepAlive ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : false;
        while (started < o.count && performance.now() < end) {
            started++;
            const start = performance.now();
            try {
                const r = await get({ host: o.host, port: o.port, path: o.path ?? "/version", ca: o.ca, agent });
                samples.push({ start, end: performance.now(), ok: r.status === 200, name: backendName(r), error: r.status === 200 ? undefined : `HTTP ${r.status}` });
            } catch (e) {
                samples.push({ start, end: performance.now(), ok: false, name: "", error: (e as Error).message });
            }
            o.onDone?.(samples.length);
        }
        if (agent) agent.destroy();
    };
    await Promise.all(Array.from({ length: o.workers }, worker));
    return samples;
}

export function percentile(sorted: number[], p: number): number {
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Requests/s and latency percentiles (ms) of successful samples. */
export function summarize(samples: Sample[]): { n: number; failed: number; rps: number; p50: number; p99: number } {
    const ok = samples.filter(s => s.ok);
    const lat = ok.map(s => s.end - s.start).sort((a, b) => a - b);
    const span = samples.length ? Math.max(...samples.map(s => s.end)) - Math.min(...samples.map(s => s.start)) : 0;
    return { n: samples.length, failed: samples.length - ok.length, rps: span > 0 ? ok.length / (span / 1000) : 0,
        p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** Fake apiservers and haproxy in front of them, on loopback ports picked at run time. */
export interface Lab {
    dir: string; cert: string; key: string; fakes: Fake[]; haproxy: Haproxy;
    host: string; frontend: number; statsPort: number; monitorPort: number; socket: string; statsPassword: string;
}

/** Starts `names.length` fakes and haproxy (rendered by renderHaproxyCfg, CA-verified checks); waits for /healthz 200. */
export async function startLab(procs: Procs, names: string[], extra: Partial<HaproxySettings> = {}): Promise<Lab> {
    const dir = tmpDir("haproxy-lab");
    procs.logDir ??= dir;
    const { cert, key } = makeSelfSignedCert(dir);
    const fakes = await Promise.all(names.map(name => startFake(procs, { name, cert, key, dir })));
    const host = "127.0.0.1";
    const [frontend, statsPort, monitorPort] = [await freePort(host), await freePort(host), await freePort(host)];
    const socket = path.join(dir, "admin.sock");
    const statsPassword = "lab-stats-pw-1";
    const r = resolveHaproxy({
        masters: fakes.map(f => ({ name: f.name, address: f.host, port: f.port })),
        bind: host, port: frontend, statsPort, monitorPort, statsSocket: socket, caFile: cert, ...extra,
    });
    const cfgFile = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(cfgFile, renderHaproxyCfg(r, statsPassword), { mode: 0o600 });
    const haproxy = await startHaproxy(procs, cfgFile, async () => await httpStatus(`http://${host}:${monitorPort}/healthz`) === 200);
    return { dir, cert, key, fakes, haproxy, host, frontend, statsPort, monitorPort, socket, statsPassword };
}
