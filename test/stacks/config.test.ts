import { strict as assert } from "assert";
import "../support/mocks";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../stacks/config";
import { readStackFile } from "../../render/stackFile";

const devFile = path.resolve(__dirname, "../../Pulumi.dev.yaml");

function load(config: Record<string, unknown>, secretKeys: string[] = []) {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(flat, secretKeys);
    return loadStackConfig(new pulumi.Config("kubeedge-ha"));
}

const dev = () => JSON.parse(JSON.stringify(readStackFile(devFile).config)) as Record<string, any>;

describe("stack config", () => {
    it("turns the dev stack into typed component args", () => {
        const s = load(dev());
        assert.equal(s.apiserver!.vip, "192.0.2.10");
        assert.deepEqual(s.apiserver!.hosts.map((h) => [h.name, h.address, h.interface, h.ssh.host, h.ssh.user]),
            [["lb1", "192.0.2.11/24", "eth1", "192.0.2.11", "root"], ["lb2", "192.0.2.12/24", "eth1", "192.0.2.12", "root"]]);
        assert.equal(s.apiserver!.masters.length, 3);
        assert.equal(s.apiserver!.keepalived!.profile, "default");
        assert.equal(s.apiserver!.keepalived!.virtualRouterId, 51);
        assert.equal(s.cloudcore!.vip, "192.0.2.100");
        assert.deepEqual(s.cloudcore!.nodes.map((n) => n.name), ["cc1", "cc2"]);
        assert.equal(s.cloudcore!.version, "v1.19.2");
    });

    it("applies scalars: profile, sshUser, sshPort, host overrides", () => {
        const c = dev();
        c["kubeedge-ha:profile"] = "fast";
        c["kubeedge-ha:sshUser"] = "ops";
        c["kubeedge-ha:sshPort"] = "2222";
        c["kubeedge-ha:hosts"].lb2.port = 22;
        c["kubeedge-ha:hosts"].lb2.ssh = "lb2.example.test";
        const s = load(c);
        assert.equal(s.apiserver!.keepalived!.profile, "fast");
        assert.equal(s.apiserver!.hosts[0].ssh.user, "ops");
        assert.equal(s.apiserver!.hosts[0].ssh.port, 2222);
        assert.equal(s.apiserver!.hosts[1].ssh.port, 22);
        assert.equal(s.apiserver!.hosts[1].ssh.host, "lb2.example.test");
    });

    const bad: [string, (c: Record<string, any>) => void, RegExp][] = [
        ["unknown host reference", (c) => { c["kubeedge-ha:apiserver"].hosts = ["lb1", "lb9"]; }, /kubeedge-ha:apiserver\.hosts\[1\]: is not in kubeedge-ha:hosts \(known: lb1, lb2, cc1, cc2\) \(got "lb9"\)/],
        ["missing VIP", (c) => { delete c["kubeedge-ha:apiserver"].vip; }, /kubeedge-ha:apiserver\.vip: is required/],
        ["unknown apiserver key", (c) => { c["kubeedge-ha:apiserver"].vips = []; }, /kubeedge-ha:apiserver\.vips: is not a known key/],
        ["unknown host key", (c) => { c["kubeedge-ha:hosts"].lb1.iface = "eth1"; }, /kubeedge-ha:hosts\.lb1\.iface: is not a known key/],
        ["host without address", (c) => { delete c["kubeedge-ha:hosts"].lb1.address; }, /kubeedge-ha:hosts\.lb1\.address: is required/],
        ["bad profile", (c) => { c["kubeedge-ha:profile"] = "slow"; }, /kubeedge-ha:profile: must be one of default, fast \(got "slow"\)/],
        ["bad transport", (c) => { c["kubeedge-ha:vrrpTransport"] = "anycast"; }, /kubeedge-ha:vrrpTransport: must be unicast or multicast/],
        ["bad ssh port", (c) => { c["kubeedge-ha:sshPort"] = "0"; }, /kubeedge-ha:sshPort: must be an integer from 1 to 65535 \(got 0\)/],
        ["missing cloudcore VIP", (c) => { delete c["kubeedge-ha:cloudcore"].vip; }, /kubeedge-ha:cloudcore\.vip: is required/],
        ["hosts not a list", (c) => { c["kubeedge-ha:cloudcore"].hosts = "cc1"; }, /kubeedge-ha:cloudcore\.hosts: must list host names/],
    ];
    for (const [what, mutate, pattern] of bad) {
        it(`rejects ${what}, naming the config key`, () => {
            const c = dev();
            mutate(c);
            assert.throws(() => load(c), (e: Error) => {
                assert.match(e.message, /^invalid stack config: /);
                assert.match(e.message, pattern);
                return true;
            });
        });
    }

    it("the dev stack file holds no secret, neither in clear nor encrypted", () => {
        const f = readStackFile(devFile);
        assert.deepEqual(f.secretKeys, []);
        assert.equal(f.config["kubeedge-ha:sshPrivateKey"], undefined);
    });
});
