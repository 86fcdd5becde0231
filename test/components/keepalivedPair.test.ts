import { strict as assert } from "assert";
import { byName, commands, isSecret, registered, reset, settle, value, BadInput, itRejects } from "../support/mocks";
import * as pulumi from "@pulumi/pulumi";
import { KeepalivedPair, KeepalivedPairArgs } from "../../components/keepalivedPair";

export function pairArgs(over: Partial<KeepalivedPairArgs> = {}): KeepalivedPairArgs {
    return {
        hosts: [
            { name: "lb1", address: "192.0.2.11/24", interface: "eth1", ssh: { host: "192.0.2.11", privateKey: pulumi.secret("KEY") } },
            { name: "lb2", address: "192.0.2.12/24", interface: "eth1", ssh: { host: "192.0.2.12", privateKey: pulumi.secret("KEY") } },
        ],
        vips: ["192.0.2.10"],
        checks: [{ name: "svc", probe: "curl -fs --max-time 0.3 http://127.0.0.1:8405/healthz" }],
        ...over,
    };
}

describe("KeepalivedPair", () => {
    beforeEach(reset);

    it("creates the password and each host's provisioning chain, named <name>-<host>-<role>", async () => {
        const pair = new KeepalivedPair("vip", pairArgs());
        await value(pair.vips);
        await settle();
        assert.equal(byName("vip")?.type, "kubeedge-ha:index:KeepalivedPair");
        const pw = byName("vip-vrrp-password");
        assert.equal(pw?.type, "random:index/randomPassword:RandomPassword");
        assert.equal(pw?.inputs.length, 8, "keepalived truncates passwords longer than 8");
        assert.equal(pw?.inputs.special, false);
        const roles = ["packages", "script-user", "check-svc", "config", "service-restart", "service-supervisor", "service", "reload"];
        for (const host of ["lb1", "lb2"]) {
            for (const role of roles) assert.ok(byName(`vip-${host}-${role}`), `missing vip-${host}-${role}`);
        }
        assert.equal(commands().length, 2 * roles.length);
        assert.deepEqual(await value(pair.vips), ["192.0.2.10"]);
        assert.deepEqual(await value(pair.hosts), ["lb1", "lb2"]);
    });

    it("keeps the password out of every command string and sends configs on stdin, secret", async () => {
        const pair = new KeepalivedPair("vip", pairArgs());
        const configs = await value(pair.configs);
        await settle();
        assert.ok(await isSecret(pair.configs));
        assert.match(configs.lb1, /auth_pass Pw3xAmpl/);
        const conf = byName("vip-lb1-config")!;
        assert.ok(conf.secrets.includes("stdin"), "config stdin must be secret");
        assert.ok(conf.secrets.includes("connection"), "the connection (private key) must be secret");
        assert.equal(conf.inputs.stdin, configs.lb1);
        for (const c of commands()) {
            assert.ok(!String(c.inputs.create).includes("Pw3xAmpl"), `${c.name} create holds the password`);
            assert.ok(!String(c.inputs.delete ?? "").includes("Pw3xAmpl"), `${c.name} delete holds the password`);
        }
        assert.match(conf.inputs.create, /keepalived -t -f/);
        assert.match(conf.inputs.create, /chmod 0600/);
        assert.equal(conf.inputs.addPreviousOutputInEnv, false);
        assert.equal(conf.inputs.connection.privateKey, "KEY");
        assert.equal(conf.inputs.connection.user, "root");
    });

    it("reloads on config change: the reload trigger is the (secret) config hash, files trigger on their path", async () => {
        new KeepalivedPair("vip", pairArgs());
        await settle();
        const reload = byName("vip-lb1-reload")!;
        assert.match(reload.inputs.create, /service keepalived reload/);
        assert.doesNotMatch(reload.inputs.create, /restart/);
        assert.ok(reload.secrets.includes("triggers"));
        assert.match(reload.inputs.triggers[0], /^[0-9a-f]{64}$/);
        assert.deepEqual(byName("vip-lb1-config")!.inputs.triggers, ["/etc/keepalived/keepalived.conf"]);
    });

    it("fast profile: VRRPv3, 0.1 s adverts, no password resource", async () => {
        const pair = new KeepalivedPair("vip", pairArgs({ profile: "fast" }));
        const configs = await value(pair.configs);
        await settle();
        assert.equal(byName("vip-vrrp-password"), undefined);
        assert.match(configs.lb1, /vrrp_version 3/);
        assert.match(configs.lb1, /advert_int 0.1\n/);
        assert.doesNotMatch(configs.lb1, /auth_pass/);
    });

    it("uses sudo for non-root users", async () => {
        const args = pairArgs();
        args.hosts[0].ssh.user = "ops";
        new KeepalivedPair("vip", args);
        await settle();
        assert.match(byName("vip-lb1-config")!.inputs.create, /^sudo -n sh -c '/);
        assert.doesNotMatch(byName("vip-lb2-config")!.inputs.create, /^sudo/);
    });

    const bad: BadInput<KeepalivedPairArgs>[] = [
        ["one host", (a) => { a.hosts = a.hosts.slice(0, 1); }, /hosts: a VRRP group needs at least two hosts/],
        ["no hosts", (a) => { (a as any).hosts = undefined; }, /hosts: must list at least two hosts/],
        ["bad host address", (a) => { a.hosts[1].address = "192.0.2.300/24"; }, /hosts\[1\]\.address: .*"192\.0\.2\.300\/24"/],
        ["address without prefix", (a) => { a.hosts[1].address = "192.0.2.12"; }, /hosts\[1\]\.address: needs the subnet prefix/],
        ["duplicate host name", (a) => { a.hosts[1].name = "lb1"; }, /hosts\[1\]: duplicate host name: already used by hosts\[0\] \(got "lb1"\)/],
        ["duplicate address", (a) => { a.hosts[1].address = "192.0.2.11/24"; }, /hosts\[1\]: duplicate host address/],
        ["priority out of range", (a) => { a.hosts[0].priority = 300; }, /hosts\[0\]\.priority: must be an integer from 1 to 254 \(got 300\)/],
        ["equal priorities", (a) => { a.hosts[0].priority = 100; a.hosts[1].priority = 100; }, /hosts\[1\]: duplicate priority/],
        ["bad interface", (a) => { a.hosts[0].interface = "eth 1"; }, /hosts\[0\]\.interface: .*"eth 1"/],
        ["no VIP", (a) => { a.vips = []; }, /vips: needs at least one virtual IP/],
        ["VIP outside subnet", (a) => { a.vips = ["198.51.100.10"]; }, /vips\[0\]\.address: is outside host lb1's subnet 192\.0\.2\.11\/24/],
        ["VIP is a host address", (a) => { a.vips = ["192.0.2.12"]; }, /vips\[0\]\.address: is the own address of host lb2/],
        ["duplicate VIP", (a) => { a.vips = ["192.0.2.10", "192.0.2.10/32"]; }, /vips\[1\]: duplicate virtual IP/],
        ["router id 0", (a) => { a.virtualRouterId = 0; }, /virtualRouterId: must be an integer from 1 to 255 \(got 0\)/],
        ["router id 256", (a) => { a.virtualRouterId = 256; }, /virtualRouterId: .*\(got 256\)/],
        ["fractional v2 advert", (a) => { a.advertInt = 0.5; }, /advertInt: VRRPv2 adverts are whole seconds .*\(got 0\.5\)/],
        ["v3 with auth", (a) => { a.version = 3; a.authentication = true; }, /authentication: VRRPv3 has no authentication/],
        ["unknown profile", (a) => { a.profile = "turbo"; }, /profile: must be one of default, fast \(got "turbo"\)/],
        ["bad transport", (a) => { a.transport = "broadcast"; }, /transport: must be unicast or multicast \(got "broadcast"\)/],
        ["non-multicast group", (a) => { a.transport = "multicast"; a.multicastGroup = "192.0.2.19"; }, /multicastGroup: must be an IPv4 multicast address/],
        ["weighted check with nopreempt", (a) => { a.checks![0].weight = -20; }, /checks\[0\]\.weight: with nopreempt .*can never move the VIP.*\(got -20\)/],
        ["inert weight", (a) => { a.preempt = true; a.hosts[0].priority = 200; a.hosts[1].priority = 100; a.checks![0].weight = -50; }, /checks\[0\]\.weight: check svc failing on lb1 takes its priority from 200 to 150, but the best healthy backup lb2 has 100/],
        ["weights that tie", (a) => { a.preempt = true; a.hosts[0].priority = 102; a.hosts[1].priority = 100; a.checks![0].weight = 2; }, /checks: hosts lb1 \(priority 102\) .* and lb2 \(priority 100\) .*both reach effective priority/],
        ["check timeout above interval", (a) => { a.checks![0].interval = 2; a.checks![0].timeout = 3; }, /checks\[0\]\.timeout: must be an integer from 1 to 2 \(got 3\)/],
        ["empty probe", (a) => { a.checks![0].probe = " "; }, /checks\[0\]\.probe: must be a non-empty shell command/],
        ["root script user", (a) => { a.scriptUser = "root"; }, /scriptUser: must be an unprivileged user, not root/],
        ["label of other device", (a) => { a.vips = [{ address: "192.0.2.10", label: "eth0:vip" }]; }, /vips\[0\]\.label: must start with "eth1:"/],
        ["bad lb_algo", (a) => { a.virtualServers = [{ port: 443, lbAlgo: "loadbalance", realServers: [{ address: "192.0.2.21" }] }]; }, /virtualServers\[0\]\.lbAlgo: must be one of rr, wrr.*\(got "loadbalance"\)/],
        ["preemptDelay without preempt", (a) => { a.preemptDelay = 5; }, /preemptDelay: only applies with preempt: true \(got 5\)/],
        ["ssh host missing", (a) => { (a.hosts[0].ssh as any).host = ""; }, /hosts\[0\]\.ssh\.host: must be the address/],
        ["bad ssh host key", (a) => { a.hosts[0].ssh.hostKey = "AAAA"; }, /hosts\[0\]\.ssh\.hostKey: must be a public host key/],
        ["tracking the VRRP interface twice", (a) => { a.trackInterfaces = ["eth1"]; }, /trackInterfaces\[0\]: is host lb1's VRRP interface, which keepalived always tracks/],
        ["bad password rotation", (a) => { a.passwordRotation = ""; }, /passwordRotation: must be a non-empty string/],
    ];
    itRejects("vip", bad, () => pairArgs(), (n, a) => new KeepalivedPair(n, a));
});
