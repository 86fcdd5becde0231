/**
 * `npm run bench`: evaluation time of the program (mock runtime, offline render) for the dev stack
 * and for generated stacks of 50, 100 and 200 hosts, median of 5 runs each, in fresh processes.
 * Prints numbers; asserts nothing. Goal: dev ≤ 2 s, 200 hosts ≤ 10 s, growing linearly.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

const root = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** A stack with `n` hosts (n ≤ 200): n/2 LB hosts in 192.0.2.0/24 in front of 3 masters, n/2 cloudcore nodes in 198.51.100.0/24. */
export function generatedStack(n: number): Record<string, unknown> {
    const half = Math.floor(n / 2);
    const hosts: Record<string, unknown> = {};
    const lb: string[] = [];
    const cc: string[] = [];
    for (let i = 0; i < half; i++) {
        hosts[`lb${i}`] = { address: `192.0.2.${i + 2}/24`, interface: "eth1" };
        lb.push(`lb${i}`);
        hosts[`cc${i}`] = { address: `198.51.100.${i + 2}/24`, interface: "eth1" };
        cc.push(`cc${i}`);
    }
    return {
        config: {
            "kubeedge-ha:hosts": hosts,
            "kubeedge-ha:apiserver": {
                hosts: lb, vip: "192.0.2.250",
                masters: [1, 2, 3].map((m) => ({ name: `master${m}`, address: `203.0.113.${m}` })),
            },
            "kubeedge-ha:cloudcore": { hosts: cc, vip: "198.51.100.250" },
        },
    };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

function time(stackFile: string, out: string): { evaluated: number; wall: number; resources: number } {
    const t = Date.now();
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "render/main.ts", "--stack-file", stackFile, "--out", out],
        { cwd: root, encoding: "utf8", timeout: 300000 });
    if (r.status !== 0) throw new Error(`render failed: ${r.stderr}`);
    const m = /: (\d+) resources, .*evaluated in (\d+) ms/.exec(r.stdout);
    if (!m) throw new Error(`unexpected output: ${r.stdout}`);
    return { resources: Number(m[1]), evaluated: Number(m[2]), wall: Date.now() - t };
}

function main(): void {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kha-bench-"));
    try {
        const cases: [string, string][] = [["dev stack (4 hosts)", path.join(root, "Pulumi.dev.yaml")]];
        for (const n of [50, 100, 200]) {
            const f = path.join(tmp, `Pulumi.gen${n}.yaml`);
            fs.writeFileSync(f, YAML.stringify(generatedStack(n)));
            cases.push([`generated ${n} hosts`, f]);
        }
        console.log(`program evaluation under the mock runtime, median of ${RUNS} runs (fresh process each)`);
        console.log("case                    resources  evaluate ms  ms/resource  process wall ms");
        for (const [name, file] of cases) {
            const runs = Array.from({ length: RUNS }, () => time(file, path.join(tmp, "out")));
            const ev = median(runs.map((r) => r.evaluated));
            const res = runs[0].resources;
            console.log(`${name.padEnd(22)} ${String(res).padStart(10)} ${String(ev).padStart(12)} ${(ev / res).toFixed(2).padStart(12)} ${String(median(runs.map((r) => r.wall))).padStart(16)}`);
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

if (require.main === module) main();
