/**
 * "Apply as `pulumi up` would" against lab hosts: lab stack config → recording (a child process:
 * the Pulumi runtime is process-global) → the lab engine over real SSH from the client namespace.
 * State lives at `<lab.dir>/pulumi-state.json` (0600).
 */
import * as fs from "fs";
import * as path from "path";
import type { Recording } from "../render/record";
import { ApplyError, EngineOptions, ReportEntry, apply, destroy, readState, stable } from "./engine";
import type { Lab } from "./hosts";
import { run } from "./proc";
import { writePrivate } from "./recordCli";
import { LAB_SECRET_KEYS, LabStackOptions, labStackConfig } from "./stack";

export const LAB_STACK = "lab";
const ROOT = path.resolve(__dirname, "..");

export interface ApplyLabOptions extends LabStackOptions {
    /** Bound on each remote command. Defaults to 120 s. */
    commandTimeoutMs?: number;
    /** Bound on recording the program. Defaults to 120 s. */
    recordTimeoutMs?: number;
    /** Changes the recording before it is applied (tests that need input the config cannot produce). */
    mutate?: (rec: Recording) => void;
    /** Progress lines. Defaults to none. */
    log?: (line: string) => void;
}

export interface ApplyLabResult {
    report: ReportEntry[];
    recording: Recording;
    /** Time spent recording the program, and applying it. */
    recordMs: number;
    applyMs: number;
}

export const statePath = (lab: Pick<Lab, "dir">) => path.join(lab.dir, "pulumi-state.json");

/** Records the program for `config` in a child process. */
export async function recordInChild(lab: Pick<Lab, "dir">, config: Record<string, unknown>, randomValues: Record<string, string>,
    timeoutMs = 120_000): Promise<Recording> {
    const dir = fs.mkdtempSync(path.join(lab.dir, "record-"));
    try {
        const req = path.join(dir, "request.json"), out = path.join(dir, "recording.json");
        writePrivate(req, JSON.stringify({ stack: LAB_STACK, config, secretKeys: LAB_SECRET_KEYS, randomValues }));
        const r = await run(["node", "-r", path.join(ROOT, "node_modules/ts-node/register/transpile-only"), path.join(ROOT, "lab/recordCli.ts"), req, out],
            { timeoutMs, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") } });
        if (r.code !== 0) throw new Error(`recording the program failed (exit ${r.code}): ${r.stderr.trim()}`);
        return JSON.parse(fs.readFileSync(out, "utf8")) as Recording;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function engineOptions(lab: Lab, o: { commandTimeoutMs?: number; log?: (line: string) => void }): EngineOptions {
    const client = lab.hosts.find((h) => h.role === "client");
    if (!client) throw new Error(`lab ${lab.id} has no client host to run ssh from`);
    return {
        statePath: statePath(lab),
        tmpDir: path.join(lab.dir, "engine-tmp"),
        run: (argv, x) => lab.exec(client.name, argv, x),
        timeoutMs: o.commandTimeoutMs,
        log: o.log,
    };
}

/**
 * Applies the lab stack. RandomPassword values persist in state; one whose inputs changed (a
 * rotation keeper) is regenerated, as the random provider replaces it. Throws ApplyError (with
 * `.report`) when a command fails.
 */
export async function applyLab(lab: Lab, o: ApplyLabOptions = {}): Promise<ApplyLabResult> {
    const config = labStackConfig(lab, o);
    const prior = readState(statePath(lab));
    const t0 = Date.now();
    let rec = await recordInChild(lab, config, prior?.randomValues ?? {}, o.recordTimeoutMs);
    const replaced = (prior?.resources ?? []).filter((old) => old.type === "random:index/randomPassword:RandomPassword" &&
        rec.resources.some((r) => r.type === old.type && r.name === old.name && stable(r.inputs) !== stable(old.inputs)));
    if (replaced.length) {
        const values = { ...prior!.randomValues };
        for (const r of replaced) delete values[r.name];
        o.log?.(`new value for ${replaced.map((r) => r.name).join(", ")} (inputs changed): recording again`);
        rec = await recordInChild(lab, config, values, o.recordTimeoutMs);
    }
    const recordMs = Date.now() - t0;
    o.mutate?.(rec);
    const t1 = Date.now();
    const report = await apply(rec, engineOptions(lab, o));
    return { report, recording: rec, recordMs, applyMs: Date.now() - t1 };
}

/** Runs every delete of the lab stack in reverse apply order. */
export async function destroyLab(lab: Lab, o: { commandTimeoutMs?: number; log?: (line: string) => void } = {}): Promise<ReportEntry[]> {
    return destroy(engineOptions(lab, o));
}

export { ApplyError };
