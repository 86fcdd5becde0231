/** Address math on top of ipaddr.js: parsing host addresses and VIPs, subnet membership. */
import * as ipaddr from "ipaddr.js";
import { check, fail } from "./errors";

export type Family = "ipv4" | "ipv6";

/** An address with its prefix length, e.g. `192.0.2.11/24`. */
export interface Cidr {
    /** Canonical text of the address, without prefix. */
    address: string;
    prefixLength: number;
    family: Family;
}

/** Parses `a.b.c.d` or `a.b.c.d/n` (IPv6 likewise); without a prefix, `dfltPrefix` or the host prefix. */
export function parseCidr(field: string, value: unknown, dfltPrefix?: number): Cidr {
    check(typeof value === "string" && value.length > 0, field, value, "must be an IP address such as 192.0.2.10/24");
    const [addr, prefix, extra] = (value as string).split("/");
    check(extra === undefined && ipaddr.isValid(addr) && (ipaddr.IPv4.isValid(addr) ? ipaddr.IPv4.isValidFourPartDecimal(addr) : true),
        field, value, "must be an IPv4 or IPv6 address, optionally with /prefix");
    const parsed = ipaddr.parse(addr);
    const family: Family = parsed.kind();
    const max = family === "ipv4" ? 32 : 128;
    let prefixLength = dfltPrefix ?? max;
    if (prefix !== undefined) {
        check(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max, field, value, `prefix length must be 0-${max}`);
        prefixLength = Number(prefix);
    }
    if (dfltPrefix !== undefined && dfltPrefix > max) prefixLength = max;
    return { address: parsed.toString(), prefixLength, family };
}

/** A unicast address usable on a host interface (not unspecified, multicast, loopback or broadcast). */
export function parseHostCidr(field: string, value: unknown, dfltPrefix?: number): Cidr {
    const c = parseCidr(field, value, dfltPrefix);
    const range = ipaddr.parse(c.address).range();
    check(!["unspecified", "multicast", "loopback", "broadcast", "linkLocal"].includes(range),
        field, value, `must be a unicast address, not ${range}`);
    return c;
}

/** Parses a network such as `192.0.2.0/24`; the address must be the network address. */
export function parseNetwork(field: string, value: unknown): Cidr {
    check(typeof value === "string" && value.includes("/"), field, value, "must be a network in CIDR form such as 192.0.2.0/24");
    const c = parseCidr(field, value);
    try {
        const net = ipaddr.parseCIDR(value as string);
        const first = ipaddr.IPv4.isValid(c.address)
            ? ipaddr.IPv4.networkAddressFromCIDR(value as string).toString()
            : ipaddr.IPv6.networkAddressFromCIDR(value as string).toString();
        check(first === net[0].toString(), field, value, `host bits are set; the network is ${first}/${c.prefixLength}`);
    } catch (e) {
        if ((e as Error).name === "InputError") throw e;
        fail(field, value, "must be a network in CIDR form such as 192.0.2.0/24");
    }
    return c;
}

/** True when `address` lies inside `net` (same family required). */
export function contains(net: Cidr, address: string): boolean {
    const a = ipaddr.parse(address);
    if (a.kind() !== net.family) return false;
    return a.match(ipaddr.parse(net.address), net.prefixLength);
}

/** `address/prefix` text. */
export function cidrText(c: Cidr): string {
    return `${c.address}/${c.prefixLength}`;
}

/** `host` as it appears in a URL (IPv6 in brackets). */
export function urlHost(address: string): string {
    return address.includes(":") ? `[${address}]` : address;
}
