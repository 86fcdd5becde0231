/**
 * "Apply as `pulumi up` would" against lab hosts: the program is recorded for a lab stack config and
 * every remote.Command runs over real OpenSSH (lab/apply.ts, lab/engine.ts). Fake apiservers run
 * on master1-3 and fake cloudcores on cc1/cc2; haproxy and keepalived are the real daemons.
 * The tests run in order and share one lab: apply, no-op apply, config change, rejected config,
 * destroy.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RecordedResource, Recording } from "../../render/record";
import { ApplyError, ApplyLabResult, applyLab, destroyLab, statePath } from "../../lab/apply";
import { ReportEntry, apply, destroy, readState } from "../../lab/engine";
import { Lab, defaultLabSpec, labUp } from "../../lab/hosts";
import { makeSelfSignedCert } from "../../lab/fakes/apiserver";
import { isAlive, waitFor } from "../../lab/proc";
import { APISERVER_VIP, CLOUDCORE_VIP, labStackConfig } from "../../lab/stack";

const ROOT = path.resolve(__dirname, "../..");
const TS_NODE = path.join(ROOT, "node_modules/ts-node/register/transpile-only");
// fakes start with cwd "/": name the tsconfig, or ts-node falls back to defaults this TypeScript rejects
const FAKE_OPTS = { env: { TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") } };
const LBS = ["lb1", "lb2"], CCS = ["cc1", "cc2"];
const FILES = [
    "/etc/keepalived/keepalived.conf", "/etc/haproxy/haproxy.cfg", "/etc/keepalived/kubeedge-ha/check_haproxy.sh",
    "/etc/sysctl.d/90-kubeedge-ha-apiserver.conf", "/etc/modules-load.d/kubeedge-ha-ipvs.conf",
    "/etc/systemd/system/keepalived.service.d/10-kubeedge-ha.conf", "/usr/local/lib/kubeedge-ha/supervise",
];
const CC_FILES = ["/etc/keepalived/keepalived.conf", "/etc/keepalived/kubeedge-ha/check_cloudcore.sh"];
const LEASTCONN = { "kubeedge-ha:apiserver": { haproxy: { balance: "leastconn" } } };

describe("lab engine rules (fake runner, no hosts)", () => {
    const conn = { host: "192.0.2.11", port: 22, user: "root", privateKey: "KEY", hostKey: "ssh-ed25519 AAAAC3" };
    const cmd = (name: string, create: string, o: { delete?: string; triggers?: unknown[]; deps?: string[] } = {}): RecordedResource => ({
        type: "command:remote:Command", name, custom: true, secretInputs: [], dependsOn: (o.deps ?? []).map((d) => `command:remote:Command::${d}`),
        inputs: { connection: conn, create, delete: o.delete, triggers: o.triggers },
    });
    const rec = (...resources: RecordedResource[]): Recording => ({ stack: "t", resources, outputs: {}, secretOutputs: [], randomValues: {} });
    let dir: string;
    let ran: string[];
    let pinned: string[];
    const opts = () => ({
        statePath: path.join(dir, "state.json"), tmpDir: path.join(dir, "tmp"),
        run: async (argv: string[]) => {
            const command = argv[argv.length - 1];
            ran.push(command);
            assert.ok(argv.includes("StrictHostKeyChecking=yes"));
            pinned.push(fs.readFileSync(argv.find((a) => a.startsWith("UserKnownHostsFile="))!.slice(19), "utf8").trim());
            return command.includes("FAIL") ? { code: 1, stdout: "", stderr: "boom: validator said no" } : { code: 0, stdout: "ok", stderr: "" };
        },
    });
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "kha-engine-")); ran = []; pinned = []; });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("creates, then replaces (new create before old delete), updates, skips the same, deletes the removed last", async () => {
        await apply(rec(cmd("a", "create a1", { delete: "delete a1", triggers: [1] }), cmd("b", "create b1", { deps: ["a"] }),
            cmd("c", "create c1", { delete: "delete c1" })), opts());
        assert.deepEqual(ran, ["create a1", "create b1", "create c1"]);
        assert.deepEqual(pinned[0], "192.0.2.11 ssh-ed25519 AAAAC3");
        assert.equal(fs.statSync(path.join(dir, "state.json")).mode & 0o777, 0o600);
        ran = [];
        const report = await apply(rec(cmd("a", "create a2", { delete: "delete a2", triggers: [2] }), cmd("b", "create b2", { deps: ["a"] })), opts());
        assert.deepEqual(ran, ["create a2", "delete a1", "create b2", "delete c1"]);
        assert.deepEqual(report.map((e) => `${e.name}:${e.action}`), ["a:replace", "a:delete", "b:update", "c:delete"]);
        ran = [];
        const same = await apply(rec(cmd("a", "create a2", { delete: "delete a2", triggers: [2] }), cmd("b", "create b2", { deps: ["a"] })), opts());
        assert.deepEqual(ran, []);
        assert.deepEqual(same.map((e) => e.action), ["same", "same"]);
        ran = [];
        await destroy(opts());
        assert.deepEqual(ran, ["delete a2"]);
        assert.deepEqual(readState(path.join(dir, "state.json"))!.resources, []);
    });

    it("a failing command stops the apply with its stderr and keeps the old state", async () => {
        await apply(rec(cmd("a", "create a1"), cmd("b", "create b1", { deps: ["a"] })), opts());
        ran = [];
        await assert.rejects(apply(rec(cmd("a", "create a2 FAIL"), cmd("b", "create b2", { deps: ["a"] })), opts()),
            /update of a on 192\.0\.2\.11 failed \(exit 1\): boom: validator said no/);
        assert.deepEqual(ran, ["create a2 FAIL"], "b must not run after a failed");
        const st = readState(path.join(dir, "state.json"))!;
        assert.equal(st.resources.find((r) => r.name === "a")!.inputs.create, "create a1");
        assert.deepEqual(fs.readdirSync(path.join(dir, "tmp")), [], "temporary key files left");
    });

    it("labStackConfig points at the lab hosts and deep-merges overrides", () => {
        const key = path.join(dir, "id");
        fs.writeFileSync(key, "PRIVATE");
        const hosts = defaultLabSpec().hosts.map((h) => ({ ...h, iface: "eth1", hostKey: `ssh-ed25519 K${h.name}`, netns: "", dir: "", sshdPid: 0, switchPort: "" }));
        const cfg = labStackConfig({ hosts, privateKeyPath: key }, { cloudcore: false, overrides: { "kubeedge-ha:apiserver": { haproxy: { balance: "leastconn" } } } }) as any;
        assert.equal(cfg["kubeedge-ha:sshPrivateKey"], "PRIVATE");
        assert.equal(cfg["kubeedge-ha:cloudcore"], undefined);
        assert.deepEqual(Object.keys(cfg["kubeedge-ha:hosts"]), ["lb1", "lb2"]);
        assert.deepEqual(cfg["kubeedge-ha:hosts"].lb1, { address: "192.0.2.11/24", interface: "eth1", ssh: "192.0.2.11", hostKey: "ssh-ed25519 Klb1" });
        assert.deepEqual(cfg["kubeedge-ha:apiserver"].haproxy, { port: 6443, balance: "leastconn" });
        assert.deepEqual(cfg["kubeedge-ha:apiserver"].masters.map((m: any) => `${m.address}:${m.port}`), ["192.0.2.21:6443", "192.0.2.22:6443", "192.0.2.23:6443"]);
    });
});

describe("lab apply (program → real SSH → lab hosts)", function () {
    this.timeout(240_000);
    let lab: Lab | undefined;
    const log = (line: string) => { if (!line.startsWith("skipped")) console.log(`        ${line}`); };

    const L = () => { if (!lab) throw new Error("no lab (before() failed)"); return lab; };
    /** sh on a host (inside its namespaces, not over ssh); throws on a non-zero exit. */
    const sh = async (host: string, script: string): Promise<string> => {
        const r = await L().exec(host, ["sh", "-c", script], { timeoutMs: 15_000 });
        if (r.code !== 0) throw new Error(`${host}: ${script}: exit ${r.code}: ${r.stderr.trim()}`);
        return r.stdout.trim();
    };
    const hasVip = async (host: string, vip: string) => (await sh(host, "ip -4 -o addr show dev eth1")).includes(` ${vip}/`);
    const vipHolders = async (hosts: string[], vip: string) => {
        const out: string[] = [];
        for (const h of hosts) if (await hasVip(h, vip)) out.push(h);
        return out;
    };
    /** The only holder of `vip`, once it has been the only one for 3 s (no flapping). */
    const settledHolder = async (hosts: string[], vip: string, timeoutMs = 30_000): Promise<string> => {
        let since = 0, last = "";
        return waitFor(`${vip} on exactly one of ${hosts.join(", ")} for 3 s`, async () => {
            const h = await vipHolders(hosts, vip);
            const now = h.length === 1 ? h[0] : "";
            if (now !== last) { last = now; since = Date.now(); }
            return now && Date.now() - since >= 3000 ? now : "";
        }, timeoutMs, 200);
    };
    const pid = async (host: string, pidfile: string) => Number((await sh(host, `cat ${pidfile}`)).split(/\s+/)[0]);
    const sums = async (host: string, files: string[]) => sh(host, `sha256sum ${files.join(" ")}`);
    const curlVip = async () => {
        const r = await L().exec("client", ["curl", "-k", "-sS", "--max-time", "3", `https://${APISERVER_VIP}:6443/version`], { timeoutMs: 10_000 });
        if (r.code !== 0) throw new Error(`curl via the VIP: exit ${r.code}: ${r.stderr.trim()}`);
        return JSON.parse(r.stdout) as { name: string };
    };
    const needFirst = () => assert.ok(state.lb1 && state.cc2, "test 1 (first apply) did not complete");
    const ran = (report: ReportEntry[]) => report.filter((e) => e.action !== "same" && e.action !== "skipped");
    const byName = (report: ReportEntry[], name: string) => {
        const e = report.find((x) => x.name === name);
        assert.ok(e, `no report entry ${name}`);
        return e!;
    };

    before(async function () {
        this.timeout(120_000);
        lab = await labUp(defaultLabSpec());
        const cert = makeSelfSignedCert(path.join(lab.dir, "certs"), ["127.0.0.1", APISERVER_VIP, "192.0.2.21", "192.0.2.22", "192.0.2.23"]);
        const starts: Promise<unknown>[] = [];
        for (const m of ["master1", "master2", "master3"]) {
            starts.push(lab.startProcess(m, "apiserver", ["node", "-r", TS_NODE, path.join(ROOT, "lab/fakes/apiserver.ts"),
                "--listen", `${lab.host(m).address}:6443`, "--cert", cert.cert, "--key", cert.key, "--name", m], FAKE_OPTS));
        }
        for (const c of CCS) {
            starts.push(lab.startProcess(c, "cloudcore", ["node", "-r", TS_NODE, path.join(ROOT, "lab/fakes/cloudcore.ts"),
                "--address", "0.0.0.0", "--https-port", "10002", "--ws-port", "10000", "--cert", cert.cert, "--key", cert.key, "--mode", "v17"], FAKE_OPTS));
        }
        await Promise.all(starts);
        for (const [host, name] of [["master1", "apiserver"], ["master2", "apiserver"], ["master3", "apiserver"], ["cc1", "cloudcore"], ["cc2", "cloudcore"]]) {
            await waitFor(`fake ${name} on ${host} to listen`, async () =>
                fs.readFileSync(L().processLogPath(host, name), "utf8").includes("listening"), 30_000, 100);
        }
    });

    after(async function () {
        this.timeout(60_000);
        await lab?.down();
    });

    let first: ApplyLabResult;
    let lbHolder = "";
    const state: Record<string, { sums: string; keepalived: number; haproxy?: number }> = {};

    it("1. first apply provisions haproxy + keepalived on lb1/lb2 and keepalived on cc1/cc2", async () => {
        first = await applyLab(L());
        console.log(`        first apply: record ${first.recordMs} ms, apply ${first.applyMs} ms, ` +
            `${ran(first.report).length} resources created`);
        assert.deepEqual(first.report.filter((e) => !["create", "skipped"].includes(e.action)), [], "a first apply only creates");
        assert.equal(fs.statSync(statePath(L())).mode & 0o777, 0o600, "the state holds secrets");
        const skipped = first.report.filter((e) => e.action === "skipped");
        assert.ok(skipped.length > 0 && skipped.every((e) => e.type.startsWith("kubernetes:") && /no cluster/.test(e.note ?? "")));
        assert.ok(first.report.filter((e) => e.type === "command:remote:Command").every((e) => e.action === "create" && e.ms > 0));

        for (const h of LBS) {
            assert.equal(await sh(h, "stat -c %a /etc/keepalived/keepalived.conf /etc/haproxy/haproxy.cfg"), "600\n600");
            assert.equal(await sh(h, "stat -c %a /etc/keepalived/kubeedge-ha/check_haproxy.sh"), "755");
            assert.equal(await sh(h, "sysctl -n net.ipv4.ip_nonlocal_bind net.ipv4.ip_forward"), "1\n1");
            assert.match(await sh(h, "cat /etc/modules-load.d/kubeedge-ha-ipvs.conf"), /^ip_vs$/m);
            assert.match(byName(first.report, `apiserver-${h}-modules`).stderr, /modprobe ip_vs failed: this kernel lacks it/);
            for (const f of ["/run/keepalived.pid", "/run/haproxy.pid"]) {
                const p = await pid(h, f);
                assert.ok(isAlive(p), `${h}: ${f} names ${p}, which is not running`);
            }
        }
        console.log("        NOTE: ip_vs modules: the drop-in was written but modprobe failed on this kernel (no IP_VS);" +
            " the kernel-module part was NOT exercised.");
        for (const h of CCS) {
            assert.equal(await sh(h, "stat -c %a /etc/keepalived/keepalived.conf"), "600");
            assert.match(await sh(h, "id keepalived_script"), /keepalived_script/);
            assert.ok(isAlive(await pid(h, "/run/keepalived.pid")), `${h}: keepalived not running`);
        }

        lbHolder = await settledHolder(LBS, APISERVER_VIP);
        const ccHolder = await settledHolder(CCS, CLOUDCORE_VIP);
        console.log(`        VIP ${APISERVER_VIP} on ${lbHolder}, VIP ${CLOUDCORE_VIP} on ${ccHolder}`);
        // the first (highest-priority) hosts: keepalived starts there first, and nopreempt keeps it there
        assert.equal(lbHolder, "lb1");
        assert.equal(ccHolder, "cc1");
        const answer = await waitFor("curl https://VIP:6443/version through haproxy", curlVip, 15_000, 200);
        assert.match(answer.name, /^master[123]$/);

        for (const h of [...LBS, ...CCS]) {
            state[h] = {
                sums: await sums(h, LBS.includes(h) ? FILES : CC_FILES),
                keepalived: await pid(h, "/run/keepalived.pid"),
                haproxy: LBS.includes(h) ? await pid(h, "/run/haproxy.pid") : undefined,
            };
        }
    });

    it("2. a second apply with the same config changes nothing", async () => {
        needFirst();
        const r = await applyLab(L(), { log });
        console.log(`        no-op apply: record ${r.recordMs} ms, apply ${r.applyMs} ms`);
        assert.deepEqual(ran(r.report).map((e) => `${e.name}:${e.action}`), []);
        assert.ok(r.report.filter((e) => e.type === "command:remote:Command").every((e) => e.action === "same" && e.ms === 0));
        for (const h of [...LBS, ...CCS]) {
            assert.equal(await sums(h, LBS.includes(h) ? FILES : CC_FILES), state[h].sums, `${h}: files changed`);
            assert.equal(await pid(h, "/run/keepalived.pid"), state[h].keepalived, `${h}: keepalived restarted`);
            if (LBS.includes(h)) assert.equal(await pid(h, "/run/haproxy.pid"), state[h].haproxy, `${h}: haproxy restarted`);
        }
    });

    it("3. balance: leastconn updates haproxy.cfg and reloads haproxy, lb2 before lb1, no restart", async () => {
        needFirst();
        const workers = async (h: string) => sh(h, `ps -o pid= --ppid "$(cat /run/haproxy.pid)" | sort`);
        const oldWorkers = { lb1: await workers("lb1"), lb2: await workers("lb2") };
        const r = await applyLab(L(), { overrides: LEASTCONN, log });
        assert.deepEqual(ran(r.report).map((e) => `${e.name}:${e.action}`), [
            "apiserver-lb2-haproxy-config:update", "apiserver-lb2-haproxy-reload:replace",
            "apiserver-lb1-haproxy-config:update", "apiserver-lb1-haproxy-reload:replace",
        ]);
        for (const h of LBS) {
            assert.match(await sh(h, "cat /etc/haproxy/haproxy.cfg"), /^\s*balance leastconn$/m);
            assert.equal(await pid(h, "/run/haproxy.pid"), state[h].haproxy, `${h}: the haproxy master changed (restart, not reload)`);
            await waitFor(`${h}: a new haproxy worker after the reload`, async () => {
                const w = await workers(h);
                return w !== "" && w !== oldWorkers[h as "lb1" | "lb2"];
            }, 10_000);
            assert.equal(await pid(h, "/run/keepalived.pid"), state[h].keepalived, `${h}: keepalived restarted`);
            assert.equal((await sums(h, [FILES[0]])), state[h].sums.split("\n")[0], `${h}: keepalived.conf changed`);
            state[h].sums = await sums(h, FILES);
        }
        assert.deepEqual(await vipHolders(LBS, APISERVER_VIP), [lbHolder], "the VIP moved");
        await waitFor("curl via the VIP after the reload", curlVip, 10_000, 200);
    });

    it("3b. a keepalived change reloads keepalived, lb2 before lb1, no restart, and the daemon runs the new config", async () => {
        needFirst();
        // keepalived's own view: a SIGUSR1 data dump (/tmp is shared by lab hosts: the router id proves whose)
        const garpRefresh = async (h: string) => {
            for (let i = 0; i < 20; i++) {
                const v = await garpDump(h);
                if (v !== undefined) return v;
                await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 200)));
            }
            assert.fail(`${h}: no keepalived data dump of its own in 20 tries`);
        };
        const garpDump = async (h: string) => {
            const out = await sh(h, "rm -f /tmp/keepalived.data; kill -USR1 \"$(cat /run/keepalived.pid)\"; i=0; " +
                "while [ $i -lt 40 ] && ! grep -q 'Gratuitous ARP refresh' /tmp/keepalived.data 2>/dev/null; do sleep 0.05; i=$((i+1)); done; " +
                "sleep 0.1; cat /tmp/keepalived.data 2>/dev/null; rm -f /tmp/keepalived.data");
            // another lab's dump may overwrite ours in the shared /tmp: only a dump with our router id counts
            if (!new RegExp(`Router ID = ${h}\\b`).test(out)) return undefined;
            return Number(/Gratuitous ARP refresh = (\d+)/.exec(out)?.[1]);
        };
        for (const h of LBS) assert.equal(await garpRefresh(h), 60);
        const changed = { "kubeedge-ha:apiserver": { ...LEASTCONN["kubeedge-ha:apiserver"], keepalived: { garp: { masterRefresh: 61 } } } };
        const r = await applyLab(L(), { overrides: changed, log });
        assert.deepEqual(ran(r.report).map((e) => `${e.name}:${e.action}`), [
            "apiserver-keepalived-lb1-config:update", "apiserver-keepalived-lb2-config:update",
            "apiserver-keepalived-lb2-reload:replace", "apiserver-keepalived-lb1-reload:replace",
        ]);
        for (const h of LBS) {
            assert.equal(await pid(h, "/run/keepalived.pid"), state[h].keepalived, `${h}: keepalived restarted instead of reloading`);
            await waitFor(`${h}: the running keepalived has garp refresh 61`, async () => (await garpRefresh(h)) === 61, 10_000, 200);
        }
        assert.deepEqual(await vipHolders(LBS, APISERVER_VIP), [lbHolder], "the VIP moved");
        // back to the previous config for the next tests
        await applyLab(L(), { overrides: LEASTCONN, log });
        for (const h of LBS) state[h].sums = await sums(h, FILES);
    });

    it("4. a config haproxy -c rejects fails the apply; the live file, haproxy and the VIP stay", async () => {
        needFirst();
        // resolveHaproxy accepts any absolute caFile path; haproxy -c cannot load a missing CA file
        const bad = { "kubeedge-ha:apiserver": { haproxy: { balance: "leastconn", caFile: "/etc/kubeedge-ha/no-such-ca.crt" } } };
        let err: unknown;
        try { await applyLab(L(), { overrides: bad, log }); } catch (e) { err = e; }
        assert.ok(err instanceof ApplyError, `the apply should fail with an ApplyError, got ${String(err)}`);
        const e = err as ApplyError;
        console.log(`        apply failed as expected: ${e.message.split("\n").slice(0, 3).join(" | ")}`);
        assert.match(e.message, /apiserver-lb2-haproxy-config/);
        assert.match(e.message, /no-such-ca\.crt/);
        assert.match(e.message, /haproxy -c exited/);
        assert.match(e.message, /rejected new \/etc\/haproxy\/haproxy\.cfg; the live file is unchanged/);
        assert.equal(e.report[e.report.length - 1].name, "apiserver-lb2-haproxy-config", "nothing may run after the failure");
        for (const h of LBS) {
            assert.equal(await sums(h, FILES), state[h].sums, `${h}: files changed`);
            assert.equal(await pid(h, "/run/haproxy.pid"), state[h].haproxy);
        }
        assert.equal(await sh("lb2", "ls /etc/haproxy | grep -c kha- || true"), "0", "a candidate file was left behind");
        assert.deepEqual(await vipHolders(LBS, APISERVER_VIP), [lbHolder], "the VIP moved");
        await curlVip();
        const kept = readState(statePath(L()))!.resources.find((x) => x.name === "apiserver-lb2-haproxy-config")!;
        assert.doesNotMatch(kept.inputs.stdin, /no-such-ca/, "the failed resource must keep its old state");
        // the state still matches the hosts: re-applying the good config changes nothing
        const again = await applyLab(L(), { overrides: LEASTCONN, log });
        assert.deepEqual(ran(again.report).map((x) => x.name), []);
    });

    it("5. destroy runs every delete: files, keepalived, supervisor and the VIP are gone", async () => {
        needFirst();
        const before = readState(statePath(L()))!;
        const sup: Record<string, number> = {};
        for (const h of [...LBS, ...CCS]) sup[h] = await pid(h, "/run/kubeedge-ha-supervise-keepalived.pid");
        const t0 = Date.now();
        const report = await destroyLab(L());
        console.log(`        destroy: ${Date.now() - t0} ms, ${report.filter((e) => e.ms > 0).length} delete commands`);
        const deletes = before.resources.filter((r) => r.type === "command:remote:Command" && r.inputs.delete).map((r) => r.name).sort();
        assert.deepEqual(report.filter((e) => e.action === "delete" && e.ms > 0).map((e) => e.name).sort(), deletes);
        assert.deepEqual(readState(statePath(L()))!.resources, []);
        for (const h of LBS) {
            assert.equal(await sh(h, `for f in ${FILES.join(" ")}; do [ ! -e "$f" ] || echo "$f"; done`), "", `${h}: files left`);
        }
        for (const h of CCS) {
            assert.equal(await sh(h, `for f in ${CC_FILES.join(" ")}; do [ ! -e "$f" ] || echo "$f"; done`), "", `${h}: files left`);
        }
        for (const h of [...LBS, ...CCS]) {
            await waitFor(`${h}: keepalived and its supervisor to stop`, async () =>
                !isAlive(state[h].keepalived) && !isAlive(sup[h]) && (await sh(h, "[ -e /run/keepalived.pid ] && echo yes || true")) === "", 15_000);
            if (LBS.includes(h)) await waitFor(`${h}: haproxy to stop`, () => !isAlive(state[h].haproxy!), 15_000);
        }
        for (const h of [...LBS, ...CCS]) {
            const left = await L().exec(h, ["id", "-u", "keepalived_script"]);
            if (left.code === 0) {
                // userdel refuses while any process runs with that uid, and the PID namespace is shared with
                // every other lab on this machine (their check scripts run as the same system uid)
                // (checked at delete time, by the delete itself: those processes may have ended since)
                const uid = Number(left.stdout.trim());
                const del = report.find((e) => e.name.endsWith(`-${h}-script-user`))!;
                const m = /warning: user keepalived_script is still in use; left in place \(processes: ([^)]*)\)/.exec(del.stderr);
                assert.ok(m, `${h}: the script user is left without the in-use warning; stderr: ${del.stderr}`);
                assert.match(m[1], /^\s*\d+ \S+/, `${h}: the warning must name a process that held uid ${uid}`);
                console.log(`        ${h}: keepalived_script (uid ${uid}) left, with a warning naming ${m[1].trim()}: userdel refuses ` +
                    "while the uid is in use, and lab hosts share one PID namespace (other hosts' check scripts run as that uid)");
            }
            assert.equal(await sh(h, "ls -d /etc/keepalived/kubeedge-ha /usr/local/lib/kubeedge-ha 2>/dev/null || true"), "", `${h}: directories left`);
            if (left.code !== 0) assert.equal(await sh(h, "ls -d /var/lib/kubeedge-ha 2>/dev/null || true"), "", `${h}: state directory left`);
        }
        await waitFor("no VIP anywhere", async () =>
            (await vipHolders(LBS, APISERVER_VIP)).length === 0 && (await vipHolders(CCS, CLOUDCORE_VIP)).length === 0, 15_000);
    });
});
