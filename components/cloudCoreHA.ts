import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KeepalivedHostArgs, KeepalivedPair } from "./keepalivedPair";
import { SshSettings } from "./host/remoteHost";
import { checkSsh } from "./host/ssh";
import {
    CloudCoreSettings, ResolvedCloudCore, cloudCoreEndpoints, cloudCoreManifests, keadmJoinHint, resolveCloudCore,
} from "./render/cloudcore";
import { CloudCoreProbeOptions, cloudCoreProbe } from "./render/cloudcoreCheck";
import { check } from "./render/errors";
import { VrrpGroupSettings, resolveVrrpGroup } from "./render/keepalived";
import { validated } from "./validate";

/** A node that runs cloudcore (and, in keepalived mode, keepalived). */
export interface CloudCoreNodeArgs {
    /** Kubernetes node name; also the keepalived router_id. Required. */
    name: string;
    /** SSH connection (keepalived mode only, where it is required). */
    ssh?: SshSettings;
    /** The node's own address with prefix, e.g. `192.0.2.31/24` (keepalived mode only, required there). */
    address?: string;
    /** Interface for VRRP and the VIP. Defaults to `eth0`. */
    interface?: string;
    /** VRRP priority. Defaults to 250, 240, ... in list order. */
    priority?: number;
}

/** keepalived settings of the cloudcore group; hosts, VIPs and the check come from the component. */
export type CloudCoreVrrpSettings = Omit<VrrpGroupSettings, "hosts" | "vips" | "checks">;

export interface CloudCoreHAArgs extends Omit<CloudCoreSettings, "nodes" | "advertiseAddress"> {
    /** The VIP edge nodes connect to (`advertiseAddress`, a cert SAN). Required. */
    vip: string;
    /** The cloudcore nodes, in VIP preference order. Required: at least two in keepalived mode. */
    nodes: CloudCoreNodeArgs[];
    /** keepalived settings (keepalived mode). Defaults: see VrrpGroupSettings. */
    keepalived?: CloudCoreVrrpSettings;
    /** Bounds of the health probe (host, ports, curl max-time). Defaults: see CloudCoreProbeOptions. */
    probe?: CloudCoreProbeOptions;
    /**
     * The CRD manifests cloudcore needs for its version (paths or URLs of KubeEdge's `build/crds`
     * files for that release), applied before the Deployment. Defaults to none: the CRDs must
     * already exist (e.g. from `keadm init` or your own pipeline) — they are not shipped here.
     */
    crdManifests?: string[];
}

/**
 * KubeEdge CloudCore on Kubernetes behind a keepalived VIP: the `kubeedge` namespace, RBAC, the
 * cloudcore ConfigMap (advertiseAddress = VIP) and a nodeSelector Deployment, the node labels as
 * NodePatches, and a KeepalivedPair on the cloudcore nodes whose check follows the version (see
 * `render/cloudcoreCheck.ts`). Exposure `service` replaces keepalived with a Kubernetes Service.
 * `pulumi destroy` removes all of it, node labels included (see README).
 */
export class CloudCoreHA extends pulumi.ComponentResource {
    /** The VIP (advertiseAddress). */
    public readonly vip: pulumi.Output<string>;
    /** `VIP:10000`: cloudhub websocket endpoint for edgecore. */
    public readonly cloudhubEndpoint: pulumi.Output<string>;
    /** `https://VIP:10002`: cloudhub https (certificates) endpoint. */
    public readonly httpsEndpoint: pulumi.Output<string>;
    /** `keadm join --cloudcore-ipport=VIP:10000 --kubeedge-version=...` (add `--token`). */
    public readonly keadmJoin: pulumi.Output<string>;
    /** The rendered cloudcore.yaml. */
    public readonly cloudcoreYaml: pulumi.Output<string>;
    /** The keepalived group (keepalived mode). */
    public readonly keepalived?: KeepalivedPair;
    /** The node label NodePatches (kubectl label nodes, as code). */
    public readonly nodeLabels: k8s.core.v1.NodePatch[];
    /** The cloudcore Deployment. */
    public readonly deployment: k8s.apps.v1.Deployment;
    /** The resolved settings. */
    public readonly settings: ResolvedCloudCore;

    constructor(name: string, args: CloudCoreHAArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kubeedge-ha:index:CloudCoreHA", name, {}, opts);
        const r = validated(this, name, () => {
            check(typeof args === "object" && args !== null, "args", args, "are required");
            check(Array.isArray(args.nodes) && args.nodes.length > 0, "nodes", args.nodes, "must list the cloudcore nodes");
            const { vip, nodes, keepalived, probe, crdManifests, ...settings } = args;
            const r = resolveCloudCore({ ...settings, advertiseAddress: vip, nodes: nodes.map((n) => n?.name) }, "");
            if (r.exposure === "keepalived") {
                nodes.forEach((n, i) => {
                    checkSsh(`nodes[${i}].ssh`, n.ssh);
                    check(n.address !== undefined, `nodes[${i}].address`, n.address, "is required in keepalived mode (e.g. 192.0.2.31/24)");
                });
                resolveVrrpGroup({ ...(keepalived ?? {}), hosts: nodes as KeepalivedHostArgs[], vips: [vip] });
                cloudCoreProbe(r.version, probe);
            } else {
                check(keepalived === undefined, "keepalived", keepalived, "only applies with exposure keepalived");
            }
            (crdManifests ?? []).forEach((c, i) => check(typeof c === "string" && c.length > 0, `crdManifests[${i}]`, c, "must be a path or URL"));
            return r;
        });
        this.settings = r;
        const manifests = cloudCoreManifests(r) as Record<string, any>;
        const child = { parent: this };

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, manifests.namespace, child);
        const inNs = { parent: this, dependsOn: [ns] };
        const crds = (args.crdManifests ?? []).map((file, i) => new k8s.yaml.v2.ConfigFile(`${name}-crds-${i}`, { file }, child));
        const sa = new k8s.core.v1.ServiceAccount(`${name}-serviceaccount`, manifests.serviceaccount, inNs);
        const role = new k8s.rbac.v1.ClusterRole(`${name}-clusterrole`, manifests.clusterrole, child);
        const binding = new k8s.rbac.v1.ClusterRoleBinding(`${name}-clusterrolebinding`, manifests.clusterrolebinding,
            { parent: this, dependsOn: [role, sa] });
        const cm = new k8s.core.v1.ConfigMap(`${name}-configmap`, manifests.configmap, inNs);
        // `kubectl label nodes` as code. Server-side apply; patchForce takes the label over from a
        // manager that set it before (e.g. kubectl). Deleting the patch releases the field, which
        // removes the label: `pulumi destroy` unlabels the nodes.
        this.nodeLabels = r.nodes.map((node) => new k8s.core.v1.NodePatch(`${name}-label-${node}`, {
            metadata: {
                name: node,
                labels: { [r.nodeLabel.key]: r.nodeLabel.value },
                annotations: { "pulumi.com/patchForce": "true" },
            },
        }, child));
        let service: k8s.core.v1.Service | undefined;
        if (manifests.service) service = new k8s.core.v1.Service(`${name}-service`, manifests.service, inNs);
        this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, manifests.deployment, {
            parent: this, dependsOn: [cm, binding, ...this.nodeLabels, ...crds],
        });

        if (r.exposure === "keepalived") {
            this.keepalived = new KeepalivedPair(`${name}-keepalived`, {
                ...(args.keepalived ?? {}),
                hosts: args.nodes as KeepalivedHostArgs[],
                vips: [args.vip],
                instanceName: args.keepalived?.instanceName ?? "cloudcore",
                checks: [{ name: "cloudcore", probe: cloudCoreProbe(r.version, args.probe) }],
            }, child);
        }

        const ep = cloudCoreEndpoints(r);
        this.vip = pulumi.output(r.vip);
        this.cloudhubEndpoint = pulumi.output(ep.cloudhub);
        this.httpsEndpoint = pulumi.output(ep.https);
        this.keadmJoin = pulumi.output(keadmJoinHint(r));
        this.cloudcoreYaml = pulumi.output(manifests.configmap.data["cloudcore.yaml"] as string);
        this.registerOutputs({
            vip: this.vip, cloudhubEndpoint: this.cloudhubEndpoint, httpsEndpoint: this.httpsEndpoint,
            keadmJoin: this.keadmJoin, cloudcoreYaml: this.cloudcoreYaml, service: service?.metadata.name,
        });
    }
}
