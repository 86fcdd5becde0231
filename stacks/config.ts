/**
 * Typed loading and validation of the stack config (`Pulumi.<stack>.yaml`). Components never
 * read config; this module does, and hands them typed args. Errors name the config key.
 *
 * Keys (project `kubeedge-ha`):
 * - scalars: `sshUser`, `sshPrivateKey` (secret), `sshPort`, `profile`, `vrrpTransport`
 * - `hosts`: inventory, name → { address, interface?, priority?, ssh?, port?, user?, hostKey? }
 * - `apiserver`: { hosts, vip, masters, haproxy?, keepalived?, ipvsModules?, requireIpvsModules? }
 * - `cloudcore`: { hosts, vip, version?, exposure?, ..., keepalived?, crdManifests? }
 */
import * as pulumi from "@pulumi/pulumi";
import type { LoadBalancedApiserverArgs } from "../components/loadBalancedApiserver";
import type { CloudCoreHAArgs, CloudCoreNodeArgs } from "../components/cloudCoreHA";
import type { KeepalivedHostArgs } from "../components/keepalivedPair";
import { check, fail, intIn, text, NAME } from "../components/render/errors";

/** One inventory entry. */
export interface InventoryHost {
    /** The host's address with prefix on the VRRP interface, e.g. 192.0.2.11/24. Required. */
    address: string;
    /** VRRP / VIP interface. Defaults to eth0. */
    interface?: string;
    /** VRRP priority. Defaults to the position in the group's host list. */
    priority?: number;
    /** Address or DNS name for SSH. Defaults to `address` without prefix. */
    ssh?: string;
    /** SSH port. Defaults to `sshPort` (22). */
    port?: number;
    /** SSH user. Defaults to `sshUser` (root). */
    user?: string;
    /** Pinned SSH host key ("ssh-ed25519 AAAA..."). Defaults to none. */
    hostKey?: string;
}

export interface StackConfig {
    apiserver?: LoadBalancedApiserverArgs;
    cloudcore?: CloudCoreHAArgs;
}

type Block = Record<string, unknown>;
const HOST_KEYS = ["address", "interface", "priority", "ssh", "port", "user", "hostKey"];
const PROFILES = ["default", "fast"];

function object(key: string, v: unknown): Block {
    check(typeof v === "object" && v !== null && !Array.isArray(v), key, v, "must be a map");
    return v as Block;
}

function known(key: string, block: Block, allowed: string[]): void {
    for (const k of Object.keys(block)) check(allowed.includes(k), `${key}.${k}`, block[k], `is not a known key (known: ${allowed.join(", ")})`);
}

/** Reads and validates the whole stack config. Throws an Error naming the config key. */
export function loadStackConfig(cfg: pulumi.Config): StackConfig {
    const p = `${cfg.name}:`;
    try {
        const user = cfg.get("sshUser") ?? "root";
        const sshPort = cfg.getNumber("sshPort") ?? 22;
        intIn(`${p}sshPort`, sshPort, 1, 65535);
        const privateKey = cfg.getSecret("sshPrivateKey");
        const profile = cfg.get("profile") ?? "default";
        check(PROFILES.includes(profile), `${p}profile`, profile, `must be one of ${PROFILES.join(", ")}`);
        const transport = cfg.get("vrrpTransport") ?? "unicast";
        check(["unicast", "multicast"].includes(transport), `${p}vrrpTransport`, transport, "must be unicast or multicast");

        const inventory = object(`${p}hosts`, cfg.getObject<Block>("hosts") ?? {});
        const hostArgs = (key: string, names: unknown): KeepalivedHostArgs[] => {
            check(Array.isArray(names) && names.length > 0, key, names, "must list host names from kubeedge-ha:hosts");
            return (names as unknown[]).map((n, i) => {
                const name = text(`${key}[${i}]`, n, NAME, "a host name");
                const entry = inventory[name];
                if (entry === undefined) fail(`${key}[${i}]`, name, `is not in ${p}hosts (known: ${Object.keys(inventory).join(", ") || "none"})`);
                const h = object(`${p}hosts.${name}`, entry);
                known(`${p}hosts.${name}`, h, HOST_KEYS);
                const e = h as unknown as InventoryHost;
                check(typeof e.address === "string", `${p}hosts.${name}.address`, e.address, "is required, e.g. 192.0.2.11/24");
                return {
                    name, address: e.address, interface: e.interface, priority: e.priority,
                    ssh: {
                        host: e.ssh ?? e.address.split("/")[0], port: e.port ?? sshPort, user: e.user ?? user,
                        privateKey, hostKey: e.hostKey,
                    },
                };
            });
        };
        const vrrp = (key: string, b: Block) => {
            const k = b.keepalived === undefined ? {} : object(`${key}.keepalived`, b.keepalived);
            return { profile, transport, ...k };
        };

        const out: StackConfig = {};
        const api = cfg.getObject<Block>("apiserver");
        if (api !== undefined) {
            const key = `${p}apiserver`;
            const b = object(key, api);
            known(key, b, ["hosts", "vip", "masters", "haproxy", "keepalived", "ipvsModules", "requireIpvsModules", "statsPasswordRotation"]);
            check(typeof b.vip === "string", `${key}.vip`, b.vip, "is required: the apiserver VIP");
            out.apiserver = {
                ...(b as object),
                hosts: hostArgs(`${key}.hosts`, b.hosts),
                vip: b.vip as string,
                masters: b.masters as LoadBalancedApiserverArgs["masters"],
                keepalived: vrrp(key, b),
            } as LoadBalancedApiserverArgs;
        }
        const cc = cfg.getObject<Block>("cloudcore");
        if (cc !== undefined) {
            const key = `${p}cloudcore`;
            const b = object(key, cc);
            check(typeof b.vip === "string", `${key}.vip`, b.vip, "is required: the cloudcore VIP edge nodes connect to");
            const { hosts, ...rest } = b;
            const keepalived = rest.exposure === "service" ? undefined : vrrp(key, b);
            const nodes: CloudCoreNodeArgs[] = rest.exposure === "service"
                ? (hosts as string[] ?? []).map((name) => ({ name }))
                : hostArgs(`${key}.hosts`, hosts);
            out.cloudcore = { ...(rest as object), vip: b.vip as string, nodes, keepalived } as CloudCoreHAArgs;
        }
        return out;
    } catch (e) {
        if ((e as Error).name === "InputError") throw new Error(`invalid stack config: ${(e as Error).message}`);
        throw e;
    }
}
