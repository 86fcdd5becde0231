/**
 * Refuses VRRP groups whose health checks cannot do their job.
 *
 * keepalived semantics (keepalived.conf(5) 2.2.7, failover-facts.md §1.4, §2):
 * - weight 0: a failed check puts the member in FAULT, whatever the priorities: always hands over.
 * - weight > 0 is added while the check is healthy; weight < 0 is subtracted while it fails.
 *   Effective priority is clamped to 1..254.
 * - a holder whose priority only drops is replaced after the master-down interval, and only when
 *   another member's priority is now strictly higher; with `nopreempt` never.
 * - equal priorities are settled by the higher IP address, not by intent.
 */
import { fail } from "./errors";
import type { ResolvedVrrpGroup } from "./keepalived";

interface Outcome {
    priority: number;
    failing: string[];
}

/** Every effective priority a member can reach, with the weighted checks failing to reach it. */
function outcomes(priority: number, weighted: { name: string; weight: number }[]): Outcome[] {
    const out: Outcome[] = [];
    for (let mask = 0; mask < 1 << weighted.length; mask++) {
        let p = priority;
        const failing: string[] = [];
        weighted.forEach((c, k) => {
            const failed = (mask & (1 << k)) !== 0;
            if (failed) failing.push(c.name);
            if (c.weight > 0 && !failed) p += c.weight;
            if (c.weight < 0 && failed) p += c.weight;
        });
        out.push({ priority: Math.min(254, Math.max(1, p)), failing });
    }
    return out;
}

const describe = (o: Outcome) => (o.failing.length ? `with ${o.failing.join(", ")} failing` : "with all checks healthy");

/** `p` is the field prefix ("" or "something."). */
export function checkArithmetic(g: ResolvedVrrpGroup, p: string): void {
    const weighted = g.checks.filter((c) => c.weight !== 0);
    if (weighted.length === 0) return;
    const names = weighted.map((c) => `chk_${c.name}`).join(", ");
    const idx = g.checks.indexOf(weighted[0]);
    if (!g.preempt) {
        fail(`${p}checks[${idx}].weight`, weighted[0].weight,
            `with nopreempt (preempt: false) a weighted check (${names}) can never move the VIP: a lower priority alone ` +
            "does not make a backup take over. Use weight 0 (FAULT), or preempt: true");
    }
    g.nodes.forEach((n, i) => {
        if (n.priority === 255) fail(`${p}hosts[${i}].priority`, n.priority, "255 (address owner) ignores check weights");
    });
    const all = g.nodes.map((n) => ({ node: n, outs: outcomes(n.priority, weighted) }));
    // no two members may ever tie
    for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
            for (const a of all[i].outs) {
                const b = all[j].outs.find((o) => o.priority === a.priority);
                if (b) {
                    fail(`${p}checks`, weighted.map((c) => ({ name: c.name, weight: c.weight })),
                        `hosts ${all[i].node.name} (priority ${all[i].node.priority}) ${describe(a)} and ` +
                        `${all[j].node.name} (priority ${all[j].node.priority}) ${describe(b)} both reach effective priority ` +
                        `${a.priority}; VRRP would settle the tie by IP address. Choose priorities and weights so the ` +
                        "sums never meet");
                }
            }
        }
    }
    // a failing check on the preferred holder must hand the VIP to a healthy member
    const healthy = (o: Outcome[]) => o.find((x) => x.failing.length === 0)!.priority;
    const ranked = [...all].sort((a, b) => healthy(b.outs) - healthy(a.outs));
    const [top, next] = ranked;
    for (const c of weighted) {
        const degraded = top.outs.find((o) => o.failing.length === 1 && o.failing[0] === c.name)!.priority;
        if (degraded >= healthy(next.outs)) {
            fail(`${p}checks[${g.checks.indexOf(c)}].weight`, c.weight,
                `check ${c.name} failing on ${top.node.name} takes its priority from ${healthy(top.outs)} to ${degraded}, ` +
                `but the best healthy backup ${next.node.name} has ${healthy(next.outs)}: the check is inert and the VIP ` +
                `would stay on a failed host. |weight| must exceed the priority gap (${healthy(top.outs) - healthy(next.outs)}), ` +
                "or use weight 0 (FAULT)");
        }
    }
}
