/** Settings of a VRRP group (user-facing, every default stated) and their resolved form. */
import type { Cidr, Family } from "./net";

/** One member of a VRRP group. */
export interface VrrpNodeSettings {
    /** Host name: becomes `router_id` and part of resource and file names. Required. */
    name: string;
    /**
     * The host's own address on `interface`, with its prefix, e.g. `192.0.2.11/24`. Used as
     * `unicast_src_ip`, as the peer address on the other members, and to check that every VIP
     * lies in the subnet. Required.
     */
    address: string;
    /** Interface that carries VRRP adverts and the VIPs. Defaults to `eth0`. */
    interface?: string;
    /**
     * VRRP priority, 1-254. Defaults to 250, 240, 230, ... in list order (smaller steps past 25 hosts). High priorities keep
     * the backup's skew time short ((256 - priority)/256 s), which speeds every takeover.
     */
    priority?: number;
}

/** A virtual address held by the group. */
export interface VipSettings {
    /** Address, optionally with prefix (`192.0.2.10` or `192.0.2.10/24`). Without a prefix: /32 (/128 for IPv6). Required. */
    address: string;
    /** Interface to put it on. Defaults to the member's `interface`. */
    device?: string;
    /** Interface label such as `eth1:vip` (IPv4 only; at most 15 characters). Defaults to none. */
    label?: string;
}

/** A health check (`vrrp_script`) tracked by the instance. */
export interface VrrpCheckSettings {
    /** Check name, `[A-Za-z0-9_.-]`; the script is `/etc/keepalived/kubeedge-ha/check_<name>.sh`. Required. */
    name: string;
    /** POSIX sh command that exits 0 when the service is healthy; bound every network call in it (curl `--max-time`). Required. */
    probe: string;
    /** Seconds between runs (keepalived 2.2.7 accepts whole seconds only). Defaults to 1. */
    interval?: number;
    /** Seconds before a run is killed and counted as failed. Defaults to `interval`. */
    timeout?: number;
    /** Consecutive failures that mark the check failed. Defaults to 1. */
    fall?: number;
    /** Consecutive successes that mark it healthy again. Defaults to 2 (no flapping back). */
    rise?: number;
    /**
     * Priority change, -253..253. Defaults to 0: a failed check puts the member in FAULT, a holder
     * sends a priority-0 advert and the backup takes over after its skew time (~0.06 s at priority
     * 240). A non-zero weight only changes priority, and the backup then waits out the full
     * master-down interval (~3 s at advert_int 1): keep weights for "prefer this member" checks.
     */
    weight?: number;
    /**
     * Probes per run, spread evenly over the interval (the script sleeps between them). keepalived
     * 2.2.7 runs scripts at most once a second; two samples halve the time to notice a dead
     * service. 1-5, defaults to 2.
     */
    samples?: number;
}

/** Scripts keepalived runs on state changes (`notify_master` etc.): their content. */
export interface VrrpNotifySettings {
    /** Run on becoming MASTER. Defaults to none. */
    master?: string;
    /** Run on becoming BACKUP. Defaults to none. */
    backup?: string;
    /** Run on entering FAULT. Defaults to none. */
    fault?: string;
    /** Run when the instance stops. Defaults to none. */
    stop?: string;
}

/** Gratuitous ARP / unsolicited NA settings. */
export interface GarpSettings {
    /** Seconds before the second GARP burst after becoming MASTER (0 = none). Defaults to 1 (keepalived: 5). */
    masterDelay?: number;
    /** GARPs per burst. Defaults to 3 (keepalived: 5). */
    masterRepeat?: number;
    /** Seconds between GARP refreshes while MASTER (0 = off). Defaults to 60, so a client that missed the burst still converges. */
    masterRefresh?: number;
    /** GARPs sent when a MASTER hears a lower-priority advert: heals client ARP caches after a split brain. Defaults to 3. */
    lowerPrioRepeat?: number;
    /**
     * `vrrp_higher_prio_send_advert`: a MASTER that hears a higher priority sends one advert before it
     * steps down, so the winner hears a lower priority and re-GARPs (`lowerPrioRepeat`). Without it a
     * healed split brain can leave clients on the host that dropped the VIP until the next refresh
     * (measured in the lab: 5 of 6 heals). Defaults to true.
     */
    higherPrioSendAdvert?: boolean;
}

/** A real server behind an LVS virtual server. */
export interface RealServerSettings {
    /** Address of the real server. Required. */
    address: string;
    /** Port. Defaults to the virtual server's port. */
    port?: number;
    /** LVS weight. Defaults to 1. */
    weight?: number;
    /** TCP_CHECK connect timeout, seconds. Defaults to 3. */
    connectTimeout?: number;
}

/** An LVS `virtual_server` (needs the ip_vs kernel modules). */
export interface VirtualServerSettings {
    /** Virtual address. Defaults to the group's first VIP. */
    address?: string;
    /** Port. Required. */
    port: number;
    /** Scheduler: rr, wrr, lc, wlc, lblc, sh, dh. Defaults to `rr`. */
    lbAlgo?: string;
    /** Forwarding: DR, NAT or TUN. Defaults to `DR`. */
    lbKind?: string;
    /** Seconds a client sticks to a real server (0 = off). Defaults to 0. */
    persistenceTimeout?: number;
    /** Seconds between real-server checks. Defaults to 6. */
    delayLoop?: number;
    /** Real servers. At least one. */
    realServers: RealServerSettings[];
}

/** Settings of one VRRP group, everything but SSH. */
export interface VrrpGroupSettings {
    /** Members, at least two, in preference order (the first is the preferred holder). */
    hosts: VrrpNodeSettings[];
    /** Virtual addresses, at least one. IPv4 and IPv6 may be mixed; the first decides the instance's family. */
    vips: (string | VipSettings)[];
    /** `vrrp_instance` name. Defaults to `VI_1`. */
    instanceName?: string;
    /** `virtual_router_id`, 1-255, unique per L2 segment. Defaults to a number derived from the first VIP (many distros ship 51; collisions make "bogus VRRP packet" floods). */
    virtualRouterId?: number;
    /** `default` (VRRPv2, advert_int 1, PASS auth) or `fast` (VRRPv3, advert_int 0.1, no auth: sub-second takeover on link loss). Defaults to `default`. */
    profile?: string;
    /** VRRP version 2 or 3. Defaults to the profile's. IPv6-only groups need 3. */
    version?: number;
    /** Seconds between adverts; fractions need version 3 (10 ms steps). Defaults to the profile's. */
    advertInt?: number;
    /** `unicast` (unicast_src_ip/unicast_peer: works where multicast is filtered, e.g. clouds) or `multicast`. Defaults to `unicast`. */
    transport?: string;
    /** Multicast group for IPv4 adverts (`vrrp_mcast_group4`). Defaults to keepalived's 224.0.0.18; the KubeEdge guide uses 224.0.0.19. */
    multicastGroup?: string;
    /** Let a higher-priority member take the VIP back when it returns. Defaults to false (`nopreempt`): a recovery never causes a second outage. */
    preempt?: boolean;
    /** With `preempt`, seconds to wait before preempting (0-1000). Defaults to 0. */
    preemptDelay?: number;
    /** PASS authentication with the group's random password. Defaults to true on VRRPv2; VRRPv3 has none. */
    authentication?: boolean;
    /** Health checks. Defaults to none. */
    checks?: VrrpCheckSettings[];
    /** Extra interfaces whose loss puts the member in FAULT. Defaults to none (the VRRP interface is always tracked). */
    trackInterfaces?: string[];
    /** Notify scripts. Defaults to none. */
    notify?: VrrpNotifySettings;
    /** Unprivileged user that runs the check and notify scripts (`enable_script_security`); created when missing. Defaults to `keepalived_script`. */
    scriptUser?: string;
    /** GARP settings. */
    garp?: GarpSettings;
    /** LVS virtual servers. Defaults to none. */
    virtualServers?: VirtualServerSettings[];
}

export interface ResolvedNode {
    name: string;
    cidr: Cidr;
    interface: string;
    priority: number;
}
export interface ResolvedVip {
    cidr: Cidr;
    device?: string;
    label?: string;
}
export interface ResolvedCheck {
    name: string;
    probe: string;
    interval: number;
    timeout: number;
    fall: number;
    rise: number;
    weight: number;
    samples: number;
    path: string;
}
export interface ResolvedVirtualServer {
    address: string;
    port: number;
    lbAlgo: string;
    lbKind: string;
    persistenceTimeout: number;
    delayLoop: number;
    realServers: { address: string; port: number; weight: number; connectTimeout: number }[];
}
export interface ResolvedVrrpGroup {
    nodes: ResolvedNode[];
    vips: ResolvedVip[];
    family: Family;
    instanceName: string;
    virtualRouterId: number;
    version: 2 | 3;
    advertInt: number;
    transport: "unicast" | "multicast";
    multicastGroup?: string;
    preempt: boolean;
    preemptDelay: number;
    authentication: boolean;
    checks: ResolvedCheck[];
    trackInterfaces: string[];
    notify: { state: "master" | "backup" | "fault" | "stop"; content: string; path: string }[];
    scriptUser: string;
    garp: Required<GarpSettings>;
    virtualServers: ResolvedVirtualServer[];
}
