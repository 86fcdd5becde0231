import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

const root = path.resolve(__dirname, "../..");
const committed = path.join(root, "rendered/dev");

function render(args: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "render/main.ts", ...args], {
        cwd: root, encoding: "utf8", timeout: 120000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tree(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out.set(path.relative(dir, p), fs.readFileSync(p, "utf8"));
        }
    };
    walk(dir);
    return out;
}

describe("offline render (npm start)", () => {
    let tmp: string;
    before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kha-render-")); });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("rendered/dev/ is up to date (byte for byte) — run `npm start` and commit when this fails", () => {
        const out = path.join(tmp, "dev");
        const r = render(["--out", out]);
        assert.equal(r.code, 0, r.stderr);
        const fresh = tree(out);
        const old = tree(committed);
        const stale = [...new Set([...fresh.keys(), ...old.keys()])].filter((k) => fresh.get(k) !== old.get(k)).sort();
        assert.deepEqual(stale, [], `stale files in rendered/dev: ${stale.slice(0, 10).join(", ")}`);
    });

    it("is deterministic: two renders are identical", () => {
        const a = path.join(tmp, "a");
        const b = path.join(tmp, "b");
        assert.equal(render(["--out", a]).code, 0);
        assert.equal(render(["--out", b]).code, 0);
        assert.deepEqual(tree(a), tree(b));
    });

    it("shows per host the exact files and scripts, secrets redacted", () => {
        const t = tree(committed);
        const conf = t.get("hosts/192.0.2.11/files/etc/keepalived/keepalived.conf")!;
        assert.match(conf, /auth_pass REDACTED/);
        assert.match(t.get("hosts/192.0.2.11/files/etc/haproxy/haproxy.cfg")!, /stats auth admin:REDACTED/);
        assert.ok([...t.keys()].some((k) => /^hosts\/192\.0\.2\.12\/scripts\/\d+-apiserver-keepalived-lb2-config\.sh$/.test(k)));
        assert.ok(t.has("kubernetes/deployment-kubeedge-cloudcore.yaml"));
        assert.equal(YAML.parse(t.get("outputs.yaml")!).haproxyStatsPassword, "[secret]");
        for (const [k, v] of t) assert.doesNotMatch(v, /BEGIN OPENSSH PRIVATE KEY/, k);
    });

    it("plan: hosts one after another, backups first, keepalived after haproxy", () => {
        const plan = YAML.parse(fs.readFileSync(path.join(committed, "plan.yaml"), "utf8")).resources as { name: string; dependsOn?: string[] }[];
        const deps = (n: string) => plan.find((r) => r.name === n)?.dependsOn ?? [];
        const idx = (n: string) => plan.findIndex((r) => r.name === n);
        assert.ok(deps("apiserver-lb1-packages").includes("command:remote:Command::apiserver-lb2-haproxy-reload"));
        // keepalived after haproxy; first starts in preference order (nopreempt: the first up keeps the VIP)
        assert.ok(deps("apiserver-keepalived-lb1-packages").includes("command:remote:Command::apiserver-lb1-haproxy-reload"));
        assert.ok(deps("apiserver-keepalived-lb2-packages").includes("command:remote:Command::apiserver-keepalived-lb1-service"));
        // reloads backups first, the preferred holder last
        assert.ok(deps("apiserver-keepalived-lb2-reload").includes("command:remote:Command::apiserver-keepalived-lb2-service"));
        assert.ok(deps("apiserver-keepalived-lb1-reload").includes("command:remote:Command::apiserver-keepalived-lb2-reload"));
        assert.ok(idx("apiserver-keepalived-lb2-service") < idx("apiserver-keepalived-lb2-reload"));
        assert.ok(idx("apiserver-keepalived-lb2-reload") < idx("apiserver-keepalived-lb1-reload"));
        assert.ok(deps("apiserver-keepalived-lb1-config").includes("command:remote:Command::apiserver-keepalived-lb1-check-haproxy"));
        assert.ok(deps("cloudcore-deployment").includes("kubernetes:core/v1:ConfigMap::cloudcore-configmap"));
    });

    it("--stack-file with a secure: value renders it as a placeholder", () => {
        const file = path.join(tmp, "Pulumi.sec.yaml");
        const dev = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"));
        dev.config["kubeedge-ha:sshPrivateKey"] = { secure: "v1:AAAAencrypted" };
        fs.writeFileSync(file, YAML.stringify(dev));
        const out = path.join(tmp, "sec");
        const r = render(["--stack-file", file, "--out", out]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /rendered stack sec:/);
        for (const [k, v] of tree(out)) assert.doesNotMatch(v, /AAAAencrypted/, k);
    });

    it("invalid config exits non-zero with the validation message and writes nothing", () => {
        const file = path.join(tmp, "Pulumi.bad.yaml");
        const dev = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"));
        dev.config["kubeedge-ha:apiserver"].vip = "203.0.113.10";
        fs.writeFileSync(file, YAML.stringify(dev));
        const out = path.join(tmp, "bad");
        const r = render(["--stack-file", file, "--out", out]);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /error: .*apiserver: vips\[0\]\.address: is outside host lb1's subnet 192\.0\.2\.11\/24.*\(got "203\.0\.113\.10"\)/);
        assert.equal(fs.existsSync(out), false);
        const r2 = render(["--stack", "nope"]);
        assert.notEqual(r2.code, 0);
        assert.match(r2.stderr, /Pulumi\.nope\.yaml/);
    });
});

describe("rendered/dev Kubernetes objects", () => {
    it("every object validates against the Kubernetes OpenAPI schema (kubernetes-models, v1.36)", () => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { validateManifest } = require("../support/k8sSchema") as typeof import("../support/k8sSchema");
        const dir = path.join(committed, "kubernetes");
        const files = fs.readdirSync(dir);
        assert.ok(files.length >= 8, `expected the dev stack's objects in ${dir}`);
        for (const f of files) {
            const obj = YAML.parse(fs.readFileSync(path.join(dir, f), "utf8"));
            assert.deepEqual(validateManifest(obj), [], f);
        }
        const broken = YAML.parse(fs.readFileSync(path.join(dir, "deployment-kubeedge-cloudcore.yaml"), "utf8"));
        broken.spec.replicas = "two";
        assert.notDeepEqual(validateManifest(broken), [], "the validator must reject a broken Deployment");
    });
});
