import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { byName, commands, isSecret, registered, reset, settle, value, BadInput, itRejects } from "../support/mocks";
import { LoadBalancedApiserver, LoadBalancedApiserverArgs } from "../../components/loadBalancedApiserver";

function lbArgs(over: Partial<LoadBalancedApiserverArgs> = {}): LoadBalancedApiserverArgs {
    const ssh = (host: string) => ({ host, privateKey: pulumi.secret("KEY") });
    return {
        hosts: [
            { name: "lb1", address: "192.0.2.11/24", interface: "eth1", ssh: ssh("192.0.2.11") },
            { name: "lb2", address: "192.0.2.12/24", interface: "eth1", ssh: ssh("192.0.2.12") },
        ],
        vip: "192.0.2.10",
        masters: [{ name: "m1", address: "192.0.2.21" }, { name: "m2", address: "192.0.2.22" }],
        ...over,
    };
}

describe("LoadBalancedApiserver", () => {
    beforeEach(reset);

    it("composes haproxy on each LB host with a KeepalivedPair, and outputs the endpoints", async () => {
        const lb = new LoadBalancedApiserver("api", lbArgs());
        assert.equal(await value(lb.endpoint), "https://192.0.2.10:6443");
        assert.equal(await value(lb.kubeconfigServer), "https://192.0.2.10:6443");
        assert.equal(await value(lb.controlPlaneEndpoint), "192.0.2.10:6443");
        await value(lb.keepalived.configs);
        await settle();
        assert.equal(byName("api")?.type, "kubeedge-ha:index:LoadBalancedApiserver");
        assert.equal(byName("api-keepalived")?.type, "kubeedge-ha:index:KeepalivedPair");
        for (const host of ["lb1", "lb2"]) {
            for (const role of ["packages", "sysctl", "modules", "haproxy-config", "haproxy", "haproxy-reload"]) {
                assert.ok(byName(`api-${host}-${role}`), `missing api-${host}-${role}`);
            }
            assert.ok(byName(`api-keepalived-${host}-check-haproxy`));
        }
        const check = byName("api-keepalived-lb1-check-haproxy")!.inputs.stdin as string;
        assert.match(check, /curl -fsS -o \/dev\/null --max-time 0.3 http:\/\/127\.0\.0\.1:8405\/healthz/);
    });

    it("stats password: random, secret, never in a command string; haproxy.cfg validated, 0600, reloaded not restarted", async () => {
        const lb = new LoadBalancedApiserver("api", lbArgs());
        const cfgs = await value(lb.haproxyConfigs);
        await settle();
        assert.ok(await isSecret(lb.statsPassword));
        assert.ok(await isSecret(lb.haproxyConfigs));
        const pw = byName("api-stats-password")!;
        assert.equal(pw.inputs.length, 24);
        assert.match(cfgs.lb1, /stats auth admin:Pw3xAmpl/);
        const file = byName("api-lb1-haproxy-config")!;
        assert.ok(file.secrets.includes("stdin"));
        assert.match(file.inputs.create, /haproxy -c -f "\$1"/);
        assert.match(file.inputs.create, /chmod 0600/);
        for (const c of commands()) assert.ok(!String(c.inputs.create).includes("Pw3xAmpl"), c.name);
        const reload = byName("api-lb1-haproxy-reload")!.inputs.create as string;
        assert.match(reload, /kill -USR2/);
        assert.match(reload, /systemctl reload haproxy/);
        assert.doesNotMatch(reload, /restart/);
    });

    it("host settings: ip_forward, ip_nonlocal_bind (and IPv6 twins for an IPv6 VIP), ip_vs modules persisted", async () => {
        new LoadBalancedApiserver("api", lbArgs());
        await settle();
        const sysctl = byName("api-lb1-sysctl")!;
        assert.equal(sysctl.inputs.stdin, "# Managed by kubeedge-ha (Pulumi).\nnet.ipv4.ip_forward = 1\nnet.ipv4.ip_nonlocal_bind = 1\n");
        assert.match(sysctl.inputs.create, /sysctl -p "\$dst"/);
        assert.doesNotMatch(sysctl.inputs.create, /--system/);
        const mods = byName("api-lb1-modules")!;
        assert.equal(mods.inputs.stdin, "# Managed by kubeedge-ha (Pulumi).\nip_vs\nip_vs_rr\nip_vs_wrr\nip_vs_sh\n");
        assert.match(mods.inputs.create, /\/etc\/modules-load.d\/kubeedge-ha-ipvs.conf/);
        assert.match(mods.inputs.create, /warning: modprobe \$m failed/);

        reset();
        const v6 = lbArgs({
            hosts: [
                { name: "lb1", address: "2001:db8::11/64", ssh: { host: "2001:db8::11" } },
                { name: "lb2", address: "2001:db8::12/64", ssh: { host: "2001:db8::12" } },
            ],
            vip: "2001:db8::10",
            keepalived: { profile: "fast" },
        });
        const lb = new LoadBalancedApiserver("api6", v6);
        assert.equal(await value(lb.endpoint), "https://[2001:db8::10]:6443");
        await settle();
        assert.match(byName("api6-lb1-sysctl")!.inputs.stdin, /net\.ipv6\.ip_nonlocal_bind = 1/);
    });

    it("requireIpvsModules makes a missing module fatal", async () => {
        new LoadBalancedApiserver("api", lbArgs({ requireIpvsModules: true, ipvsModules: ["ip_vs"] }));
        await settle();
        assert.match(byName("api-lb1-modules")!.inputs.create, /modprobe \$m failed: this kernel lacks it" >&2; exit 1/);
    });

    const bad: BadInput<LoadBalancedApiserverArgs>[] = [
        ["no masters", (a) => { a.masters = []; }, /haproxy\.masters: must list at least one apiserver/],
        ["duplicate master names", (a) => { a.masters[1].name = "m1"; }, /haproxy\.masters\[1\]: duplicate name/],
        ["duplicate master address", (a) => { a.masters[1].address = "192.0.2.21"; }, /haproxy\.masters\[1\]: duplicate address:port/],
        ["bad master port", (a) => { a.masters[0].port = 70000; }, /haproxy\.masters\[0\]\.port: .*\(got 70000\)/],
        ["bad frontend port", (a) => { a.haproxy = { port: 0 }; }, /haproxy\.port: .*\(got 0\)/],
        ["colocated on 6443", (a) => {
            a.haproxy = { topology: "colocated" };
            a.masters = [{ name: "lb1", address: "192.0.2.11" }, { name: "lb2", address: "192.0.2.12" }];
        }, /haproxy\.port: colocated haproxy would take \*:6443, where the apiserver haproxy\.masters\[0\] listens.*8443/],
        ["bad ACL CIDR", (a) => { a.haproxy = { allowedSources: ["192.0.2.0/33"] }; }, /haproxy\.allowedSources\[0\]: .*"192\.0\.2\.0\/33"/],
        ["ACL with host bits", (a) => { a.haproxy = { allowedSources: ["192.0.2.1/24"] }; }, /haproxy\.allowedSources\[0\]: host bits are set/],
        ["VIP outside the LB subnet", (a) => { a.vip = "203.0.113.10"; }, /vips\[0\]\.address: is outside host lb1's subnet/],
        ["one LB host", (a) => { a.hosts = a.hosts.slice(0, 1); }, /hosts: a VRRP group needs at least two hosts/],
        ["bad module name", (a) => { a.ipvsModules = ["ip_vs; reboot"]; }, /ipvsModules: must be a list of kernel module names/],
        ["unknown haproxy key", (a) => { a.haproxy = { balanse: "leastconn" } as any; }, /haproxy\.balanse: is not a known haproxy setting/],
    ];
    itRejects("api", bad, () => lbArgs(), (n, a) => new LoadBalancedApiserver(n, a));
});
