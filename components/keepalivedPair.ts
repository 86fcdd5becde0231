import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RemoteHost, SshSettings } from "./host/remoteHost";
import { checkSsh } from "./host/ssh";
import { KEEPALIVED, sha256 } from "./host/scripts";
import { renderCheckScript, renderNotifyScript } from "./render/checkScript";
import { check } from "./render/errors";
import {
    KEEPALIVED_CONF, ResolvedVrrpGroup, VrrpGroupSettings, VrrpNodeSettings, renderKeepalivedConf, resolveVrrpGroup,
} from "./render/keepalived";
import { validated } from "./validate";

/** One member of the group: its VRRP settings and how to reach it. */
export interface KeepalivedHostArgs extends VrrpNodeSettings {
    /** SSH connection to the host. Required. */
    ssh: SshSettings;
}

export interface KeepalivedPairArgs extends Omit<VrrpGroupSettings, "hosts"> {
    /** The members, at least two; list order is preference order (first = preferred holder). Required. */
    hosts: KeepalivedHostArgs[];
    /** Change this value to rotate the VRRP password (a RandomPassword keeper). Defaults to "1". */
    passwordRotation?: string;
}

/** Placeholder for the VRRP password in public renders and hashes. */
export const REDACTED_PASS = "REDACTED";

/**
 * A VRRP group of N >= 2 hosts holding one or more VIPs with keepalived: config, health-check and
 * notify scripts, an unprivileged script user, a random VRRP password (VRRPv2), restart-on-crash
 * supervision, provisioned over SSH. Hosts are provisioned one after another: installs and first
 * starts in preference order (with nopreempt the first keepalived up keeps the VIP), reloads backups
 * first (an apply never reloads every holder at once; the holder takes a new config last).
 */
export class KeepalivedPair extends pulumi.ComponentResource {
    /** The virtual IPs (without prefix). */
    public readonly vips: pulumi.Output<string[]>;
    /** Host names in preference order. */
    public readonly hosts: pulumi.Output<string[]>;
    /** The group's virtual_router_id. */
    public readonly virtualRouterId: pulumi.Output<number>;
    /** Rendered keepalived.conf per host (secret: it holds the VRRP password). */
    public readonly configs: pulumi.Output<Record<string, string>>;
    /** The resolved group settings (every default filled in). */
    public readonly group: ResolvedVrrpGroup;
    /** Last provisioning step of each host, in apply order (for dependents). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: KeepalivedPairArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kubeedge-ha:index:KeepalivedPair", name, {}, opts);
        const group = validated(this, name, () => {
            check(Array.isArray(args?.hosts), "hosts", args?.hosts, "must list at least two hosts");
            args.hosts.forEach((h, i) => checkSsh(`hosts[${i}].ssh`, h.ssh));
            const { passwordRotation } = args;
            check(passwordRotation === undefined || (typeof passwordRotation === "string" && passwordRotation.length > 0),
                "passwordRotation", passwordRotation, "must be a non-empty string");
            return resolveVrrpGroup(args);
        });
        this.group = group;

        const password = group.authentication
            ? pulumi.secret(new random.RandomPassword(`${name}-vrrp-password`, {
                // keepalived uses 8 characters at most and `-t` fails on longer ones
                length: 8, special: false, keepers: { rotation: args.passwordRotation ?? "1" },
            }, { parent: this }).result)
            : undefined;

        const configs: Record<string, pulumi.Output<string>> = {};
        // after a crash, restart once the backup has taken over (one master-down interval)
        const keepalivedService = { ...KEEPALIVED, restartDelaySeconds: Math.ceil(3 * group.advertInt + 1) };
        // Pass 1, preferred holder first: install everything and start keepalived. With nopreempt the
        // first member to start keeps the VIP, so the preferred one must start first.
        const byPreference = group.nodes.map((n, i) => i).sort((a, b) => group.nodes[b].priority - group.nodes[a].priority);
        let previous = dependencies(opts);
        const installed = new Map<number, { host: RemoteHost; file: pulumi.Resource; service: pulumi.Resource; conf: pulumi.Output<string>; publicConf: string }>();
        for (const i of byPreference) {
            const node = group.nodes[i];
            const host = new RemoteHost(`${name}-${node.name}`, args.hosts[i].ssh, this);
            const pkgs = host.packages("packages", { keepalived: "keepalived", curl: "curl" }, previous);
            const user = host.user("script-user", group.scriptUser, [pkgs]);
            const scripts = [
                ...group.checks.map((c) => host.file(`check-${c.name}`, {
                    path: c.path, mode: "0755", content: renderCheckScript(c), validate: "sh",
                }, [pkgs])),
                ...group.notify.map((n) => host.file(`notify-${n.state}`, {
                    path: n.path, mode: "0755", content: renderNotifyScript(n.content), validate: "sh",
                }, [pkgs])),
            ];
            const publicConf = renderKeepalivedConf(group, i, password ? REDACTED_PASS : undefined);
            const conf = password ? pulumi.secret(password.apply((pw) => renderKeepalivedConf(group, i, pw))) : pulumi.output(publicConf);
            configs[node.name] = conf;
            const file = host.file("config", {
                path: KEEPALIVED_CONF, mode: "0600", content: password ? conf : publicConf, validate: "keepalived",
                publicContent: password ? publicConf : undefined,
            }, [user, ...scripts]);
            const service = host.service("service", keepalivedService, [file]);
            installed.set(i, { host, file, service, conf, publicConf });
            previous = [service];
        }
        // Pass 2, backups first, the preferred holder last: reloads (a new config is read only now), so an
        // apply never reloads every holder at once and the holder changes config last.
        const ready: pulumi.Resource[] = [];
        for (const i of [...byPreference].reverse()) {
            const h = installed.get(i)!;
            const fullHash = h.conf.apply(sha256);
            const reload = h.host.reload("reload", KEEPALIVED, sha256(h.publicConf), password ? pulumi.secret(fullHash) : fullHash,
                [h.service, h.file, ...previous]);
            ready.push(reload);
            previous = [reload];
        }

        this.ready = ready;
        this.vips = pulumi.output(group.vips.map((v) => v.cidr.address));
        this.hosts = pulumi.output(group.nodes.map((n) => n.name));
        this.virtualRouterId = pulumi.output(group.virtualRouterId);
        this.configs = pulumi.secret(pulumi.all(configs));
        this.registerOutputs({ vips: this.vips, hosts: this.hosts, virtualRouterId: this.virtualRouterId, configs: this.configs });
    }
}

/** The component's own `dependsOn`, passed on explicitly to the first step of the host chain. */
export function dependencies(opts?: pulumi.ComponentResourceOptions): pulumi.Input<pulumi.Resource>[] {
    const d = opts?.dependsOn;
    if (d === undefined) return [];
    return Array.isArray(d) ? [...d] : [d as pulumi.Input<pulumi.Resource>];
}
