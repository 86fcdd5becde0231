import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cloudCoreProbe, CloudCoreProbeOptions, upstreamReadyzProbe } from "../../../components/render/cloudcoreCheck";
import { InputError } from "../../../components/render/errors";
import { run } from "../../../lab/proc";
import { makeSelfSignedCert } from "../../../lab/fakes/apiserver";

const ROOT = path.join(__dirname, "..", "..", "..");
const HTTPS = 31402, WS = 31400;

interface Fake { name: string; host: string; args: string[] }
const FAKES: Fake[] = [
    { name: "v17", host: "127.0.0.2", args: ["--mode", "v17"] },
    { name: "leader", host: "127.0.0.3", args: ["--mode", "leader"] },
    { name: "standby", host: "127.0.0.4", args: ["--mode", "standby"] },
    { name: "tcpOnly", host: "127.0.0.5", args: ["--mode", "v17", "--no-https"] },
    { name: "httpsOnly", host: "127.0.0.6", args: ["--mode", "v17", "--no-ws"] },
];
const DOWN = "127.0.0.7";
const host = (name: string) => FAKES.find((f) => f.name === name)!.host;

function startFake(f: Fake, cert: { cert: string; key: string }): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "lab/fakes/cloudcore.ts"),
        "--address", f.host, "--https-port", String(HTTPS), "--ws-port", String(WS), "--cert", cert.cert, "--key", cert.key, ...f.args],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`fake ${f.name} did not start: ${out}`)), 20_000);
        const onData = (d: Buffer) => {
            out += d.toString();
            if (out.includes("listening")) { clearTimeout(timer); resolve(child); }
        };
        child.stdout!.on("data", onData);
        child.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
        child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`fake ${f.name} exited ${code}: ${out}`)); });
    });
}

/** Runs a probe with sh -c; returns exit code and elapsed seconds. */
async function probe(cmd: string): Promise<{ code: number; secs: number }> {
    const t0 = Date.now();
    const r = await run(["sh", "-c", cmd], { timeoutMs: 10_000 });
    return { code: r.code, secs: (Date.now() - t0) / 1000 };
}

const at = (h: string, o: CloudCoreProbeOptions = {}): CloudCoreProbeOptions => ({ host: h, httpsPort: HTTPS, wsPort: WS, ...o });

describe("cloudcore keepalived probe (against fake cloudcore)", function () {
    this.timeout(60_000);
    const children: ChildProcess[] = [];
    let dir = "";

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-probe-"));
        const cert = makeSelfSignedCert(dir, FAKES.map((f) => f.host), "fake-cloudcore");
        const started = await Promise.allSettled(FAKES.map((f) => startFake(f, cert)));
        for (const s of started) if (s.status === "fulfilled") children.push(s.value);
        const failed = started.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
        if (failed) throw failed.reason;
    });

    after(async () => {
        await Promise.all(children.map((c) => new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => { c.kill("SIGKILL"); resolve(); }, 3000);
            c.once("exit", () => { clearTimeout(t); resolve(); });
            c.kill("SIGTERM");
        })));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("v1.7+ probe (/ca.crt + TCP connect)", () => {
        for (const name of ["v17", "leader", "standby"]) {
            it(`passes against a healthy fake (${name} mode)`, async () => {
                const r = await probe(cloudCoreProbe("v1.23.1", at(host(name))));
                assert.strictEqual(r.code, 0);
                assert.ok(r.secs < 1.5, `took ${r.secs}s`);
            });
        }
        it("fails when nothing listens", async () => {
            const r = await probe(cloudCoreProbe("v1.7.0", at(DOWN)));
            assert.notStrictEqual(r.code, 0);
            assert.ok(r.secs < 1.5, `took ${r.secs}s`);
        });
        it("fails when only the TCP port is up (HTTPS down)", async () => {
            assert.notStrictEqual((await probe(cloudCoreProbe("v1.10.0", at(host("tcpOnly"))))).code, 0);
        });
        it("fails when only HTTPS is up (websocket port down)", async () => {
            assert.notStrictEqual((await probe(cloudCoreProbe("v1.10.0", at(host("httpsOnly"))))).code, 0);
        });
        it("is bounded by --max-time when HTTPS hangs (TCP accepted, no TLS)", async () => {
            const r = await probe(cloudCoreProbe("v1.23.1", at(host("v17"), { httpsPort: WS, maxTime: 0.3 })));
            assert.notStrictEqual(r.code, 0);
            assert.ok(r.secs >= 0.25 && r.secs < 1.5, `took ${r.secs}s`);
        });
    });

    describe("v1.3.1–v1.6 probe (/readyz)", () => {
        it("passes against the leader", async () => assert.strictEqual((await probe(cloudCoreProbe("v1.5.2", at(host("leader"))))).code, 0));
        it("fails against a standby (404)", async () => assert.notStrictEqual((await probe(cloudCoreProbe("v1.5.2", at(host("standby"))))).code, 0));
        it("fails when nothing listens", async () => assert.notStrictEqual((await probe(cloudCoreProbe("1.6.0", at(DOWN)))).code, 0));
    });

    describe("upstream README /readyz probe", () => {
        it("never passes on v1.7+ (route removed, kubeedge#3059)", async () => {
            assert.notStrictEqual((await probe(upstreamReadyzProbe({ host: host("v17"), httpsPort: HTTPS }))).code, 0);
        });
        it("passes on a v1.3.1–v1.6 leader", async () => {
            assert.strictEqual((await probe(upstreamReadyzProbe({ host: host("leader"), httpsPort: HTTPS, maxTime: 1 }))).code, 0);
        });
    });

    describe("probe text", () => {
        it("defaults to 127.0.0.1:10002/10000 with max-time 0.4", () => {
            const p = cloudCoreProbe("v1.23.1");
            assert.ok(p.includes("--max-time 0.4 https://127.0.0.1:10002/ca.crt"), p);
            assert.ok(p.includes("telnet://127.0.0.1:10000"), p);
            assert.ok(cloudCoreProbe("v1.4.0").includes("https://127.0.0.1:10002/readyz"));
            assert.ok(!upstreamReadyzProbe().includes("--max-time"));
        });
        it("brackets IPv6 hosts", () => assert.ok(cloudCoreProbe("v1.23.1", { host: "::1" }).includes("https://[::1]:10002/ca.crt")));
        it("refuses bad options and versions", () => {
            for (const [fn, field] of [
                [() => cloudCoreProbe("v1.3.0"), "version"],
                [() => cloudCoreProbe("v1.23.1", { host: "localhost" }), "probe.host"],
                [() => cloudCoreProbe("v1.23.1", { httpsPort: 0 }), "probe.httpsPort"],
                [() => cloudCoreProbe("v1.23.1", { maxTime: 30 }), "probe.maxTime"],
            ] as const) {
                assert.throws(fn, (e: unknown) => e instanceof InputError && e.field === field);
            }
        });
    });
});
