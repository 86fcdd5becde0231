import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { byName, registered, reset, settle, value, BadInput, itRejects } from "../support/mocks";
import { CloudCoreHA, CloudCoreHAArgs } from "../../components/cloudCoreHA";

function ccArgs(over: Partial<CloudCoreHAArgs> = {}): CloudCoreHAArgs {
    const ssh = (host: string) => ({ host, privateKey: pulumi.secret("KEY") });
    return {
        vip: "192.0.2.100",
        nodes: [
            { name: "cc1", address: "192.0.2.31/24", interface: "eth1", ssh: ssh("192.0.2.31") },
            { name: "cc2", address: "192.0.2.32/24", interface: "eth1", ssh: ssh("192.0.2.32") },
        ],
        version: "v1.19.2",
        ...over,
    };
}

const k8sObjects = () => registered.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes");

describe("CloudCoreHA", () => {
    beforeEach(reset);

    it("creates namespace, RBAC, ConfigMap, Deployment and node labels through the provider from opts", async () => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "fake" });
        const cc = new CloudCoreHA("cc", ccArgs(), { providers: { kubernetes: provider } });
        await value(cc.deployment.urn);
        await Promise.all(cc.nodeLabels.map((n) => value(n.urn)));
        await settle();
        const kinds = k8sObjects().map((r) => `${r.inputs.kind}/${r.inputs.metadata.name}`).sort();
        assert.deepEqual(kinds, ["ClusterRole/cloudcore", "ClusterRoleBinding/cloudcore", "ConfigMap/cloudcore", "Deployment/cloudcore",
            "Namespace/kubeedge", "Node/cc1", "Node/cc2", "ServiceAccount/cloudcore"]);
        for (const r of k8sObjects()) assert.match(r.provider ?? "", /pulumi:providers:kubernetes::k8s::/, `${r.name} ignores the provider`);
        assert.equal(byName("cc")?.type, "kubeedge-ha:index:CloudCoreHA");
    });

    it("labels and selectors agree; replicas = nodes; no readinessGates; advertiseAddress = VIP", async () => {
        const cc = new CloudCoreHA("cc", ccArgs());
        await value(cc.deployment.urn);
        await settle();
        const dep = byName("cc-deployment")!.inputs;
        const tmpl = dep.spec.template;
        for (const [k, v] of Object.entries(dep.spec.selector.matchLabels)) assert.equal(tmpl.metadata.labels[k], v, `selector ${k} not on pods`);
        const patch = byName("cc-label-cc1")!.inputs;
        assert.deepEqual(tmpl.spec.nodeSelector, patch.metadata.labels, "nodeSelector must be the NodePatch label");
        assert.equal(patch.metadata.annotations["pulumi.com/patchForce"], "true");
        assert.equal(dep.spec.replicas, 2);
        assert.equal(tmpl.spec.readinessGates, undefined);
        assert.equal(tmpl.spec.hostNetwork, true);
        assert.deepEqual(tmpl.spec.containers[0].ports.map((p: any) => `${p.containerPort}/${p.name}`),
            ["10000/cloudhub", "10001/cloudhub-quic", "10002/cloudhub-https", "10003/cloudstream", "10004/tunnelport"]);
        assert.match(byName("cc-configmap")!.inputs.data["cloudcore.yaml"], /advertiseAddress:\n\s+- 192\.0\.2\.100/);
        assert.equal(await value(cc.cloudhubEndpoint), "192.0.2.100:10000");
        assert.equal(await value(cc.httpsEndpoint), "https://192.0.2.100:10002");
        assert.equal(await value(cc.keadmJoin), "keadm join --cloudcore-ipport=192.0.2.100:10000 --kubeedge-version=v1.19.2");
    });

    it("the keepalived check follows the version: /ca.crt + cloudhub connect on v1.7+, /readyz on v1.3.1-v1.6", async () => {
        new CloudCoreHA("cc", ccArgs());
        await settle();
        const v19 = byName("cc-keepalived-cc1-check-cloudcore")!.inputs.stdin as string;
        assert.match(v19, /\/ca\.crt/);
        assert.doesNotMatch(v19, /readyz/);
        reset();
        const old = new CloudCoreHA("old", ccArgs({ version: "v1.6.2" }));
        await value(old.deployment.urn);
        await settle();
        assert.match(byName("old-keepalived-cc1-check-cloudcore")!.inputs.stdin, /\/readyz/);
        assert.match(byName("old-configmap")!.inputs.data["cloudcore.yaml"], /leaderelection/);
    });

    it("service exposure: a Service, no keepalived, no SSH needed", async () => {
        const cc = new CloudCoreHA("cc", { vip: "198.51.100.7", nodes: [{ name: "n1" }, { name: "n2" }], exposure: "service", serviceType: "NodePort" });
        await value(cc.deployment.urn);
        await settle();
        assert.equal(cc.keepalived, undefined);
        assert.equal(registered.filter((r) => r.type === "command:remote:Command").length, 0);
        assert.equal(byName("cc-service")!.inputs.spec.type, "NodePort");
    });

    it("takes CRD manifests as input", async () => {
        const cc = new CloudCoreHA("cc", ccArgs({ crdManifests: ["crds/devices_v1beta1_device.yaml"] }));
        await value(cc.deployment.urn);
        await settle();
        assert.equal(byName("cc-crds-0")?.type, "kubernetes:yaml/v2:ConfigFile");
    });

    const bad: BadInput<CloudCoreHAArgs>[] = [
        ["no VIP", (a) => { (a as any).vip = undefined; }, /advertiseAddress: is required/],
        ["one node in keepalived mode", (a) => { a.nodes = a.nodes.slice(0, 1); }, /hosts: a VRRP group needs at least two hosts/],
        ["invalid label key", (a) => { a.nodeLabelKey = "Kube Edge/x"; }, /nodeLabelKey: .*"Kube Edge\/x"/],
        ["invalid label value", (a) => { a.nodeLabelValue = "-bad-"; }, /nodeLabelValue: .*"-bad-"/],
        ["unsupported version v1.3.0", (a) => { a.version = "v1.3.0"; }, /version: .*"v1\.3\.0"/],
        ["unparseable version", (a) => { a.version = "latest"; }, /version: .*"latest"/],
        ["replicas above nodes", (a) => { a.replicas = 3; }, /replicas: .*\(got 3\)/],
        ["VIP outside the nodes' subnet", (a) => { a.vip = "203.0.113.100"; }, /vips\[0\]\.address: is outside host cc1's subnet/],
        ["missing node address", (a) => { delete a.nodes[1].address; }, /nodes\[1\]\.address: is required in keepalived mode/],
        ["missing ssh", (a) => { delete a.nodes[1].ssh; }, /nodes\[1\]\.ssh: SSH settings/],
    ];
    itRejects("cc", bad, () => ccArgs(), (n, a) => new CloudCoreHA(n, a));
});
