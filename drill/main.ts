/**
 * npm run drill -- [--n 20] [--profiles default,fast] [--drills 1,2,...|ids] [--out drill-report] [--budget-min 100]
 *
 * Brings up one lab, applies the program (profile by profile: the lab is re-applied with `profile: fast`),
 * runs every selected drill n times per profile, prints a table and writes <out>/report.md,
 * <out>/recovery.svg and <out>/results.json. Bounded: each wait inside a drill has a deadline, and once
 * `--budget-min` minutes have passed no new iteration starts (the report says what was skipped).
 * Must run as root (network namespaces). Ctrl-C stops after tearing the lab down and writing what it has.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DRILLS, DrillDef, DrillSample } from "./drills";
import { DrillEnv, Profile } from "./env";
import { RunResults, consoleTable, writeReport } from "./report";
import { COMMENTARY, DERIVED_FINDINGS, derivedFindings } from "./commentary";

interface Options { n: number; profiles: Profile[]; drills: DrillDef[]; out: string; budgetMin: number; reportFrom?: string }

const USAGE = "usage: npm run drill -- [--n 20] [--profiles default,fast] [--drills 1,2,...|<drill id>,...] [--out drill-report] [--budget-min 100]\n" +
    "       npm run drill -- --report-from drill-report/results.json [--out drill-report]   (rewrite the report of a past run)";

export function parseArgs(argv: string[]): Options {
    const o: Options = { n: 20, profiles: ["default", "fast"], drills: DRILLS, out: "drill-report", budgetMin: 100 };
    for (let i = 0; i < argv.length; i++) {
        const k = argv[i], v = argv[i + 1];
        const need = () => { if (v === undefined) throw new Error(`${k} needs a value\n${USAGE}`); i++; return v; };
        if (k === "--n") { o.n = Number(need()); if (!Number.isInteger(o.n) || o.n < 1 || o.n > 1000) throw new Error("--n must be 1..1000"); }
        else if (k === "--profiles") {
            const ps = need().split(",").map((s) => s.trim()).filter(Boolean);
            if (!ps.length || ps.some((p) => p !== "default" && p !== "fast")) throw new Error("--profiles: default and/or fast");
            o.profiles = ps as Profile[];
        } else if (k === "--drills") {
            const want = need().split(",").map((s) => s.trim()).filter(Boolean);
            o.drills = DRILLS.filter((d) => want.includes(String(d.num)) || want.includes(d.id));
            const unknown = want.filter((w) => !DRILLS.some((d) => String(d.num) === w || d.id === w));
            if (unknown.length || !o.drills.length) throw new Error(`unknown drill(s) ${unknown.join(",")}; known: ${DRILLS.map((d) => d.id).join(", ")}`);
        } else if (k === "--out") o.out = need();
        else if (k === "--budget-min") { o.budgetMin = Number(need()); if (!(o.budgetMin > 0 && o.budgetMin <= 24 * 60)) throw new Error("--budget-min must be > 0"); }
        else if (k === "--report-from") o.reportFrom = need();
        else if (k === "--help" || k === "-h") { console.log(USAGE); process.exit(0); }
        else throw new Error(`unknown argument ${k}\n${USAGE}`);
    }
    return o;
}

function version(argv: string[], re: RegExp): string {
    const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 5000 });
    return re.exec(`${r.stdout ?? ""}${r.stderr ?? ""}`)?.[1] ?? "?";
}

export async function runDrills(o: Options, log: (s: string) => void = console.log): Promise<RunResults> {
    const t0 = Date.now();
    const deadline = t0 + o.budgetMin * 60_000;
    const r: RunResults = {
        startedAt: new Date(t0).toISOString(), finishedAt: "", durationMs: 0,
        options: { n: o.n, profiles: o.profiles, drills: o.drills.map((d) => d.id), budgetMin: o.budgetMin },
        environment: {
            kernel: os.release(), cpus: String(os.cpus().length), node: process.version,
            keepalived: version(["keepalived", "--version"], /Keepalived v(\S+)/), haproxy: version(["haproxy", "-v"], /version (\S+)/),
        },
        samples: [], errors: [], findings: [], skipped: [],
    };
    let env: DrillEnv | undefined;
    let interrupted = false;
    const onSig = () => { interrupted = true; log("interrupted: finishing the current iteration, then tearing down"); };
    process.on("SIGINT", onSig);
    process.on("SIGTERM", onSig);
    try {
        log(`bringing the lab up (profile ${o.profiles[0]})`);
        env = await DrillEnv.up({ profile: o.profiles[0], log: (s) => { if (!s.startsWith("  apply:")) log(`  ${s}`); } });
        for (const profile of o.profiles) {
            if (interrupted || Date.now() > deadline) { r.skipped.push(`profile ${profile}: budget/interrupt`); continue; }
            if (env.profile !== profile) {
                log(`re-applying the lab with profile ${profile}`);
                await env.setProfile(profile);
            }
            for (const d of o.drills) {
                const n = Math.min(o.n, d.maxN ?? o.n);
                for (let i = 0; i < n; i++) {
                    if (interrupted || Date.now() > deadline) {
                        r.skipped.push(`${d.id} (${profile}): iterations ${i + 1}..${n} not run (${interrupted ? "interrupted" : "time budget exhausted"})`);
                        break;
                    }
                    const ti = Date.now();
                    try {
                        const s: DrillSample = await d.run(env, profile, i);
                        r.samples.push(s);
                        log(`${d.id} ${profile} #${i + 1}/${n}: ttr ${s.ttrMs === undefined ? "—" : `${(s.ttrMs / 1000).toFixed(3)} s`}` +
                            `, VIP ${s.vipMoveMs === undefined ? "—" : `${(s.vipMoveMs / 1000).toFixed(3)} s`}, failed ${s.failed}/${s.probe?.during ?? 0}` +
                            `, 2nd outage ${s.secondOutage} (${((Date.now() - ti) / 1000).toFixed(1)} s)`);
                    } catch (e) {
                        const msg = (e as Error).message ?? String(e);
                        r.errors.push({ drill: d.id, profile, iteration: i, error: msg });
                        log(`${d.id} ${profile} #${i + 1}/${n}: FAILED: ${msg.split("\n")[0]}`);
                        try {
                            await env.ensureSteady("apiserver");
                            await env.ensureSteady("cloudcore");
                        } catch (e2) {
                            r.skipped.push(`${d.id} (${profile}): stopped after a failed restore: ${(e2 as Error).message}`);
                            log(`restore after failure failed: ${(e2 as Error).message}`);
                            break;
                        }
                    }
                }
            }
        }
    } finally {
        r.findings.push(...derivedFindings(r.samples));
        if (env) {
            r.findings.push(...env.findings);
            await env.down().catch((e) => log(`lab teardown: ${(e as Error).message}`));
        }
        process.removeListener("SIGINT", onSig);
        process.removeListener("SIGTERM", onSig);
        r.finishedAt = new Date().toISOString();
        r.durationMs = Date.now() - t0;
    }
    return r;
}

/** A past run's results with the findings derived from its samples recomputed by this version of the commentary. */
export function rereport(r: RunResults): RunResults {
    const derived = new Set(DERIVED_FINDINGS);
    return {
        ...r, environment: { ...r.environment, "report rewritten": `${new Date().toISOString()} by --report-from (findings re-derived)` },
        findings: [...r.findings.filter((f) => !derived.has(f.id.replace(/-cloudcore$/, ""))), ...derivedFindings(r.samples)],
    };
}

async function main(): Promise<number> {
    const o = parseArgs(process.argv.slice(2));
    const t0 = Date.now();
    const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}`);
    let r: RunResults;
    try {
        if (o.reportFrom) {
            r = rereport(JSON.parse(fs.readFileSync(o.reportFrom, "utf8")) as RunResults);
            o.drills = DRILLS.filter((d) => r.options.drills.includes(d.id));
        } else r = await runDrills(o, log);
    } catch (e) {
        console.error(`drill: ${(e as Error).stack ?? e}`);
        return 1;
    }
    const out = path.resolve(o.out);
    const rs = writeReport(out, o.drills, r, COMMENTARY);
    console.log("\n" + consoleTable(rs));
    if (r.errors.length) console.log(`\n${r.errors.length} iteration(s) failed (see report)`);
    if (r.skipped.length) console.log(`skipped: ${r.skipped.join("; ")}`);
    console.log(`\nwrote ${path.join(out, "report.md")}, recovery.svg, results.json in ${(r.durationMs / 60000).toFixed(1)} min`);
    return 0;
}

if (require.main === module) {
    main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
}
