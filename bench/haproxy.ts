/**
 * Overhead of haproxy (TCP passthrough) in front of fake apiservers, same run, loopback:
 * GET /version direct to one fake vs through haproxy (2 fakes), new TLS connection per request and keep-alive.
 *
 *   npx ts-node bench/haproxy.ts      env: BENCH_SECONDS (5 per case), BENCH_WORKERS (8 concurrent clients)
 *
 * haproxy runs with `log: "none"` so the bench process does not also consume haproxy's log pipe.
 */
import * as fs from "node:fs";
import { Procs, runLoad, startLab, summarize } from "../test/support/haproxy";

async function main(): Promise<void> {
    const seconds = Number(process.env.BENCH_SECONDS ?? 5);
    const workers = Number(process.env.BENCH_WORKERS ?? 8);
    const procs = new Procs();
    let dir: string | undefined;
    const stop = () => { procs.stopAll().finally(() => process.exit(130)); };
    process.once("SIGINT", stop);
    try {
        const lab = await startLab(procs, ["api-a", "api-b"], { log: "none" });
        dir = lab.dir;
        const ca = fs.readFileSync(lab.cert);
        const direct = lab.fakes[0];
        const rows: string[][] = [];
        const rps: Record<string, number> = {};
        for (const keepAlive of [false, true]) {
            for (const [target, host, port] of [["direct", direct.host, direct.port], ["haproxy", lab.host, lab.frontend]] as const) {
                const mode = keepAlive ? "keep-alive" : "new-conn";
                const s = summarize(await runLoad({ host, port, ca, workers, keepAlive, count: Infinity, durationMs: seconds * 1000 }));
                rps[`${mode}/${target}`] = s.rps;
                rows.push([mode, target, String(s.n), String(s.failed), s.rps.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2)]);
            }
        }
        const head = ["mode", "target", "requests", "failed", "req/s", "p50 ms", "p99 ms"];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
        const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i])).join("  ");
        console.log(`haproxy bench: ${workers} workers, ${seconds} s per case, GET /version over TLS, loopback`);
        console.log(line(head));
        rows.forEach(r => console.log(line(r)));
        for (const mode of ["new-conn", "keep-alive"]) {
            console.log(`${mode}: haproxy/direct req/s ratio ${(rps[`${mode}/haproxy`] / rps[`${mode}/direct`]).toFixed(2)}`);
        }
    } finally {
        await procs.stopAll();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch(e => { console.error(e); process.exit(1); });
