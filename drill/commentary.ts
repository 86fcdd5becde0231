/**
 * What each drill shows, for the report, and findings derived from the samples of a run (so the report
 * states what THIS run measured, not what an earlier one did).
 */
import type { DrillSample } from "./drills";
import type { EnvFinding } from "./env";
import { percentile } from "./measure";

export const COMMENTARY: Record<string, string> = {
    "1-link": "The holder's interface goes down (`ip link set eth1 down` in its namespace). keepalived on the holder sees the " +
        "link go and drops the VIP at once; the backup takes over after its master-down interval (3 × advert + skew: " +
        "~3.06 s at advert 1 s, ~0.31 s with the fast profile's VRRPv3 advert 0.1 s), counted from the holder's last advert. " +
        "With the link back the old holder returns as BACKUP (`nopreempt`): no fail-back, no second outage.",
    "2-keepalived-kill": "Every keepalived process of the holder is SIGKILLed as one crash (pids from /run/keepalived.pid, " +
        "/run/vrrp.pid, /run/checkers.pid; all SIGSTOPped first, because keepalived's children get SIGTERM when the parent dies " +
        "and would otherwise shut down gracefully). Nothing removes the VIP, so the dead holder keeps it. The product's " +
        "supervisor (/usr/local/lib/kubeedge-ha/supervise, installed where systemd is absent) sees the dead pid and runs " +
        "`service keepalived start` after one master-down interval (3 × advert_int + 1 s rounded up: 4 s default, 2 s fast), so " +
        "the backup takes over first (takeoverMs) while the killed holder's haproxy keeps serving through a short duplicate " +
        "address (duplicateMs); the restarted keepalived starts as BACKUP and removes the stale VIP at once (staleVipMs). " +
        "noHolderMs is the time no host held the VIP: a restart that beat the takeover would show up there.",
    "2c-keepalived-kill-cloudcore": "Drill 2 on the cloudcore pair (no ip_forward on these hosts).",
    "2r-keepalived-kill-pid-reuse": "Drill 2 with the state a recycled pid leaves behind: right after the crash /run/vrrp.pid " +
        "names a live process (here a `sleep` started for the purpose; the supervisor is held with SIGSTOP for the ~20 ms " +
        "it takes to write the file). Without systemd pid_max is typically 32768 (this machine: 32768, and the drill run " +
        "wraps it within minutes), so a stale child pidfile naming a live process is a matter of time; one unexplained " +
        "iteration of an earlier run (cc2's keepalived never came back after a SIGKILL) looked exactly like this.",
    "2u-keepalived-kill-unsupervised": "Control for drill 2: the product's supervisor is stopped first. The backup takes " +
        "over after its master-down interval and the killed holder keeps the VIP: a duplicate address for as long as " +
        "keepalived stays dead (held here for 6 s, then the product's own service script is run, which starts keepalived " +
        "and the supervisor again and the duplicate ends). This is what the supervision prevents.",
    "3-haproxy-kill": "haproxy's master and workers are SIGKILLed on the holder. haproxy has no supervisor on hosts " +
        "without systemd (the product relies on Debian's `Restart=always` unit), so it stays down until restored with " +
        "the product's service script. keepalived's check (haproxy's /healthz monitor, 2 probes per 1 s run, weight 0) " +
        "fails, the holder enters FAULT, sends a priority-0 advert and the backup takes over after its skew time. Clients " +
        "see connection refused (RST) from the old holder until the VIP moves.",
    "4-backend-kill": "One fake apiserver (the drill rotates master1..3) is SIGKILLed while the client streams requests " +
        "through the VIP. haproxy (retries 3, redispatch, connect 1 s, /readyz check inter 1 s fall 2) retries a refused " +
        "connection on another server, so new requests do not fail; the dead server is marked DOWN within ~2 s and " +
        "comes back ~2 s after it listens again.",
    "5-all-backends-down": "All three fake apiservers are SIGKILLed. haproxy marks them DOWN (~2 s), its /healthz monitor " +
        "turns 503 (monitorRequiresBackend), keepalived's check fails on BOTH LB hosts and both enter FAULT: the VIP is on " +
        "no host at all. Before that, clients get resets from haproxy; after it, their SYNs go unanswered (timeouts, " +
        "EHOSTUNREACH) — the slowest way to fail for a client such as client-go (30 s dial timeout). When the backends " +
        "return, the VIP comes back only after haproxy's rise (2 × 1 s), keepalived's rise (2 runs) and an election, " +
        "~6 s. Keeping the VIP on a healthy haproxy (`monitorRequiresBackend: false`) would give fast resets and a ~2 s " +
        "recovery instead; the current default is a design choice, documented here, not a defect.",
    "6-partition-heal": "IP between lb1 and lb2 is dropped in both directions at their interfaces (tc htb + blackhole; " +
        "ARP still passes; unicast VRRP cannot cross), starting with lb1 (priority 250) holding the VIP. lb2 stops hearing " +
        "adverts and takes the VIP too: dual MASTER after its master-down interval. The client follows lb2's takeover GARP " +
        "(when Linux's 1 s `locktime` swallowed that GARP, the drill sets the entry as the GARP would have, and says so). " +
        "On the heal lb2 hears lb1's higher priority and drops the VIP within one advert. For the client to follow, lb1 must " +
        "GARP again, and keepalived does that (`vrrp_garp_lower_prio_repeat`) only when lb1 RECEIVES a lower-priority advert. " +
        "lb2's adverts run ~60 ms behind lb1's (its timer started one master-down interval after lb1's last advert), so lb1's " +
        "advert crosses first and lb2 steps down; only with `vrrp_higher_prio_send_advert` does lb2 announce itself while " +
        "stepping down, so that lb1 re-GARPs. Without it the client keeps lb2's MAC (on the LB hosts requests still get " +
        "through because lb2 forwards them, ip_forward=1).",
    "6c-partition-heal-cloudcore": "Drill 6 on the cloudcore pair, where the loser does not forward: after the heal the " +
        "client keeps sending to cc2, which no longer has the VIP, and every request fails until the client's ARP entry " +
        "ages out or the 60 s GARP refresh fires.",
    "7-haproxy-reload": "The product's own reload script for the holder (the `apiserver-<host>-haproxy-reload` command from " +
        "the engine state: `haproxy -c` then SIGUSR2 to the master-worker master) is run twice under the request stream.",
    "8-rolling-haproxy": "`applyLab` with haproxy `checkIntervalMs` toggled (1000 ↔ 1100 ms) while the client streams: the " +
        "engine updates haproxy.cfg and reloads haproxy host by host (the preferred holder last).",
    "8k-rolling-keepalived": "`applyLab` with keepalived `garp.masterRefresh` toggled (60 ↔ 61 s) under load; the drill then " +
        "reads the running value from keepalived's own data dump (SIGUSR1) on both hosts. (Before commit 592c1be the reload " +
        "script asked `service keepalived status`, which Debian's /etc/init.d/keepalived does not implement, and ran a no-op " +
        "`start` instead of a reload: the change never went live.)",
    "9-rejected-config": "`applyLab` with haproxy `caFile` pointing at a file that does not exist: resolveHaproxy accepts it " +
        "(an absolute path), `haproxy -c` rejects it on the first host (lb2, backups first). The apply stops with the " +
        "validator's output, the live haproxy.cfg stays byte-identical, no haproxy is reloaded, the VIP does not move and " +
        "the client stream sees no failure. The next correct apply finds nothing to do (the failed resource kept its old state).",
    "10-cloudcore-kill": "The fake cloudcore (v1.7+: /ca.crt 200, /readyz 404) on the holder is SIGKILLed. The product's " +
        "version-aware check (HTTPS /ca.crt + TCP connect to 10000) fails, the holder enters FAULT, the VIP moves.",
    "10u-upstream-check-weight0": "The check script on cc1 and cc2 is replaced by `renderCheckScript(upstreamReadyzProbe())` " +
        "— the documented upstream check (`/readyz` == 200) — keeping the product's keepalived.conf (weight 0). On v1.7+ " +
        "`/readyz` is 404 everywhere, so BOTH hosts enter FAULT and the VIP disappears although both cloudcores are " +
        "healthy. Killing cloudcore afterwards changes nothing. Under the product's FAULT semantics the upstream check is " +
        "not merely inert, it takes the service down.",
    "10s-seed-check-weight2": "The seed's semantics: the upstream `/readyz` check AND the seed's `weight 2` (the product's " +
        "keepalived.conf edited on cc1/cc2, applied with keepalived's own reload). The check never passes on v1.7+, so no " +
        "host ever gains priority and the VIP never moves: it stays on the host whose cloudcore is dead for the whole " +
        "observation window and every client request fails (connection refused). This is why the version-aware check matters.",
};

/** Ids of the findings derivedFindings can produce (a "-cloudcore" suffix marks the cloudcore pair's twin). */
export const DERIVED_FINDINGS = ["split-brain-no-regarp", "supervisor-gives-up-on-stale-child-pidfile", "supervisor-restart-vs-takeover"];

/** Findings that follow from the samples of this run. */
export function derivedFindings(samples: DrillSample[]): EnvFinding[] {
    const out: EnvFinding[] = [];
    const of = (id: string) => samples.filter((s) => s.drill === id);
    for (const id of ["6-partition-heal", "6c-partition-heal-cloudcore"]) {
        const ss = of(id);
        const stuck = ss.filter((s) => s.extra.neighCorrected === false);
        if (!stuck.length) continue;
        const fails = stuck.map((s) => s.extra.failedAfterHeal as number);
        out.push({
            id: `split-brain-no-regarp${id.startsWith("6c") ? "-cloudcore" : ""}`,
            text: `${stuck.length} of ${ss.length} partition heals left the client's neighbour entry on the host that ` +
                `dropped the VIP for the whole ${15} s bound (no GARP from the remaining holder); failed requests after the ` +
                `heal per run: ${fails.join(", ")}. Product gap in components/render/keepalived.ts: global_defs has ` +
                "`vrrp_garp_lower_prio_repeat` but not `vrrp_higher_prio_send_advert true`, so the stepping-down master sends " +
                "no advert and the winner, which re-GARPs only on RECEIVING a lower-priority advert, never does. Verified by " +
                "hand in this lab: with `vrrp_higher_prio_send_advert true` added, 5 of 5 heals put the client on the holder; " +
                "without it 0 of 6. A shorter `garp.masterRefresh` (default 60 s) also bounds it.",
        });
    }
    for (const x of of("2r-keepalived-kill-pid-reuse").filter((q) => q.extra.restarted === false)) {
        out.push({
            id: "supervisor-gives-up-on-stale-child-pidfile",
            text: "After a keepalived SIGKILL with /run/vrrp.pid naming a live process, keepalived was still down 10 s later " +
                `(${x.extra.diagnosis}). components/host/scripts.ts supervisorScript() removes only the main pidfile before ` +
                "`service keepalived start`; keepalived checks /run/vrrp.pid and /run/checkers.pid too, exits as \"already " +
                "running\", the init script still prints success, and with /run/keepalived.pid gone the supervisor's " +
                "`[ -s \"$pidfile\" ]` test never fires again: keepalived stays dead for good (and its VIP stays behind as a " +
                "duplicate). Fix: remove the daemon's child pidfiles too (/run/vrrp.pid, /run/checkers.pid, /run/bfd.pid for " +
                "keepalived) before starting it, and remember that a restart is owed (retry until the pidfile names a live process) " +
                "instead of keying only on the main pidfile.",
        });
    }
    const k = of("2-keepalived-kill").concat(of("2c-keepalived-kill-cloudcore"));
    if (k.length) {
        const f = (xs: number[]) => `p50 ${((percentile(xs, 50) ?? 0) / 1000).toFixed(2)} s, max ${((Math.max(...xs)) / 1000).toFixed(2)} s`;
        const per = [...new Set(k.map((s) => s.profile))].map((p) => {
            const ks = k.filter((s) => s.profile === p);
            const num = (key: string) => ks.map((s) => s.extra[key] as number);
            const gaps = num("noHolderMs").filter((x) => x > 0), dups = num("duplicateMs").filter((x) => x > 0);
            return `${p}: restart after the kill ${f(num("restartMs"))}, takeover ${f(num("takeoverMs"))}; ` +
                `no holder at all in ${gaps.length}/${ks.length} runs${gaps.length ? ` (${f(gaps)})` : ""}, ` +
                `duplicate in ${dups.length}/${ks.length}${dups.length ? ` (${f(dups)})` : ""}; failed requests ${ks.reduce((a, s) => a + s.failed, 0)} in total`;
        });
        const u = of("2u-keepalived-kill-unsupervised");
        per.push(`control without the supervisor: failed requests ${u.reduce((a, s) => a + s.failed, 0)} in ${u.length} runs`);
        // the supervisor waits one master-down interval; a run with no holder at all means the restart beat the takeover again
        if (k.some((s) => (s.extra.noHolderMs as number) > 0)) out.push({
            id: "supervisor-restart-vs-takeover",
            text: "After a keepalived SIGKILL the product's supervisor restarted keepalived BEFORE the backup took over in some " +
                "runs: the restarted keepalived starts as BACKUP and removes the stale VIP at once, so for a while NO host held " +
                `the VIP. Measured — ${per.join(" | ")}. The supervisor is meant to wait one master-down interval ` +
                "(components/host/scripts.ts supervisorScript, restartDelaySeconds from components/keepalivedPair.ts) so that the " +
                "backup takes over first and the restart only ends a short duplicate: check that delay against the group's advert_int.",
        });
    }
    return out;
}
