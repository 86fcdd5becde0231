import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { renderCheckScript } from "../../../components/render/checkScript";
import { InputError } from "../../../components/render/errors";
import { ResolvedVrrpGroup, VrrpGroupSettings, derivedRouterId, renderKeepalivedConf, resolveVrrpGroup } from "../../../components/render/keepalived";
import { installOnScratchHost } from "../../support/keepalived";
import { canUseNetns } from "../../support/scratchHost";

const two = (): VrrpGroupSettings => ({
    hosts: [
        { name: "lb1", address: "192.0.2.11/24", interface: "eth1" },
        { name: "lb2", address: "192.0.2.12/24", interface: "eth1" },
    ],
    vips: ["192.0.2.10"],
    checks: [{ name: "haproxy", probe: "curl -fsS -o /dev/null --max-time 0.3 http://127.0.0.1:8405/healthz" }],
});

/** The variants the issue names, each a real config a user could deploy. */
const variants: Record<string, VrrpGroupSettings> = {
    "unicast (default)": two(),
    "multicast 224.0.0.19 with label, notify and track_interface (the seeds)": {
        ...two(), transport: "multicast", multicastGroup: "224.0.0.19",
        vips: [{ address: "192.0.2.10/24", label: "eth1:vip" }], trackInterfaces: ["eth2"],
        notify: { master: "logger -t kubeedge-ha MASTER", backup: "logger -t kubeedge-ha BACKUP", fault: "exit 0", stop: "exit 0" },
    },
    "VRRPv3 fast profile": { ...two(), profile: "fast" },
    "3 hosts, nopreempt, two VIPs": {
        ...two(),
        hosts: [...two().hosts, { name: "lb3", address: "192.0.2.13/24", interface: "eth1" }],
        vips: ["192.0.2.10", "192.0.2.9"],
    },
    "LVS virtual_server (ingress seed, DR, TCP_CHECK)": {
        ...two(), checks: [],
        virtualServers: [{ port: 443, lbKind: "DR", lbAlgo: "wrr", persistenceTimeout: 50,
            realServers: [{ address: "192.0.2.11", connectTimeout: 3 }, { address: "192.0.2.12", connectTimeout: 3 }] }],
    },
    "preempt with a weighted check that can hand over": {
        ...two(), preempt: true, preemptDelay: 2,
        hosts: [{ ...two().hosts[0], priority: 150 }, { ...two().hosts[1], priority: 140 }],
        checks: [{ name: "haproxy", probe: "true", weight: -20 }],
    },
    "IPv4 instance with an IPv6 VIP excluded": { ...two(), vips: ["192.0.2.10", { address: "2001:db8::10/64", device: "eth1" }] },
};

describe("keepalived.conf renderer", () => {
    it("renders the defaults: BACKUP + nopreempt everywhere, unicast peers, auth, FAULT check, GARP", () => {
        const g = resolveVrrpGroup(two());
        const c = renderKeepalivedConf(g, 0, "abcd1234");
        for (const line of ["router_id lb1", "enable_script_security", "script_user keepalived_script", "vrrp_version 2",
            "state BACKUP", "priority 250", "advert_int 1", "nopreempt", "unicast_src_ip 192.0.2.11", "auth_pass abcd1234",
            "192.0.2.10/32 dev eth1", "weight 0", "fall 1", "rise 2", "interval 1", "vrrp_garp_master_refresh 60",
            "vrrp_garp_lower_prio_repeat 3", "vrrp_higher_prio_send_advert true", "chk_haproxy"]) {
            assert.ok(c.includes(line), `missing "${line}"`);
        }
        assert.match(c, /unicast_peer {\n {4}192\.0\.2\.12\n {2}}/);
        assert.equal(renderKeepalivedConf(g, 1, "abcd1234").match(/priority (\d+)/)![1], "240");
        assert.equal(g.virtualRouterId, derivedRouterId("192.0.2.10"));
        assert.equal(renderKeepalivedConf(g, 0, "abcd1234"), c, "deterministic");
    });

    it("uses MASTER for the top host only when preempting without preempt_delay", () => {
        const g = resolveVrrpGroup(variants["preempt with a weighted check that can hand over"]);
        assert.match(renderKeepalivedConf(g, 0, "abcd1234"), /state BACKUP[\s\S]*preempt_delay 2/);
        g.preemptDelay = 0;
        assert.match(renderKeepalivedConf(g, 0, "abcd1234"), /state MASTER/);
        assert.doesNotMatch(renderKeepalivedConf(g, 0, "abcd1234"), /nopreempt|preempt_delay/);
        assert.match(renderKeepalivedConf(g, 1, "abcd1234"), /state BACKUP/);
    });

    it("puts other-family VIPs in virtual_ipaddress_excluded and refuses a v2 IPv6 group", () => {
        const c = renderKeepalivedConf(resolveVrrpGroup(variants["IPv4 instance with an IPv6 VIP excluded"]), 0, "abcd1234");
        assert.match(c, /virtual_ipaddress_excluded {\n {4}2001:db8::10\/64 dev eth1/);
        const v6 = { hosts: [{ name: "a", address: "2001:db8::1/64" }, { name: "b", address: "2001:db8::2/64" }], vips: ["2001:db8::10"], version: 2 };
        assert.throws(() => resolveVrrpGroup(v6), (e: InputError) => e.field === "version" && /IPv6 VRRP needs version 3/.test(e.message));
        assert.equal(resolveVrrpGroup({ ...v6, version: undefined }).version, 3);
    });

    it("refuses an auth password keepalived would truncate", () => {
        const g = resolveVrrpGroup(two());
        assert.throws(() => renderKeepalivedConf(g, 0, "abcd12345"), /authPass: must be 1-8 characters/);
        assert.throws(() => renderKeepalivedConf(g, 0, undefined), /authPass/);
    });

    describe("validated on a scratch host by the host layer's own install script (real keepalived -t)", () => {
        before(function () {
            if (!canUseNetns()) throw new Error("these tests need root and `ip netns` (they create a network and mount namespace)");
        });
        for (const [name, settings] of Object.entries(variants)) {
            it(`${name}: every member's config is accepted (exit 0) and installed mode 0600`, () => {
                const g: ResolvedVrrpGroup = resolveVrrpGroup(settings);
                g.nodes.forEach((n, i) => {
                    const r = installOnScratchHost(g, i, { pass: g.authentication ? "k3epAliv" : undefined });
                    assert.equal(r.code, 0, `${n.name}: ${r.stderr}`);
                    assert.match(r.stdout, /installed \/etc\/keepalived\/keepalived.conf/);
                    assert.match(r.stdout, /mode: 600/);
                });
            });
        }

        it("the committed dev render passes too", () => {
            const root = path.resolve(__dirname, "../../../rendered/dev/hosts");
            const confs = fs.readdirSync(root).map((h) => path.join(root, h, "files/etc/keepalived/keepalived.conf")).filter(fs.existsSync);
            assert.ok(confs.length >= 4, `expected the dev stack's keepalived configs under ${root}`);
            for (const file of confs) {
                const text = fs.readFileSync(file, "utf8");
                const script = path.join(path.dirname(file), "kubeedge-ha");
                const g = resolveVrrpGroup(two()); // user + interface setup; checks come from the render itself
                g.checks = fs.readdirSync(script).map((f) => ({ ...g.checks[0], path: `/etc/keepalived/kubeedge-ha/${f}`, name: f }));
                const r = installOnScratchHost(g, 0, { conf: text });
                assert.equal(r.code, 0, `${file}: ${r.stderr}`);
            }
        });

        it("a config keepalived rejects never replaces the live file, and the validator's message is the error", () => {
            const g = resolveVrrpGroup(two());
            const bad = renderKeepalivedConf(g, 0, "abcd1234").replace("advert_int 1", "advert_int 0.5");
            const before = "mkdir -p /etc/keepalived; echo old > /etc/keepalived/keepalived.conf; echo \"old: $(sha256sum /etc/keepalived/keepalived.conf | cut -d' ' -f1)\"";
            const r = installOnScratchHost(g, 0, { conf: bad, before });
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /VRRPv2 advertisement interval .* must be an integer/);
            assert.match(r.stderr, /rejected new \/etc\/keepalived\/keepalived.conf; the live file is unchanged/);
            const old = /old: (\w+)/.exec(r.stdout)![1];
            assert.equal(/live: (\w+)/.exec(r.stdout)![1], old, "live file changed");
        });

        it("a missing script user is refused, not hidden behind keepalived -t's silent exit 143", () => {
            const g = resolveVrrpGroup(two());
            const r = installOnScratchHost(g, 0, { pass: "abcd1234", before: "userdel -f keepalived_script" });
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /script_user keepalived_script does not exist/);
        });
    });
});

describe("check script", () => {
    const check = (probe: string, samples: number) => ({ ...resolveVrrpGroup({ ...two(), checks: [{ name: "x", probe, samples }] }).checks[0] });
    const run = (text: string) => {
        const t = Date.now();
        const r = spawnSync("sh", ["-c", text], { timeout: 10000 });
        return { code: r.status, ms: Date.now() - t };
    };

    it("passes only when every sample passes, and spreads the samples over the interval", () => {
        const ok = run(renderCheckScript(check("true", 2)));
        assert.equal(ok.code, 0);
        assert.ok(ok.ms >= 450, `two samples should be ~0.5 s apart, took ${ok.ms} ms`);
        assert.equal(run(renderCheckScript(check("false", 2))).code, 1);
        // fails on the second sample: the state file flips after the first probe
        const flip = `f=$(mktemp); trap 'rm -f $f' EXIT\n`;
        const probe = `if [ -s "$f" ]; then exit 1; fi; echo x > "$f"`;
        assert.equal(run(flip + renderCheckScript(check(probe, 2)).replace("#!/bin/sh\n", "")).code, 1);
        assert.equal(run(renderCheckScript(check("true", 1))).code, 0);
    });

    it("is valid sh", () => {
        const r = spawnSync("sh", ["-n"], { input: renderCheckScript(check("curl -fs http://127.0.0.1:1/ || exit 1", 3)) });
        assert.equal(r.status, 0);
    });
});
