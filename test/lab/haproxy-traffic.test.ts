/**
 * Real traffic through a real haproxy 2.6 (cfg from renderHaproxyCfg) to fake apiservers on loopback.
 * Every request opens a new TCP+TLS connection (the client verifies the fake's certificate end to end).
 * Timing bounds are generous; the measured numbers are printed.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { HAPROXY_BACKEND } from "../../components/render/haproxy";
import {
    Lab, Procs, backendName, children, get, httpStatus, runLoad, serverStatus, startLab, waitFor,
} from "../support/haproxy";

describe("haproxy traffic (loopback, real haproxy + fake apiservers)", function () {
    this.timeout(60000);
    const procs = new Procs();
    let lab: Lab;
    let ca: Buffer;
    const via = (path = "/version") => get({ host: lab.host, port: lab.frontend, path, ca, timeoutMs: 5000 });
    const load = (count: number, onDone?: (n: number) => void) =>
        runLoad({ host: lab.host, port: lab.frontend, ca, workers: 8, count, durationMs: 30000, onDone });

    before(async function () {
        lab = await startLab(procs, ["api-a", "api-b"]);
        ca = fs.readFileSync(lab.cert);
        await waitFor("both servers UP", 10000, async () =>
            (await serverStatus(lab.socket, HAPROXY_BACKEND, "api-a")) === "UP" &&
            (await serverStatus(lab.socket, HAPROXY_BACKEND, "api-b")) === "UP");
    });

    let failed = false;
    after(async () => {
        await procs.stopAll();
        if (lab && !failed) fs.rmSync(lab.dir, { recursive: true, force: true });
    });

    afterEach(function () {
        if (this.currentTest?.state !== "failed") return;
        failed = true;
        console.log(`${procs.logs()}\nfull logs in ${lab?.dir}`);
    });

    it("passes TLS through to both backends; stats page needs the password; /healthz is 200", async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 10; i++) {
            const r = await via();
            assert.equal(r.status, 200);
            seen.add(backendName(r));
        }
        assert.deepEqual([...seen].sort(), ["api-a", "api-b"]);
        assert.equal((await via("/nope")).status, 404);
        const stats = `http://${lab.host}:${lab.statsPort}/stats`;
        assert.equal(await httpStatus(stats), 401);
        assert.equal(await httpStatus(stats, `admin:${lab.statsPassword}`), 200);
        assert.equal(await httpStatus(`http://${lab.host}:${lab.monitorPort}/healthz`), 200);
    });

    it("takes a backend whose /readyz is 500 out of rotation and back when it is 200 again", async () => {
        const b = lab.fakes[1];
        fs.writeFileSync(b.readyzFile, "500");
        const flip = performance.now();
        let lastB = flip;
        let streak = 0;
        await waitFor("api-b to leave the rotation (20 answers in a row from api-a)", 15000, async () => {
            const r = await via();
            assert.equal(r.status, 200, "a draining backend must not cost failed requests");
            if (backendName(r) === "api-b") { lastB = performance.now(); streak = 0; } else streak++;
            return streak >= 20;
        }, 0);
        const removal = lastB - flip;
        fs.writeFileSync(b.readyzFile, "200");
        const back = performance.now();
        await waitFor("api-b to return", 15000, async () => backendName(await via()) === "api-b", 20);
        console.log(`      readyz 500 -> last request to api-b after ${removal.toFixed(0)} ms; ` +
            `readyz 200 -> back after ${(performance.now() - back).toFixed(0)} ms`);
        assert.ok(removal < 8000, `removal took ${removal} ms`);
    });

    it("reloads (kill -USR2 master) twice under a request stream with 0 failures", async () => {
        const before = children(lab.haproxy.pid);
        const reloads: number[] = [];
        const samples = await load(400, done => {
            if (done === 100 || done === 250) {
                reloads.push(performance.now());
                process.kill(lab.haproxy.pid, "SIGUSR2");
            }
        });
        const failed = samples.filter(s => !s.ok);
        console.log(`      reload: ${samples.length} requests, ${failed.length} failed, 2 reloads`);
        assert.equal(reloads.length, 2);
        assert.deepEqual(failed, []);
        await waitFor("a new worker", 10000, () => children(lab.haproxy.pid).some(p => !before.includes(p)));
    });

    it("loses 0 new requests when a backend is SIGKILLed mid-stream", async () => {
        await waitFor("both servers UP after reload", 10000, async () =>
            (await serverStatus(lab.socket, HAPROXY_BACKEND, "api-a")) === "UP" &&
            (await serverStatus(lab.socket, HAPROXY_BACKEND, "api-b")) === "UP");
        const b = lab.fakes[1];
        // A request is "new" when its connection started after the backend process was gone (its 'exit' event):
        // connections accepted into the dead process's backlog between the signal and its death are in flight.
        let killAt = Infinity, deadAt = Infinity;
        b.child.once("exit", () => { deadAt = performance.now(); });
        const samples = await load(400, done => {
            if (done === 100 && killAt === Infinity) { killAt = performance.now(); b.child.kill("SIGKILL"); }
        });
        const afterKill = samples.filter(s => s.start >= deadAt);
        const failedNew = afterKill.filter(s => !s.ok);
        const failedAll = samples.filter(s => !s.ok);
        const down = await waitFor("api-b DOWN", 10000, async () =>
            (await serverStatus(lab.socket, HAPROXY_BACKEND, "api-b")).startsWith("DOWN") ? performance.now() : 0);
        const slowest = Math.max(...afterKill.map(s => s.end - s.start));
        console.log(`      kill: ${samples.length} requests; process gone ${(deadAt - killAt).toFixed(1)} ms after SIGKILL; ` +
            `${afterKill.length} started after that, ${failedNew.length} of them failed; ${failedAll.length} failed in total ` +
            `(in flight); slowest new request ${slowest.toFixed(0)} ms; api-b DOWN seen ${(down - killAt).toFixed(0)} ms after SIGKILL`);
        assert.ok(afterKill.length >= 200, `only ${afterKill.length} requests after the kill`);
        assert.deepEqual(failedNew, []);
        assert.ok(afterKill.every(s => s.name === "api-a"));
    });

    it("answers /healthz 503 once no backend is UP (keepalived moves the VIP away)", async () => {
        lab.fakes[0].child.kill("SIGKILL");
        await waitFor("/healthz 503", 10000, async () =>
            await httpStatus(`http://${lab.host}:${lab.monitorPort}/healthz`) === 503);
    });
});
