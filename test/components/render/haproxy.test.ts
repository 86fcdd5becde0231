import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError, show } from "../../../components/render/errors";
import { HaproxySettings, renderHaproxyCfg, resolveHaproxy } from "../../../components/render/haproxy";
import { makeSelfSignedCert } from "../../../lab/fakes/apiserver";
import { haproxyCheck, tmpDir } from "../../support/haproxy";

const masters = [
    { name: "master-1", address: "192.0.2.11" },
    { name: "master-2", address: "192.0.2.12" },
    { name: "master-3", address: "192.0.2.13", port: 6443 },
];
const PW = "s3cret-Stats_pw";
const cfg = (s: HaproxySettings) => renderHaproxyCfg(resolveHaproxy(s), PW);

/** Asserts `fn` throws an InputError on `field` whose message names the field and the value. */
function rejects(fn: () => unknown, field: string, value: unknown, reason?: RegExp): void {
    assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
        assert.equal(e.field, field);
        assert.deepEqual(e.value, value);
        assert.ok(e.message.includes(field) && e.message.includes(show(value)), e.message);
        if (reason) assert.match(e.message, reason);
        return true;
    });
}

describe("render/haproxy resolveHaproxy", () => {
    it("fills the defaults", () => {
        const r = resolveHaproxy({ masters });
        assert.deepEqual(r, {
            masters: masters.map(m => ({ ...m, port: 6443 })), topology: "dedicated", bind: "*", port: 6443,
            balance: "roundrobin", allowedSources: [], caFile: undefined, checkIntervalMs: 1000, checkFall: 2, checkRise: 2,
            checkTimeoutMs: 2000, shutdownSessionsOnDown: false, retries: 3, connectTimeoutMs: 1000,
            idleTimeoutSeconds: 3600, finTimeoutSeconds: 30, hardStopAfterSeconds: 600, maxconn: 8000,
            statsSocket: "/run/haproxy/admin.sock", statsBind: "127.0.0.1", statsPort: 8404, statsUser: "admin",
            monitorBind: "127.0.0.1", monitorPort: 8405, monitorRequiresBackend: true, log: "stdout", nonlocalBind: false,
        });
    });

    it("takes every option", () => {
        const r = resolveHaproxy({
            masters: [{ name: "m1", address: "2001:DB8::11", port: 16443 }], topology: "colocated", bind: "2001:db8::100",
            port: 16443, balance: "leastconn", allowedSources: ["10.0.0.0/8", "2001:db8::/32"], caFile: "/etc/kubernetes/pki/ca.crt",
            checkIntervalMs: 500, checkFall: 3, checkRise: 4, checkTimeoutMs: 900, shutdownSessionsOnDown: true, retries: 5,
            connectTimeoutMs: 2500, idleTimeoutSeconds: 86400, finTimeoutSeconds: 10, hardStopAfterSeconds: 120, maxconn: 1000,
            statsSocket: "/var/run/hx.sock", statsBind: "10.0.0.5", statsPort: 9000, statsUser: "ops", monitorBind: "*",
            monitorPort: 9001, monitorRequiresBackend: false, log: "syslog",
        });
        assert.equal(r.masters[0].address, "2001:db8::11");
        assert.equal(r.bind, "2001:db8::100");
        assert.equal(r.nonlocalBind, true);
        assert.deepEqual(r.allowedSources, ["10.0.0.0/8", "2001:db8::/32"]);
        const text = renderHaproxyCfg(r, PW);
        for (const line of [
            "bind [2001:db8::100]:16443", "balance leastconn", "acl allowed_src src 10.0.0.0/8 2001:db8::/32",
            "tcp-request connection reject unless allowed_src",
            "default-server check check-ssl verify required ca-file /etc/kubernetes/pki/ca.crt inter 500ms fall 3 rise 4 on-marked-down shutdown-sessions",
            "server m1 [2001:db8::11]:16443", "retries 5", "timeout connect 2500ms", "timeout tunnel 24h", "timeout client-fin 10s",
            "hard-stop-after 2m", "maxconn 1000", "stats socket /var/run/hx.sock mode 600 level admin", "bind 10.0.0.5:9000",
            `stats auth ops:${PW}`, "bind *:9001", "log /dev/log local0", "timeout check 900ms",
        ]) assert.ok(text.includes(`    ${line}\n`), `missing "${line}" in\n${text}`);
        assert.ok(!text.includes("monitor fail"));
    });

    it("allows a colocated frontend on 8443 or on the VIP only", () => {
        assert.equal(resolveHaproxy({ masters, topology: "colocated", port: 8443 }).port, 8443);
        assert.equal(resolveHaproxy({ masters, topology: "colocated", bind: "192.0.2.100" }).nonlocalBind, true);
    });

    it("rejects bad input naming the field and the value", () => {
        rejects(() => resolveHaproxy({ masters: [] }), "haproxy.masters", [], /at least one/);
        rejects(() => resolveHaproxy({} as HaproxySettings, "lb"), "lb.masters", undefined);
        rejects(() => resolveHaproxy({ masters: [masters[0], { name: "master-1", address: "192.0.2.99" }] }),
            "haproxy.masters[1]", "master-1", /duplicate name/);
        rejects(() => resolveHaproxy({ masters: [masters[0], { name: "x", address: "192.0.2.11", port: 6443 }] }),
            "haproxy.masters[1]", "192.0.2.11:6443", /duplicate address:port/);
        rejects(() => resolveHaproxy({ masters: [{ name: "m", address: "192.0.2.1", port: 0 }] }), "haproxy.masters[0].port", 0);
        rejects(() => resolveHaproxy({ masters, port: 70000 }), "haproxy.port", 70000);
        rejects(() => resolveHaproxy({ masters: [{ name: "m", address: "192.0.2.300" }] }), "haproxy.masters[0].address", "192.0.2.300");
        rejects(() => resolveHaproxy({ masters: [{ name: "m", address: "api.example" }] }), "haproxy.masters[0].address", "api.example");
        rejects(() => resolveHaproxy({ masters: [{ name: "m", address: "192.0.2.0/24" }] }), "haproxy.masters[0].address", "192.0.2.0/24");
        rejects(() => resolveHaproxy({ masters: [{ name: "m", address: "224.0.0.18" }] }), "haproxy.masters[0].address", "224.0.0.18", /multicast/);
        rejects(() => resolveHaproxy({ masters: [{ name: "bad name", address: "192.0.2.1" }] }), "haproxy.masters[0].name", "bad name");
        rejects(() => resolveHaproxy({ masters, topology: "colocated" }), "haproxy.port", 6443, /8443.*ip_nonlocal_bind/);
        rejects(() => resolveHaproxy({ masters, topology: "colocated", bind: "192.0.2.12" }), "haproxy.bind", "192.0.2.12", /masters\[1\]/);
        rejects(() => resolveHaproxy({ masters, topology: "sidecar" as "dedicated" }), "haproxy.topology", "sidecar");
        rejects(() => resolveHaproxy({ masters, bind: "0.0.0.0" }), "haproxy.bind", "0.0.0.0", /unspecified/);
        rejects(() => resolveHaproxy({ masters, allowedSources: ["10.0.0.1/8"] }), "haproxy.allowedSources[0]", "10.0.0.1/8", /host bits/);
        rejects(() => resolveHaproxy({ masters, allowedSources: ["everyone"] }), "haproxy.allowedSources[0]", "everyone");
        rejects(() => resolveHaproxy({ masters, allowedSources: [] }), "haproxy.allowedSources", []);
        rejects(() => resolveHaproxy({ masters, balance: "source" as "leastconn" }), "haproxy.balance", "source");
        rejects(() => resolveHaproxy({ masters, caFile: "ca.crt" }), "haproxy.caFile", "ca.crt");
        rejects(() => resolveHaproxy({ masters, checkFall: 0 }), "haproxy.checkFall", 0);
        rejects(() => resolveHaproxy({ masters, checkIntervalMs: 1.5 }), "haproxy.checkIntervalMs", 1.5);
        rejects(() => resolveHaproxy({ masters, statsPort: 6443 }), "haproxy.statsPort", 6443, /collides with haproxy.port/);
        rejects(() => resolveHaproxy({ masters, monitorPort: 8404 }), "haproxy.monitorPort", 8404, /haproxy.statsPort/);
        rejects(() => resolveHaproxy({ masters, statsUser: "a:b" }), "haproxy.statsUser", "a:b");
        rejects(() => resolveHaproxy({ masters, shutdownSessionsOnDown: "yes" as unknown as boolean }), "haproxy.shutdownSessionsOnDown", "yes");
        rejects(() => resolveHaproxy({ masters, log: "file" as "none" }), "haproxy.log", "file");
        rejects(() => resolveHaproxy({ masters, tunnelTimeout: 5 } as HaproxySettings), "haproxy.tunnelTimeout", 5, /not a known/);
    });
});

describe("render/haproxy renderHaproxyCfg", () => {
    const dflt = cfg({ masters });

    it("renders TCP passthrough with /readyz checks, redispatch, master-worker and long tunnels", () => {
        for (const line of [
            "master-worker", "hard-stop-after 10m", "maxconn 8000", "stats socket /run/haproxy/admin.sock mode 600 level admin",
            "log stdout format raw local0", "option tcpka", "option redispatch", "retries 3", "timeout connect 1s",
            "timeout client 1h", "timeout server 1h", "timeout tunnel 1h", "timeout client-fin 30s", "timeout check 2s",
            "bind *:6443", "mode tcp", "balance roundrobin", "option httpchk", "http-check send meth GET uri /readyz",
            "http-check expect status 200", "default-server check check-ssl verify none inter 1s fall 2 rise 2",
            "server master-1 192.0.2.11:6443", "server master-3 192.0.2.13:6443", "bind 127.0.0.1:8404", "stats uri /stats",
            "stats hide-version", "stats refresh 10s", `stats auth admin:${PW}`, "bind 127.0.0.1:8405", "mode http",
            "monitor-uri /healthz", "monitor fail if { nbsrv(kube-apiserver) lt 1 }",
        ]) assert.ok(dflt.includes(`    ${line}\n`), `missing "${line}"`);
        for (const absent of ["ssl-hello-chk", "shutdown-sessions", "nbthread", "acl ", "ssl crt", "daemon"]) {
            assert.ok(!dflt.includes(absent), `unexpected "${absent}"`);
        }
    });

    it("is deterministic and refuses bad stats passwords without echoing them", () => {
        assert.equal(cfg({ masters }), dflt);
        for (const bad of ["short", "has space in it", "hash#tag-pw", 'quo"te-pw', "dollar$pw-x"]) {
            assert.throws(() => renderHaproxyCfg(resolveHaproxy({ masters }), bad), (e: unknown) =>
                e instanceof InputError && e.field === "statsPassword" && !e.message.includes(bad));
        }
    });

    describe("passes the real `haproxy -c -dW` (warnings fatal)", function () {
        this.timeout(30000);
        const dir = tmpDir("haproxy-render");
        const { cert } = makeSelfSignedCert(path.join(dir, "pki"));
        after(() => fs.rmSync(dir, { recursive: true, force: true }));
        const variants: [string, HaproxySettings][] = [
            ["dedicated default", { masters }],
            ["colocated on 8443", { masters, topology: "colocated", port: 8443 }],
            ["colocated on the VIP", { masters, topology: "colocated", bind: "192.0.2.100" }],
            ["source ACL", { masters, allowedSources: ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"] }],
            ["leastconn", { masters, balance: "leastconn" }],
            ["CA verification", { masters, caFile: cert }],
            ["shutdown-sessions, syslog, IPv6", { masters: [{ name: "v6", address: "2001:db8::11" }], bind: "2001:db8::1",
                shutdownSessionsOnDown: true, log: "syslog", monitorRequiresBackend: false }],
            ["no log, custom timings", { masters, log: "none", checkIntervalMs: 250, checkTimeoutMs: 750, connectTimeoutMs: 500,
                idleTimeoutSeconds: 5400, hardStopAfterSeconds: 90 }],
        ];
        for (const [name, s] of variants) {
            it(name, () => {
                const d = fs.mkdtempSync(path.join(dir, "v-"));
                const r = haproxyCheck(cfg(s), d);
                assert.equal(r.status, 0, r.output);
                assert.ok(!/WARNING|ALERT/.test(r.output), r.output);
            });
        }

        it("passes although the stats socket directory does not exist (-c does not bind)", () => {
            const s = { masters, statsSocket: "/nonexistent-dir-for-test/admin.sock" };
            const r = haproxyCheck(cfg(s), fs.mkdtempSync(path.join(dir, "v-")));
            assert.equal(r.status, 0, r.output);
        });

        it("catches a broken file (the check is real)", () => {
            const r = haproxyCheck(dflt.replace("option tcplog", "option httplog"), fs.mkdtempSync(path.join(dir, "v-")));
            assert.notEqual(r.status, 0);
        });
    });
});
