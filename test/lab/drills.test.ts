/**
 * Failover drills against a real lab (network-namespace hosts, real sshd, keepalived 2.2.7, haproxy 2.6),
 * provisioned by the real program through lab/apply.ts. Each drill runs once (n = 1) with generous bounds;
 * the measured figures are printed. `npm run drill` runs the same drills n times and writes the report.
 *
 * Needs root (network namespaces). One lab for the whole file: up + apply in `before`, down in `after`.
 * Assertions that fail because of a product bug say so in their message (see drill-report/report.md).
 */
import * as assert from "node:assert/strict";
import { DrillEnv } from "../../drill/env";
import { DrillSample, NEIGH_BOUND_MS, drillById } from "../../drill/drills";

const S = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);

describe("failover drills (lab: real keepalived + haproxy provisioned over SSH)", function () {
    this.timeout(180_000);
    let env: DrillEnv | undefined;
    const logs: string[] = [];

    before(async function () {
        this.timeout(300_000);
        env = await DrillEnv.up({ profile: "default", log: (l) => { logs.push(l); if (logs.length > 200) logs.shift(); } });
    });

    after(async function () {
        this.timeout(120_000);
        if (env) await env.down();
        for (const f of env?.findings ?? []) console.log(`      finding ${f.id}: ${f.text}`);
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") console.log(logs.slice(-15).map((l) => `      | ${l}`).join("\n"));
    });

    async function drill(id: string): Promise<DrillSample> {
        if (!env) throw new Error("no lab (before hook failed)");
        const s = await drillById(id).run(env, "default", 0);
        const ex = Object.entries(s.extra).filter(([k]) => /Ms$/.test(k) || typeof s.extra[k] === "boolean")
            .map(([k, v]) => `${k} ${typeof v === "number" ? S(v) : v}`).join(", ");
        console.log(`      measured: ttr ${S(s.ttrMs)}, VIP ${S(s.vipMoveMs)}, failed ${s.failed}/${s.probe?.during ?? 0}, ` +
            `2nd outage ${s.secondOutage}${ex ? `; ${ex}` : ""}`);
        return s;
    }

    it("1. the holder loses its link: the VIP moves to the backup within 10 s and client traffic resumes", async () => {
        const s = await drill("1-link");
        assert.ok(s.vipMoveMs !== undefined && s.vipMoveMs <= 10_000, `VIP on ${s.extra.backup} after ${S(s.vipMoveMs)}`);
        assert.ok(s.timeline?.some((e) => e.t >= 0 && e.holders.length === 1 && e.holders[0] === s.extra.backup), "the backup held the VIP alone");
        assert.ok(s.ttrMs !== undefined && s.ttrMs <= 10_000, `client traffic resumed after ${S(s.ttrMs)}`);
    });

    it("2. keepalived SIGKILLed on the holder: the backup takes over and the product's supervisor ends the stale VIP", async () => {
        const s = await drill("2-keepalived-kill");
        assert.equal(s.extra.supervised, true, "the product's keepalived supervisor was running");
        assert.ok((s.extra.takeoverMs as number) <= 10_000, `takeover after ${S(s.extra.takeoverMs as number)}`);
        assert.ok((s.extra.restartMs as number) <= 10_000, `keepalived restarted by the supervisor after ${S(s.extra.restartMs as number)}`);
        assert.ok((s.extra.staleVipMs as number) <= 10_000, `VIP left the killed holder after ${S(s.extra.staleVipMs as number)}`);
        assert.ok((s.extra.duplicateMs as number) <= 10_000, `duplicate VIP for ${S(s.extra.duplicateMs as number)}`);
        assert.equal(String(s.extra.holdersEnd).split(",").length, 1, `holders at the end: ${s.extra.holdersEnd}`);
    });

    it("2 (control). without the supervisor the killed holder keeps a duplicate VIP until keepalived is started again", async () => {
        const s = await drill("2u-keepalived-kill-unsupervised");
        assert.ok((s.extra.takeoverMs as number) <= 10_000, `takeover after ${S(s.extra.takeoverMs as number)}`);
        assert.equal(s.extra.stillDuplicateBeforeRestart, true, "VIP on both hosts while keepalived stayed dead");
        assert.ok((s.extra.duplicateHeldMs as number) >= 5000, `duplicate held ${S(s.extra.duplicateHeldMs as number)}`);
        assert.ok((s.extra.duplicateEndAfterRestartMs as number) <= 5000,
            `duplicate ended ${S(s.extra.duplicateEndAfterRestartMs as number)} after the product's service script ran`);
        assert.equal(s.extra.supervisorBack, true, "the product's service script started the supervisor again");
    });

    it("2 (pid reuse). keepalived SIGKILLed while a stale /run/vrrp.pid names a live process: the supervisor still restarts it", async () => {
        const s = await drill("2r-keepalived-kill-pid-reuse");
        assert.equal(s.extra.restarted, true,
            `keepalived was not running 10 s after the kill (${s.extra.diagnosis}): the product's supervisor removes only ` +
            "/run/keepalived.pid, keepalived refuses to start while /run/vrrp.pid names a live process, `service keepalived start` " +
            "still reports success, and with the main pidfile gone the supervisor never retries — product bug, see report");
    });

    it("2 (cloudcore). keepalived SIGKILLed on the cloudcore holder: takeover and the supervisor ends the stale VIP", async () => {
        const s = await drill("2c-keepalived-kill-cloudcore");
        assert.ok((s.extra.takeoverMs as number) <= 10_000, `takeover after ${S(s.extra.takeoverMs as number)}`);
        assert.ok((s.extra.staleVipMs as number) <= 10_000, `VIP left the killed holder after ${S(s.extra.staleVipMs as number)}`);
        assert.equal(String(s.extra.holdersEnd).split(",").length, 1, `holders at the end: ${s.extra.holdersEnd}`);
    });

    it("3. haproxy killed on the holder: the VIP moves within 10 s", async () => {
        const s = await drill("3-haproxy-kill");
        assert.ok(s.vipMoveMs !== undefined && s.vipMoveMs <= 10_000, `VIP moved after ${S(s.vipMoveMs)}`);
        assert.ok(s.ttrMs !== undefined && s.ttrMs <= 10_000, `client traffic resumed after ${S(s.ttrMs)}`);
    });

    it("4. one apiserver backend SIGKILLed under a request stream: 0 failed new requests", async () => {
        const s = await drill("4-backend-kill");
        assert.ok((s.probe?.during ?? 0) >= 100, `only ${s.probe?.during} requests after the kill`);
        assert.equal(s.failed, 0, `failed new requests: ${s.failedAt?.join("; ")}`);
        assert.equal(s.extra.newToVictim, 0, "no new request answered by the killed backend");
    });

    it("5. all backends down: the VIP leaves every LB host, clients get timeouts, service returns with the backends", async () => {
        const s = await drill("5-all-backends-down");
        assert.ok((s.extra.vipGoneMs as number) <= 10_000, `VIP gone from lb1 and lb2 after ${S(s.extra.vipGoneMs as number)}`);
        assert.equal(s.extra.okWhileDown, 0, "no request succeeds while every backend is down");
        const after = String(s.extra.errorsAfterVipGone);
        const slow = [...after.matchAll(/(timeout|EHOSTUNREACH)×(\d+)/g)].reduce((a, m) => a + Number(m[2]), 0);
        const all = [...after.matchAll(/×(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
        assert.ok(all > 0 && slow / all >= 0.8, `with no VIP anywhere, clients see timeouts/unreachable, not resets: ${after}`);
        assert.ok(s.ttrMs !== undefined && s.ttrMs <= 15_000, `client success ${S(s.ttrMs)} after the backends returned`);
        assert.equal(String(s.extra.holderAfter).split(",").length, 1, `holders after: ${s.extra.holderAfter}`);
    });

    it("6. partition and heal (apiserver): one holder after the heal and the client's neighbour entry follows it (GARP)", async () => {
        const s = await drill("6-partition-heal");
        assert.ok((s.extra.dualMasterMs as number) <= 10_000, `dual MASTER after ${S(s.extra.dualMasterMs as number)}`);
        assert.ok((s.extra.singleHolderAfterHealMs as number) <= 10_000, `single holder ${S(s.extra.singleHolderAfterHealMs as number)} after the heal`);
        assert.ok((s.extra.okAfterHeal as number) > 0, "clients reach the VIP after the heal");
        assert.ok(s.extra.neighCorrected === true && (s.extra.neighCorrectAfterHealMs as number) <= 10_000,
            `the client's neighbour entry for the VIP still pointed at ${s.extra.clientNeighEnd} (not the holder ${s.extra.winner}) ` +
            `(at the heal it pointed at ${s.extra.clientNeighAtHeal}${s.extra.clientFollowedSecondMasterByItself ? "" : ", set by the drill"}) ` +
            `${NEIGH_BOUND_MS / 1000} s after the heal: no GARP from the winner reached the client (the stepping-down master must ` +
            "announce itself, vrrp_higher_prio_send_advert, for the winner to re-GARP; see report)");
    });

    it("6 (cloudcore). partition and heal: clients reach the single holder within 10 s of the heal", async () => {
        const s = await drill("6c-partition-heal-cloudcore");
        assert.ok((s.extra.singleHolderAfterHealMs as number) <= 10_000, `single holder ${S(s.extra.singleHolderAfterHealMs as number)} after the heal`);
        const lastFail = s.extra.lastFailAfterHealMs as number | undefined;
        assert.ok(s.extra.neighCorrected === true && (lastFail === undefined || lastFail <= 10_000),
            `client requests still failed ${S(lastFail)} after the heal (${s.extra.failedAfterHeal} failed): the client's entry ` +
            `stayed on ${s.extra.clientNeighEnd}, the host that dropped the VIP (product bug, see report)`);
    });

    it("7. haproxy reload with the product's reload script under load: 0 failed requests", async () => {
        const s = await drill("7-haproxy-reload");
        assert.ok((s.probe?.during ?? 0) >= 100, `only ${s.probe?.during} requests`);
        assert.equal(s.failed, 0, `failed: ${s.failedAt?.join("; ")}`);
        if (s.extra.lingering) console.log(`      old workers draining (allowed until hard-stop-after): ${s.extra.lingering}`);
        assert.equal(s.extra.workersReplaced, true, `the reload replaced the workers (new workers, no old one listening): ${s.extra.lingering ?? ""}`);
        assert.equal(s.extra.masterKept, true, "master-worker reload (same master)");
        assert.equal(s.extra.vipEvents, 0, "the VIP did not move");
    });

    it("8. rolling haproxy config change (applyLab, checkIntervalMs) under load: 0 failed requests", async () => {
        const s = await drill("8-rolling-haproxy");
        assert.ok((s.probe?.during ?? 0) >= 100, `only ${s.probe?.during} requests`);
        assert.equal(s.failed, 0, `failed: ${s.failedAt?.join("; ")}`);
        assert.equal(s.extra.newConfigOnDisk, true, "the new haproxy.cfg is on both LB hosts");
        if (s.extra.lingering) console.log(`      old workers draining (allowed until hard-stop-after): ${s.extra.lingering}`);
        assert.equal(s.extra.reloadedAll, true, `both haproxys reloaded (new workers, no old one listening): ${s.extra.lingering ?? ""}`);
        assert.equal(s.extra.vipEvents, 0, "the VIP did not move");
    });

    it("8 (keepalived). rolling keepalived config change (applyLab, garp.masterRefresh) under load: 0 failed requests, change live", async () => {
        const s = await drill("8k-rolling-keepalived");
        assert.equal(s.failed, 0, `failed: ${s.failedAt?.join("; ")}`);
        assert.equal(s.extra.vipEvents, 0, "the VIP did not move");
        assert.equal(s.extra.appliedLive, true,
            `the running keepalived still has the old setting (${s.extra.runningMasterRefresh}, wanted ${s.extra.masterRefresh}): ` +
            `the product's reload ran \`service keepalived start\` instead of a reload (${s.notes.join(" ")}) — product bug, see report`);
    });

    it("9. a config haproxy rejects: apply fails with the validator's message, the old config keeps serving, VIP unmoved", async () => {
        const s = await drill("9-rejected-config");
        assert.equal(s.extra.applyFailed, true, "the apply failed");
        const msg = String(s.extra.message);
        assert.match(msg, /Couldn't open the ca-file '\/etc\/kubeedge-ha\/drill-missing-ca\.pem'/);
        assert.match(msg, /haproxy -c exited [1-9]/);
        assert.match(msg, /rejected new \/etc\/haproxy\/haproxy\.cfg; the live file is unchanged/);
        assert.equal(s.extra.configUnchanged, true, "haproxy.cfg unchanged on both LB hosts");
        assert.equal(s.extra.haproxyUntouched, true, "no haproxy reloaded or restarted");
        assert.equal(s.failed, 0, `failed: ${s.failedAt?.join("; ")}`);
        assert.equal(s.extra.vipEvents, 0, "the VIP did not move");
    });

    it("10. cloudcore dies on the holder (product's v1.7+ check): the VIP moves within 10 s", async () => {
        const s = await drill("10-cloudcore-kill");
        assert.ok(s.vipMoveMs !== undefined && s.vipMoveMs <= 10_000, `VIP moved after ${S(s.vipMoveMs)}`);
        assert.ok(s.ttrMs !== undefined && s.ttrMs <= 10_000, `client traffic resumed after ${S(s.ttrMs)}`);
    });

    it("10 (upstream check, product weight 0). the documented /readyz check takes the VIP off every healthy v1.7+ host", async () => {
        const s = await drill("10u-upstream-check-weight0");
        assert.ok((s.extra.vipGoneMs as number) <= 10_000, `VIP gone after ${S(s.extra.vipGoneMs as number)}`);
        assert.equal(s.extra.vipHeldAfterGoneMs, 0, "no host held the VIP again while the upstream check was in place");
        assert.equal(s.extra.okAfterVipGone, 0, "clients could not reach cloudcore at all");
    });

    it("10 (seed: upstream check, weight +2). the VIP stays on the host whose cloudcore is dead", async () => {
        const s = await drill("10s-seed-check-weight2");
        const stayed = s.extra.vipStayedOnDeadHolderMs as number, win = s.extra.windowMs as number;
        assert.ok(win >= 7000 && stayed >= win - 50, `VIP stayed on the dead holder ${S(stayed)} of ${S(win)}`);
        assert.equal(s.extra.okAfterKill, 0, "every client request after the kill failed");
    });
});
