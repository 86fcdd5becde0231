/** The drill figures' definitions, on hand-made probe logs and VIP timelines (no lab). */
import * as assert from "node:assert/strict";
import { firstTime, holdersAt, parseProbeLog, percentile, stats, summarizeProbe, timeWhere } from "../../drill/measure";
import type { ProbeLine } from "../../drill/probe";

const ok = (i: number, s: number, e: number): ProbeLine => ({ i, s, e, ok: true, code: 200 });
const bad = (i: number, s: number, e: number, err = "timeout"): ProbeLine => ({ i, s, e, ok: false, err });

describe("drill measurement", () => {
    describe("summarizeProbe", () => {
        it("time to recovery ends with the first success that started at or after the last failure", () => {
            // fault at 1000, restore at 5000; failures start 1000..1400; a request started at 1300 succeeds late
            const lines = [ok(0, 900, 910), bad(1, 1000, 2500), ok(2, 1300, 1800), bad(3, 1400, 2900, "ECONNRESET"),
                ok(4, 1450, 1460), ok(5, 1500, 1600), ok(6, 5100, 5110), bad(7, 5200, 5300)];
            const s = summarizeProbe(lines, 1000, 5000);
            assert.equal(s.ttrMs, 1460 - 1000, "the 1300 success started before the last failure and does not count");
            assert.equal(s.outageMs, 1460 - 1000);
            assert.deepEqual([s.before, s.during, s.failed, s.after, s.failedAfter], [1, 5, 2, 2, 1]);
            assert.deepEqual(s.errors, { timeout: 1, ECONNRESET: 1 });
            assert.equal(s.slowestOkMs, 500);
        });

        it("without failures it is the first success after the fault; with no recovery before the restore it is undefined", () => {
            assert.equal(summarizeProbe([ok(0, 1010, 1030), ok(1, 1030, 1035)], 1000, 2000).ttrMs, 30);
            const none = summarizeProbe([bad(0, 1010, 1500), ok(1, 2100, 2110)], 1000, 2000);
            assert.equal(none.ttrMs, undefined, "a success in the restore phase is not a recovery from the fault");
            assert.equal(none.failed, 1);
        });
    });

    describe("VIP timelines", () => {
        const ev = [{ t: 0, holders: ["lb1"] }, { t: 100, holders: [] }, { t: 250, holders: ["lb2"] },
            { t: 300, holders: ["lb1", "lb2"] }, { t: 700, holders: ["lb2"] }];
        it("holdersAt, firstTime and timeWhere read the holder set that was current at each moment", () => {
            assert.deepEqual(holdersAt(ev, 99), ["lb1"]);
            assert.deepEqual(holdersAt(ev, 100), []);
            assert.equal(firstTime(ev, 50, (h) => h.includes("lb2")), 250);
            assert.equal(firstTime(ev, 260, (h) => h.includes("lb2")), 260, "already true at `from`");
            assert.equal(firstTime(ev, 0, (h) => h.length > 2), undefined);
            assert.equal(timeWhere(ev, 50, 1000, (h) => h.length === 0), 150, "no holder 100..250");
            assert.equal(timeWhere(ev, 50, 1000, (h) => h.length > 1), 400, "duplicate 300..700");
            assert.equal(timeWhere(ev, 400, 500, (h) => h.length > 1), 100, "a window inside one state");
        });
    });

    it("percentiles are nearest-rank and ignore missing values", () => {
        const v = Array.from({ length: 20 }, (_, i) => (i + 1) * 100);
        assert.equal(percentile(v, 50), 1000);
        assert.equal(percentile(v, 95), 1900);
        assert.equal(percentile([], 50), undefined);
        assert.deepEqual(stats([300, undefined, 100, NaN, 200]), { n: 3, p50: 200, p95: 300, max: 300, min: 100 });
    });

    it("parseProbeLog keeps request lines, notes start/done and skips a torn last line", () => {
        const p = parseProbeLog(['{"start":true}', JSON.stringify(ok(0, 1, 2)), "noise", JSON.stringify(bad(1, 3, 4)),
            '{"done":true,"n":2}', '{"i":2,"s":'].join("\n"));
        assert.deepEqual(p.lines.map((l) => l.i), [0, 1]);
        assert.equal(p.started, true);
        assert.equal(p.done, true);
    });
});
