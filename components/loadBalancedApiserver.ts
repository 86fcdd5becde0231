import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { KeepalivedHostArgs, KeepalivedPair, dependencies } from "./keepalivedPair";
import { RemoteHost } from "./host/remoteHost";
import { checkSsh } from "./host/ssh";
import { HAPROXY, sha256 } from "./host/scripts";
import { check } from "./render/errors";
import { HaproxyMaster, HaproxySettings, ResolvedHaproxy, renderHaproxyCfg, resolveHaproxy } from "./render/haproxy";
import { VrrpGroupSettings, resolveVrrpGroup } from "./render/keepalived";
import { urlHost } from "./render/net";
import { validated } from "./validate";

/** keepalived settings of the LB group; hosts, VIPs and checks come from the component. */
export type ApiserverVrrpSettings = Omit<VrrpGroupSettings, "hosts" | "vips" | "checks">;

export interface LoadBalancedApiserverArgs {
    /** The load-balancer hosts (haproxy + keepalived), at least two, in preference order. With topology `colocated` these are the masters themselves. Required. */
    hosts: KeepalivedHostArgs[];
    /** The apiserver VIP, e.g. `192.0.2.10` (IPv4 or IPv6; must lie in the hosts' subnet). Required. */
    vip: string;
    /** The kube-apiservers behind haproxy. Required, at least one. */
    masters: HaproxyMaster[];
    /** haproxy settings (frontend port, topology, balance, ACL, checks, timeouts, stats). Defaults: see HaproxySettings. */
    haproxy?: Omit<HaproxySettings, "masters">;
    /** keepalived settings (profile, transport, virtualRouterId, preempt, GARP, notify...). Defaults: see VrrpGroupSettings. */
    keepalived?: ApiserverVrrpSettings;
    /** Kernel modules loaded now and at boot. Defaults to `ip_vs, ip_vs_rr, ip_vs_wrr, ip_vs_sh` (the seed's list; LVS needs them). */
    ipvsModules?: string[];
    /**
     * Fail the apply when a module cannot be loaded. Defaults to false: haproxy does not need ip_vs,
     * so a kernel without it gets a warning, and the drop-in still loads the modules at boot where they exist.
     */
    requireIpvsModules?: boolean;
    /** Change to rotate the haproxy stats password. Defaults to "1". */
    statsPasswordRotation?: string;
}

const DEFAULT_MODULES = ["ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh"];

/**
 * The keepalived check for an LB host: haproxy's own `/healthz` monitor frontend answers, which it
 * does only while this haproxy process serves and (by default) has at least one apiserver UP.
 * Weight 0 (FAULT): a failed check makes the holder send a priority-0 advert and the backup takes
 * the VIP after its skew time (~0.06 s at priority 240), instead of waiting out the ~3 s
 * master-down interval a lowered priority costs (failover-facts.md §1.2, §2.1). keepalived's
 * `vrrp_track_process` would see haproxy die without polling, but it cannot work inside network
 * namespaces (failover-facts.md §11), so the script check is the one that works everywhere.
 */
export function haproxyProbe(r: ResolvedHaproxy): string {
    const host = r.monitorBind === "*" ? "127.0.0.1" : urlHost(r.monitorBind);
    return `curl -fsS -o /dev/null --max-time 0.3 http://${host}:${r.monitorPort}/healthz`;
}

/**
 * haproxy + keepalived in front of the kube-apiservers: TCP passthrough with /readyz health checks
 * and hitless reloads on every LB host, a KeepalivedPair moving the VIP away from a host whose
 * haproxy cannot serve, and the host settings the seed asks for (ip_forward, ip_nonlocal_bind,
 * ip_vs modules).
 */
export class LoadBalancedApiserver extends pulumi.ComponentResource {
    /** `https://VIP:port`: the apiserver endpoint. */
    public readonly endpoint: pulumi.Output<string>;
    /** Value for kubeconfig `clusters[].cluster.server`. */
    public readonly kubeconfigServer: pulumi.Output<string>;
    /** Value for kubeadm `controlPlaneEndpoint` (`VIP:port`). */
    public readonly controlPlaneEndpoint: pulumi.Output<string>;
    /** The stats page URL on each LB host (bound where `haproxy.statsBind` says). */
    public readonly statsUrl: pulumi.Output<string>;
    /** Stats page password (secret). */
    public readonly statsPassword: pulumi.Output<string>;
    /** Rendered haproxy.cfg per host (secret: it holds the stats password). */
    public readonly haproxyConfigs: pulumi.Output<Record<string, string>>;
    /** The keepalived group holding the VIP. */
    public readonly keepalived: KeepalivedPair;

    constructor(name: string, args: LoadBalancedApiserverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kubeedge-ha:index:LoadBalancedApiserver", name, {}, opts);
        const { hp, modules, group } = validated(this, name, () => {
            check(typeof args === "object" && args !== null, "args", args, "are required");
            check(Array.isArray(args.hosts), "hosts", args.hosts, "must list at least two load-balancer hosts");
            args.hosts.forEach((h, i) => checkSsh(`hosts[${i}].ssh`, h.ssh));
            const hp = resolveHaproxy({ ...(args.haproxy ?? {}), masters: args.masters }, "haproxy");
            const modules = args.ipvsModules ?? DEFAULT_MODULES;
            check(Array.isArray(modules) && modules.every((m) => /^[a-z0-9_]{1,56}$/.test(m)), "ipvsModules", args.ipvsModules,
                "must be a list of kernel module names");
            // the full group check (hosts, subnet, arithmetic) runs here too, before anything is created
            const group = resolveVrrpGroup({ ...(args.keepalived ?? {}), hosts: args.hosts, vips: [args.vip] });
            return { hp, modules, group };
        });

        const statsPassword = pulumi.secret(new random.RandomPassword(`${name}-stats-password`, {
            length: 24, special: false, keepers: { rotation: args.statsPasswordRotation ?? "1" },
        }, { parent: this }).result);
        const publicCfg = renderHaproxyCfg(hp, "REDACTED-PASSWORD");
        const cfg = pulumi.secret(statsPassword.apply((pw) => renderHaproxyCfg(hp, pw)));
        const sysctl: Record<string, string> = { "net.ipv4.ip_forward": "1", "net.ipv4.ip_nonlocal_bind": "1" };
        const vip = group.vips[0].cidr;
        if (vip.family === "ipv6") {
            sysctl["net.ipv6.ip_nonlocal_bind"] = "1";
            sysctl["net.ipv6.conf.all.forwarding"] = "1";
        }

        // haproxy host by host, preferred VIP holder last, then the keepalived group
        const order = group.nodes.map((n, i) => i).sort((a, b) => group.nodes[a].priority - group.nodes[b].priority);
        let previous = dependencies(opts);
        const configs: Record<string, pulumi.Output<string>> = {};
        for (const i of order) {
            const h = args.hosts[i];
            const host = new RemoteHost(`${name}-${h.name}`, h.ssh, this);
            const pkgs = host.packages("packages", { haproxy: "haproxy", curl: "curl" }, previous);
            const sys = host.sysctl("sysctl", "90-kubeedge-ha-apiserver", sysctl, [pkgs]);
            const mods = host.modules("modules", "kubeedge-ha-ipvs", modules, args.requireIpvsModules ?? false, [pkgs]);
            const file = host.file("haproxy-config", {
                path: "/etc/haproxy/haproxy.cfg", mode: "0600", content: cfg, publicContent: publicCfg, validate: "haproxy",
            }, [pkgs, sys]);
            const service = host.service("haproxy", HAPROXY, [file, mods]);
            const reload = host.reload("haproxy-reload", HAPROXY, sha256(publicCfg), pulumi.secret(cfg.apply(sha256)), [service, file]);
            configs[h.name] = cfg;
            previous = [reload];
        }

        this.keepalived = new KeepalivedPair(`${name}-keepalived`, {
            ...(args.keepalived ?? {}),
            hosts: args.hosts,
            vips: [args.vip],
            instanceName: args.keepalived?.instanceName ?? "apiserver",
            checks: [{ name: "haproxy", probe: haproxyProbe(hp) }],
        }, { parent: this, dependsOn: previous });

        const hostPort = `${urlHost(vip.address)}:${hp.port}`;
        this.endpoint = pulumi.output(`https://${hostPort}`);
        this.kubeconfigServer = this.endpoint;
        this.controlPlaneEndpoint = pulumi.output(hostPort);
        this.statsUrl = pulumi.output(`http://${hp.statsBind === "*" ? "<lb-host>" : urlHost(hp.statsBind)}:${hp.statsPort}/stats`);
        this.statsPassword = statsPassword;
        this.haproxyConfigs = pulumi.secret(pulumi.all(configs));
        this.registerOutputs({
            endpoint: this.endpoint, kubeconfigServer: this.kubeconfigServer, controlPlaneEndpoint: this.controlPlaneEndpoint,
            statsUrl: this.statsUrl, statsPassword: this.statsPassword, haproxyConfigs: this.haproxyConfigs,
        });
    }
}
