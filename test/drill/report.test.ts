/** The drill report: verdicts against the targets, the markdown table, the SVG, and re-reporting a past run. */
import * as assert from "node:assert/strict";
import type { DrillDef, DrillSample } from "../../drill/drills";
import { parseArgs, rereport } from "../../drill/main";
import { RunResults, markdown, rows, svg } from "../../drill/report";

const def = (over: Partial<DrillDef>): DrillDef => ({
    id: "3-haproxy-kill", num: 3, title: "haproxy killed on the holder", group: "apiserver", metric: "fault → first success",
    target: { default: { p50Ms: 1200, label: "≤ 1.2 s p50" }, fast: { p50Ms: 600, label: "≤ 0.6 s p50" } },
    run: () => Promise.reject(new Error("not run in this test")), ...over,
});
const sample = (drill: string, profile: "default" | "fast", iteration: number, ttrMs: number | undefined, failed = 0,
    extra: DrillSample["extra"] = {}): DrillSample =>
    ({ drill, profile, iteration, ttrMs, vipMoveMs: ttrMs, failed, requests: 100, secondOutage: 0, extra, notes: [] });
const results = (samples: DrillSample[], over: Partial<RunResults> = {}): RunResults => ({
    startedAt: "2026-11-22T00:00:00.000Z", finishedAt: "2026-11-22T00:10:00.000Z", durationMs: 600_000,
    options: { n: 3, profiles: ["default", "fast"], drills: ["3-haproxy-kill"], budgetMin: 100 },
    environment: { cpus: "2" }, samples, errors: [], findings: [], skipped: [], ...over,
});

describe("drill report", () => {
    it("a row meets its target only on p50, failed requests, iteration errors and the per-run expectation", () => {
        const d = def({});
        const ss = [sample(d.id, "default", 0, 400), sample(d.id, "default", 1, 500), sample(d.id, "default", 2, 2000),
            sample(d.id, "fast", 0, 700), sample(d.id, "fast", 1, 800)];
        const [dflt, fast] = rows([d], results(ss));
        assert.deepEqual([dflt.n, dflt.ttr.p50, dflt.ttr.max, dflt.verdict], [3, 500, 2000, "meets"]);
        assert.deepEqual([fast.n, fast.ttr.p50, fast.verdict], [2, 700, "MISSES"]);

        const zero = def({ id: "7-haproxy-reload", target: { default: { failed: 0, label: "0 failed" } },
            expect: { label: "VIP unmoved", check: (s) => (s.extra.vipEvents ? "VIP moved" : undefined) } });
        const r = (xs: DrillSample[], errors: RunResults["errors"] = []) =>
            rows([zero], results(xs, { options: { n: 2, profiles: ["default"], drills: [zero.id], budgetMin: 1 }, errors }))[0].verdict;
        assert.equal(r([sample(zero.id, "default", 0, 10), sample(zero.id, "default", 1, 20)]), "meets");
        assert.equal(r([sample(zero.id, "default", 0, 10), sample(zero.id, "default", 1, 20, 1)]), "MISSES");
        assert.equal(r([sample(zero.id, "default", 0, 10, 0, { vipEvents: 1 })]), "MISSES (1/1: VIP moved)");
        assert.equal(r([sample(zero.id, "default", 0, 10)], [{ drill: zero.id, profile: "default", iteration: 1, error: "boom" }]), "MISSES");
    });

    it("markdown carries the table and the commentary; the SVG is one document with a box per row", () => {
        const d = def({});
        const r = results([sample(d.id, "default", 0, 450), sample(d.id, "fast", 0, 170)]);
        const rs = rows([d], r);
        const md = markdown([d], r, rs, { [d.id]: "The holder's haproxy is SIGKILLed." });
        assert.match(md, /\| 3\. 3-haproxy-kill \| default \| 1 \| 0 \| 0\.45 \/ 0\.45 \/ 0\.45 \|/);
        assert.match(md, /\| 3\. 3-haproxy-kill \| fast \| 1 \| 0 \| 0\.17 \/ 0\.17 \/ 0\.17 \|/);
        assert.match(md, /The holder's haproxy is SIGKILLed\./);
        const s = svg(rs, r);
        assert.match(s, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.match(s, /<\/svg>\s*$/);
        assert.equal((s.match(/<svg/g) ?? []).length, 1);
        assert.equal((s.match(/<rect x=/g) ?? []).length, 2, "one p25–p75 box per row with data");
        assert.equal((s.match(/<circle /g) ?? []).length, 2, "one dot per run");
        assert.match(s, /<title>0\.450 s<\/title>/);
    });

    it("re-reporting a past run recomputes the derived findings and keeps the environment's", () => {
        const k = [0, 1].map((i) => sample("2-keepalived-kill", "default", i, 20, 0,
            { noHolderMs: 0, duplicateMs: 2000, restartMs: 4700, takeoverMs: 2700 }));
        const stale = results(k, { findings: [
            { id: "supervisor-restart-vs-takeover", text: "old text from a version without the master-down wait" },
            { id: "profile-switch-dual-master-fast", text: "measured by the lab" }] });
        assert.deepEqual(rereport(stale).findings.map((f) => f.id), ["profile-switch-dual-master-fast"],
            "no run without a holder: the supervisor finding is gone");
        k[1].extra.noHolderMs = 1600;
        const again = rereport(stale).findings;
        assert.deepEqual(again.map((f) => f.id), ["profile-switch-dual-master-fast", "supervisor-restart-vs-takeover"]);
        assert.match(again[1].text, /no holder at all in 1\/2 runs/);
    });

    it("the command line is checked before any lab is built", () => {
        assert.equal(parseArgs([]).n, 20);
        assert.deepEqual(parseArgs(["--drills", "3,10", "--profiles", "fast"]).drills.map((d) => d.num).sort((a, b) => a - b), [3, 10, 10, 10]);
        assert.equal(parseArgs(["--report-from", "x/results.json"]).reportFrom, "x/results.json");
        assert.throws(() => parseArgs(["--n", "0"]), /--n must be 1\.\.1000/);
        assert.throws(() => parseArgs(["--drills", "42"]), /unknown drill\(s\) 42/);
        assert.throws(() => parseArgs(["--profiles", "slow"]), /--profiles: default and\/or fast/);
    });
});
