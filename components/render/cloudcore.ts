/**
 * KubeEdge CloudCore for HA, as plain data: version rules, `cloudcore.yaml` text and the Kubernetes
 * objects (Namespace, RBAC, ConfigMap, Deployment, optional Service). No Pulumi import.
 *
 * Upstream sources (see /work/shared/reference/kubeedge-and-ha-anchors.md §2): kubeedge/kubeedge
 * `build/cloud/ha/01-ha-prepare.yaml`, `02-ha-configmap.yaml.example`, `03-ha-deployment.yaml.example`
 * and the helm chart `manifests/charts/cloudcore`.
 *
 * CRDs (devices, devicemodels, objectsyncs, clusterobjectsyncs, rules, ...) are NOT rendered here:
 * the component takes the upstream CRD manifests for the chosen version as input (paths or URLs),
 * because their schemas change between releases and must match the cloudcore binary.
 */
import { createHash } from "crypto";
import { stringify } from "yaml";
import { check, fail, intIn, text, unique } from "./errors";
import { parseCidr, urlHost } from "./net";

/** The namespace cloudcore uses; fixed (cloudcore itself creates/uses `kubeedge`). */
export const NAMESPACE = "kubeedge";
/** Default version: the newest release tag the reference covers (kubeedge HEAD is after v1.23.1). */
export const DEFAULT_VERSION = "v1.23.1";
/** Newest minor accepted: v1.23.x. Newer minors are refused until checked against upstream. */
export const NEWEST_MINOR = 23;
/** Upstream cloudcore ports. */
export const PORTS = { cloudhub: 10000, quic: 10001, https: 10002, stream: 10003, tunnel: 10004 } as const;
/** Labels upstream puts on every cloudcore object. */
export const LABELS: Readonly<Record<string, string>> = { "k8s-app": "kubeedge", kubeedge: "cloudcore" };
/** Pod-template annotation carrying the sha256 of `cloudcore.yaml`, so a config change rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = "checksum/config";

/** A supported KubeEdge release. */
export interface KubeEdgeVersion {
    major: number;
    minor: number;
    patch: number;
    /** Image tag and keadm `--kubeedge-version`, always `v1.x.y`. */
    tag: string;
}

/**
 * Parses a KubeEdge release `v1.x.y` (or `1.x.y`). Policy: v1.3.1 to v1.23.x inclusive.
 * Refused: anything unparseable or with a pre-release suffix; < v1.3 (no HA); v1.3.0 (leader
 * election but no `/readyz` route, so no check can follow the leader); > v1.23.x (not verified).
 */
export function parseKubeEdgeVersion(field: string, value: unknown): KubeEdgeVersion {
    const m = typeof value === "string" ? /^v?(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value) : null;
    if (!m) fail(field, value, "must be a KubeEdge release such as v1.23.1 (no pre-release suffix)");
    const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
    check(major === 1, field, value, `unsupported major version: supported are v1.3.1 to v1.${NEWEST_MINOR}.x`);
    check(minor >= 3, field, value, "KubeEdge before v1.3 has no CloudCore HA: use v1.3.1 or newer");
    check(!(minor === 3 && patch === 0), field, value,
        "v1.3.0 has leader election but no /readyz route, so keepalived cannot follow the leader: use v1.3.1 or newer");
    check(minor <= NEWEST_MINOR, field, value,
        `newer than the newest supported release line v1.${NEWEST_MINOR}.x; check upstream build/cloud/ha before raising the limit`);
    return { major, minor, patch, tag: `v${major}.${minor}.${patch}` };
}

/** v1.3.1–v1.6.x: leader election (active-standby); only the leader runs cloudhub and serves `/readyz`. */
export function hasLeaderElection(v: KubeEdgeVersion): boolean {
    return v.minor >= 3 && v.minor <= 6;
}

export type Exposure = "keepalived" | "service";
export type ServiceType = "LoadBalancer" | "NodePort";

/** Node ports for `exposure: "service"` with `serviceType: "NodePort"`; unset ones are allocated by Kubernetes. */
export interface CloudCoreNodePorts {
    cloudhub?: number;
    cloudhubHttps?: number;
    /** Only used when `cloudStream` is on. */
    cloudstream?: number;
    /** Only used when `cloudStream` is on. */
    tunnelport?: number;
}

/** CPU/memory quantities, e.g. `100m`, `512Mi`. */
export interface ResourceAmounts {
    cpu?: string;
    memory?: string;
}

export interface CloudCoreResources {
    /** Defaults to upstream `cpu: 100m, memory: 512Mi`. */
    requests?: ResourceAmounts;
    /** Defaults to upstream `cpu: 200m, memory: 1Gi`. */
    limits?: ResourceAmounts;
}

export interface CloudCoreSettings {
    /** KubeEdge release, `v1.x.y` or `1.x.y`, v1.3.1–v1.23.x. Defaults to {@link DEFAULT_VERSION} `v1.23.1`. */
    version?: string;
    /** Image repository; the image is `<repository>:<version tag>`. Defaults to `kubeedge/cloudcore`. */
    imageRepository?: string;
    /**
     * The address edge nodes use: the keepalived VIP (or the load balancer / node address in service
     * mode). Required. A `/prefix` is accepted and dropped. First entry of `cloudHub.advertiseAddress`,
     * so it is an IP SAN of the cloudcore server certificate.
     */
    advertiseAddress: string;
    /** More IP addresses for `advertiseAddress` (certificate SANs), e.g. each node's own IP. Defaults to none. */
    extraAddresses?: string[];
    /**
     * `cloudHub.nodeLimit`: edge nodes per cloudcore instance, 1–100000. Defaults to 1000 (helm chart
     * value; the HA example's 10 silently refuses the 11th edge node).
     */
    nodeLimit?: number;
    /**
     * Enables `cloudStream` (kubectl logs/exec, ports 10003/10004). Defaults to false, as in the HA
     * example: it needs stream certificates (`/etc/kubeedge/certs/stream.crt`) this component does not make.
     */
    cloudStream?: boolean;
    /** Node label key for the Deployment's `nodeSelector`. Defaults to `kubeedge.io/cloudcore`. */
    nodeLabelKey?: string;
    /** Node label value (may be empty). Defaults to `true`. */
    nodeLabelValue?: string;
    /** Names of the Kubernetes nodes that run cloudcore (and keepalived). Required, at least one, no duplicates. */
    nodes: string[];
    /** Deployment replicas, 1..nodes.length (one pod per node). Defaults to `nodes.length`. */
    replicas?: number;
    /** Container resources; defaults are upstream's (requests 100m/512Mi, limits 200m/1Gi). */
    resources?: CloudCoreResources;
    /**
     * How edge nodes reach cloudcore. `keepalived` (default): a VIP held by the host keepalived on one
     * cloudcore node. `service`: a Kubernetes Service over the pods; needs v1.7+ (active-active) unless
     * `replicas` is 1, because before v1.7 standby pods do not listen at all.
     */
    exposure?: Exposure;
    /** Service type in service mode. Defaults to `LoadBalancer`. */
    serviceType?: ServiceType;
    /** Fixed node ports in service mode with `NodePort`. Defaults to none (allocated). */
    nodePorts?: CloudCoreNodePorts;
}

export interface ResolvedCloudCore {
    version: KubeEdgeVersion;
    leaderElection: boolean;
    image: string;
    /** The VIP without prefix. */
    vip: string;
    /** VIP first, then the extra addresses, canonical text. */
    advertiseAddresses: string[];
    nodeLimit: number;
    cloudStream: boolean;
    namespace: typeof NAMESPACE;
    nodeLabel: { key: string; value: string };
    nodes: string[];
    replicas: number;
    resources: { requests: Required<ResourceAmounts>; limits: Required<ResourceAmounts> };
    exposure: Exposure;
    /** Set in service mode only. */
    serviceType?: ServiceType;
    nodePorts: CloudCoreNodePorts;
}

const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN = new RegExp(`^(?=.{1,253}$)${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const LABEL_NAME = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?=.{0,63}$)([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const IMAGE_REPO = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** Kubernetes label key: optional DNS-subdomain prefix (≤253) and `/`, then a name ≤63. */
export function labelKey(field: string, value: unknown): string {
    check(typeof value === "string", field, value, "must be a label key such as kubeedge.io/cloudcore");
    const s = value as string;
    const slash = s.indexOf("/");
    const prefix = slash >= 0 ? s.slice(0, slash) : undefined;
    const name = slash >= 0 ? s.slice(slash + 1) : s;
    check(prefix === undefined || DNS_SUBDOMAIN.test(prefix), field, value,
        "label key prefix must be a lowercase DNS subdomain of at most 253 characters");
    check(LABEL_NAME.test(name), field, value,
        "label key name must be 1-63 characters [A-Za-z0-9_.-], starting and ending alphanumeric");
    return s;
}

/** Kubernetes label value: empty, or ≤63 characters `[A-Za-z0-9_.-]` starting and ending alphanumeric. */
export function labelValue(field: string, value: unknown): string {
    check(typeof value === "string" && LABEL_VALUE.test(value), field, value,
        "label value must be empty or 1-63 characters [A-Za-z0-9_.-], starting and ending alphanumeric");
    return value as string;
}

function amounts(field: string, v: ResourceAmounts | undefined, dflt: Required<ResourceAmounts>): Required<ResourceAmounts> {
    const q = (f: string, x: unknown, d: string) => text(f, x, QUANTITY, "a Kubernetes quantity such as 100m or 512Mi", d);
    return { cpu: q(`${field}.cpu`, v?.cpu, dflt.cpu), memory: q(`${field}.memory`, v?.memory, dflt.memory) };
}

/** Validates settings and fills defaults. Errors name the field (under `field`) and the value. */
export function resolveCloudCore(s: CloudCoreSettings, field = "cloudcore"): ResolvedCloudCore {
    check(typeof s === "object" && s !== null, field, s, "must be an object");
    const version = parseKubeEdgeVersion(`${field}.version`, s.version ?? DEFAULT_VERSION);
    const repo = text(`${field}.imageRepository`, s.imageRepository, IMAGE_REPO,
        "an image repository such as kubeedge/cloudcore or registry.example:5000/kubeedge/cloudcore", "kubeedge/cloudcore");

    check(s.advertiseAddress !== undefined, `${field}.advertiseAddress`, s.advertiseAddress,
        "is required: the VIP edge nodes connect to");
    const vip = parseCidr(`${field}.advertiseAddress`, s.advertiseAddress).address;
    const extras = s.extraAddresses ?? [];
    check(Array.isArray(extras), `${field}.extraAddresses`, extras, "must be a list of IP addresses");
    const extraAddrs = extras.map((a, i) => {
        check(typeof a === "string" && !a.includes("/"), `${field}.extraAddresses[${i}]`, a, "must be an IP address without prefix");
        return parseCidr(`${field}.extraAddresses[${i}]`, a).address;
    });
    extraAddrs.forEach((a, i) => check(a !== vip, `${field}.extraAddresses[${i}]`, extras[i], "repeats advertiseAddress"));
    unique(`${field}.extraAddresses`, extraAddrs, (a) => a, "address");
    const advertiseAddresses = [vip, ...extraAddrs];

    const nodeLimit = intIn(`${field}.nodeLimit`, s.nodeLimit, 1, 100000, 1000);
    const cloudStream = s.cloudStream ?? false;
    check(typeof cloudStream === "boolean", `${field}.cloudStream`, s.cloudStream, "must be true or false");

    const key = labelKey(`${field}.nodeLabelKey`, s.nodeLabelKey ?? "kubeedge.io/cloudcore");
    const value = labelValue(`${field}.nodeLabelValue`, s.nodeLabelValue ?? "true");

    check(Array.isArray(s.nodes) && s.nodes.length > 0, `${field}.nodes`, s.nodes, "must list at least one node name");
    s.nodes.forEach((n, i) => check(typeof n === "string" && DNS_SUBDOMAIN.test(n), `${field}.nodes[${i}]`, n,
        "must be a Kubernetes node name (lowercase DNS subdomain)"));
    unique(`${field}.nodes`, s.nodes, (n) => n, "node");
    const replicas = intIn(`${field}.replicas`, s.replicas, 1, 1000, s.nodes.length);
    check(replicas <= s.nodes.length, `${field}.replicas`, s.replicas,
        `must not exceed the ${s.nodes.length} cloudcore node(s): pods are spread one per host`);

    const resources = {
        requests: amounts(`${field}.resources.requests`, s.resources?.requests, { cpu: "100m", memory: "512Mi" }),
        limits: amounts(`${field}.resources.limits`, s.resources?.limits, { cpu: "200m", memory: "1Gi" }),
    };

    const exposure = s.exposure ?? "keepalived";
    check(exposure === "keepalived" || exposure === "service", `${field}.exposure`, s.exposure, 'must be "keepalived" or "service"');
    const leaderElection = hasLeaderElection(version);
    let serviceType: ServiceType | undefined;
    const nodePorts: CloudCoreNodePorts = {};
    if (exposure === "service") {
        check(!leaderElection || replicas === 1, `${field}.exposure`, exposure,
            `service exposure needs KubeEdge v1.7+ with several replicas: in ${version.tag} standby pods do not listen, ` +
            "so the Service would send edge nodes to dead endpoints; use keepalived or replicas 1");
        serviceType = s.serviceType ?? "LoadBalancer";
        check(serviceType === "LoadBalancer" || serviceType === "NodePort", `${field}.serviceType`, s.serviceType,
            'must be "LoadBalancer" or "NodePort"');
        const np = s.nodePorts ?? {};
        for (const k of ["cloudhub", "cloudhubHttps", "cloudstream", "tunnelport"] as const) {
            if (np[k] !== undefined) nodePorts[k] = intIn(`${field}.nodePorts.${k}`, np[k], 1, 65535);
        }
        for (const k of Object.keys(np)) {
            check(k in nodePorts, `${field}.nodePorts.${k}`, (np as Record<string, unknown>)[k],
                "unknown node port: use cloudhub, cloudhubHttps, cloudstream or tunnelport");
        }
        check(Object.keys(nodePorts).length === 0 || serviceType === "NodePort", `${field}.nodePorts`, s.nodePorts,
            'only apply to serviceType "NodePort"');
        unique(`${field}.nodePorts`, Object.values(nodePorts), (p) => String(p), "node port");
    } else {
        check(s.serviceType === undefined && s.nodePorts === undefined, `${field}.serviceType`, s.serviceType ?? s.nodePorts,
            'serviceType and nodePorts only apply to exposure "service"');
    }

    return {
        version, leaderElection, image: `${repo}:${version.tag}`, vip, advertiseAddresses, nodeLimit, cloudStream,
        namespace: NAMESPACE, nodeLabel: { key, value }, nodes: [...s.nodes], replicas, resources, exposure,
        ...(serviceType ? { serviceType } : {}), nodePorts,
    };
}

/**
 * The `cloudcore.yaml` data, shaped like upstream `02-ha-configmap.yaml.example`.
 *
 * `apiVersion` is always `cloudcore.config.kubeedge.io/v1alpha1`: it is the only cloudcore config
 * version implemented in code at any release (kubeedge PR #6463: the helm chart's `v1alpha2` "has no
 * implementation in code"; cloudcore parses with non-strict `sigs.k8s.io/yaml` and ignores the
 * apiVersion and unknown fields, `pkg/apis/componentconfig/cloudcore/v1alpha1/helper.go`). Uncertainty:
 * if a future release adds a real v1alpha2 with different fields, this needs a version switch.
 *
 * `leaderelection` (upstream 6c1cefe15 → 2e1a28285) is emitted for v1.3.1–v1.6.x only; v1.7 removed it.
 */
export function cloudCoreConfig(r: ResolvedCloudCore): Record<string, unknown> {
    const cfg: Record<string, unknown> = {
        apiVersion: "cloudcore.config.kubeedge.io/v1alpha1",
        kind: "CloudCore",
        kubeAPIConfig: { kubeConfig: "", master: "" },
    };
    if (r.leaderElection) {
        cfg.leaderelection = {
            LeaderElect: true, LeaseDuration: "15s", RenewDeadline: "10s", ResourceLock: "endpointsleases",
            ResourceName: "cloudcorelease", ResourceNamespace: NAMESPACE, RetryPeriod: "2s",
        };
    }
    cfg.modules = {
        cloudHub: {
            advertiseAddress: [...r.advertiseAddresses],
            nodeLimit: r.nodeLimit,
            tlsCAFile: "/etc/kubeedge/ca/rootCA.crt",
            tlsCertFile: "/etc/kubeedge/certs/server.crt",
            tlsPrivateKeyFile: "/etc/kubeedge/certs/server.key",
            unixsocket: { address: "unix:///var/lib/kubeedge/kubeedge.sock", enable: true },
            websocket: { address: "0.0.0.0", enable: true, port: PORTS.cloudhub },
            https: { address: "0.0.0.0", enable: true, port: PORTS.https },
        },
        cloudStream: {
            enable: r.cloudStream,
            streamPort: PORTS.stream,
            tlsStreamCAFile: "/etc/kubeedge/ca/streamCA.crt",
            tlsStreamCertFile: "/etc/kubeedge/certs/stream.crt",
            tlsStreamPrivateKeyFile: "/etc/kubeedge/certs/stream.key",
            tlsTunnelCAFile: "/etc/kubeedge/ca/rootCA.crt",
            tlsTunnelCertFile: "/etc/kubeedge/certs/server.crt",
            tlsTunnelPrivateKeyFile: "/etc/kubeedge/certs/server.key",
            tunnelPort: PORTS.tunnel,
        },
        deviceController: { enable: true },
        edgeController: { enable: true, nodeUpdateFrequency: 10 },
        router: { address: "0.0.0.0", port: 9443, restTimeout: 60, enable: true },
        syncController: { enable: true },
        dynamicController: { enable: false },
    };
    return cfg;
}

/** `cloudcore.yaml` text; deterministic (fixed key order, no line folding). */
export function renderCloudCoreYaml(r: ResolvedCloudCore): string {
    return stringify(cloudCoreConfig(r), { lineWidth: 0 });
}

function meta(name: string, namespaced: boolean): Record<string, unknown> {
    return { name, ...(namespaced ? { namespace: NAMESPACE } : {}), labels: { ...LABELS } };
}

/** Upstream `01-ha-prepare.yaml` ClusterRole rules (HEAD). */
export function clusterRoleRules(): object[] {
    const all7 = ["get", "list", "watch", "create", "update", "patch", "delete"];
    return [
        { apiGroups: [""], resources: ["nodes", "nodes/status", "serviceaccounts/token", "configmaps", "pods", "pods/status", "secrets",
            "endpoints", "services", "persistentvolumes", "persistentvolumeclaims"], verbs: ["get", "list", "watch", "create", "update"] },
        { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "create", "list", "watch"] },
        { apiGroups: [""], resources: ["nodes", "pods/status"], verbs: ["patch"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["delete"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update"] },
        { apiGroups: ["devices.kubeedge.io"], resources: ["devices", "devicemodels", "devices/status", "devicemodels/status"], verbs: all7 },
        { apiGroups: ["reliablesyncs.kubeedge.io"], resources: ["objectsyncs", "clusterobjectsyncs", "objectsyncs/status", "clusterobjectsyncs/status"], verbs: all7 },
        { apiGroups: ["rules.kubeedge.io"], resources: ["rules", "ruleendpoints", "rules/status", "ruleendpoints/status"], verbs: all7 },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: all7 },
        { apiGroups: ["networking.istio.io"], resources: ["*"], verbs: ["get", "list", "watch"] },
    ];
}

/**
 * Probes per version.
 * - v1.7+ (active-active, every pod serves): startup and liveness `tcpSocket` 10000 (websocket
 *   server), readiness `httpGet` HTTPS 10002 `/ca.crt` (kubelet does not verify TLS for probes).
 * - v1.3.1–v1.6.x: none. Only the leader starts cloudhub (`core.StartModules()` in
 *   `OnStartedLeading`, `cloud/pkg/leaderelection/leaderelection.go`), so standbys listen on nothing:
 *   a readiness probe (even on `/readyz`) would keep them unready for ever (rollouts and Pulumi's
 *   Deployment await would hang), and a liveness probe would restart them in a loop. A leader that
 *   loses its lease exits by itself, which is what restarts it.
 */
export function cloudCoreProbes(r: ResolvedCloudCore): Record<string, object> {
    if (r.leaderElection) return {};
    const tcp = { tcpSocket: { port: PORTS.cloudhub } };
    return {
        startupProbe: { ...tcp, periodSeconds: 10, failureThreshold: 30, timeoutSeconds: 2 },
        livenessProbe: { ...tcp, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
        readinessProbe: {
            httpGet: { path: "/ca.crt", port: PORTS.https, scheme: "HTTPS" },
            periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2,
        },
    };
}

/**
 * The Kubernetes objects, keyed `namespace`, `serviceaccount`, `clusterrole`, `clusterrolebinding`,
 * `configmap`, `deployment` and, in service mode, `service`.
 *
 * Deployment notes: all five upstream ports (10000–10004) are declared for every version. Upstream
 * added 10001/10003/10004 to the HA manifest only in v1.10 (819a68adc), but with `hostNetwork` the
 * ports are informational plus a host-port reservation for the scheduler, so declaring them earlier is
 * harmless and keeps one shape. No `readinessGates` (kubeedge#2961: nothing sets the condition since
 * v1.7). Required node affinity: not an edge node AND `metadata.name In nodes`, on top of the
 * `nodeSelector` label, so pods only land where keepalived runs.
 */
export function cloudCoreManifests(r: ResolvedCloudCore): Record<string, object> {
    const yamlText = renderCloudCoreYaml(r);
    const checksum = createHash("sha256").update(yamlText).digest("hex");
    const out: Record<string, object> = {
        namespace: { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE, labels: { "k8s-app": "kubeedge" } } },
        serviceaccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("cloudcore", true) },
        clusterrole: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta("cloudcore", false), rules: clusterRoleRules() },
        clusterrolebinding: {
            apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: meta("cloudcore", false),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cloudcore" },
            subjects: [{ kind: "ServiceAccount", name: "cloudcore", namespace: NAMESPACE }],
        },
        configmap: { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cloudcore", true), data: { "cloudcore.yaml": yamlText } },
        deployment: deployment(r, checksum),
    };
    if (r.exposure === "service") out.service = service(r);
    return out;
}

function deployment(r: ResolvedCloudCore, checksum: string): object {
    const ports = [
        { containerPort: PORTS.cloudhub, name: "cloudhub", protocol: "TCP" },
        { containerPort: PORTS.quic, name: "cloudhub-quic", protocol: "TCP" },
        { containerPort: PORTS.https, name: "cloudhub-https", protocol: "TCP" },
        { containerPort: PORTS.stream, name: "cloudstream", protocol: "TCP" },
        { containerPort: PORTS.tunnel, name: "tunnelport", protocol: "TCP" },
    ];
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta("cloudcore", true),
        spec: {
            replicas: r.replicas,
            selector: { matchLabels: { ...LABELS } },
            template: {
                metadata: { labels: { ...LABELS }, annotations: { [CONFIG_CHECKSUM_ANNOTATION]: checksum } },
                spec: {
                    nodeSelector: { [r.nodeLabel.key]: r.nodeLabel.value },
                    hostNetwork: true,
                    dnsPolicy: "ClusterFirstWithHostNet",
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [{
                                    matchExpressions: [{ key: "node-role.kubernetes.io/edge", operator: "DoesNotExist" }],
                                    matchFields: [{ key: "metadata.name", operator: "In", values: [...r.nodes] }],
                                }],
                            },
                        },
                        podAntiAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: [{
                                labelSelector: { matchExpressions: [{ key: "kubeedge", operator: "In", values: ["cloudcore"] }] },
                                topologyKey: "kubernetes.io/hostname",
                            }],
                        },
                    },
                    containers: [{
                        name: "cloudcore",
                        image: r.image,
                        imagePullPolicy: "IfNotPresent",
                        securityContext: { privileged: true },
                        ports,
                        env: [
                            { name: "CLOUDCORE_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                            { name: "CLOUDCORE_POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                        ],
                        resources: { limits: { ...r.resources.limits }, requests: { ...r.resources.requests } },
                        volumeMounts: [{ name: "conf", mountPath: "/etc/kubeedge/config" }],
                        ...cloudCoreProbes(r),
                    }],
                    volumes: [{ name: "conf", configMap: { name: "cloudcore" } }],
                    restartPolicy: "Always",
                    serviceAccountName: "cloudcore",
                },
            },
        },
    };
}

function service(r: ResolvedCloudCore): object {
    const np = r.nodePorts;
    const entry = (name: string, port: number, nodePort?: number) =>
        ({ name, port, targetPort: port, protocol: "TCP", ...(nodePort !== undefined ? { nodePort } : {}) });
    const ports = [entry("cloudhub", PORTS.cloudhub, np.cloudhub), entry("cloudhub-https", PORTS.https, np.cloudhubHttps)];
    if (r.cloudStream) ports.push(entry("cloudstream", PORTS.stream, np.cloudstream), entry("tunnelport", PORTS.tunnel, np.tunnelport));
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta("cloudcore", true),
        spec: { type: r.serviceType, selector: { ...LABELS }, ports },
    };
}

/** Where edge nodes connect: cloudhub websocket `VIP:10000` and the https cert endpoint `VIP:10002`. */
export function cloudCoreEndpoints(r: ResolvedCloudCore): { cloudhub: string; https: string } {
    const host = urlHost(r.vip);
    return { cloudhub: `${host}:${PORTS.cloudhub}`, https: `https://${host}:${PORTS.https}` };
}

/** The `keadm join` command line for an edge node (add `--token` from `keadm gettoken`). */
export function keadmJoinHint(r: ResolvedCloudCore): string {
    return `keadm join --cloudcore-ipport=${cloudCoreEndpoints(r).cloudhub} --kubeedge-version=${r.version.tag}`;
}
