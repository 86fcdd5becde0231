/**
 * Stack config (the `config:` map of a Pulumi.<stack>.yaml) that points the program at lab hosts:
 * the LB hosts behind the apiserver VIP 192.0.2.10 with the master hosts at :6443, the cloudcore
 * hosts behind 192.0.2.100, the lab's private key and every host key pinned.
 *
 * The lab has no Kubernetes cluster: the cloudcore part still records its `kubernetes:*` resources,
 * and the lab engine skips them (keepalived on the cloudcore hosts is applied for real).
 */
import * as fs from "fs";
import type { Lab, LabHost } from "./hosts";

export const APISERVER_VIP = "192.0.2.10";
export const CLOUDCORE_VIP = "192.0.2.100";
export const P = "kubeedge-ha";
/** Config keys that are secret (as if set with `pulumi config set --secret`). */
export const LAB_SECRET_KEYS = [`${P}:sshPrivateKey`];

export interface LabStackOptions {
    /** keepalived profile. Defaults to "default". */
    profile?: "default" | "fast";
    /** Include the apiserver part. Defaults to true. */
    apiserver?: boolean;
    /** Include the cloudcore part. Defaults to true. */
    cloudcore?: boolean;
    /** KubeEdge version for cloudcore. Defaults to the component's default (key left out). */
    cloudcoreVersion?: string;
    /** Deep-merged over the result, e.g. `{ "kubeedge-ha:apiserver": { haproxy: { balance: "leastconn" } } }`. */
    overrides?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Maps merge key by key; anything else (arrays, scalars) replaces; `undefined` deletes the key. */
export function deepMerge(base: Obj, over: Obj): Obj {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) {
        if (v === undefined) delete out[k];
        else out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
    }
    return out;
}

export function labStackConfig(lab: Pick<Lab, "hosts" | "privateKeyPath">, o: LabStackOptions = {}): Obj {
    const role = (r: LabHost["role"]) => lab.hosts.filter((h) => h.role === r);
    const lbs = role("lb"), masters = role("master"), ccs = role("cloudcore");
    const inventory = (hs: LabHost[]) => Object.fromEntries(hs.map((h) => [h.name, {
        address: `${h.address}/24`, interface: h.iface, ssh: h.address, hostKey: h.hostKey,
    }]));
    const cfg: Obj = {
        [`${P}:sshUser`]: "root",
        [`${P}:sshPrivateKey`]: fs.readFileSync(lab.privateKeyPath, "utf8"),
        [`${P}:profile`]: o.profile ?? "default",
        [`${P}:vrrpTransport`]: "unicast",
    };
    const hosts: Obj = {};
    if (o.apiserver ?? true) {
        if (lbs.length < 2 || masters.length < 1) throw new Error("lab stack: the apiserver part needs two lb hosts and a master host");
        Object.assign(hosts, inventory(lbs));
        cfg[`${P}:apiserver`] = {
            hosts: lbs.map((h) => h.name),
            vip: APISERVER_VIP,
            masters: masters.map((h) => ({ name: h.name, address: h.address, port: 6443 })),
            haproxy: { port: 6443 },
            keepalived: { virtualRouterId: 51 },
        };
    }
    if (o.cloudcore ?? true) {
        if (ccs.length < 2) throw new Error("lab stack: the cloudcore part needs two cloudcore hosts");
        Object.assign(hosts, inventory(ccs));
        cfg[`${P}:cloudcore`] = {
            hosts: ccs.map((h) => h.name),
            vip: CLOUDCORE_VIP,
            ...(o.cloudcoreVersion ? { version: o.cloudcoreVersion } : {}),
            keepalived: { virtualRouterId: 52 },
        };
    }
    cfg[`${P}:hosts`] = hosts;
    return deepMerge(cfg, o.overrides ?? {});
}
