/**
 * The failover drills. Each `run` performs ONE iteration against a DrillEnv: bring the group to its
 * steady state, start a client probe through the VIP, inject the fault, measure, restore, and return a
 * DrillSample. Bounded waits throw DrillError (the drill failed: e.g. the VIP never moved). Whether the
 * numbers are acceptable is decided by the caller (the test asserts, `npm run drill` tabulates).
 */
import { KEEPALIVED } from "../components/host/scripts";
import { renderCheckScript } from "../components/render/checkScript";
import { upstreamReadyzProbe } from "../components/render/cloudcoreCheck";
import { SCRIPT_DIR, KEEPALIVED_CONF } from "../components/render/keepalived";
import { ApplyError } from "../lab/apply";
import { sleep } from "../lab/proc";
import { DrillEnv, DrillError, GroupName, ProbeRun, Profile, DRILL_TIMEOUTS, procStartTime } from "./env";
import { ProbeSummary, firstTime, summarizeProbe, timeWhere } from "./measure";
import type { ProbeLine } from "./probe";

export interface DrillSample {
    drill: string;
    profile: Profile;
    iteration: number;
    /** the headline figure of this drill (see DrillDef.metric), ms */
    ttrMs?: number;
    /** fault → VIP on the new holder (ip monitor), ms */
    vipMoveMs?: number;
    /** failed requests in the fault phase (for 4/7/8/9: failed NEW requests) */
    failed: number;
    requests: number;
    /** failed requests after the restore started (a second outage) */
    secondOutage: number;
    probe?: ProbeSummary;
    /** drill-specific figures (ms unless named otherwise) and facts */
    extra: Record<string, number | string | boolean | undefined>;
    notes: string[];
    /** timeline relative to the fault (ms): VIP holder changes */
    timeline?: { t: number; holders: string[] }[];
    /** the first failed requests of the fault phase: start relative to the fault (ms) and error */
    failedAt?: string[];
}

export interface DrillDef {
    id: string;
    /** issue number 1..10 */
    num: number;
    title: string;
    group: GroupName;
    /** what ttrMs means for this drill */
    metric: string;
    /** caps n: only for controls and regression checks beside a numbered drill (every numbered drill runs n times) */
    maxN?: number;
    /** benchmark targets for the table (not assertions) */
    target?: Partial<Record<Profile, { p50Ms?: number; failed?: number; label: string }>>;
    /** what every run must show (besides `target`): the reason a run misses it, or undefined */
    expect?: { label: string; check(s: DrillSample): string | undefined };
    run(env: DrillEnv, profile: Profile, iteration: number): Promise<DrillSample>;
}

const other = (env: DrillEnv, g: GroupName, h: string) => env.groups[g].members.find((m) => m !== h)!;

interface Phase {
    probe: ProbeRun;
    tf: number;
    tr: number;
    tEnd: number;
    lines: ProbeLine[];
}

/** Starts a probe and waits for 25 successes in a row (0.5 s of steady service). */
async function steadyProbe(env: DrillEnv, g: GroupName, durationMs: number, mode?: "https" | "tcp"): Promise<ProbeRun> {
    const p = await env.startProbe(g, { durationMs, mode });
    try {
        await p.waitStreak(0, 25, 15_000);
    } catch (e) {
        await p.stop();
        throw e;
    }
    return p;
}

/** Runs `fn` with the probe; always stops the probe; returns its lines. */
async function guarded<T>(p: ProbeRun, fn: () => Promise<T>): Promise<{ r: T; lines: ProbeLine[] }> {
    try {
        const r = await fn();
        return { r, lines: await p.stop() };
    } catch (e) {
        await p.stop().catch(() => undefined);
        throw e;
    }
}

/** Midpoint of an action's run (its effect lands somewhere inside). */
async function timed(fn: () => Promise<unknown>): Promise<number> {
    const a = Date.now();
    await fn();
    return (a + Date.now()) / 2;
}

function sample(drill: string, profile: Profile, iteration: number, ph: Pick<Phase, "tf" | "tr" | "lines">, env: DrillEnv, g: GroupName,
    extra: DrillSample["extra"] = {}, notes: string[] = []): DrillSample {
    const s = summarizeProbe(ph.lines, ph.tf, ph.tr);
    const failedAt = ph.lines.filter((l) => !l.ok && l.s >= ph.tf && l.s < ph.tr).sort((a, b) => a.s - b.s).slice(0, 8)
        .map((l) => `${((l.s - ph.tf) / 1000).toFixed(3)} s ${l.err ?? `HTTP ${l.code}`}`);
    return {
        drill, profile, iteration, ttrMs: s.ttrMs, failed: s.failed, requests: s.total, secondOutage: s.failedAfter, probe: s, failedAt,
        extra, notes, timeline: env.events(g).filter((e) => e.t >= ph.tf - 2000 && e.t <= ph.tr + 30_000)
            .map((e) => ({ t: Math.round(e.t - ph.tf), holders: e.holders })),
    };
}

// ------------------------------------------------------------------------------------------- 1
const linkLoss: DrillDef = {
    id: "1-link", num: 1, title: "VIP holder loses its link", group: "apiserver",
    metric: "fault → first client success (link down on the holder)",
    target: { default: { p50Ms: 3300, label: "≤ 3.3 s p50 (anchor: seed 3.29 s, kubeadm 3.08 s)" }, fast: { p50Ms: 400, label: "≤ 0.4 s p50" } },
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g), backup = other(env, g, holder);
        const p = await steadyProbe(env, g, 45_000);
        let tf = 0, tr = 0, vipAt = 0;
        const { lines } = await guarded(p, async () => {
            tf = await timed(() => env.lab.setLink(holder, false));
            await env.waitHolders(g, (h) => h.includes(backup), DRILL_TIMEOUTS.vipMs, `the VIP on ${backup}`);
            vipAt = firstTime(env.events(g), tf, (h) => h.includes(backup))!;
            await p.waitStreak(vipAt, 25, 15_000);
            tr = Date.now();
            await env.lab.setLink(holder, true);
            await env.ensureSteady(g);
            await sleep(2000);
        });
        const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, backup, holderAfterRestore: env.holders(g).join(","),
            duplicateAfterRestoreMs: timeWhere(env.events(g), tr, Date.now(), (h) => h.length > 1),
        });
        s.vipMoveMs = vipAt - tf;
        return s;
    },
};

// ------------------------------------------------------------------------------------------- 2
/**
 * SIGKILLs a set of processes as one crash: all are stopped first (SIGSTOP), then killed. keepalived's
 * children have a parent-death signal (SIGTERM): killing the parent first would let the VRRP child shut down
 * gracefully (priority-0 advert, VIP removed), which is not a crash.
 */
function crash(pids: number[]): void {
    for (const pid of pids) { try { process.kill(pid, "SIGSTOP"); } catch { /* gone */ } }
    for (const pid of pids) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
}

function keepalivedKill(group: GroupName): DrillDef {
    return {
        id: group === "apiserver" ? "2-keepalived-kill" : "2c-keepalived-kill-cloudcore", num: 2, group,
        title: `keepalived SIGKILL on the ${group} holder (product supervision active)`,
        expect: { label: "takeover, supervisor restart and stale VIP gone ≤ 10 s", check: (s) => ((s.extra.takeoverMs as number) > 10_000 ? "slow takeover" : (s.extra.restartMs as number) > 10_000 ? "no restart" : (s.extra.staleVipMs as number) > 10_000 ? "stale VIP" : undefined) },
        metric: "fault → first client success after the last failure",
        async run(env, profile, i) {
            const g = group;
            const holder = await env.ensureSteady(g), backup = other(env, g, holder);
            const pids = env.keepalivedPids(holder);
            if (pids.length < 2) throw new DrillError(`keepalived on ${holder}: expected ≥ 2 processes from pidfiles, got ${pids.join(",")}`);
            const supervisor = env.supervisorPid(holder);
            const killed = pids.map((pid) => ({ pid, start: procStartTime(pid) }));
            const p = await steadyProbe(env, g, 45_000);
            let tf = 0, tr = 0, takeoverAt = 0, staleGoneAt = 0, restartAt = 0, reapedAt = 0;
            const { lines } = await guarded(p, async () => {
                tf = Date.now();
                crash(pids);
                await Promise.all([
                    env.waitHolders(g, (h) => h.includes(backup), 20_000, `the VIP on ${backup} (takeover)`).then(() => { takeoverAt = firstTime(env.events(g), tf, (h) => h.includes(backup))!; }),
                    env.waitHolders(g, (h) => !h.includes(holder), 20_000, `the VIP to leave the killed holder ${holder}`).then(() => { staleGoneAt = firstTime(env.events(g), tf, (h) => !h.includes(holder))!; }),
                    env.waitFor(`keepalived on ${holder} to be restarted`, 20_000, () => {
                        const now = env.keepalivedPids(holder);
                        return now.length >= 2 && now.every((x) => !pids.includes(x));
                    }, 20).then(() => { restartAt = Date.now(); }),
                    env.waitReaped(killed, 20_000).then(() => { reapedAt = Date.now(); }, () => undefined),
                ]).catch(async (e) => {
                    throw new DrillError(`${(e as Error).message} [killed ${pids.join(",")}; ${await env.diagnoseKeepalived(holder)}]`);
                });
                await env.waitHolders(g, (h) => h.length === 1, 20_000, "exactly one holder");
                await p.waitStreak(Math.max(takeoverAt, staleGoneAt), 25, 15_000);
                tr = Date.now();
                await env.ensureSteady(g);
                await sleep(1000);
            });
            const ev = env.events(g);
            const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
                holder, backup, supervised: supervisor !== undefined,
                takeoverMs: takeoverAt - tf,
                staleVipMs: staleGoneAt - tf,
                restartMs: restartAt - tf,
                /** lab artifact: the supervisor's kill -0 sees the zombie until this machine's PID 1 reaps it */
                reapedMs: reapedAt ? reapedAt - tf : undefined,
                duplicateMs: timeWhere(ev, tf, tr, (h) => h.length > 1),
                noHolderMs: timeWhere(ev, tf, tr, (h) => h.length === 0),
                holdersEnd: env.holders(g).join(","),
            });
            s.vipMoveMs = takeoverAt - tf;
            return s;
        },
    };
}

/**
 * Drill 2 when a stale child pidfile names a live process (pid reuse: pid_max is 32768 without systemd, and the
 * lab machine wraps it within minutes). Regression check: the supervisor used to remove only /run/keepalived.pid,
 * so keepalived saw /run/vrrp.pid "running" and refused to start while `service keepalived start` reported success;
 * it now clears the child pidfiles and keeps the restart owed until keepalived really runs.
 */
const keepalivedKillPidReuse: DrillDef = {
    id: "2r-keepalived-kill-pid-reuse", num: 2, title: "keepalived SIGKILL while a stale /run/vrrp.pid names a live process", group: "apiserver",
    expect: { label: "the supervisor restarts keepalived ≤ 10 s", check: (s) => (s.extra.restarted ? undefined : "keepalived never restarted") },
    metric: "fault → keepalived running again (undefined: never within 10 s)", maxN: 1,
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g), backup = other(env, g, holder);
        const pids = env.keepalivedPids(holder);
        const sup = env.supervisorPid(holder);
        if (!sup) throw new DrillError(`no product supervisor running on ${holder}`);
        await env.lab.startProcess(holder, "pid-squatter", ["sleep", "120"], { settleMs: 0 });
        const squatter = env.lab.processPid(holder, "pid-squatter")!;
        let tf = 0, tr = 0, restartAt: number | undefined, diag = "";
        const p = await steadyProbe(env, g, 45_000);
        const { lines } = await guarded(p, async () => {
            // hold the supervisor while the stale pidfile is put in place, so it sees the state a reused pid leaves
            process.kill(sup, "SIGSTOP");
            try {
                tf = Date.now();
                crash(pids);
                const r = await env.sh(holder, `echo ${squatter} > /run/vrrp.pid`);
                if (r.code !== 0) throw new DrillError(`writing /run/vrrp.pid: ${r.stderr}`);
            } finally { process.kill(sup, "SIGCONT"); }
            await env.waitHolders(g, (h) => h.includes(backup), 20_000, `the VIP on ${backup}`);
            restartAt = await env.waitFor(`keepalived on ${holder} to be restarted`, 10_000, () =>
                (env.pidFromFile(holder, "/run/keepalived.pid") !== undefined ? Date.now() : undefined), 50).catch(() => undefined);
            diag = await env.diagnoseKeepalived(holder);
            tr = Date.now();
        });
        await env.lab.stopProcess(holder, "pid-squatter", "SIGKILL");
        const stale = env.holders(g).includes(holder) && env.keepalivedPids(holder).length === 0;
        await env.ensureSteady(g); // restores keepalived with the product's service script if it is still down
        const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, backup, restarted: restartAt !== undefined, restartMs: restartAt === undefined ? undefined : restartAt - tf,
            staleVipOnKilledHolderAtEnd: stale, diagnosis: diag,
        });
        s.ttrMs = restartAt === undefined ? undefined : restartAt - tf;
        return s;
    },
};

/** Control for drill 2: the same kill with the product's supervisor stopped first. */
const keepalivedKillUnsupervised: DrillDef = {
    id: "2u-keepalived-kill-unsupervised", num: 2, title: "keepalived SIGKILL, supervisor stopped (control)", group: "apiserver",
    expect: { label: "documents: duplicate until keepalived restarts", check: (s) => (s.extra.stillDuplicateBeforeRestart ? undefined : "no duplicate") },
    metric: "fault → takeover by the backup", maxN: 3,
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g), backup = other(env, g, holder);
        const pids = env.keepalivedPids(holder);
        const sup = env.supervisorPid(holder);
        if (!sup) throw new DrillError(`no product supervisor running on ${holder}`);
        process.kill(sup, "SIGTERM");
        await env.waitFor("the supervisor to stop", 5000, () => env.supervisorPid(holder) === undefined, 20);
        const p = await steadyProbe(env, g, 45_000);
        const HOLD = 6000;
        let tf = 0, tr = 0, takeoverAt = 0, restartedAt = 0, dupEndAt = 0;
        let stillDuplicate = false;
        const { lines } = await guarded(p, async () => {
            tf = Date.now();
            crash(pids);
            await env.waitHolders(g, (h) => h.includes(backup), 20_000, `the VIP on ${backup}`);
            takeoverAt = firstTime(env.events(g), tf, (h) => h.includes(backup))!;
            await sleep(Math.max(0, takeoverAt + HOLD - Date.now()));
            stillDuplicate = env.holders(g).length === 2 && env.keepalivedPids(holder).length === 0;
            tr = Date.now();
            await env.waitReaped(pids.map((pid) => ({ pid })), 30_000).catch(() => undefined); // lab: kill -0 sees zombies
            // the product's own service script starts keepalived (and the supervisor) again
            const r = await env.runProductScript(holder, `${env.groups[g].kaPrefix}-${holder}-service`);
            restartedAt = Date.now();
            if (r.code !== 0) throw new DrillError(`product service script on ${holder} failed: ${r.stderr}`);
            await env.waitHolders(g, (h) => !h.includes(holder), 20_000, `the stale VIP to leave ${holder} after the restart`);
            dupEndAt = firstTime(env.events(g), tr, (h) => !h.includes(holder))!;
            await env.ensureSteady(g);
        });
        const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, backup, takeoverMs: takeoverAt - tf,
            duplicateHeldMs: timeWhere(env.events(g), tf, tr, (h) => h.length > 1),
            stillDuplicateBeforeRestart: stillDuplicate,
            duplicateEndAfterRestartMs: dupEndAt - restartedAt,
            supervisorBack: env.supervisorPid(holder) !== undefined,
        });
        s.vipMoveMs = takeoverAt - tf;
        s.ttrMs = takeoverAt - tf;
        return s;
    },
};

// ------------------------------------------------------------------------------------------- 3
const haproxyKill: DrillDef = {
    id: "3-haproxy-kill", num: 3, title: "haproxy killed on the holder", group: "apiserver",
    metric: "fault → first client success after the last failure",
    target: { default: { p50Ms: 1200, label: "≤ 1.2 s p50 (anchor: seed 5.94 s, kubeadm 31.89 s)" }, fast: { p50Ms: 600, label: "≤ 0.6 s p50" } },
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g), backup = other(env, g, holder);
        const hp = env.haproxyPids(holder);
        if (!hp.master || !hp.workers.length) throw new DrillError(`haproxy on ${holder}: master ${hp.master}, workers ${hp.workers}`);
        const p = await steadyProbe(env, g, 45_000);
        let tf = 0, tr = 0, vipAt = 0, restoreMs = 0, reapMs = 0;
        const killed = [hp.master!, ...hp.workers].map((pid) => ({ pid, start: procStartTime(pid) }));
        const { lines } = await guarded(p, async () => {
            tf = Date.now();
            crash([hp.master!, ...hp.workers]);
            await env.waitHolders(g, (h) => h.includes(backup), DRILL_TIMEOUTS.vipMs, `the VIP on ${backup}`);
            vipAt = firstTime(env.events(g), tf, (h) => h.includes(backup))!;
            await p.waitStreak(vipAt, 25, 15_000);
            tr = Date.now();
            // lab caveat: the product's liveness test (kill -0 on the pidfile) takes an unreaped zombie for a running haproxy
            reapMs = await env.waitReaped(killed).catch(() => -1);
            const r = await env.runProductScript(holder, `apiserver-${holder}-haproxy`);
            if (r.code !== 0) throw new DrillError(`product haproxy service script on ${holder}: ${r.stderr}`);
            restoreMs = Date.now() - tr;
            await env.ensureSteady(g);
            await sleep(2000);
        });
        const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, backup, restartedBy: "product service script (service haproxy start)", restoreMs, zombieReapWaitMs: reapMs,
            holderAfterRestore: env.holders(g).join(","),
        });
        s.vipMoveMs = vipAt - tf;
        return s;
    },
};

// ------------------------------------------------------------------------------------------- 4
const backendKill: DrillDef = {
    id: "4-backend-kill", num: 4, title: "one apiserver backend SIGKILLed under a request stream", group: "apiserver",
    metric: "fault → first client success (failures counted: new requests)",
    target: { default: { failed: 0, label: "0 failed new requests" }, fast: { failed: 0, label: "0 failed new requests" } },
    async run(env, profile, i) {
        const g = "apiserver";
        await env.ensureSteady(g);
        const masters = env.lab.hosts.filter((h) => h.role === "master").map((h) => h.name);
        const victim = masters[i % masters.length];
        const p = await steadyProbe(env, g, 45_000);
        let tKill = 0, tDead = 0, tr = 0, backAt = 0;
        const { lines } = await guarded(p, async () => {
            tKill = Date.now();
            tDead = await env.killFake(victim, "SIGKILL");
            await sleep(4000); // > haproxy's fall 2 × inter 1 s: the server is marked DOWN inside this window
            tr = Date.now();
            await env.startFake(victim);
            backAt = await env.waitFor(`${victim} back in rotation`, 15_000, () => {
                const l = p.lines().find((x) => x.s >= tr && x.name === victim && x.ok);
                return l ? l.e : undefined;
            }, 50);
            await sleep(500);
        });
        // "new" = started after the process was gone (every thread exited, so its listener is closed); in flight = started before and still open at the kill
        const s = sample(this.id, profile, i, { tf: tDead, tr, lines }, env, g, {
            victim, killToGoneMs: tDead - tKill,
            inflightFailed: lines.filter((l) => !l.ok && l.s < tDead && l.e >= tKill).length,
            newToVictim: lines.filter((l) => l.s >= tDead && l.s < tr && l.name === victim).length,
            backInRotationMs: backAt - tr,
        });
        return s;
    },
};

// ------------------------------------------------------------------------------------------- 5
const allBackendsDown: DrillDef = {
    id: "5-all-backends-down", num: 5, title: "all apiserver backends down", group: "apiserver",
    expect: { label: "documents: VIP on no LB host, every request fails, back ≤ 15 s", check: (s) => ((s.extra.okWhileDown as number) > 0 ? "requests succeeded" : s.ttrMs === undefined || s.ttrMs > 15_000 ? "slow return" : undefined) },
    metric: "backends back → first client success",
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g);
        const masters = env.lab.hosts.filter((h) => h.role === "master").map((h) => h.name);
        const p = await steadyProbe(env, g, 60_000);
        let tf = 0, tr = 0, goneAt = 0, backAt = 0, clientBackAt = 0;
        const { lines } = await guarded(p, async () => {
            tf = await timed(() => Promise.all(masters.map((m) => env.killFake(m, "SIGKILL"))));
            await env.waitHolders(g, (h) => h.length === 0, DRILL_TIMEOUTS.vipMs, "the VIP to leave every LB host (both keepalived in FAULT)");
            goneAt = firstTime(env.events(g), tf, (h) => h.length === 0)!;
            await sleep(4000);
            tr = Date.now();
            await Promise.all(masters.map((m) => env.startFake(m)));
            await env.waitHolders(g, (h) => h.length === 1, 30_000, "the VIP back on one LB host");
            backAt = firstTime(env.events(g), tr, (h) => h.length === 1)!;
            clientBackAt = await p.waitOk(tr, 30_000, "a client success after the backends returned");
            await env.ensureSteady(g);
        });
        const ev = env.events(g);
        const vipHeld = (l: ProbeLine) => (timeWhere(ev, l.s, l.s + 1, (h) => h.length > 0) > 0 ? "vip-held" : "no-vip");
        const kinds = (pred: (l: ProbeLine) => boolean) => {
            const out: Record<string, number> = {};
            for (const l of lines.filter((x) => !x.ok && x.s >= tf && x.s < tr && pred(x))) {
                const k = l.err ?? `HTTP ${l.code}`;
                out[k] = (out[k] ?? 0) + 1;
            }
            return Object.entries(out).map(([k, v]) => `${k}×${v}`).join(" ") || "none";
        };
        const during = lines.filter((l) => l.s >= tf && l.s < tr);
        const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holderBefore: holder,
            vipGoneMs: goneAt - tf,
            okWhileDown: during.filter((l) => l.ok).length,
            errorsWhileVipHeld: kinds((l) => vipHeld(l) === "vip-held"),
            errorsAfterVipGone: kinds((l) => vipHeld(l) === "no-vip"),
            vipBackAfterBackendsMs: backAt - tr,
            holderAfter: env.holders(g).join(","),
        });
        s.vipMoveMs = goneAt - tf;
        s.ttrMs = clientBackAt - tr;
        s.secondOutage = 0; // the restore phase IS the outage here
        return s;
    },
};

// ------------------------------------------------------------------------------------------- 6
/** Bound on waiting for the client's neighbour entry to follow the single holder after a heal. */
export const NEIGH_BOUND_MS = 15_000;

function partitionHeal(group: GroupName): DrillDef {
    return {
        id: group === "apiserver" ? "6-partition-heal" : "6c-partition-heal-cloudcore", num: 6, group,
        title: `partition between the ${group} VIP hosts (unicast VRRP dropped both ways), then heal`,
        expect: { label: "one holder; client entry on it ≤ 10 s after the heal", check: (s) => (s.extra.neighCorrected !== true || (s.extra.neighCorrectAfterHealMs as number) > 10_000 ? `client entry stayed on ${s.extra.clientNeighEnd}` : undefined) },
        metric: `heal → the client's neighbour entry for the VIP points at the single holder (undefined if not within ${NEIGH_BOUND_MS / 1000} s)`,
        async run(env, profile, i) {
            const g = group;
            const [a, b] = env.groups[g].members;
            const vip = env.groups[g].vip;
            // start from the higher-priority host holding the VIP: during the partition the other one takes the
            // VIP too and GARPs last, so after the heal only a GARP from the winner can fix the client's entry
            await env.placeVip(g, a);
            const macs: Record<string, string> = { [a]: await env.mac(a), [b]: await env.mac(b) };
            const whose = (mac?: string) => Object.keys(macs).find((k) => macs[k] === mac) ?? mac ?? "none";
            const p = await steadyProbe(env, g, 60_000);
            let tf = 0, th = 0, tr = 0, dualAt = 0, singleAt = 0, winner = "";
            let neighAt: number | undefined;
            let neighDuring = "", neighEnd = "";
            let neighNatural = false;
            const { lines } = await guarded(p, async () => {
                tf = await timed(() => env.partition(a, b, true));
                await env.waitHolders(g, (h) => h.length === 2, 15_000, "both hosts to hold the VIP (dual MASTER)");
                dualAt = firstTime(env.events(g), tf, (h) => h.length === 2)!;
                // a client that heard the new (second) master's takeover GARP points at it; Linux ignores a GARP that
                // arrives within `locktime` (1 s) of the entry's last update, so it does not always follow: wait for it,
                // and if it did not, set the entry as that GARP would have (the drill's client-side fault)
                neighNatural = await env.waitFor("the client's entry to follow the second master", 2500, async () =>
                    (await env.clientNeigh(vip))?.mac === macs[b] ? true : undefined, 20).catch(() => false);
                if (!neighNatural) {
                    const r = await env.lab.exec("client", ["ip", "neigh", "replace", vip, "lladdr", macs[b], "dev", env.lab.host("client").iface, "nud", "reachable"]);
                    if (r.code !== 0) throw new DrillError(`ip neigh replace on the client: ${r.stderr}`);
                }
                await sleep(1000);
                neighDuring = whose((await env.clientNeigh(vip))?.mac);
                th = await timed(() => env.partition(a, b, false));
                const single = await env.waitHolders(g, (h) => h.length === 1, 15_000, "exactly one holder after the heal");
                singleAt = firstTime(env.events(g), th, (h) => h.length === 1)!;
                winner = single[0];
                neighAt = await env.waitFor(`the client's neighbour entry to point at ${winner}`, NEIGH_BOUND_MS, async () => {
                    const x = await env.clientNeigh(vip);
                    return x?.mac === macs[winner] ? Date.now() : undefined;
                }, 20).catch(() => undefined);
                neighEnd = whose((await env.clientNeigh(vip))?.mac);
                if (neighAt !== undefined) await p.waitStreak(neighAt, 25, 15_000).catch(() => undefined);
                tr = Date.now();
            });
            // restore: the drill's own client-side state (a stale neighbour entry) is flushed, then steady state
            if (neighAt === undefined) await env.lab.exec("client", ["ip", "neigh", "flush", vip]);
            await env.ensureSteady(g);
            const afterHeal = lines.filter((l) => l.s >= th && l.s < tr);
            const failsAfterHeal = afterHeal.filter((l) => !l.ok);
            const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
                first: a, second: b, dualMasterMs: dualAt - tf, clientFollowedSecondMasterByItself: neighNatural,
                clientNeighAtHeal: neighDuring,
                singleHolderAfterHealMs: singleAt - th, winner, neighCorrected: neighAt !== undefined,
                neighCorrectAfterHealMs: neighAt === undefined ? undefined : neighAt - th,
                clientNeighEnd: neighEnd,
                failedDuringPartition: lines.filter((l) => !l.ok && l.s >= tf && l.s < th).length,
                failedAfterHeal: failsAfterHeal.length,
                okAfterHeal: afterHeal.filter((l) => l.ok).length,
                lastFailAfterHealMs: failsAfterHeal.length ? Math.max(...failsAfterHeal.map((l) => l.s - th)) : undefined,
                holdersEnd: env.holders(g).join(","),
            });
            s.ttrMs = neighAt === undefined ? undefined : neighAt - th;
            s.vipMoveMs = dualAt - tf;
            return s;
        },
    };
}

/**
 * After a haproxy reload on `hosts` (`before`: each host's worker pids before it): reloaded = every host runs new
 * workers and no old worker still listens, so every new connection gets the new config. Old workers may drain open
 * connections until hard-stop-after (e.g. half-open ones a partition left behind): reported in `lingering`, with
 * what they listen on and which connections they hold.
 */
async function checkReload(env: DrillEnv, hosts: string[], before: Record<string, number[]>):
    Promise<{ reloaded: boolean; oldExited: boolean; lingering?: string }> {
    const newWorkers = await env.waitFor("new haproxy workers", 15_000, () =>
        hosts.every((m) => env.haproxyPids(m).workers.some((w) => !before[m].includes(w))), 100).then(() => true, () => false);
    const oldExited = await env.waitFor("old haproxy workers to exit", 15_000, () =>
        hosts.every((m) => env.haproxyPids(m).workers.every((w) => !before[m].includes(w))), 100).then(() => true, () => false);
    let lingering = "", oldListening = false;
    for (const m of oldExited ? [] : hosts) {
        const old = env.haproxyPids(m).workers.filter((w) => before[m].includes(w));
        if (!old.length) continue;
        const pids = `pid=(${old.join("|")}),`;
        const listen = (await env.sh(m, `ss -ltnp 2>/dev/null | grep -E '${pids}' | tr -s ' ' | cut -d' ' -f4 | head -5`)).stdout.trim();
        const conns = (await env.sh(m, `ss -tanp state established 2>/dev/null | grep -E '${pids}' | tr -s ' ' | cut -d' ' -f3,4 | head -5`)).stdout.trim();
        if (listen) oldListening = true;
        lingering += `${m}: old workers ${old.join(",")} still up; listening on: ${listen.replace(/\n/g, " ") || "nothing"}; ` +
            `connections: ${conns.replace(/\n/g, " | ") || "none"}. `;
    }
    return { reloaded: newWorkers && !oldListening, oldExited, ...(lingering ? { lingering } : {}) };
}

// ------------------------------------------------------------------------------------------- 7
const reloadUnderLoad: DrillDef = {
    id: "7-haproxy-reload", num: 7, title: "haproxy reload (the product's reload script) under load", group: "apiserver",
    expect: { label: "workers replaced, VIP unmoved", check: (s) => (!s.extra.workersReplaced ? "not reloaded" : s.extra.vipEvents ? "VIP moved" : undefined) },
    metric: "—", target: { default: { failed: 0, label: "0 failed requests" }, fast: { failed: 0, label: "0 failed requests" } },
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g);
        const before = env.haproxyPids(holder);
        const script = env.productScript(`apiserver-${holder}-haproxy-reload`).script;
        const p = await steadyProbe(env, g, 45_000);
        let tf = 0, tr = 0;
        const outputs: string[] = [];
        const { lines } = await guarded(p, async () => {
            tf = Date.now();
            for (let k = 0; k < 2; k++) {
                const r = await env.runProductScript(holder, `apiserver-${holder}-haproxy-reload`);
                if (r.code !== 0) throw new DrillError(`reload script on ${holder} failed (${r.code}): ${r.stderr}`);
                outputs.push(r.stdout.trim());
                await sleep(1000);
            }
            await env.waitFor("new haproxy workers", 10_000, () => env.haproxyPids(holder).workers.some((w) => !before.workers.includes(w)), 50);
            await sleep(1500);
            tr = Date.now();
        });
        const rc = await checkReload(env, [holder], { [holder]: before.workers });
        const after = env.haproxyPids(holder);
        return sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, reloadCommand: /kill -USR2/.test(script) ? "haproxy -c && kill -USR2 <master>" : "other",
            masterKept: after.master === before.master, workersReplaced: rc.reloaded, oldWorkersExited: rc.oldExited,
            ...(rc.lingering ? { lingering: rc.lingering } : {}),
            vipEvents: env.events(g).filter((e) => e.t >= tf && e.t < tr).length,
        }, outputs);
    },
};

// ------------------------------------------------------------------------------------------- 8
/** Rolling haproxy config change through applyLab (checkIntervalMs toggled) under load. */
const rollingHaproxy: DrillDef = {
    id: "8-rolling-haproxy", num: 8, title: "rolling config change (haproxy checkIntervalMs via applyLab) under load", group: "apiserver",
    expect: { label: "both reloaded, VIP unmoved", check: (s) => (!s.extra.reloadedAll || !s.extra.newConfigOnDisk ? "not reloaded" : s.extra.vipEvents ? "VIP moved" : undefined) },
    metric: "—", target: { default: { failed: 0, label: "0 failed requests" }, fast: { failed: 0, label: "0 failed requests" } },
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g);
        const cur = (env.overrides["kubeedge-ha:apiserver"] as any)?.haproxy?.checkIntervalMs ?? 1000;
        const next = cur === 1000 ? 1100 : 1000;
        const before = Object.fromEntries(env.groups[g].members.map((m) => [m, env.haproxyPids(m).workers]));
        const p = await steadyProbe(env, g, 60_000);
        let tf = 0, tr = 0, applyMs = 0;
        const { lines } = await guarded(p, async () => {
            tf = Date.now();
            env.overrides = mergeOverride(env.overrides, { "kubeedge-ha:apiserver": { haproxy: { checkIntervalMs: next } } });
            const r = await env.apply();
            applyMs = Date.now() - tf;
            const changed = r.report.filter((e) => e.action !== "same" && e.action !== "skipped").map((e) => e.name);
            if (!changed.some((n) => n.endsWith("-haproxy-reload"))) throw new DrillError(`the apply reloaded no haproxy: ${changed.join(", ")}`);
            await sleep(2000);
            tr = Date.now();
        });
        const rc = await checkReload(env, env.groups[g].members, before);
        const want = next % 1000 === 0 ? `inter ${next / 1000}s ` : `inter ${next}ms `;
        const cfg = await Promise.all(env.groups[g].members.map((m) => env.sh(m, "cat /etc/haproxy/haproxy.cfg")));
        return sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, checkIntervalMs: `${cur}→${next}`, applyMs,
            reloadedAll: rc.reloaded, oldWorkersExited: rc.oldExited, ...(rc.lingering ? { lingering: rc.lingering } : {}),
            newConfigOnDisk: cfg.every((c) => c.stdout.includes(want)),
            vipEvents: env.events(g).filter((e) => e.t >= tf && e.t < tr).length,
        });
    },
};

/** Rolling keepalived config change (garp.masterRefresh) under load: is it live afterwards? */
const rollingKeepalived: DrillDef = {
    id: "8k-rolling-keepalived", num: 8, title: "rolling config change (keepalived garp.masterRefresh via applyLab) under load", group: "apiserver",
    expect: { label: "the change is live", check: (s) => (s.extra.appliedLive ? undefined : `running ${s.extra.runningMasterRefresh}`) },
    metric: "—", target: { default: { failed: 0, label: "0 failed requests" }, fast: { failed: 0, label: "0 failed requests" } },
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g);
        const cur = (env.overrides["kubeedge-ha:apiserver"] as any)?.keepalived?.garp?.masterRefresh ?? 60;
        const next = cur === 60 ? 61 : 60;
        const p = await steadyProbe(env, g, 60_000);
        let tf = 0, tr = 0, applyMs = 0;
        let reloadOutput = "";
        const { lines } = await guarded(p, async () => {
            tf = Date.now();
            env.overrides = mergeOverride(env.overrides, { "kubeedge-ha:apiserver": { keepalived: { garp: { masterRefresh: next } } } });
            const r = await env.apply();
            applyMs = Date.now() - tf;
            reloadOutput = r.report.filter((e) => e.name.startsWith("apiserver-keepalived-") && e.name.endsWith("-reload"))
                .map((e) => `${e.name}: ${e.stdout.trim().replace(/\n/g, " | ")}`).join("; ");
            await sleep(2000);
            tr = Date.now();
        });
        const live: Record<string, number | undefined> = {};
        for (const m of env.groups[g].members) live[m] = (await env.keepalivedRunning(m)).garpRefresh;
        const appliedLive = Object.values(live).every((v) => v === next);
        const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, masterRefresh: `${cur}→${next}`, applyMs, appliedLive,
            runningMasterRefresh: Object.entries(live).map(([k, v]) => `${k}=${v}`).join(" "),
            vipEvents: env.events(g).filter((e) => e.t >= tf && e.t < tr).length,
        }, [reloadOutput]);
        if (!appliedLive) {
            env.finding("keepalived-reload-noop-apply",
                `An apply that changed keepalived.conf (garp.masterRefresh ${cur}→${next}) left the running daemons on the old value ` +
                `(${s.extra.runningMasterRefresh}); the reload resources printed "${reloadOutput.slice(0, 200)}".`);
            // make the daemons match the files again with the product's own reload command, non-holders first
            for (const m of [...env.groups[g].members.filter((x) => x !== holder), holder]) await env.sh(m, KEEPALIVED.reload);
            await env.ensureSteady(g);
        }
        return s;
    },
};

// ------------------------------------------------------------------------------------------- 9
const MISSING_CA = "/etc/kubeedge-ha/drill-missing-ca.pem";
const rejectedConfig: DrillDef = {
    id: "9-rejected-config", num: 9, title: "a config haproxy rejects is pushed (caFile that does not exist)", group: "apiserver",
    expect: { label: "apply failed, config and haproxy untouched", check: (s) => (!s.extra.applyFailed ? "apply did not fail" : !s.extra.configUnchanged || !s.extra.haproxyUntouched ? "live config touched" : s.extra.vipEvents ? "VIP moved" : undefined) },
    metric: "—", target: { default: { failed: 0, label: "0 failed requests" }, fast: { failed: 0, label: "0 failed requests" } },
    async run(env, profile, i) {
        const g = "apiserver";
        const holder = await env.ensureSteady(g);
        const hash = async () => Object.fromEntries(await Promise.all(env.groups[g].members.map(async (m) =>
            [m, (await env.sh(m, "sha256sum /etc/haproxy/haproxy.cfg")).stdout.split(" ")[0]] as const)));
        const h0 = await hash();
        const w0 = Object.fromEntries(env.groups[g].members.map((m) => [m, env.haproxyPids(m)]));
        const p = await steadyProbe(env, g, 60_000);
        let tf = 0, tr = 0;
        let err: unknown;
        const { lines } = await guarded(p, async () => {
            tf = Date.now();
            try { await env.apply({ "kubeedge-ha:apiserver": { haproxy: { caFile: MISSING_CA } } }); } catch (e) { err = e; }
            await sleep(2000);
            tr = Date.now();
        });
        const h1 = await hash();
        const msg = err instanceof Error ? err.message : "";
        return sample(this.id, profile, i, { tf, tr, lines }, env, g, {
            holder, applyFailed: err instanceof ApplyError, failedResource: err instanceof ApplyError ? err.failed.name : undefined,
            message: msg,
            configUnchanged: env.groups[g].members.every((m) => h0[m] === h1[m]),
            haproxyUntouched: env.groups[g].members.every((m) => {
                const now = env.haproxyPids(m);
                return now.master === w0[m].master && now.workers.join() === w0[m].workers.join();
            }),
            vipEvents: env.events(g).filter((e) => e.t >= tf && e.t < tr).length,
            holderAfter: env.holders(g).join(","),
        });
    },
};

// ------------------------------------------------------------------------------------------- 10
const cloudcoreKill: DrillDef = {
    id: "10-cloudcore-kill", num: 10, title: "cloudcore dies on the holder (product's v1.7+ check)", group: "cloudcore",
    metric: "fault → first client success after the last failure",
    target: { default: { p50Ms: 1200, label: "≤ 1.2 s p50 (anchor: seed never moves)" }, fast: { p50Ms: 600, label: "≤ 0.6 s p50" } },
    async run(env, profile, i) {
        const g = "cloudcore";
        const holder = await env.ensureSteady(g), backup = other(env, g, holder);
        const p = await steadyProbe(env, g, 45_000);
        let tf = 0, tr = 0, vipAt = 0;
        const { lines } = await guarded(p, async () => {
            tf = await timed(() => env.killFake(holder, "SIGKILL"));
            await env.waitHolders(g, (h) => h.includes(backup), DRILL_TIMEOUTS.vipMs, `the cloudcore VIP on ${backup}`);
            vipAt = firstTime(env.events(g), tf, (h) => h.includes(backup))!;
            await p.waitStreak(vipAt, 25, 15_000);
            tr = Date.now();
            await env.startFake(holder);
            await env.ensureSteady(g);
            await sleep(2000);
        });
        const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, { holder, backup, holderAfterRestore: env.holders(g).join(",") });
        s.vipMoveMs = vipAt - tf;
        return s;
    },
};

const CHECK_PATH = `${SCRIPT_DIR}/check_cloudcore.sh`;

/** The documented upstream check (`/readyz` == 200) as the product would render it. */
export function upstreamCheckScript(): string {
    return renderCheckScript({ name: "cloudcore", probe: upstreamReadyzProbe(), interval: 1, timeout: 1, fall: 1, rise: 2, weight: 0, samples: 2, path: CHECK_PATH });
}

async function writeRootFile(env: DrillEnv, host: string, file: string, content: string, mode: string): Promise<void> {
    const r = await env.lab.exec(host, ["sh", "-c", `set -e; t=$(mktemp "$1.drill-XXXXXX"); cat > "$t"; chown root:root "$t"; chmod ${mode} "$t"; mv -f "$t" "$1"`, "sh", file],
        { input: content, timeoutMs: 10_000 });
    if (r.code !== 0) throw new DrillError(`writing ${file} on ${host}: ${r.stderr}`);
}

async function readFile(env: DrillEnv, host: string, file: string): Promise<string> {
    const r = await env.lab.exec(host, ["cat", file], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new DrillError(`reading ${file} on ${host}: ${r.stderr}`);
    return r.stdout;
}

/**
 * Seed variants of drill 10: the check script on cc1/cc2 replaced by the documented upstream `/readyz`
 * check. `seedWeight`: also the seed's `weight 2` instead of the product's weight 0 (FAULT), applied with
 * keepalived's own reload. Originals are restored (and reloaded) afterwards.
 */
function seedCheck(seedWeight: boolean): DrillDef {
    return {
        id: seedWeight ? "10s-seed-check-weight2" : "10u-upstream-check-weight0", num: 10,
        title: seedWeight ? "cloudcore dies, seed check (upstream /readyz, weight +2)" : "upstream /readyz check under the product's weight-0 config",
        group: "cloudcore", maxN: 3,
        expect: seedWeight
            ? { label: "documents: VIP stays on the dead host", check: (s) => ((s.extra.vipStayedOnDeadHolderMs as number) < (s.extra.windowMs as number) - 50 ? "VIP moved" : undefined) }
            : { label: "documents: VIP on no host", check: (s) => ((s.extra.vipHeldAfterGoneMs as number) > 0 ? "VIP came back" : undefined) },
        metric: seedWeight ? "— (VIP never moves)" : "check swapped → VIP gone from every host",
        async run(env, profile, i) {
            const g = "cloudcore";
            const members = env.groups[g].members;
            const holder = await env.ensureSteady(g), backup = other(env, g, holder);
            const orig: Record<string, { check: string; conf: string }> = {};
            for (const m of members) orig[m] = { check: await readFile(env, m, CHECK_PATH), conf: await readFile(env, m, KEEPALIVED_CONF) };
            const restore = async () => {
                for (const m of [backup, holder]) {
                    await writeRootFile(env, m, CHECK_PATH, orig[m].check, "0755");
                    if (seedWeight) {
                        await writeRootFile(env, m, KEEPALIVED_CONF, orig[m].conf, "0600");
                        await env.sh(m, KEEPALIVED.reload);
                    }
                }
                if (!env.fakeRunning(holder)) await env.startFake(holder);
                await env.ensureSteady(g, 60_000);
            };
            const extra: DrillSample["extra"] = { holder, backup };
            let tf = 0, tr = 0;
            let lines: ProbeLine[] = [];
            try {
                if (seedWeight) {
                    for (const m of [backup, holder]) {
                        const conf = orig[m].conf.replace(/(vrrp_script chk_cloudcore \{[^}]*?weight )0\b/, "$12");
                        if (conf === orig[m].conf) throw new DrillError(`no "weight 0" in chk_cloudcore on ${m}`);
                        await writeRootFile(env, m, CHECK_PATH, upstreamCheckScript(), "0755");
                        await writeRootFile(env, m, KEEPALIVED_CONF, conf, "0600");
                        const r = await env.sh(m, KEEPALIVED.reload);
                        if (r.code !== 0) throw new DrillError(`${KEEPALIVED.reload} on ${m}: ${r.stderr}`);
                    }
                    await sleep(4000);
                    const h = env.holders(g);
                    extra.holderWithSeedCheck = h.join(",");
                    if (h.length !== 1) throw new DrillError(`with the seed check in place expected one holder, got [${h}]`);
                    const seedHolder = h[0];
                    extra.holder = seedHolder;
                    const p = await steadyProbe(env, g, 45_000);
                    ({ lines } = await guarded(p, async () => {
                        tf = await timed(() => env.killFake(seedHolder, "SIGKILL"));
                        await sleep(8000);
                        tr = Date.now();
                    }));
                    extra.vipStayedOnDeadHolderMs = timeWhere(env.events(g), tf, tr, (x) => x.length === 1 && x[0] === seedHolder);
                    extra.windowMs = tr - tf;
                    extra.okAfterKill = lines.filter((l) => l.ok && l.s >= tf + 100 && l.s < tr).length;
                } else {
                    const p = await steadyProbe(env, g, 45_000);
                    let settled = 0;
                    ({ lines } = await guarded(p, async () => {
                        tf = await timed(async () => { for (const m of members) await writeRootFile(env, m, CHECK_PATH, upstreamCheckScript(), "0755"); });
                        // both members fail the check one after the other: wait until no host has held the VIP for 2 s
                        await env.waitFor("the cloudcore VIP to leave every host for good (2 s without a holder)", 20_000, () => {
                            const ev = env.events(g);
                            const last = ev[ev.length - 1];
                            return env.holders(g).length === 0 && last && Date.now() - last.t >= 2000 ? last.t : undefined;
                        }, 50).then((t) => { settled = t; });
                        extra.vipGoneMs = settled - tf;
                        extra.killedCloudcoreOn = holder;
                        await env.killFake(holder, "SIGKILL");
                        await sleep(3000);
                        tr = Date.now();
                    }));
                    extra.vipHeldAfterGoneMs = timeWhere(env.events(g), settled, tr, (h) => h.length > 0);
                    extra.flapBeforeGoneMs = timeWhere(env.events(g), tf, settled, (h) => h.length > 0 && !h.includes(holder));
                    extra.okAfterVipGone = lines.filter((l) => l.ok && l.s >= settled + 100 && l.s < tr).length;
                }
            } finally {
                await restore();
            }
            const s = sample(this.id, profile, i, { tf, tr, lines }, env, g, extra);
            s.ttrMs = seedWeight ? undefined : (extra.vipGoneMs as number);
            s.secondOutage = 0;
            return s;
        },
    };
}

function mergeOverride(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(out[k]) ? mergeOverride(out[k] as Record<string, unknown>, v) : v;
    return out;
}

export const DRILLS: DrillDef[] = [
    linkLoss, keepalivedKill("apiserver"), keepalivedKill("cloudcore"), keepalivedKillUnsupervised, keepalivedKillPidReuse, haproxyKill, backendKill,
    allBackendsDown, partitionHeal("apiserver"), partitionHeal("cloudcore"),
    reloadUnderLoad, rollingHaproxy, rollingKeepalived, rejectedConfig, cloudcoreKill, seedCheck(false), seedCheck(true),
];

export function drillsByNum(nums: number[]): DrillDef[] {
    return DRILLS.filter((d) => nums.includes(d.num));
}

export function drillById(id: string): DrillDef {
    const d = DRILLS.find((x) => x.id === id);
    if (!d) throw new Error(`no drill ${id}`);
    return d;
}
