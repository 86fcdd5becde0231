/**
 * keepalived.conf for one VRRP group: typed settings in, config text out. No Pulumi here.
 *
 * `resolveVrrpGroup` validates user settings and fills every default; `renderKeepalivedConf`
 * renders the file for one member of the group. Timing semantics (keepalived 2.2.7) are in
 * ../shared/reference/failover-facts.md §1-§2.
 */
import * as crypto from "crypto";
import { check, fail, intIn, text, unique, NAME, IFNAME } from "./errors";
import { contains, parseCidr, parseHostCidr } from "./net";
import type {
    ResolvedCheck, ResolvedNode, ResolvedVip, ResolvedVirtualServer, ResolvedVrrpGroup, VipSettings,
    VirtualServerSettings, VrrpCheckSettings, VrrpGroupSettings, VrrpNodeSettings,
} from "./keepalivedSettings";
import { checkArithmetic } from "./vrrpArithmetic";

export * from "./keepalivedSettings";

/** Where generated scripts live on the hosts. Root-owned, not writable by others (script security). */
export const SCRIPT_DIR = "/etc/keepalived/kubeedge-ha";
export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

const PROFILES: Record<string, { version: 2 | 3; advertInt: number }> = {
    default: { version: 2, advertInt: 1 },
    fast: { version: 3, advertInt: 0.1 },
};
const LB_ALGOS = ["rr", "wrr", "lc", "wlc", "lblc", "sh", "dh"];
const LB_KINDS = ["DR", "NAT", "TUN"];
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A stable virtual_router_id in 1..255 derived from text (the first VIP). */
export function derivedRouterId(seed: string): number {
    return (crypto.createHash("sha256").update(seed).digest().readUInt16BE(0) % 255) + 1;
}

function resolveNodes(nodes: unknown, p: string): ResolvedNode[] {
    check(Array.isArray(nodes) && nodes.length >= 2, `${p}hosts`, nodes,
        "a VRRP group needs at least two hosts (one is no high availability)");
    const list = nodes as VrrpNodeSettings[];
    check(list.length <= 250, `${p}hosts`, list.length, "at most 250 hosts fit in VRRP's priority range");
    // 250, 240, ... for small groups; steps of 1 for large ones (priorities must stay distinct)
    const step = Math.max(1, Math.min(10, Math.floor(249 / (list.length - 1))));
    const resolved = list.map((n, i) => {
        const f = `${p}hosts[${i}]`;
        check(typeof n === "object" && n !== null, f, n, "must be an object with name and address");
        return {
            name: text(`${f}.name`, n.name, NAME, "a host name of letters, digits, '.', '_' or '-'"),
            cidr: parseHostCidr(`${f}.address`, n.address),
            interface: text(`${f}.interface`, n.interface, IFNAME, "a network interface name such as eth0", "eth0"),
            priority: intIn(`${f}.priority`, n.priority, 1, 254, 250 - i * step),
        };
    });
    resolved.forEach((n, i) => check(n.cidr.prefixLength < (n.cidr.family === "ipv4" ? 32 : 128),
        `${p}hosts[${i}].address`, list[i].address, "needs the subnet prefix, e.g. 192.0.2.11/24"));
    unique(`${p}hosts`, resolved, (n) => n.name, "host name");
    unique(`${p}hosts`, resolved, (n) => n.cidr.address, "host address");
    unique(`${p}hosts`, resolved, (n) => String(n.priority), "priority (equal priorities are settled by IP address, not by intent)");
    const families = new Set(resolved.map((n) => n.cidr.family));
    check(families.size === 1, `${p}hosts`, resolved.map((n) => n.cidr.address), "all hosts must use the same address family");
    return resolved;
}

function resolveVips(vips: unknown, nodes: ResolvedNode[], p: string): ResolvedVip[] {
    check(Array.isArray(vips) && vips.length >= 1, `${p}vips`, vips, "needs at least one virtual IP");
    const out = (vips as (string | VipSettings)[]).map((v, i) => {
        const f = `${p}vips[${i}]`;
        const s: VipSettings = typeof v === "string" ? { address: v } : v;
        check(typeof s === "object" && s !== null, f, v, "must be an address or {address, device, label}");
        const cidr = parseHostCidr(`${f}.address`, s.address);
        const device = s.device === undefined ? undefined : text(`${f}.device`, s.device, IFNAME, "a network interface name");
        let label: string | undefined;
        if (s.label !== undefined) {
            check(cidr.family === "ipv4", `${f}.label`, s.label, "labels exist for IPv4 addresses only");
            label = text(`${f}.label`, s.label, /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/, "an interface label such as eth1:vip");
            const dev = device ?? nodes[0].interface;
            check(label.startsWith(`${dev}:`) && label.length <= 15, `${f}.label`, s.label,
                `must start with "${dev}:" and have at most 15 characters`);
        }
        for (const n of nodes) {
            check(n.cidr.address !== cidr.address, `${f}.address`, s.address, `is the own address of host ${n.name}`);
            if (n.cidr.family === cidr.family && device === undefined) {
                check(contains(n.cidr, cidr.address), `${f}.address`, s.address,
                    `is outside host ${n.name}'s subnet ${n.cidr.address}/${n.cidr.prefixLength} on ${n.interface}: ` +
                    "no neighbour would route to it there (give `device` for a VIP on another interface)");
            }
        }
        return { cidr, device, label };
    });
    unique(`${p}vips`, out, (v) => v.cidr.address, "virtual IP");
    return out;
}

function resolveChecks(checks: unknown, p: string): ResolvedCheck[] {
    if (checks === undefined) return [];
    check(Array.isArray(checks) && checks.length <= 8, `${p}checks`, checks, "must be a list of at most 8 checks");
    const out = (checks as VrrpCheckSettings[]).map((c, i) => {
        const f = `${p}checks[${i}]`;
        const name = text(`${f}.name`, c.name, /^[A-Za-z0-9_.-]{1,40}$/, "a check name of letters, digits, '.', '_' or '-'");
        check(typeof c.probe === "string" && c.probe.trim().length > 0 && !c.probe.includes("\0"), `${f}.probe`, c.probe,
            "must be a non-empty shell command");
        const interval = intIn(`${f}.interval`, c.interval, 1, 3600, 1);
        return {
            name, probe: c.probe, interval,
            timeout: intIn(`${f}.timeout`, c.timeout, 1, interval, interval),
            fall: intIn(`${f}.fall`, c.fall, 1, 100, 1),
            rise: intIn(`${f}.rise`, c.rise, 1, 100, 2),
            weight: intIn(`${f}.weight`, c.weight, -253, 253, 0),
            samples: intIn(`${f}.samples`, c.samples, 1, 5, 2),
            path: `${SCRIPT_DIR}/check_${name}.sh`,
        };
    });
    unique(`${p}checks`, out, (c) => c.name, "check name");
    return out;
}

function resolveVirtualServers(vs: unknown, vips: ResolvedVip[], p: string): ResolvedVirtualServer[] {
    if (vs === undefined) return [];
    check(Array.isArray(vs), `${p}virtualServers`, vs, "must be a list");
    const out = (vs as VirtualServerSettings[]).map((v, i) => {
        const f = `${p}virtualServers[${i}]`;
        const address = v.address === undefined ? vips[0].cidr.address : parseCidr(`${f}.address`, v.address).address;
        check(vips.some((x) => x.cidr.address === address), `${f}.address`, v.address, "must be one of the group's VIPs");
        const port = intIn(`${f}.port`, v.port, 1, 65535);
        const lbAlgo = v.lbAlgo ?? "rr";
        check(LB_ALGOS.includes(lbAlgo), `${f}.lbAlgo`, v.lbAlgo, `must be one of ${LB_ALGOS.join(", ")}`);
        const lbKind = v.lbKind ?? "DR";
        check(LB_KINDS.includes(lbKind), `${f}.lbKind`, v.lbKind, `must be one of ${LB_KINDS.join(", ")}`);
        check(Array.isArray(v.realServers) && v.realServers.length > 0, `${f}.realServers`, v.realServers, "needs at least one real server");
        return {
            address, port, lbAlgo, lbKind,
            persistenceTimeout: intIn(`${f}.persistenceTimeout`, v.persistenceTimeout, 0, 2592000, 0),
            delayLoop: intIn(`${f}.delayLoop`, v.delayLoop, 1, 3600, 6),
            realServers: v.realServers.map((r, j) => ({
                address: parseHostCidr(`${f}.realServers[${j}].address`, r.address).address,
                port: intIn(`${f}.realServers[${j}].port`, r.port, 1, 65535, port),
                weight: intIn(`${f}.realServers[${j}].weight`, r.weight, 0, 65535, 1),
                connectTimeout: intIn(`${f}.realServers[${j}].connectTimeout`, r.connectTimeout, 1, 3600, 3),
            })),
        };
    });
    unique(`${p}virtualServers`, out, (v) => `${v.address}:${v.port}`, "virtual server address:port");
    return out;
}

/** Validates settings and fills in defaults. Throws InputError naming the field and the value. */
export function resolveVrrpGroup(s: VrrpGroupSettings, field = ""): ResolvedVrrpGroup {
    check(typeof s === "object" && s !== null, field || "settings", s, "settings are required");
    const p = field ? `${field}.` : "";
    const nodes = resolveNodes(s.hosts, p);
    const vips = resolveVips(s.vips, nodes, p);
    const family = vips[0].cidr.family;
    check(family === nodes[0].cidr.family, `${p}vips[0]`, vips[0].cidr.address,
        `the first VIP decides the instance's family and must match the hosts' (${nodes[0].cidr.family})`);

    const profileName = s.profile ?? "default";
    const profile = PROFILES[profileName];
    check(profile !== undefined, `${p}profile`, s.profile, `must be one of ${Object.keys(PROFILES).join(", ")}`);
    const version = (s.version ?? (family === "ipv6" ? 3 : profile.version)) as 2 | 3;
    check(version === 2 || version === 3, `${p}version`, s.version, "must be 2 or 3");
    check(!(family === "ipv6" && version === 2), `${p}version`, s.version, "IPv6 VRRP needs version 3");
    const advertInt = s.advertInt ?? profile.advertInt;
    check(typeof advertInt === "number" && advertInt >= 0.01 && advertInt <= (version === 3 ? 40.95 : 255),
        `${p}advertInt`, s.advertInt, `must be from ${version === 3 ? "0.01 to 40.95" : "1 to 255"} seconds`);
    if (version === 2) {
        check(Number.isInteger(advertInt), `${p}advertInt`, s.advertInt,
            "VRRPv2 adverts are whole seconds (keepalived rounds and `-t` exits 4); use version 3 or the fast profile for sub-second");
    } else {
        check(Math.abs(Math.round(advertInt * 100) - advertInt * 100) < 1e-9, `${p}advertInt`, s.advertInt,
            "VRRPv3 adverts are in steps of 0.01 s");
    }

    const transport = (s.transport ?? "unicast") as "unicast" | "multicast";
    check(transport === "unicast" || transport === "multicast", `${p}transport`, s.transport, "must be unicast or multicast");
    let multicastGroup: string | undefined;
    if (s.multicastGroup !== undefined) {
        check(transport === "multicast", `${p}multicastGroup`, s.multicastGroup, "only applies with transport multicast");
        const g = parseCidr(`${p}multicastGroup`, s.multicastGroup);
        check(g.family === "ipv4" && /^22[4-9]\.|^23\d\./.test(g.address), `${p}multicastGroup`, s.multicastGroup,
            "must be an IPv4 multicast address (224.0.0.0/4)");
        multicastGroup = g.address;
    }

    const preempt = s.preempt ?? false;
    check(typeof preempt === "boolean", `${p}preempt`, s.preempt, "must be true or false");
    let preemptDelay = 0;
    if (s.preemptDelay !== undefined) {
        check(preempt, `${p}preemptDelay`, s.preemptDelay, "only applies with preempt: true");
        check(typeof s.preemptDelay === "number" && s.preemptDelay >= 0 && s.preemptDelay <= 1000,
            `${p}preemptDelay`, s.preemptDelay, "must be 0 to 1000 seconds");
        preemptDelay = s.preemptDelay;
    }

    const authentication = s.authentication ?? version === 2;
    check(typeof authentication === "boolean", `${p}authentication`, s.authentication, "must be true or false");
    check(!(authentication && version === 3), `${p}authentication`, s.authentication,
        "VRRPv3 has no authentication (RFC 5798); use version 2 or turn it off");

    const checks = resolveChecks(s.checks, p);
    const trackInterfaces = (s.trackInterfaces ?? []).map((t, i) => {
        const name = text(`${p}trackInterfaces[${i}]`, t, IFNAME, "a network interface name");
        const own = nodes.find((n) => n.interface === name);
        check(!own, `${p}trackInterfaces[${i}]`, t,
            `is host ${own?.name}'s VRRP interface, which keepalived always tracks (a duplicate makes \`keepalived -t\` fail)`);
        return name;
    });
    unique(`${p}trackInterfaces`, trackInterfaces, (t) => t, "interface");

    const notify: ResolvedVrrpGroup["notify"] = [];
    for (const state of ["master", "backup", "fault", "stop"] as const) {
        const content = s.notify?.[state];
        if (content === undefined) continue;
        check(typeof content === "string" && content.trim().length > 0, `${p}notify.${state}`, content, "must be script content");
        notify.push({ state, content, path: `${SCRIPT_DIR}/notify_${state}.sh` });
    }
    const scriptUser = text(`${p}scriptUser`, s.scriptUser, USER, "a Unix user name", "keepalived_script");
    check(scriptUser !== "root", `${p}scriptUser`, s.scriptUser, "must be an unprivileged user, not root");

    const g = s.garp ?? {};
    const garp = {
        masterDelay: intIn(`${p}garp.masterDelay`, g.masterDelay, 0, 1000, 1),
        masterRepeat: intIn(`${p}garp.masterRepeat`, g.masterRepeat, 1, 100, 3),
        masterRefresh: intIn(`${p}garp.masterRefresh`, g.masterRefresh, 0, 3600, 60),
        lowerPrioRepeat: intIn(`${p}garp.lowerPrioRepeat`, g.lowerPrioRepeat, 0, 100, 3),
        higherPrioSendAdvert: g.higherPrioSendAdvert ?? true,
    };
    check(typeof garp.higherPrioSendAdvert === "boolean", `${p}garp.higherPrioSendAdvert`, g.higherPrioSendAdvert, "must be true or false");

    const resolved: ResolvedVrrpGroup = {
        nodes, vips, family,
        instanceName: text(`${p}instanceName`, s.instanceName, /^[A-Za-z][A-Za-z0-9_]{0,30}$/, "an identifier such as VI_1", "VI_1"),
        virtualRouterId: intIn(`${p}virtualRouterId`, s.virtualRouterId, 1, 255, derivedRouterId(vips[0].cidr.address)),
        version, advertInt, transport, multicastGroup, preempt, preemptDelay, authentication, checks,
        trackInterfaces, notify, scriptUser, garp,
        virtualServers: resolveVirtualServers(s.virtualServers, vips, p),
    };
    checkArithmetic(resolved, p);
    return resolved;
}

/** keepalived prints fractions like 0.1 as given; whole numbers without a dot. */
function num(n: number): string {
    return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/**
 * keepalived.conf for member `index` of the group. `authPass` (at most 8 characters; keepalived
 * truncates longer ones and `-t` fails) is required when authentication is on.
 */
export function renderKeepalivedConf(g: ResolvedVrrpGroup, index: number, authPass?: string): string {
    const node = g.nodes[index];
    if (!node) fail("index", index, `no such host in a group of ${g.nodes.length}`);
    if (g.authentication) {
        check(typeof authPass === "string" && /^[A-Za-z0-9_-]{1,8}$/.test(authPass), "authPass", "(secret)",
            "must be 1-8 characters of letters, digits, '_' or '-'");
    }
    const top = Math.max(...g.nodes.map((n) => n.priority));
    const L: string[] = [];
    L.push("# Managed by kubeedge-ha (Pulumi). Manual edits are overwritten on the next apply.");
    L.push("global_defs {");
    L.push(`  router_id ${node.name}`);
    L.push("  enable_script_security");
    L.push(`  script_user ${g.scriptUser}`);
    L.push(`  vrrp_version ${g.version}`);
    if (g.multicastGroup) L.push(`  vrrp_mcast_group4 ${g.multicastGroup}`);
    L.push(`  vrrp_garp_master_delay ${g.garp.masterDelay}`);
    L.push(`  vrrp_garp_master_repeat ${g.garp.masterRepeat}`);
    L.push(`  vrrp_garp_master_refresh ${g.garp.masterRefresh}`);
    L.push(`  vrrp_garp_lower_prio_repeat ${g.garp.lowerPrioRepeat}`);
    if (g.garp.higherPrioSendAdvert) L.push("  vrrp_higher_prio_send_advert true");
    L.push("}");
    for (const c of g.checks) {
        L.push("", `vrrp_script chk_${c.name} {`, `  script "${c.path}"`, `  interval ${c.interval}`, `  timeout ${c.timeout}`,
            `  fall ${c.fall}`, `  rise ${c.rise}`, `  weight ${c.weight}`, "}");
    }
    L.push("", `vrrp_instance ${g.instanceName} {`);
    // MASTER speeds the first election; keepalived clears preempt_delay on an initial MASTER
    L.push(`  state ${g.preempt && g.preemptDelay === 0 && node.priority === top ? "MASTER" : "BACKUP"}`);
    L.push(`  interface ${node.interface}`);
    L.push(`  virtual_router_id ${g.virtualRouterId}`);
    L.push(`  priority ${node.priority}`);
    L.push(`  advert_int ${num(g.advertInt)}`);
    if (!g.preempt) L.push("  nopreempt");
    else if (g.preemptDelay > 0) L.push(`  preempt_delay ${num(g.preemptDelay)}`);
    if (g.transport === "unicast") {
        L.push(`  unicast_src_ip ${node.cidr.address}`, "  unicast_peer {");
        for (const p of g.nodes) if (p !== node) L.push(`    ${p.cidr.address}`);
        L.push("  }");
    }
    if (g.authentication) L.push("  authentication {", "    auth_type PASS", `    auth_pass ${authPass}`, "  }");
    const vipLine = (v: ResolvedVip) =>
        `    ${v.cidr.address}/${v.cidr.prefixLength} dev ${v.device ?? node.interface}${v.label ? ` label ${v.label}` : ""}`;
    L.push("  virtual_ipaddress {", ...g.vips.filter((v) => v.cidr.family === g.family).map(vipLine), "  }");
    const other = g.vips.filter((v) => v.cidr.family !== g.family);
    if (other.length) L.push("  virtual_ipaddress_excluded {", ...other.map(vipLine), "  }");
    if (g.trackInterfaces.length) L.push("  track_interface {", ...g.trackInterfaces.map((t) => `    ${t}`), "  }");
    if (g.checks.length) L.push("  track_script {", ...g.checks.map((c) => `    chk_${c.name}`), "  }");
    for (const n of g.notify) L.push(`  notify_${n.state} "${n.path}"`);
    L.push("}");
    for (const v of g.virtualServers) {
        L.push("", `virtual_server ${v.address} ${v.port} {`, `  delay_loop ${v.delayLoop}`, `  lb_algo ${v.lbAlgo}`,
            `  lb_kind ${v.lbKind}`);
        if (v.persistenceTimeout > 0) L.push(`  persistence_timeout ${v.persistenceTimeout}`);
        L.push("  protocol TCP");
        for (const r of v.realServers) {
            L.push(`  real_server ${r.address} ${r.port} {`, `    weight ${r.weight}`, "    TCP_CHECK {",
                `      connect_timeout ${r.connectTimeout}`, "    }", "  }");
        }
        L.push("}");
    }
    return L.join("\n") + "\n";
}

/** Paths every script named in the config must exist at (used by validation). */
export function scriptPaths(g: ResolvedVrrpGroup): string[] {
    return [...g.checks.map((c) => c.path), ...g.notify.map((n) => n.path)];
}
