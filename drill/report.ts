/**
 * Drill results → console table, drill-report/report.md, drill-report/recovery.svg (hand-written SVG, no
 * dependencies) and drill-report/results.json.
 */
import * as fs from "fs";
import * as path from "path";
import type { DrillDef, DrillSample } from "./drills";
import type { EnvFinding, Profile } from "./env";
import { Stats, fmtS, percentile, stats } from "./measure";

export interface IterationError { drill: string; profile: Profile; iteration: number; error: string }

export interface RunResults {
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    options: { n: number; profiles: Profile[]; drills: string[]; budgetMin: number };
    environment: Record<string, string>;
    samples: DrillSample[];
    errors: IterationError[];
    findings: EnvFinding[];
    skipped: string[];
}

export interface Row {
    drill: DrillDef;
    profile: Profile;
    n: number;
    errors: number;
    ttr: Stats;
    vipMove: Stats;
    failedTotal: number;
    failedMax: number;
    secondOutage: number;
    target?: string;
    verdict?: string;
}

export const ANCHORS = [
    { label: "seed service loss 5.94 s", ms: 5940 },
    { label: "kubeadm service loss 31.89 s", ms: 31890 },
    { label: "seed link loss 3.29 s", ms: 3290 },
];

export function rows(defs: DrillDef[], r: RunResults): Row[] {
    const out: Row[] = [];
    for (const d of defs) {
        for (const p of r.options.profiles) {
            const ss = r.samples.filter((s) => s.drill === d.id && s.profile === p);
            const errs = r.errors.filter((e) => e.drill === d.id && e.profile === p);
            if (!ss.length && !errs.length) continue;
            const ttr = stats(ss.map((s) => s.ttrMs));
            const failed = ss.map((s) => s.failed);
            const row: Row = {
                drill: d, profile: p, n: ss.length, errors: errs.length, ttr, vipMove: stats(ss.map((s) => s.vipMoveMs)),
                failedTotal: failed.reduce((a, b) => a + b, 0), failedMax: failed.length ? Math.max(...failed) : 0,
                secondOutage: ss.reduce((a, s) => a + s.secondOutage, 0),
            };
            const t = d.target?.[p];
            const misses = d.expect ? ss.map((s) => d.expect!.check(s)).filter((x): x is string => !!x) : [];
            if (t || d.expect) {
                row.target = [t?.label, d.expect?.label].filter(Boolean).join("; ");
                const okP50 = t?.p50Ms === undefined || (ttr.p50 !== undefined && ttr.p50 <= t.p50Ms);
                const okFailed = t?.failed === undefined || row.failedMax <= t.failed;
                row.verdict = ss.length === 0 ? "no data"
                    : okP50 && okFailed && !errs.length && !misses.length ? "meets"
                    : `MISSES${misses.length ? ` (${misses.length}/${ss.length}: ${[...new Set(misses)].slice(0, 2).join("; ")})` : ""}`;
            }
            out.push(row);
        }
    }
    return out;
}

function pad(s: string, n: number): string { return s.length >= n ? s : s + " ".repeat(n - s.length); }

export function consoleTable(rs: Row[]): string {
    const head = ["drill", "profile", "n", "err", "p50 s", "p95 s", "max s", "VIP p50 s", "failed", "2nd outage", "target", "verdict"];
    const body = rs.map((r) => [r.drill.id, r.profile, String(r.n), String(r.errors), fmtS(r.ttr.p50), fmtS(r.ttr.p95), fmtS(r.ttr.max),
        fmtS(r.vipMove.p50), `${r.failedTotal} (max ${r.failedMax})`, String(r.secondOutage), r.target ?? "", r.verdict ?? ""]);
    const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    return [head, w.map((x) => "-".repeat(x)), ...body].map((line) => line.map((c, i) => pad(c, w[i])).join("  ")).join("\n");
}

function mdTable(rs: Row[]): string {
    const L = ["| drill | profile | n | errors | time to recovery p50 / p95 / max (s) | VIP move p50 (s) | failed requests (sum, max per run) | 2nd outage | target | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|"];
    for (const r of rs) {
        L.push(`| ${r.drill.num}. ${r.drill.id} | ${r.profile} | ${r.n} | ${r.errors} | ${fmtS(r.ttr.p50)} / ${fmtS(r.ttr.p95)} / ${fmtS(r.ttr.max)} | ` +
            `${fmtS(r.vipMove.p50)} | ${r.failedTotal} (${r.failedMax}) | ${r.secondOutage} | ${r.target ?? ""} | ${r.verdict ?? ""} |`);
    }
    return L.join("\n");
}

/** Summarises a sample's `extra` across iterations: numbers → p50 [min–max], others → distinct values with counts. */
function extras(ss: DrillSample[]): string[] {
    const keys = [...new Set(ss.flatMap((s) => Object.keys(s.extra)))];
    return keys.map((k) => {
        const vals = ss.map((s) => s.extra[k]).filter((v) => v !== undefined);
        if (vals.length && vals.every((v) => typeof v === "number")) {
            const n = vals as number[];
            const isMs = /Ms$/.test(k);
            const f = (x: number) => (isMs ? `${(x / 1000).toFixed(2)} s` : String(Math.round(x * 100) / 100));
            return `${k}: p50 ${f(percentile(n, 50)!)} [${f(Math.min(...n))} – ${f(Math.max(...n))}]`;
        }
        const c = new Map<string, number>();
        for (const v of vals) {
            const t = String(v).replace(/\s+/g, " ");
            const key = t.length > 400 ? `${t.slice(0, 400)}…` : t;
            c.set(key, (c.get(key) ?? 0) + 1);
        }
        return `${k}: ${[...c].map(([v, x]) => `${v}${x > 1 || vals.length > 1 ? ` (×${x})` : ""}`).join(", ")}`;
    });
}

function errorKinds(ss: DrillSample[]): string {
    const c: Record<string, number> = {};
    for (const s of ss) for (const [k, v] of Object.entries(s.probe?.errors ?? {})) c[k] = (c[k] ?? 0) + v;
    return Object.entries(c).map(([k, v]) => `${k}×${v}`).join(", ") || "none";
}

export function markdown(defs: DrillDef[], r: RunResults, rs: Row[], commentary: Record<string, string> = {}): string {
    const L: string[] = [];
    L.push("# kubeedge-ha failover drills", "");
    L.push(`Run ${r.startedAt} → ${r.finishedAt} (${(r.durationMs / 60000).toFixed(1)} min); n = ${r.options.n} per drill and profile ` +
        `(capped per drill where noted); profiles ${r.options.profiles.join(", ")}; budget ${r.options.budgetMin} min.`, "");
    L.push("Environment: " + Object.entries(r.environment).map(([k, v]) => `${k} ${v}`).join("; ") + ".", "");
    L.push("Lab: network-namespace hosts on one bridge with real sshd; the program is applied by `lab/apply.ts` (the real " +
        "Pulumi program under the mock runtime, every remote command over real SSH). apiserver VIP 192.0.2.10:6443 on lb1/lb2 " +
        "(haproxy → fake apiservers on master1-3), cloudcore VIP 192.0.2.100 on cc1/cc2 (fake cloudcore v1.7+). The drills only " +
        "inject faults and measure; restores use the product's own service/reload scripts where a product daemon is involved.", "");
    L.push("## Measurement", "");
    L.push("- Client probe in the client namespace (192.0.2.2): a NEW connection every 20 ms (open loop), HTTPS GET /version " +
        "through haproxy (apiserver VIP) or HTTPS GET /ca.crt :10002 (cloudcore VIP), certificate verified, 1.5 s bound per request.",
        "- Fault instant: when the fault took effect (SIGKILL: the kill; commands such as `ip link`/`tc`: the midpoint of the command).",
        "- **Time to recovery**: fault → end of the first successful request that started at or after the last failed one " +
        "(= the first success after the fault when the outage starts at once). Per drill, the \"metric\" line below says what it is.",
        "- **VIP move**: fault → the VIP appears on the new holder, from `ip -o -n <ns> monitor address` in each member's namespace.",
        "- **failed**: requests started in the fault phase that failed (drills 4, 7, 8, 9: new requests only; in-flight ones are listed apart).",
        "- **2nd outage**: failed requests after the restore began (link up, daemon restarted…): a second disruption on recovery.",
        "- Between iterations the lab is restored to exactly one holder (stable 1 s) + a successful client request, with bounded waits.", "");
    L.push("## Results", "", mdTable(rs), "");
    L.push("Anchors (failover-facts §11): seed (KubeEdge README) service loss 5.94 s p50, kubeadm guide 31.89 s; link loss 3.29 s / 3.08 s.", "");
    L.push("![recovery times](recovery.svg)", "");
    if (r.findings.length) {
        L.push("## Findings", "");
        for (const f of r.findings) L.push(`- **${f.id}**: ${f.text}`);
        L.push("");
    }
    L.push("## Per drill", "");
    for (const d of defs) {
        const ss = r.samples.filter((s) => s.drill === d.id);
        const errs = r.errors.filter((e) => e.drill === d.id);
        if (!ss.length && !errs.length) continue;
        L.push(`### ${d.num}. ${d.title} (\`${d.id}\`)`, "");
        L.push(`Metric: ${d.metric}.`, "");
        if (commentary[d.id]) L.push(commentary[d.id], "");
        for (const p of r.options.profiles) {
            const sp = ss.filter((s) => s.profile === p);
            if (!sp.length) continue;
            const slow = stats(sp.map((x) => x.probe?.slowestOkMs));
            L.push(`**${p}** (n = ${sp.length}): error kinds of failed requests: ${errorKinds(sp)}; slowest successful request ` +
                `in the fault phase p50 ${fmtS(slow.p50)} s, max ${fmtS(slow.max)} s.`, "");
            for (const e of extras(sp)) L.push(`- ${e}`);
            const tl = sp[0].timeline?.map((e) => `${(e.t / 1000).toFixed(2)} s [${e.holders.join(",") || "none"}]`).join(" → ");
            if (tl) L.push(`- VIP timeline of the first run (relative to the fault): ${tl}`);
            for (const x of sp.filter((q) => q.failed > 0 && q.failed <= 5)) L.push(`- run ${x.iteration + 1}: failed requests at ${x.failedAt?.join("; ")}`);
            const notes = [...new Set(sp.flatMap((s) => s.notes).filter(Boolean))].slice(0, 3);
            for (const n of notes) L.push(`- note: ${n.slice(0, 300)}`);
            L.push("");
        }
        for (const e of errs) L.push(`- iteration ${e.iteration} (${e.profile}) FAILED: ${e.error.slice(0, 500)}`);
        if (errs.length) L.push("");
    }
    if (r.skipped.length) L.push("## Skipped", "", ...r.skipped.map((s) => `- ${s}`), "");
    return L.join("\n") + "\n";
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Strip + box plot of the time-to-recovery distribution per drill and profile, log time axis. */
export function svg(rs: Row[], r: RunResults): string {
    const withData = rs.filter((x) => x.n > 0);
    const rowH = 26, top = 48, left = 300, width = 980, plotW = width - left - 30;
    const height = top + withData.length * rowH + 60;
    const lo = 10, hi = 60_000; // ms
    const x = (ms: number) => Math.round((left + (Math.log10(Math.min(hi, Math.max(lo, ms))) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotW) * 10) / 10;
    const color = (p: Profile) => (p === "fast" ? "#d9480f" : "#1c7ed6");
    const S: string[] = [];
    S.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
    S.push(`<rect width="100%" height="100%" fill="white"/>`);
    S.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">Time to recovery per drill (log scale; dots = runs, box = p25–p75, bar = p50)</text>`);
    S.push(`<text x="${left}" y="36" fill="#555">blue = default profile, orange = fast; red tick = p50 target; dashed = anchors (failover-facts §11)</text>`);
    for (const t of [10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 60_000]) {
        S.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${top + withData.length * rowH}" stroke="#eee"/>`);
        S.push(`<text x="${x(t)}" y="${top + withData.length * rowH + 16}" text-anchor="middle" fill="#555">${t < 1000 ? `${t} ms` : `${t / 1000} s`}</text>`);
    }
    ANCHORS.forEach((a, i) => {
        S.push(`<line x1="${x(a.ms)}" y1="${top - 6}" x2="${x(a.ms)}" y2="${top + withData.length * rowH}" stroke="#888" stroke-dasharray="4 3"/>`);
        S.push(`<text x="${x(a.ms) + 3}" y="${top + withData.length * rowH + 32 + (i % 2) * 13}" fill="#666" font-size="11">${esc(a.label)}</text>`);
    });
    withData.forEach((row, i) => {
        const y = top + i * rowH + rowH / 2;
        const vals = r.samples.filter((s) => s.drill === row.drill.id && s.profile === row.profile).map((s) => s.ttrMs)
            .filter((v): v is number => typeof v === "number");
        S.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end">${esc(`${row.drill.id} (${row.profile})`)}</text>`);
        S.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#f4f4f4"/>`);
        const target = row.drill.target?.[row.profile]?.p50Ms;
        if (target) S.push(`<line x1="${x(target)}" y1="${y - 11}" x2="${x(target)}" y2="${y + 11}" stroke="#e03131" stroke-width="2"><title>target p50 ${target / 1000} s</title></line>`);
        if (vals.length) {
            const q1 = percentile(vals, 25)!, q3 = percentile(vals, 75)!, med = percentile(vals, 50)!;
            S.push(`<rect x="${x(q1)}" y="${y - 8}" width="${Math.max(1, x(q3) - x(q1))}" height="16" fill="${color(row.profile)}" fill-opacity="0.15" stroke="${color(row.profile)}"/>`);
            S.push(`<line x1="${x(med)}" y1="${y - 10}" x2="${x(med)}" y2="${y + 10}" stroke="${color(row.profile)}" stroke-width="2.5"/>`);
            vals.forEach((v, k) => {
                const jitter = ((k * 7) % 11 - 5) * 1.2;
                S.push(`<circle cx="${x(v).toFixed(1)}" cy="${(y + jitter).toFixed(1)}" r="2.6" fill="${color(row.profile)}" fill-opacity="0.8"><title>${(v / 1000).toFixed(3)} s</title></circle>`);
            });
        } else {
            S.push(`<text x="${left + 4}" y="${y + 4}" fill="#999">no time-to-recovery figure</text>`);
        }
    });
    S.push("</svg>");
    return S.join("\n") + "\n";
}

export function writeReport(outDir: string, defs: DrillDef[], r: RunResults, commentary: Record<string, string> = {}): Row[] {
    fs.mkdirSync(outDir, { recursive: true });
    const rs = rows(defs, r);
    fs.writeFileSync(path.join(outDir, "results.json"), JSON.stringify({ ...r, rows: rs.map((x) => ({ ...x, drill: x.drill.id })) }, null, 1) + "\n");
    fs.writeFileSync(path.join(outDir, "report.md"), markdown(defs, r, rs, commentary));
    fs.writeFileSync(path.join(outDir, "recovery.svg"), svg(rs, r));
    return rs;
}
