/**
 * Pure measurement helpers for the drills: what a probe log and a VIP timeline say about one fault.
 * No lab access here (unit-testable).
 *
 * Definitions (also in the report):
 * - fault instant `tf`: when the fault took effect (for commands: the midpoint of the command's run).
 * - failed: probe requests STARTED in [tf, tr) that failed (tr = start of the restore phase).
 * - time to recovery (ttr): from tf to the end of the first successful request that started at or after
 *   the start of the last failed request of the fault phase; with no failure, to the end of the first
 *   successful request that started after tf. Undefined when service did not come back before tr.
 * - second outage: failed requests started at or after tr (the restore phase).
 */
import type { ProbeLine } from "./probe";

export interface VipEvent { t: number; holders: string[] }

export interface ProbeSummary {
    total: number;
    before: number;
    failedBefore: number;
    /** requests started in [tf, tr) */
    during: number;
    failed: number;
    ttrMs?: number;
    /** span from the first failure to the end of the recovering request (0 with no failure) */
    outageMs: number;
    /** restore phase */
    after: number;
    failedAfter: number;
    /** error kinds of failed requests in the fault phase, e.g. { ECONNRESET: 3, timeout: 40 } */
    errors: Record<string, number>;
    errorsAfter: Record<string, number>;
    /** slowest successful request of the fault phase (ms): SYN retransmissions show up here, not as failures */
    slowestOkMs?: number;
}

export function errKey(l: ProbeLine): string {
    return l.err ?? (l.code !== undefined ? `HTTP ${l.code}` : "error");
}

function count(lines: ProbeLine[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of lines) out[errKey(l)] = (out[errKey(l)] ?? 0) + 1;
    return out;
}

export function summarizeProbe(lines: ProbeLine[], tf: number, tr: number): ProbeSummary {
    const sorted = [...lines].sort((a, b) => a.s - b.s);
    const before = sorted.filter((l) => l.s < tf);
    const during = sorted.filter((l) => l.s >= tf && l.s < tr);
    const after = sorted.filter((l) => l.s >= tr);
    const failed = during.filter((l) => !l.ok);
    let ttrMs: number | undefined;
    let outageMs = 0;
    if (failed.length) {
        const lastFailStart = Math.max(...failed.map((l) => l.s));
        const rec = sorted.filter((l) => l.ok && l.s >= lastFailStart && l.e < tr);
        if (rec.length) {
            const recEnd = Math.min(...rec.map((l) => l.e));
            ttrMs = recEnd - tf;
            outageMs = recEnd - Math.min(...failed.map((l) => l.s));
        }
    } else {
        const ok = during.filter((l) => l.ok);
        if (ok.length) ttrMs = Math.min(...ok.map((l) => l.e)) - tf;
    }
    const failedAfter = after.filter((l) => !l.ok);
    return {
        total: sorted.length, before: before.length, failedBefore: before.filter((l) => !l.ok).length,
        during: during.length, failed: failed.length, ttrMs, outageMs,
        after: after.length, failedAfter: failedAfter.length, errors: count(failed), errorsAfter: count(failedAfter),
        slowestOkMs: during.some((l) => l.ok) ? Math.max(...during.filter((l) => l.ok).map((l) => l.e - l.s)) : undefined,
    };
}

/** Holders at time t (the last event at or before t). */
export function holdersAt(events: VipEvent[], t: number): string[] {
    let cur: string[] = [];
    for (const e of events) { if (e.t <= t) cur = e.holders; else break; }
    return cur;
}

/** First time at/after `from` when `pred(holders)` holds, or undefined. */
export function firstTime(events: VipEvent[], from: number, pred: (h: string[]) => boolean): number | undefined {
    if (pred(holdersAt(events, from))) return from;
    for (const e of events) if (e.t > from && pred(e.holders)) return e.t;
    return undefined;
}

/** Total ms in [from, to) during which `pred(holders)` holds. */
export function timeWhere(events: VipEvent[], from: number, to: number, pred: (h: string[]) => boolean): number {
    let total = 0;
    let cur = holdersAt(events, from), t = from;
    for (const e of events) {
        if (e.t <= from) continue;
        if (e.t >= to) break;
        if (pred(cur)) total += e.t - t;
        cur = e.holders; t = e.t;
    }
    if (pred(cur)) total += to - t;
    return total;
}

export function percentile(values: number[], p: number): number | undefined {
    const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    if (!v.length) return undefined;
    // nearest-rank
    const rank = Math.max(1, Math.ceil((p / 100) * v.length));
    return v[Math.min(v.length, rank) - 1];
}

export interface Stats { n: number; p50?: number; p95?: number; max?: number; min?: number }

export function stats(values: (number | undefined)[]): Stats {
    const v = values.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
    return { n: v.length, p50: percentile(v, 50), p95: percentile(v, 95), max: v.length ? Math.max(...v) : undefined,
        min: v.length ? Math.min(...v) : undefined };
}

/** Parses probe output (JSON lines; other lines ignored). */
export function parseProbeLog(text: string): { lines: ProbeLine[]; done: boolean; started: boolean } {
    const lines: ProbeLine[] = [];
    let done = false, started = false;
    for (const raw of text.split("\n")) {
        if (!raw.startsWith("{")) continue;
        try {
            const o = JSON.parse(raw);
            if (o.done) done = true;
            else if (o.start) started = true;
            else if (typeof o.i === "number") lines.push(o as ProbeLine);
        } catch { /* partial line */ }
    }
    return { lines, done, started };
}

export const fmtS = (ms: number | undefined, digits = 2) => (ms === undefined ? "—" : (ms / 1000).toFixed(digits));
