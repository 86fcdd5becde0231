import * as assert from "assert";
import { parse } from "yaml";
import {
    CloudCoreSettings, cloudCoreEndpoints, cloudCoreManifests, CONFIG_CHECKSUM_ANNOTATION, keadmJoinHint,
    parseKubeEdgeVersion, renderCloudCoreYaml, resolveCloudCore,
} from "../../../components/render/cloudcore";
import { InputError } from "../../../components/render/errors";
import { validateManifest } from "../../support/k8sSchema";

const base: CloudCoreSettings = {
    advertiseAddress: "10.10.102.242",
    extraAddresses: ["10.10.102.11", "10.10.102.12"],
    nodes: ["cc-1", "cc-2"],
};
const VERSIONS = ["v1.5.2", "v1.7.0", "1.12.4", "v1.23.1"];
type Obj = Record<string, any>;

function manifests(s: Partial<CloudCoreSettings> = {}): Record<string, Obj> {
    return cloudCoreManifests(resolveCloudCore({ ...base, ...s })) as Record<string, Obj>;
}
const podSpec = (m: Record<string, Obj>) => m.deployment.spec.template.spec;
const container = (m: Record<string, Obj>) => podSpec(m).containers[0];

describe("cloudcore render", () => {
    describe("schema validation (kubernetes-models)", () => {
        for (const version of VERSIONS) {
            for (const exposure of ["keepalived", "service"] as const) {
                if (exposure === "service" && version === "v1.5.2") continue; // refused, see bad inputs
                it(`${version} ${exposure}: every manifest is valid`, () => {
                    const m = manifests({ version, exposure, ...(exposure === "service" ? { serviceType: "NodePort", nodePorts: { cloudhub: 30000 } } : {}) });
                    const keys = ["namespace", "serviceaccount", "clusterrole", "clusterrolebinding", "configmap", "deployment"];
                    assert.deepStrictEqual(Object.keys(m).sort(), [...keys, ...(exposure === "service" ? ["service"] : [])].sort());
                    for (const [k, obj] of Object.entries(m)) assert.deepStrictEqual(validateManifest(obj), [], k);
                });
            }
        }
        it("v1.5 with service exposure and one replica is valid", () => {
            const m = manifests({ version: "v1.5.2", exposure: "service", replicas: 1 });
            for (const obj of Object.values(m)) assert.deepStrictEqual(validateManifest(obj), []);
        });
        it("a broken object fails (the validator is real)", () => {
            const d = JSON.parse(JSON.stringify(manifests().deployment));
            d.spec.template.spec.containers[0].ports[0].containerPort = "ten thousand";
            d.spec.template.spec.dnsPolicy = "Sometimes";
            delete d.spec.selector;
            const errors = validateManifest(d);
            assert.ok(errors.some((e) => /containerPort/.test(e)), errors.join("\n"));
            assert.ok(validateManifest({ ...manifests().service, apiVersion: "v1", kind: "Service", spec: { type: "Bogus" } }).length > 0);
            assert.ok(validateManifest({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: 5 } }).length > 0);
        });
    });

    describe("deployment", () => {
        it("selector ⊆ pod labels, nodeSelector = configured label, upstream labels", () => {
            const m = manifests({ nodeLabelKey: "example.com/cloudcore", nodeLabelValue: "yes" });
            const sel = m.deployment.spec.selector.matchLabels;
            const labels = m.deployment.spec.template.metadata.labels;
            for (const [k, v] of Object.entries(sel)) assert.strictEqual(labels[k], v);
            assert.deepStrictEqual(sel, { "k8s-app": "kubeedge", kubeedge: "cloudcore" });
            assert.deepStrictEqual(podSpec(m).nodeSelector, { "example.com/cloudcore": "yes" });
            for (const k of ["serviceaccount", "clusterrole", "clusterrolebinding", "configmap", "deployment"]) {
                assert.deepStrictEqual(m[k].metadata.labels, { "k8s-app": "kubeedge", kubeedge: "cloudcore" }, k);
                assert.strictEqual(m[k].metadata.name, "cloudcore");
            }
            assert.strictEqual(m.namespace.metadata.name, "kubeedge");
        });
        it("default label kubeedge.io/cloudcore=true; replicas default to node count, can be lower", () => {
            assert.deepStrictEqual(podSpec(manifests()).nodeSelector, { "kubeedge.io/cloudcore": "true" });
            assert.strictEqual(manifests().deployment.spec.replicas, 2);
            assert.strictEqual(manifests({ nodes: ["a", "b", "c"] }).deployment.spec.replicas, 3);
            assert.strictEqual(manifests({ nodes: ["a", "b", "c"], replicas: 2 }).deployment.spec.replicas, 2);
        });
        it("hostNetwork, affinity, one pod per host, privileged, env, volume, SA", () => {
            const m = manifests();
            const spec = podSpec(m);
            assert.strictEqual(spec.hostNetwork, true);
            assert.strictEqual(spec.dnsPolicy, "ClusterFirstWithHostNet");
            const term = spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
            assert.deepStrictEqual(term.matchExpressions, [{ key: "node-role.kubernetes.io/edge", operator: "DoesNotExist" }]);
            assert.deepStrictEqual(term.matchFields, [{ key: "metadata.name", operator: "In", values: ["cc-1", "cc-2"] }]);
            const anti = spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
            assert.strictEqual(anti.topologyKey, "kubernetes.io/hostname");
            assert.deepStrictEqual(anti.labelSelector.matchExpressions, [{ key: "kubeedge", operator: "In", values: ["cloudcore"] }]);
            const c = container(m);
            assert.strictEqual(c.securityContext.privileged, true);
            assert.deepStrictEqual(c.env.map((e: Obj) => [e.name, e.valueFrom.fieldRef.fieldPath]),
                [["CLOUDCORE_POD_NAME", "metadata.name"], ["CLOUDCORE_POD_NAMESPACE", "metadata.namespace"]]);
            assert.deepStrictEqual(c.volumeMounts, [{ name: "conf", mountPath: "/etc/kubeedge/config" }]);
            assert.deepStrictEqual(spec.volumes, [{ name: "conf", configMap: { name: "cloudcore" } }]);
            assert.strictEqual(spec.serviceAccountName, "cloudcore");
            assert.deepStrictEqual(c.resources, { limits: { cpu: "200m", memory: "1Gi" }, requests: { cpu: "100m", memory: "512Mi" } });
            assert.strictEqual(c.image, "kubeedge/cloudcore:v1.23.1");
            assert.strictEqual(container(manifests({ version: "1.12.4", imageRepository: "reg.example:5000/ke/cloudcore" })).image,
                "reg.example:5000/ke/cloudcore:v1.12.4");
        });
        it("ports 10000-10004 with upstream names", () => {
            for (const version of VERSIONS) {
                assert.deepStrictEqual(container(manifests({ version })).ports.map((p: Obj) => [p.containerPort, p.name]),
                    [[10000, "cloudhub"], [10001, "cloudhub-quic"], [10002, "cloudhub-https"], [10003, "cloudstream"], [10004, "tunnelport"]]);
            }
        });
        it("no readinessGates; probes per version", () => {
            for (const version of VERSIONS) assert.strictEqual(podSpec(manifests({ version })).readinessGates, undefined);
            const old = container(manifests({ version: "v1.5.2" }));
            assert.strictEqual(old.readinessProbe, undefined);
            assert.strictEqual(old.livenessProbe, undefined);
            const c = container(manifests({ version: "v1.7.0" }));
            assert.deepStrictEqual(c.readinessProbe.httpGet, { path: "/ca.crt", port: 10002, scheme: "HTTPS" });
            assert.deepStrictEqual(c.livenessProbe.tcpSocket, { port: 10000 });
        });
        it("config checksum annotation follows the ConfigMap", () => {
            const a = manifests(), b = manifests({ nodeLimit: 50 }), c = manifests();
            const sum = (m: Record<string, Obj>) => m.deployment.spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
            assert.match(sum(a), /^[0-9a-f]{64}$/);
            assert.strictEqual(sum(a), sum(c));
            assert.notStrictEqual(sum(a), sum(b));
        });
        it("RBAC: upstream ClusterRole rules bound to the cloudcore SA", () => {
            const m = manifests();
            assert.strictEqual(m.clusterrole.rules.length, 10);
            assert.deepStrictEqual(m.clusterrole.rules[4], { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update"] });
            assert.deepStrictEqual(m.clusterrolebinding.subjects, [{ kind: "ServiceAccount", name: "cloudcore", namespace: "kubeedge" }]);
            assert.strictEqual(m.clusterrolebinding.roleRef.name, "cloudcore");
        });
    });

    describe("service mode", () => {
        it("LoadBalancer by default over the pod labels with cloudhub ports", () => {
            const m = manifests({ exposure: "service" });
            assert.strictEqual(m.service.spec.type, "LoadBalancer");
            assert.deepStrictEqual(m.service.spec.selector, m.deployment.spec.selector.matchLabels);
            assert.deepStrictEqual(m.service.spec.ports.map((p: Obj) => [p.name, p.port]), [["cloudhub", 10000], ["cloudhub-https", 10002]]);
        });
        it("NodePort with fixed node ports; cloudStream adds stream ports", () => {
            const m = manifests({ exposure: "service", serviceType: "NodePort", cloudStream: true, nodePorts: { cloudhub: 30000, cloudhubHttps: 30002, tunnelport: 30004 } });
            assert.deepStrictEqual(m.service.spec.ports.map((p: Obj) => [p.name, p.port, p.nodePort]),
                [["cloudhub", 10000, 30000], ["cloudhub-https", 10002, 30002], ["cloudstream", 10003, undefined], ["tunnelport", 10004, 30004]]);
        });
        it("keepalived mode has no service", () => assert.strictEqual(manifests().service, undefined));
    });

    describe("cloudcore.yaml", () => {
        it("parses back to the upstream structure", () => {
            const r = resolveCloudCore({ ...base, version: "v1.23.1" });
            const y = renderCloudCoreYaml(r);
            assert.strictEqual(manifests().configmap.data["cloudcore.yaml"], y);
            const cfg = parse(y);
            assert.strictEqual(cfg.apiVersion, "cloudcore.config.kubeedge.io/v1alpha1");
            assert.strictEqual(cfg.kind, "CloudCore");
            assert.deepStrictEqual(cfg.kubeAPIConfig, { kubeConfig: "", master: "" });
            assert.deepStrictEqual(Object.keys(cfg.modules).sort(),
                ["cloudHub", "cloudStream", "deviceController", "dynamicController", "edgeController", "router", "syncController"]);
            const hub = cfg.modules.cloudHub;
            assert.deepStrictEqual(hub.advertiseAddress, ["10.10.102.242", "10.10.102.11", "10.10.102.12"]);
            assert.strictEqual(hub.nodeLimit, 1000);
            assert.deepStrictEqual(hub.websocket, { address: "0.0.0.0", enable: true, port: 10000 });
            assert.deepStrictEqual(hub.https, { address: "0.0.0.0", enable: true, port: 10002 });
            assert.deepStrictEqual(hub.unixsocket, { address: "unix:///var/lib/kubeedge/kubeedge.sock", enable: true });
            assert.strictEqual(hub.tlsCAFile, "/etc/kubeedge/ca/rootCA.crt");
            assert.strictEqual(cfg.modules.cloudStream.enable, false);
            assert.strictEqual(cfg.modules.edgeController.nodeUpdateFrequency, 10);
            assert.strictEqual(renderCloudCoreYaml(r), y, "deterministic");
        });
        it("leaderelection only for v1.3.1–v1.6.x", () => {
            const has = (version: string) => "leaderelection" in parse(renderCloudCoreYaml(resolveCloudCore({ ...base, version })));
            assert.deepStrictEqual(["v1.3.1", "v1.5.2", "v1.6.3", "v1.7.0", "v1.10.0", "v1.23.1"].map(has), [true, true, true, false, false, false]);
            const le = parse(renderCloudCoreYaml(resolveCloudCore({ ...base, version: "v1.6.0" }))).leaderelection;
            assert.deepStrictEqual(le, { LeaderElect: true, LeaseDuration: "15s", RenewDeadline: "10s", ResourceLock: "endpointsleases",
                ResourceName: "cloudcorelease", ResourceNamespace: "kubeedge", RetryPeriod: "2s" });
        });
        it("advertiseAddress = VIP (prefix dropped) + extras; IPv6 endpoints bracketed", () => {
            const r = resolveCloudCore({ ...base, advertiseAddress: "10.10.102.242/24" });
            assert.deepStrictEqual(r.advertiseAddresses, ["10.10.102.242", "10.10.102.11", "10.10.102.12"]);
            assert.strictEqual(keadmJoinHint(r), "keadm join --cloudcore-ipport=10.10.102.242:10000 --kubeedge-version=v1.23.1");
            const r6 = resolveCloudCore({ advertiseAddress: "2001:db8::10", nodes: ["a"], version: "1.19.0" });
            assert.deepStrictEqual(cloudCoreEndpoints(r6), { cloudhub: "[2001:db8::10]:10000", https: "https://[2001:db8::10]:10002" });
            assert.strictEqual(keadmJoinHint(r6), "keadm join --cloudcore-ipport=[2001:db8::10]:10000 --kubeedge-version=v1.19.0");
        });
    });

    describe("versions", () => {
        it("accepts v1.x.y and 1.x.y in range", () => {
            assert.deepStrictEqual(parseKubeEdgeVersion("v", "1.7.1"), { major: 1, minor: 7, patch: 1, tag: "v1.7.1" });
            assert.strictEqual(parseKubeEdgeVersion("v", "v1.3.1").tag, "v1.3.1");
            assert.strictEqual(parseKubeEdgeVersion("v", "v1.23.9").tag, "v1.23.9");
        });
        for (const [bad, why] of [["v1.3.0", /readyz/], ["v1.2.1", /before v1.3/], ["v1.24.0", /newest supported/],
            ["v2.0.0", /major/], ["latest", /release/], ["v1.20.0-beta.0", /pre-release/], [120, /release/]] as const) {
            it(`refuses ${bad}`, () => assert.throws(() => parseKubeEdgeVersion("cloudcore.version", bad),
                (e: unknown) => e instanceof InputError && e.field === "cloudcore.version" && why.test(e.message) && e.message.includes(JSON.stringify(bad))));
        }
    });

    describe("bad inputs name field and value", () => {
        const cases: [string, Partial<CloudCoreSettings> | Obj, string, string][] = [
            ["no VIP", { advertiseAddress: undefined }, "cloudcore.advertiseAddress", "undefined"],
            ["VIP not an IP", { advertiseAddress: "cloudcore.example" }, "cloudcore.advertiseAddress", '"cloudcore.example"'],
            ["extra address with prefix", { extraAddresses: ["10.0.0.1/24"] }, "cloudcore.extraAddresses[0]", '"10.0.0.1/24"'],
            ["extra repeats VIP", { extraAddresses: ["10.10.102.242"] }, "cloudcore.extraAddresses[0]", '"10.10.102.242"'],
            ["label key with space", { nodeLabelKey: "kubeedge.io/cloud core" }, "cloudcore.nodeLabelKey", '"kubeedge.io/cloud core"'],
            ["label key bad prefix", { nodeLabelKey: "Example.COM/cc" }, "cloudcore.nodeLabelKey", '"Example.COM/cc"'],
            ["label name > 63", { nodeLabelKey: "a".repeat(64) }, "cloudcore.nodeLabelKey", "aaaa"],
            ["label value bad", { nodeLabelValue: "-yes" }, "cloudcore.nodeLabelValue", '"-yes"'],
            ["unsupported version", { version: "v1.3.0" }, "cloudcore.version", '"v1.3.0"'],
            ["replicas > nodes", { replicas: 3 }, "cloudcore.replicas", "3"],
            ["duplicate nodes", { nodes: ["cc-1", "cc-1"] }, "cloudcore.nodes[1]", '"cc-1"'],
            ["bad node name", { nodes: ["CC_1"] }, "cloudcore.nodes[0]", '"CC_1"'],
            ["no nodes", { nodes: [] }, "cloudcore.nodes", "[]"],
            ["bad nodeLimit", { nodeLimit: 0 }, "cloudcore.nodeLimit", "0"],
            ["bad cpu", { resources: { limits: { cpu: "lots" } } }, "cloudcore.resources.limits.cpu", '"lots"'],
            ["bad exposure", { exposure: "ingress" as never }, "cloudcore.exposure", '"ingress"'],
            ["service mode on v1.5 with 2 replicas", { version: "v1.5.2", exposure: "service" }, "cloudcore.exposure", '"service"'],
            ["nodePorts with LoadBalancer", { exposure: "service", nodePorts: { cloudhub: 30000 } }, "cloudcore.nodePorts", "30000"],
            ["nodePort out of range", { exposure: "service", serviceType: "NodePort", nodePorts: { cloudhub: 70000 } }, "cloudcore.nodePorts.cloudhub", "70000"],
            ["serviceType in keepalived mode", { serviceType: "NodePort" }, "cloudcore.serviceType", '"NodePort"'],
            ["bad image repository", { imageRepository: "Kubeedge/CloudCore" }, "cloudcore.imageRepository", '"Kubeedge/CloudCore"'],
        ];
        for (const [name, patch, field, shown] of cases) {
            it(name, () => assert.throws(() => resolveCloudCore({ ...base, ...patch } as CloudCoreSettings), (e: unknown) => {
                assert.ok(e instanceof InputError, String(e));
                assert.strictEqual(e.field, field);
                assert.ok(e.message.includes(shown), `${e.message} should show ${shown}`);
                return true;
            }));
        }
    });
});
