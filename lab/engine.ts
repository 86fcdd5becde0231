/**
 * A mini deployment engine for the lab: applies a Recording (render/record.ts) the way `pulumi up`
 * would, over real OpenSSH, and keeps its own state file (JSON, mode 0600: it holds secrets).
 *
 * - `command:remote:Command`, in applyOrder, one at a time: absent from state → create; `triggers`
 *   changed → replace (run the new `create`, then the OLD `delete`: create-before-delete); any other
 *   input changed → update (`update` if set, else `create`); identical → nothing ("same").
 * - Resources in state but no longer recorded → their `delete`, in reverse order, after the rest.
 * - `kubernetes:*` → not applied (the lab has no cluster), reported "skipped". Other resources
 *   (components, providers, RandomPassword) are only recorded in state.
 * - A failing command stops the apply: later resources do not run, the failed resource keeps its
 *   old state, and an ApplyError carries the command's stderr.
 */
import * as fs from "fs";
import * as path from "path";
import { applyOrder, keyOf } from "../render/order";
import type { RecordedResource, Recording } from "../render/record";
import { COMMAND, hostOf } from "../render/write";
import { writePrivate } from "./recordCli";

export type Action = "create" | "update" | "replace" | "delete" | "same" | "skipped";

export interface ReportEntry {
    name: string;
    type: string;
    host?: string;
    action: Action;
    ms: number;
    stdout: string;
    stderr: string;
    /** Why nothing ran, e.g. "not applied: no cluster in the lab". */
    note?: string;
}

export interface EngineState {
    version: 1;
    stack: string;
    /** RandomPassword values by resource name, passed back to the next recording. */
    randomValues: Record<string, string>;
    resources: RecordedResource[];
}

export interface RunResult { code: number; stdout: string; stderr: string; timedOut?: boolean }
/** Runs argv where the hosts are reachable (e.g. inside the lab's client namespace). */
export type Runner = (argv: string[], o: { input?: string; timeoutMs: number }) => Promise<RunResult>;

export interface EngineOptions {
    statePath: string;
    run: Runner;
    /** Directory (visible to `run`) for the per-apply private key and known_hosts files. */
    tmpDir: string;
    /** Bound on each command. Defaults to 120 s. */
    timeoutMs?: number;
    /** Progress lines. Defaults to none. */
    log?: (line: string) => void;
}

export class ApplyError extends Error {
    constructor(message: string, public readonly report: ReportEntry[], public readonly failed: ReportEntry) {
        super(message);
        this.name = "ApplyError";
    }
}

export const NO_CLUSTER = "not applied: no cluster in the lab";
const isK8s = (r: RecordedResource) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes";

/** JSON with sorted keys, for comparing inputs. */
export function stable(v: unknown): string {
    return JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

export function readState(file: string): EngineState | undefined {
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as EngineState;
}

function saveState(file: string, s: EngineState): void {
    writePrivate(file, JSON.stringify(s, null, 1) + "\n");
}

/** What `pulumi up` would do to a command resource. */
export function commandAction(old: RecordedResource | undefined, r: RecordedResource): Action {
    if (!old) return "create";
    if (stable(old.inputs.triggers ?? null) !== stable(r.inputs.triggers ?? null)) return "replace";
    return stable(old.inputs) === stable(r.inputs) ? "same" : "update";
}

/** OpenSSH argv with the connection's key and pinned host key (files written under `dir`). */
export function sshArgv(conn: Record<string, any>, command: string, dir: string): string[] {
    const host = String(conn.host), port = Number(conn.port ?? 22), user = String(conn.user ?? "root");
    if (!conn.privateKey) throw new Error(`connection to ${host}: the lab engine needs a privateKey (no agent)`);
    const key = path.join(dir, "key"), known = path.join(dir, "known_hosts");
    const pk = String(conn.privateKey);
    writePrivate(key, pk.endsWith("\n") ? pk : `${pk}\n`);
    const name = port === 22 ? host : `[${host}]:${port}`;
    if (conn.hostKey) writePrivate(known, `${name} ${String(conn.hostKey).trim()}\n`);
    return ["ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
        ...(conn.hostKey
            ? ["-o", `UserKnownHostsFile=${known}`, "-o", "StrictHostKeyChecking=yes"]
            // no hostKey: the provider accepts any key
            : ["-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no"]),
        "-o", "GlobalKnownHostsFile=/dev/null", "-o", "UpdateHostKeys=no", "-o", "CheckHostIP=no",
        "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no", "-o", "ConnectTimeout=5",
        "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-o", "LogLevel=ERROR",
        "-p", String(port), "-l", user, host, "--", command];
}

/** ssh's own failure to connect (exit 255 before the command ran): retried like the provider's dial retries. */
const DIAL_ERROR = /^(ssh: connect to host|kex_exchange_identification|Connection (closed|reset) by)/m;

class Session {
    private n = 0;
    constructor(private o: EngineOptions) {
        fs.mkdirSync(o.tmpDir, { recursive: true, mode: 0o700 });
    }

    async exec(conn: Record<string, any>, script: string, stdin: string | undefined): Promise<RunResult & { ms: number }> {
        const dir = fs.mkdtempSync(path.join(this.o.tmpDir, `ssh${this.n++}-`));
        const t0 = Date.now();
        try {
            const argv = sshArgv(conn, script, dir);
            let r: RunResult = { code: 255, stdout: "", stderr: "" };
            for (let attempt = 0; attempt < 3; attempt++) {
                r = await this.o.run(argv, { input: stdin ?? "", timeoutMs: this.o.timeoutMs ?? 120_000 });
                if (!(r.code === 255 && DIAL_ERROR.test(r.stderr))) break;
                await new Promise((res) => setTimeout(res, 500));
            }
            return { ...r, ms: Date.now() - t0 };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
}

type Entry = (r: RecordedResource, action: Action, extra?: Partial<ReportEntry>) => ReportEntry;

/** Appends report entries (and logs every one that is not "same"). */
function reporter(report: ReportEntry[], log: (line: string) => void = () => undefined): Entry {
    return (r, action, extra = {}) => {
        const e: ReportEntry = {
            name: r.name, type: r.type, host: r.type === COMMAND ? hostOf(r) : undefined, action, ms: 0, stdout: "", stderr: "", ...extra,
        };
        report.push(e);
        if (action !== "same") log(`${action.padEnd(7)} ${r.name}${e.host ? ` @${e.host}` : ""}${e.ms ? ` ${e.ms} ms` : ""}${e.note ? ` (${e.note})` : ""}`);
        return e;
    };
}

function fail(r: RecordedResource, what: string, res: RunResult, entry: ReportEntry, report: ReportEntry[]): ApplyError {
    const why = res.timedOut ? "timed out" : `exit ${res.code}`;
    return new ApplyError(`${what} of ${r.name} on ${hostOf(r)} failed (${why}): ${res.stderr.trim()}`, report, entry);
}

/** Applies `rec` against the state in `o.statePath`; returns the report in execution order. */
export async function apply(rec: Recording, o: EngineOptions): Promise<ReportEntry[]> {
    const prior = readState(o.statePath);
    const state: EngineState = { version: 1, stack: rec.stack, randomValues: { ...rec.randomValues }, resources: [] };
    const live = new Map((prior?.resources ?? []).map((r) => [keyOf(r), r]));
    const save = () => { state.resources = [...live.values()]; saveState(o.statePath, state); };
    const session = new Session(o);
    const report: ReportEntry[] = [];
    const entry = reporter(report, o.log);

    for (const r of applyOrder(rec.resources)) {
        const k = keyOf(r);
        const old = live.get(k);
        if (isK8s(r)) {
            entry(r, "skipped", { note: NO_CLUSTER });
            live.set(k, r);
            continue;
        }
        if (r.type !== COMMAND) {
            const same = old && stable(old.inputs) === stable(r.inputs);
            entry(r, !old ? "create" : same ? "same" : r.type.startsWith("random:") ? "replace" : "update");
            live.set(k, r);
            continue;
        }
        const action = commandAction(old, r);
        if (action === "same") {
            entry(r, "same");
            live.set(k, r);
            continue;
        }
        const script = action === "update" ? (r.inputs.update ?? r.inputs.create) : r.inputs.create;
        const res = script ? await session.exec(r.inputs.connection, script, r.inputs.stdin) : { code: 0, stdout: "", stderr: "", ms: 0 };
        const e = entry(r, action, { ms: res.ms, stdout: res.stdout, stderr: res.stderr });
        if (res.code !== 0) {
            save(); // the failed resource keeps its old state (or stays absent)
            throw fail(r, action, res, e, report);
        }
        live.set(k, r);
        save();
        if (action === "replace" && old?.inputs.delete) {
            const d = await session.exec(old.inputs.connection, old.inputs.delete, undefined);
            const de = entry(old, "delete", { ms: d.ms, stdout: d.stdout, stderr: d.stderr, note: "replaced: delete of the old resource" });
            if (d.code !== 0) throw fail(old, "delete (replace)", d, de, report);
        }
    }

    const recorded = new Set(rec.resources.map(keyOf));
    const gone = [...live.values()].filter((r) => !recorded.has(keyOf(r)));
    await deleteAll(gone, live, session, report, entry, save);
    save();
    return report;
}

async function deleteAll(
    resources: RecordedResource[], live: Map<string, RecordedResource>, session: Session, report: ReportEntry[],
    entry: Entry, save: () => void,
): Promise<void> {
    for (const r of applyOrder(resources).reverse()) {
        if (r.type === COMMAND && r.inputs.delete) {
            const d = await session.exec(r.inputs.connection, r.inputs.delete, undefined);
            const e = entry(r, "delete", { ms: d.ms, stdout: d.stdout, stderr: d.stderr });
            if (d.code !== 0) {
                save();
                throw fail(r, "delete", d, e, report);
            }
        } else {
            entry(r, isK8s(r) ? "skipped" : "delete", isK8s(r) ? { note: NO_CLUSTER } : {});
        }
        live.delete(keyOf(r));
        save();
    }
}

/** Runs every delete in reverse apply order and empties the state (the file stays, with no resources). */
export async function destroy(o: EngineOptions): Promise<ReportEntry[]> {
    const prior = readState(o.statePath);
    if (!prior) return [];
    const state: EngineState = { ...prior, resources: [] };
    const live = new Map(prior.resources.map((r) => [keyOf(r), r]));
    const save = () => { state.resources = [...live.values()]; saveState(o.statePath, state); };
    const report: ReportEntry[] = [];
    const entry = reporter(report, o.log);
    await deleteAll(prior.resources, live, new Session(o), report, entry, save);
    state.randomValues = {};
    save();
    return report;
}
