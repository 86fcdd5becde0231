/**
 * The drill environment: one lab (lab/hosts.ts) provisioned by the real program through lab/apply.ts,
 * fake apiservers on the master hosts and fake cloudcores on the cloudcore hosts (the backends the
 * product does not install), a client probe in the client namespace, and VIP timelines from
 * `ip monitor address` in every VRRP member's namespace.
 *
 * Drills only inject faults and measure. Whatever the product installs is installed by applyLab;
 * restores use the product's own commands (its service/reload scripts from the engine state, or the
 * ServiceSpec commands it exports), except for restarting the fakes and undoing the drills' own faults.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { HAPROXY, KEEPALIVED } from "../components/host/scripts";
import { ApplyLabResult, applyLab, statePath } from "../lab/apply";
import { readState } from "../lab/engine";
import { makeSelfSignedCert } from "../lab/fakes/apiserver";
import { Lab, LabHost, defaultLabSpec, labUp } from "../lab/hosts";
import { isAlive, procStartTime, run, sleep } from "../lab/proc";
import { APISERVER_VIP, CLOUDCORE_VIP, deepMerge } from "../lab/stack";
import { ProbeLine } from "./probe";
import { VipEvent, parseProbeLog, timeWhere } from "./measure";

export type GroupName = "apiserver" | "cloudcore";
export type Profile = "default" | "fast";

export interface GroupInfo {
    name: GroupName;
    vip: string;
    /** VRRP members in preference order (lb1, lb2 / cc1, cc2) */
    members: string[];
    /** engine resource name prefix of a member's keepalived resources */
    kaPrefix: string;
}

const REPO = path.resolve(__dirname, "..");
export const DRILL_TIMEOUTS = { steadyMs: 40_000, vipMs: 15_000, fakeStartMs: 15_000 };

export class DrillError extends Error {}

/** Finds every keepalived/haproxy process of a host through its pidfiles (never by name: the PID namespace is shared). */
export function childPids(ppid: number): number[] {
    const out: number[] = [];
    for (const ent of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(ent)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${ent}/stat`, "utf8");
            const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (Number(rest[1]) === ppid && rest[0] !== "Z") out.push(Number(ent));
        } catch { /* gone */ }
    }
    return out;
}

/** Watches one VIP on every member with `ip -o -n <ns> monitor address` (event timestamps = arrival, ms). */
export class VipMonitor {
    readonly events: VipEvent[] = [];
    private state = new Map<string, boolean>();
    private procs: ChildProcess[] = [];
    private closed = false;
    constructor(private lab: Lab, readonly group: GroupInfo) {}

    async start(): Promise<void> {
        for (const m of this.group.members) {
            const h = this.lab.host(m);
            const p = spawn("ip", ["-o", "-n", h.netns, "monitor", "address"], { stdio: ["ignore", "pipe", "ignore"] });
            let buf = "";
            p.stdout!.on("data", (d: Buffer) => {
                const t = Date.now();
                buf += d.toString();
                let i: number;
                while ((i = buf.indexOf("\n")) >= 0) {
                    const line = buf.slice(0, i);
                    buf = buf.slice(i + 1);
                    if (!line.includes(` ${this.group.vip}/`)) continue;
                    this.set(m, !line.startsWith("Deleted"), t);
                }
            });
            p.on("exit", () => { if (!this.closed) this.dead = `ip monitor for ${m} exited`; });
            this.procs.push(p);
        }
        await sleep(100);
        await this.resync();
    }

    dead?: string;

    private set(host: string, on: boolean, t: number) {
        if (this.state.get(host) === on) return;
        this.state.set(host, on);
        this.events.push({ t, holders: this.holders() });
    }

    /** Current holders (from the monitor). */
    holders(): string[] {
        if (this.dead) throw new DrillError(this.dead);
        return this.group.members.filter((m) => this.state.get(m));
    }

    /** Reads the addresses directly and corrects the monitor state; returns hosts whose state was wrong. */
    async resync(): Promise<string[]> {
        const wrong: string[] = [];
        await Promise.all(this.group.members.map(async (m) => {
            const r = await run(["ip", "-o", "-n", this.lab.host(m).netns, "addr", "show"], { timeoutMs: 10_000 });
            const on = r.stdout.includes(` ${this.group.vip}/`);
            if ((this.state.get(m) ?? false) !== on && this.state.has(m)) wrong.push(m);
            this.set(m, on, Date.now());
        }));
        return wrong;
    }

    stop(): void {
        this.closed = true;
        for (const p of this.procs) { try { p.kill("SIGTERM"); } catch { /* gone */ } }
    }
}

export interface ProbeStartOptions {
    durationMs?: number;
    mode?: "https" | "tcp";
    timeoutMs?: number;
    everyMs?: number;
}

/** A client probe running in the client namespace. */
export class ProbeRun {
    private offset = 0;
    private cache: ProbeLine[] = [];
    constructor(private env: DrillEnv, readonly name: string, readonly logPath: string) {}

    lines(): ProbeLine[] {
        let text = "";
        try { text = fs.readFileSync(this.logPath, "utf8"); } catch { return this.cache; }
        // parse complete lines only
        const end = text.lastIndexOf("\n") + 1;
        if (end > this.offset) {
            this.cache.push(...parseProbeLog(text.slice(this.offset, end)).lines);
            this.offset = end;
        }
        return this.cache;
    }

    /** Resolves at the end of the first successful request that started at or after `from`. */
    async waitOk(from: number, timeoutMs: number, what = "a successful client request"): Promise<number> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const ok = this.lines().filter((l) => l.ok && l.s >= from);
            if (ok.length) return Math.min(...ok.map((l) => l.e));
            if (!this.running()) throw new DrillError(`probe ${this.name} ended before ${what}: ${this.tail()}`);
            if (Date.now() > deadline) throw new DrillError(`timed out after ${timeoutMs} ms waiting for ${what} (probe ${this.name}: ${this.tail()})`);
            await sleep(20);
        }
    }

    /** Waits until `n` consecutive successes, all started at or after `from`. */
    async waitStreak(from: number, n: number, timeoutMs: number): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const l = this.lines().filter((x) => x.s >= from).sort((a, b) => a.s - b.s);
            let streak = 0;
            for (const x of l) streak = x.ok ? streak + 1 : 0;
            if (streak >= n) return;
            if (!this.running()) throw new DrillError(`probe ${this.name} ended: ${this.tail()}`);
            if (Date.now() > deadline) throw new DrillError(`timed out after ${timeoutMs} ms waiting for ${n} successful requests in a row (${this.tail()})`);
            await sleep(20);
        }
    }

    running(): boolean { return this.env.lab.processPid("client", this.name) !== undefined; }

    tail(): string {
        const l = this.lines().slice(-3).map((x) => (x.ok ? "ok" : x.err ?? x.code)).join(",");
        return `${this.cache.length} requests, last: ${l || "none"}`;
    }

    /** Stops the probe (SIGTERM; in-flight requests are reported as aborted) and returns every request. */
    async stop(): Promise<ProbeLine[]> {
        if (this.running()) {
            try { this.env.lab.signalProcess("client", this.name, "SIGTERM"); } catch { /* ended */ }
            const deadline = Date.now() + 5000;
            while (this.running() && Date.now() < deadline) await sleep(20);
        }
        await this.env.lab.stopProcess("client", this.name, "SIGKILL").catch(() => undefined);
        const lines = this.lines().filter((l) => l.err !== "aborted");
        fs.rmSync(this.logPath, { force: true });
        return lines;
    }
}

export interface DrillEnvOptions {
    profile?: Profile;
    log?: (line: string) => void;
    /** Bound on one remote command of an apply. Defaults to 120 s. */
    commandTimeoutMs?: number;
}

/** What the environment noticed about the product while setting up (reported as findings). */
export interface EnvFinding { id: string; text: string }

export class DrillEnv {
    readonly groups: Record<GroupName, GroupInfo>;
    readonly monitors = {} as Record<GroupName, VipMonitor>;
    readonly findings: EnvFinding[] = [];
    profile: Profile = "default";
    /** overrides passed to every apply (drills change them) */
    overrides: Record<string, unknown> = {};
    private js = {} as Record<"probe" | "apiserver" | "cloudcore", string>;
    private probeSeq = 0;
    certFile = "";
    private keyFile = "";
    log: (line: string) => void;
    lastApply?: ApplyLabResult;

    private constructor(readonly lab: Lab, private o: DrillEnvOptions) {
        this.log = o.log ?? (() => undefined);
        const role = (r: LabHost["role"]) => lab.hosts.filter((h) => h.role === r).map((h) => h.name);
        this.groups = {
            apiserver: { name: "apiserver", vip: APISERVER_VIP, members: role("lb"), kaPrefix: "apiserver-keepalived" },
            cloudcore: { name: "cloudcore", vip: CLOUDCORE_VIP, members: role("cloudcore"), kaPrefix: "cloudcore-keepalived" },
        };
    }

    /** Lab up, fakes started, program applied with `profile`, steady state reached. Tears down on failure. */
    static async up(o: DrillEnvOptions = {}): Promise<DrillEnv> {
        const t0 = Date.now();
        const lab = await labUp(defaultLabSpec());
        const env = new DrillEnv(lab, o);
        try {
            env.log(`lab ${lab.id} up in ${Date.now() - t0} ms`);
            env.prepareJs();
            const ips = ["127.0.0.1", APISERVER_VIP, CLOUDCORE_VIP, ...lab.hosts.map((h) => h.address)];
            const c = makeSelfSignedCert(path.join(lab.dir, "drill-certs"), ips, "kubeedge-ha-drill");
            env.certFile = c.cert; env.keyFile = c.key;
            await Promise.all(lab.hosts.filter((h) => h.role === "master" || h.role === "cloudcore").map((h) => env.startFake(h.name)));
            for (const g of Object.values(env.groups)) {
                env.monitors[g.name] = new VipMonitor(lab, g);
                await env.monitors[g.name].start();
            }
            await env.setProfile(o.profile ?? "default");
            const off = Object.values(env.groups).map((g) => [g, env.holders(g.name)[0]] as const).filter(([g, h]) => h !== g.members[0]);
            if (off.length) {
                env.finding("initial-holder-not-preferred",
                    `After the first apply the VIP sat on the LEAST preferred member (${off.map(([g, h]) => `${g.name}: ${h}, not ${g.members[0]}`).join("; ")}). ` +
                    "KeepalivedPair provisions backups first and the preferred host last; with every member `state BACKUP` + `nopreempt`, " +
                    "the first keepalived to start takes the VIP after its master-down interval and the preferred host, started seconds " +
                    "later, never preempts it. The documented \"first = preferred holder\" holds only after a failover back.");
            }
            return env;
        } catch (e) {
            await env.down().catch(() => undefined);
            throw e;
        }
    }

    async down(): Promise<void> {
        for (const m of Object.values(this.monitors)) m?.stop();
        await this.lab.down();
    }

    // ---------------------------------------------------------------- provisioning

    /** Applies the program (the current profile and overrides, plus `extra` overrides for this apply only if given). */
    async apply(extra?: Record<string, unknown>): Promise<ApplyLabResult> {
        const t0 = Date.now();
        const r = await applyLab(this.lab, {
            profile: this.profile, overrides: extra ? deepMerge(this.overrides, extra) : this.overrides,
            commandTimeoutMs: this.o.commandTimeoutMs, log: (l) => this.log(`  apply: ${l}`),
        });
        this.lastApply = r;
        this.log(`applied in ${Date.now() - t0} ms (record ${r.recordMs} ms, commands ${r.applyMs} ms)`);
        return r;
    }

    /**
     * Applies `profile` and makes sure the running keepalived daemons use it. If the product's reload
     * left a daemon on its old config (see findings), runs the product's own reload command
     * (KEEPALIVED.reload) host by host, non-holders first, and records the finding.
     */
    async setProfile(profile: Profile): Promise<void> {
        const switching = this.lastApply !== undefined && this.profile !== profile;
        const from = this.profile;
        this.profile = profile;
        const t0 = Date.now();
        await this.apply();
        if (switching) {
            // a live VRRPv2 → v3 (or back) change: members reloaded one after another do not understand each other's adverts
            await sleep(4000);
            const dual = Object.values(this.groups).map((g) => [g.name, timeWhere(this.events(g.name), t0, Date.now(), (h) => h.length > 1)] as const);
            if (dual.some(([, ms]) => ms > 0)) {
                this.finding(`profile-switch-dual-master-${profile}`,
                    `Re-applying the running lab from profile "${from}" to "${profile}" gave a transient DUAL MASTER (VIP on both members) ` +
                    `while the members were reloaded one after another: ${dual.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(2)} s`).join(", ")}. ` +
                    "VRRPv2 and v3 adverts are not understood across versions, so the first reloaded backup stops hearing the holder. " +
                    "Expected keepalived behaviour (failover-facts §4: reload_time_file exists for incompatible changes); worth a " +
                    "note in the docs for profile changes on live groups.");
            }
        }
        const want = profile === "fast" ? { version: 3, advertMs: 100 } : { version: 2, advertMs: 1000 };
        const stale: string[] = [];
        for (const g of Object.values(this.groups)) {
            const holder = await this.waitHolders(g.name, (h) => h.length >= 1, DRILL_TIMEOUTS.steadyMs, "a VIP holder after apply").catch(() => [] as string[]);
            const order = [...g.members.filter((m) => !holder.includes(m)), ...g.members.filter((m) => holder.includes(m))];
            for (const m of order) {
                const run = await this.keepalivedRunning(m);
                if (run.version === want.version && run.advertMs === want.advertMs) continue;
                stale.push(`${m} (VRRPv${run.version}, advert ${run.advertMs} ms)`);
                this.finding("keepalived-reload-noop",
                    `After applying profile "${profile}" the running keepalived kept its old config on ${stale.join(", ")} although ` +
                    `/etc/keepalived/keepalived.conf says VRRPv${want.version}, advert ${want.advertMs} ms: the product's reload ` +
                    "script took its `service keepalived status` branch as \"not running\" (Debian's /etc/init.d/keepalived has no " +
                    "`status` action) and ran `service keepalived start` (a no-op on a running daemon) instead of a reload. The drill " +
                    `ran the product's reload command (\`${KEEPALIVED.reload}\`) by hand, host by host, to get the profile live.`);
                const r = await this.lab.ssh(m, KEEPALIVED.reload, { timeoutMs: 30_000 });
                if (r.code !== 0) throw new DrillError(`${KEEPALIVED.reload} on ${m} failed: ${r.stderr}`);
                await this.waitFor(`keepalived on ${m} to run the ${profile} profile`, 10_000, async () => {
                    const x = await this.keepalivedRunning(m);
                    return x.version === want.version && x.advertMs === want.advertMs;
                });
                await sleep(profile === "fast" ? 500 : 3500);
            }
        }
        await Promise.all([this.ensureSteady("apiserver"), this.ensureSteady("cloudcore")]);
    }

    /** Records a finding (the latest text for an id wins). */
    finding(id: string, text: string): void {
        const f = this.findings.find((x) => x.id === id);
        if (f) f.text = text; else this.findings.push({ id, text });
        this.log(`FINDING ${id}: ${text}`);
    }

    /** The create script of a recorded command resource (the product's own script, as last applied). */
    productScript(resourceName: string): { script: string; stdin?: string } {
        const st = readState(statePath(this.lab));
        const r = st?.resources.find((x) => x.name === resourceName);
        if (!r || typeof r.inputs.create !== "string") throw new DrillError(`no applied command ${resourceName} in the engine state`);
        return { script: r.inputs.create, stdin: r.inputs.stdin };
    }

    /** Runs one of the product's recorded scripts on `host` over ssh. */
    async runProductScript(host: string, resourceName: string): Promise<{ code: number; stdout: string; stderr: string }> {
        const { script, stdin } = this.productScript(resourceName);
        return this.lab.ssh(host, script, { input: stdin, timeoutMs: 60_000 });
    }

    // ---------------------------------------------------------------- fakes and probe

    private prepareJs(): void {
        const dir = path.join(this.lab.dir, "drill-js");
        fs.mkdirSync(dir, { recursive: true });
        const files = { probe: path.join(REPO, "drill/probe.ts"), apiserver: path.join(REPO, "lab/fakes/apiserver.ts"), cloudcore: path.join(REPO, "lab/fakes/cloudcore.ts") };
        for (const [k, src] of Object.entries(files) as [keyof typeof files, string][]) {
            const out = ts.transpileModule(fs.readFileSync(src, "utf8"), {
                compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true }, fileName: src,
            });
            const js = path.join(dir, `${k}.js`);
            fs.writeFileSync(js, out.outputText);
            this.js[k] = js;
        }
    }

    fakeRunning(host: string): boolean { return this.lab.processPid(host, "fake") !== undefined; }

    /** Starts the fake backend of a master (apiserver :6443) or cloudcore host (10002 https, 10000 tcp) and waits until it listens. */
    async startFake(host: string): Promise<void> {
        const h = this.lab.host(host);
        const log = this.lab.processLogPath(host, "fake");
        fs.rmSync(log, { force: true });
        const argv = h.role === "master"
            ? ["node", this.js.apiserver, "--listen", "0.0.0.0:6443", "--cert", this.certFile, "--key", this.keyFile, "--name", host]
            : ["node", this.js.cloudcore, "--address", "0.0.0.0", "--cert", this.certFile, "--key", this.keyFile, "--mode", "v17"];
        await this.lab.startProcess(host, "fake", argv, { settleMs: 0 });
        await this.waitFor(`fake backend on ${host} to listen`, DRILL_TIMEOUTS.fakeStartMs, () => {
            if (!this.fakeRunning(host)) throw new DrillError(`fake on ${host} died: ${safeRead(log).slice(-800)}`);
            return safeRead(log).includes("listening");
        }, 20);
    }

    /** Kills a fake backend; resolves when the process is gone. Returns the instant it was gone. */
    async killFake(host: string, signal: NodeJS.Signals = "SIGKILL"): Promise<number> {
        await this.lab.stopProcess(host, "fake", signal);
        return Date.now();
    }

    /** Starts a probe against the group's VIP. https /version (apiserver) or /ca.crt :10002 (cloudcore); tcp → :10000. */
    async startProbe(group: GroupName, o: ProbeStartOptions = {}): Promise<ProbeRun> {
        const name = `probe-${process.pid}-${this.probeSeq++}`;
        const g = this.groups[group];
        const target = group === "apiserver" ? { port: 6443, path: "/version" }
            : o.mode === "tcp" ? { port: 10000, path: "/" } : { port: 10002, path: "/ca.crt" };
        const everyMs = o.everyMs ?? 20, durationMs = o.durationMs ?? 30_000;
        const argv = ["node", this.js.probe, "--mode", o.mode ?? "https", "--host", g.vip, "--port", String(target.port),
            "--path", target.path, "--ca", this.certFile, "--every", String(everyMs), "--duration", String(durationMs),
            "--count", String(Math.ceil(durationMs / everyMs) + 1), "--timeout", String(o.timeoutMs ?? 1500)];
        await this.lab.startProcess("client", name, argv, { settleMs: 0 });
        return new ProbeRun(this, name, this.lab.processLogPath("client", name));
    }

    /** One request through the VIP from the client namespace (curl), bounded. */
    async clientOk(group: GroupName): Promise<boolean> {
        const g = this.groups[group];
        const url = group === "apiserver" ? `https://${g.vip}:6443/version` : `https://${g.vip}:10002/ca.crt`;
        const r = await this.lab.exec("client", ["curl", "-fsS", "-o", "/dev/null", "--cacert", this.certFile, "--max-time", "1", url], { timeoutMs: 5000 });
        return r.code === 0;
    }

    // ---------------------------------------------------------------- VIP

    holders(group: GroupName): string[] { return this.monitors[group].holders(); }
    events(group: GroupName): VipEvent[] { return this.monitors[group].events; }

    async waitHolders(group: GroupName, pred: (h: string[]) => boolean, timeoutMs: number, what: string): Promise<string[]> {
        return this.waitFor(what, timeoutMs, () => { const h = this.holders(group); return pred(h) ? h : undefined; }, 5);
    }

    /** MAC of a host's lab interface. */
    async mac(host: string): Promise<string> {
        const h = this.lab.host(host);
        const r = await run(["ip", "-n", h.netns, "-o", "link", "show", "dev", h.iface], { timeoutMs: 10_000 });
        const m = /link\/ether ([0-9a-f:]{17})/.exec(r.stdout);
        if (!m) throw new DrillError(`no MAC for ${host}: ${r.stdout}${r.stderr}`);
        return m[1];
    }

    /** The client's neighbour entry for an address: MAC and state, or undefined. */
    async clientNeigh(address: string): Promise<{ mac?: string; state: string } | undefined> {
        const c = this.lab.hosts.find((h) => h.role === "client")!;
        const r = await run(["ip", "-n", c.netns, "neigh", "show", address], { timeoutMs: 10_000 });
        const line = r.stdout.trim();
        if (!line) return undefined;
        const m = /lladdr ([0-9a-f:]{17})/.exec(line);
        return { mac: m?.[1], state: line.split(/\s+/).pop() ?? "" };
    }

    // ---------------------------------------------------------------- daemons (via per-host pidfiles only)

    /** A pid from a pidfile under the host's private /run (read through its mount namespace), if alive. */
    pidFromFile(host: string, file: string): number | undefined {
        try {
            const pid = Number(fs.readFileSync(`/proc/${this.lab.host(host).sshdPid}/root${file}`, "utf8").trim());
            return Number.isInteger(pid) && pid > 1 && isAlive(pid) ? pid : undefined;
        } catch { return undefined; }
    }

    /**
     * Waits until a killed process has been reaped (gone from /proc, not a zombie). Lab caveat: PID 1 of this
     * machine reaps orphans only now and then, and `kill -0` — which the product's service script and supervisor
     * use as their liveness test — succeeds on a zombie, so they take an unreaped daemon for a running one.
     * Returns the ms waited.
     */
    async waitReaped(procs: { pid: number; start?: string }[], timeoutMs = 30_000): Promise<number> {
        const t0 = Date.now();
        const present = () => procs.filter((p) => { const st = procStartTime(p.pid); return st !== undefined && (p.start === undefined || st === p.start); });
        await this.waitFor(`pids ${procs.map((p) => p.pid).join(",")} to be reaped`, timeoutMs, () => present().length === 0, 20);
        return Date.now() - t0;
    }

    /** The pid a pidfile names if that process still exists in /proc (alive or zombie). */
    pidfileProcess(host: string, file: string): { pid: number; start?: string } | undefined {
        try {
            const pid = Number(fs.readFileSync(`/proc/${this.lab.host(host).sshdPid}/root${file}`, "utf8").trim());
            const start = procStartTime(pid);
            return Number.isInteger(pid) && pid > 1 && start !== undefined ? { pid, start } : undefined;
        } catch { return undefined; }
    }

    keepalivedPids(host: string): number[] {
        return ["/run/keepalived.pid", "/run/vrrp.pid", "/run/checkers.pid"]
            .map((f) => this.pidFromFile(host, f)).filter((p): p is number => p !== undefined);
    }

    haproxyPids(host: string): { master?: number; workers: number[] } {
        const master = this.pidFromFile(host, HAPROXY.pidfile);
        return { master, workers: master ? childPids(master) : [] };
    }

    supervisorPid(host: string): number | undefined {
        return this.pidFromFile(host, `/run/kubeedge-ha-supervise-${KEEPALIVED.name}.pid`);
    }

    /** What a host's keepalived pidfiles say (for failure messages): pid, alive, command line. */
    async diagnoseKeepalived(host: string): Promise<string> {
        const parts: string[] = [];
        for (const f of ["/run/keepalived.pid", "/run/vrrp.pid", "/run/checkers.pid", `/run/kubeedge-ha-supervise-${KEEPALIVED.name}.pid`]) {
            let txt = "";
            try { txt = fs.readFileSync(`/proc/${this.lab.host(host).sshdPid}/root${f}`, "utf8").trim(); } catch { parts.push(`${f}: absent`); continue; }
            const pid = Number(txt);
            let cmd = "";
            try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim(); } catch { /* gone */ }
            parts.push(`${f}: ${txt} ${isAlive(pid) ? `alive (${cmd.slice(0, 80)})` : "dead"}`);
        }
        const log = await this.sh(host, `tail -n 4 /var/log/kubeedge-ha-supervise-${KEEPALIVED.name}.log 2>&1`);
        return `${parts.join("; ")}; supervisor log (shared /var/log in the lab): ${log.stdout.trim().replace(/\n/g, " | ")}`;
    }

    /** keepalived's own view (SIGUSR1 data dump; /tmp is shared between lab hosts, so one at a time). */
    async keepalivedRunning(host: string): Promise<{ version?: number; advertMs?: number; state?: string; garpRefresh?: number; raw: string }> {
        for (let attempt = 0; ; attempt++) {
            const x = await this.keepalivedDump(host);
            // /tmp is shared by every lab on the machine: another lab's dump can overwrite ours; retry
            if (x.raw || attempt >= 20) return x;
            await sleep(150 + Math.floor(Math.random() * 200));
        }
    }

    private async keepalivedDump(host: string): Promise<{ version?: number; advertMs?: number; state?: string; garpRefresh?: number; raw: string }> {
        const r = await dumpLock.run(() => this.lab.exec(host, ["sh", "-c",
            "rm -f /tmp/keepalived.data; kill -USR1 \"$(cat /run/keepalived.pid)\" || exit 1; " +
            "i=0; while [ $i -lt 40 ] && ! grep -q 'Advert interval' /tmp/keepalived.data 2>/dev/null; do sleep 0.05; i=$((i+1)); done; " +
            "sleep 0.1; cat /tmp/keepalived.data; rm -f /tmp/keepalived.data"], { timeoutMs: 10_000 }));
        const raw = r.stdout;
        const rid = /^\s*Router ID = (\S+)/m.exec(raw)?.[1];
        // /tmp is shared with every lab on the machine: a dump from another host is not ours
        if (rid !== host) return { raw: "" };
        const num = (re: RegExp) => { const m = re.exec(raw); return m ? Number(m[1]) : undefined; };
        const adv = /^\s*Advert interval = (\d+) (sec|milli-sec)/m.exec(raw);
        return {
            version: num(/^\s*VRRP Version = (\d)/m),
            advertMs: adv ? Number(adv[1]) * (adv[2] === "sec" ? 1000 : 1) : undefined,
            state: /^ {3}State = (\w+)/m.exec(raw)?.[1],
            garpRefresh: num(/^\s*Gratuitous ARP refresh = (\d+)/m),
            raw,
        };
    }

    async sh(host: string, script: string, timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
        return this.lab.exec(host, ["sh", "-c", script], { timeoutMs });
    }

    /** Partition (IP between two hosts dropped both ways at their interfaces; ARP still passes): tc htb + blackhole. */
    async partition(a: string, b: string, on: boolean): Promise<void> {
        for (const [x, y] of [[a, b], [b, a]]) {
            const h = this.lab.host(x), peer = this.lab.host(y).address;
            const N = ["ip", "netns", "exec", h.netns, "tc"];
            if (!on) { await run([...N, "qdisc", "del", "dev", h.iface, "root"], { timeoutMs: 10_000 }); continue; }
            for (const argv of [
                ["qdisc", "replace", "dev", h.iface, "root", "handle", "1:", "htb", "default", "1", "r2q", "100000"],
                ["class", "replace", "dev", h.iface, "parent", "1:", "classid", "1:1", "htb", "rate", "10gbit"],
                ["class", "replace", "dev", h.iface, "parent", "1:", "classid", "1:2", "htb", "rate", "10gbit"],
                ["qdisc", "replace", "dev", h.iface, "parent", "1:2", "handle", "20:", "blackhole"],
                ["filter", "add", "dev", h.iface, "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match", "ip", "dst", `${peer}/32`, "flowid", "1:2"],
            ]) {
                const r = await run([...N, ...argv], { timeoutMs: 10_000 });
                if (r.code !== 0) throw new DrillError(`tc ${argv.join(" ")} on ${x} failed: ${r.stderr}`);
            }
        }
    }

    // ---------------------------------------------------------------- steady state

    /**
     * Restores the steady state of a group: links up, no partition, fakes running, haproxy and keepalived
     * running (restarted through the product's own service script where they are not), then waits for
     * exactly one holder (stable for 1 s; the monitor checked against `ip addr`) and a successful client request.
     */
    async ensureSteady(group: GroupName, timeoutMs = DRILL_TIMEOUTS.steadyMs): Promise<string> {
        const g = this.groups[group];
        const deadline = Date.now() + timeoutMs;
        for (const h of this.lab.hosts) await this.lab.setLink(h.name, true);
        for (const m of g.members) {
            const h = this.lab.host(m);
            await run(["ip", "netns", "exec", h.netns, "tc", "qdisc", "del", "dev", h.iface, "root"], { timeoutMs: 10_000 });
        }
        const backends = this.lab.hosts.filter((h) => (group === "apiserver" ? h.role === "master" : h.role === "cloudcore"));
        for (const b of backends) if (!this.fakeRunning(b.name)) await this.startFake(b.name);
        for (const m of g.members) {
            if (group === "apiserver" && !this.haproxyPids(m).master) {
                const z = this.pidfileProcess(m, HAPROXY.pidfile);
                if (z) await this.waitReaped([z]).catch(() => this.log(`restore: haproxy pid ${z.pid} on ${m} not reaped in 30 s`));
                this.log(`restore: haproxy on ${m} via the product's service script`);
                const r = await this.runProductScript(m, `apiserver-${m}-haproxy`);
                if (r.code !== 0) throw new DrillError(`haproxy service script on ${m} failed: ${r.stderr}`);
            }
            if (this.keepalivedPids(m).length < 2) {
                // the product's supervisor restarts a crashed keepalived within ~1-2 s; give it the chance first
                await this.waitFor(`keepalived on ${m}`, 4000, () => this.keepalivedPids(m).length >= 2, 100).catch(async () => {
                    const z = this.pidfileProcess(m, KEEPALIVED.pidfile);
                    if (z) await this.waitReaped([z]).catch(() => this.log(`restore: keepalived pid ${z.pid} on ${m} not reaped in 30 s`));
                    this.log(`restore: keepalived on ${m} via the product's service script`);
                    const r = await this.runProductScript(m, `${g.kaPrefix}-${m}-service`);
                    if (r.code !== 0) throw new DrillError(`keepalived service script on ${m} failed: ${r.stderr}`);
                });
            }
        }
        const left = () => Math.max(1000, deadline - Date.now());
        let holder = "";
        await this.waitFor(`exactly one ${group} VIP holder, stable for 1 s, and a client success`, left(), async () => {
            const h = this.holders(group);
            if (h.length !== 1) return false;
            const since = this.events(group).filter((e) => e.t <= Date.now()).slice(-1)[0]?.t ?? 0;
            if (Date.now() - since < 1000) return false;
            const wrong = await this.monitors[group].resync();
            if (wrong.length) { this.log(`monitor corrected for ${wrong.join(",")}`); return false; }
            if (!(await this.clientOk(group))) return false;
            holder = h[0];
            return true;
        }, 100);
        // every member settled: the holder MASTER, the others BACKUP (not FAULT, e.g. a check still rising after a restore)
        let seen = "";
        await this.waitFor(`${group} keepalived states: ${holder} MASTER, the others BACKUP`, left(), async () => {
            const st: string[] = [];
            for (const m of g.members) st.push(`${m}=${(await this.keepalivedRunning(m)).state ?? "?"}`);
            seen = `${st.join(" ")}, holders ${this.holders(group).join(",") || "none"}`;
            return st.every((x, k) => x === `${g.members[k]}=${g.members[k] === holder ? "MASTER" : "BACKUP"}`) &&
                this.holders(group).join() === holder;
        }, 200).catch(async (e) => {
            const diag = group !== "apiserver" ? "" : (await Promise.all(g.members.map(async (m) => {
                const hp = this.haproxyPids(m);
                const r = await this.sh(m, "curl -sS -o /dev/null -w '%{http_code}' --max-time 1 http://127.0.0.1:8405/healthz; echo; ss -ltnp | grep -E ':(6443|8405) ' | tr -s ' ' | cut -d' ' -f4,6 | tr '\\n' ' '", 10_000);
                return `${m}: haproxy master ${hp.master ?? "none"} workers [${hp.workers}] healthz ${r.stdout.trim().replace(/\n/g, " ")} ${r.stderr.trim()}`;
            }))).join("; ");
            throw new DrillError(`${(e as Error).message} (last seen: ${seen}) ${diag}`);
        });
        return holder;
    }

    /** Moves the VIP to `host` (graceful: the holder's keepalived stopped and started again by the product's service command). */
    async placeVip(group: GroupName, host: string): Promise<void> {
        const cur = await this.ensureSteady(group);
        if (cur === host) return;
        this.log(`restore: moving the ${group} VIP from ${cur} to ${host}`);
        // keepalived's stop removes its pidfile, so the product's supervisor leaves it down
        await this.sh(cur, "service keepalived stop");
        await this.waitHolders(group, (h) => h.length === 1 && h[0] === host, DRILL_TIMEOUTS.vipMs, `the VIP on ${host}`);
        await this.waitFor(`keepalived on ${cur} to stop`, 10_000, () => this.keepalivedPids(cur).length === 0, 50);
        const r = await this.sh(cur, "service keepalived start");
        if (r.code !== 0) throw new DrillError(`service keepalived start on ${cur}: ${r.stderr}`);
        await this.ensureSteady(group);
    }

    async waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined | false> | T | undefined | false, everyMs = 50): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        let last: unknown;
        for (;;) {
            try {
                const v = await fn();
                if (v) return v as T;
            } catch (e) {
                if (e instanceof DrillError) throw e;
                last = e;
            }
            if (Date.now() > deadline) throw new DrillError(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
            await sleep(everyMs);
        }
    }
}

function safeRead(f: string): string { try { return fs.readFileSync(f, "utf8"); } catch { return ""; } }

/** Serialises keepalived data dumps (they all write /tmp/keepalived.data, which lab hosts share). */
class Mutex {
    private p: Promise<unknown> = Promise.resolve();
    run<T>(fn: () => Promise<T>): Promise<T> {
        const next = this.p.then(fn, fn);
        this.p = next.catch(() => undefined);
        return next;
    }
}
const dumpLock = new Mutex();

export { procStartTime };
