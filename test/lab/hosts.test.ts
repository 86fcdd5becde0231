// Lab hosts: real sshd per network-namespace host, host-key pinning, per-host /etc,/run isolation, bridge
// reachability, link drills, process management, and complete teardown.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { labUp, labDownAll, labPreflight, Lab, LabSpec, DEFAULT_STATE_DIR } from "../../lab/hosts";
import { listNetns } from "../../lab/netns";
import { waitFor, isAlive, writePidfile, killByPidfile, procStartTime } from "../../lab/proc";

describe("lab preflight", () => {
  const ok = { getuid: () => 0, ipNetns: () => undefined, haveCommand: () => true, overlayfs: () => true };
  it("says clearly that root is needed", () => {
    assert.throws(() => labPreflight({ ...ok, getuid: () => 1000 }), /must run as root \(uid 0\).*current uid is 1000/);
  });
  it("says clearly that ip netns is unusable", () => {
    assert.throws(() => labPreflight({ ...ok, ipNetns: () => { throw new Error("Object \"netns\" is unknown"); } }),
      /`ip netns` is not usable here \(Object "netns" is unknown\)/);
  });
  it("names missing commands", () => {
    assert.throws(() => labPreflight({ ...ok, haveCommand: (c) => c !== "sshd" }), /required commands not found: sshd/);
  });
  it("passes when everything is there", () => {
    assert.doesNotThrow(() => labPreflight(ok));
  });
});

describe("lab spec validation", () => {
  it("refuses addresses outside 192.0.2.0/24 before creating anything", async () => {
    await assert.rejects(labUp({ hosts: [{ name: "a", address: "10.0.0.1", role: "lb" }] }), /not a host address in 192\.0\.2\.0\/24/);
  });
});

describe("lab cleanup after failures", function () {
  this.timeout(60_000);
  const gone = async (id: string) => {
    assert.deepEqual((await listNetns()).filter((n) => n.startsWith(`kha-${id}-`)), []);
    assert.ok(!fs.existsSync(path.join(DEFAULT_STATE_DIR, id)));
  };
  it("a labUp that fails half-way removes what it created", async () => {
    const id = `f${Date.now().toString(36).slice(-6)}`;
    // "lo" already exists in the new namespace, so creating the veth fails after the switch and netns exist
    await assert.rejects(labUp({ id, hosts: [{ name: "client", address: "192.0.2.2", role: "client" },
      { name: "bad", address: "192.0.2.3", role: "lb", iface: "lo" }] }), /command failed/);
    await gone(id);
  });
  it("labDownAll removes a lab left behind by a crashed run (no owner, processes running)", async () => {
    const lab = await labUp({ hosts: [{ name: "client", address: "192.0.2.2", role: "client" },
      { name: "a", address: "192.0.2.5", role: "lb" }] }, { persistent: true });
    try {
      const pid = await lab.startProcess("a", "orphan", ["sleep", "300"]);
      const sshd = lab.host("a").sshdPid;
      assert.equal((await lab.ssh("a", "true")).code, 0);
      await labDownAll({ ids: [lab.id] }); // as `npm run lab -- down` after the creating process is gone
      await gone(lab.id);
      assert.ok(!isAlive(pid) && !isAlive(sshd));
    } finally { await lab.down(); }
  });
});

describe("killByPidfile", () => {
  it("never signals a recycled pid (start time mismatch) and kills the recorded process", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const pid = child.pid!;
    const pf = path.join(fs.mkdtempSync("/tmp/kha-pidtest-"), "p.pid");
    try {
      await waitFor("sleep to start", () => procStartTime(pid), 2000, 10);
      fs.writeFileSync(pf, `${pid} 1\n`); // wrong start time: as if the pid had been reused
      await killByPidfile(pf);
      assert.ok(isAlive(pid), "a process with a different start time must not be killed");
      writePidfile(pf, pid);
      await killByPidfile(pf);
      await waitFor("sleep to be gone", () => !isAlive(pid), 3000, 20);
      assert.ok(!fs.existsSync(pf));
    } finally {
      try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
      fs.rmSync(path.dirname(pf), { recursive: true, force: true });
    }
  });
});

describe("lab hosts (real namespaces + sshd)", function () {
  this.timeout(60_000);
  const spec: LabSpec = {
    hosts: [
      { name: "client", address: "192.0.2.2", role: "client" },
      { name: "lb1", address: "192.0.2.11", role: "lb" },
      { name: "lb2", address: "192.0.2.12", role: "lb", iface: "ens5" },
      { name: "master1", address: "192.0.2.21", role: "master" },
    ],
  };
  let lab: Lab;
  const tcpProbe = (from: string, addr: string, port: number) =>
    lab.exec(from, ["timeout", "2", "bash", "-c", `exec 3<>/dev/tcp/${addr}/${port}`], { timeoutMs: 5000 });

  before(async () => { lab = await labUp(spec); });
  after(async () => { if (lab) await lab.down(); });

  it("ssh with pinned host keys reaches every host and lands in that host", async () => {
    for (const h of lab.hosts) {
      assert.match(h.hostKey, /^ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
      const r = await lab.ssh(h.name, "hostname; cat /etc/hostname; ip -o -4 addr show");
      assert.equal(r.code, 0, r.stderr);
      const [uts, etcName] = r.stdout.split("\n");
      assert.equal(uts, h.name);
      assert.equal(etcName, h.name);
      assert.match(r.stdout, new RegExp(`\\b${h.iface}\\s+inet ${h.address.replace(/\./g, "\\.")}/24`));
    }
    assert.equal(lab.host("lb2").iface, "ens5");
    assert.equal(fs.statSync(lab.privateKeyPath).mode & 0o777, 0o600);
  });

  it("refuses a host whose key does not match known_hosts, and an unknown host", async () => {
    const wrong = path.join(lab.dir, "wrong_known_hosts");
    fs.writeFileSync(wrong, `${lab.host("lb1").address} ${lab.host("lb2").hostKey}\n`);
    const r = await lab.ssh("lb1", "echo reached", { knownHostsPath: wrong });
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout, /reached/);
    assert.match(r.stderr, /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    const empty = path.join(lab.dir, "empty_known_hosts");
    fs.writeFileSync(empty, "");
    const r2 = await lab.ssh("lb1", "echo reached", { knownHostsPath: empty });
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /Host key verification failed/);
  });

  it("keeps /etc, /run, /var/lib, /usr/local and users private per host", async () => {
    const f = `/etc/keepalived/kha-isolation-${lab.id}`;
    const user = `kha${lab.id}`;
    const w = await lab.ssh("lb1", `mkdir -p /etc/keepalived && echo A > ${f} && echo R > /run/kha-${lab.id} && ` +
      `mkdir -p /var/lib/kha && echo V > /var/lib/kha/${lab.id} && echo U > /usr/local/kha-${lab.id} && useradd -M -p '*' ${user} && id ${user}`);
    assert.equal(w.code, 0, w.stderr);
    const asUser = await lab.ssh("lb1", "id -un", { user });
    assert.equal(asUser.stdout, `${user}\n`, asUser.stderr);
    const same = await lab.ssh("lb1", `cat ${f} /run/kha-${lab.id} /var/lib/kha/${lab.id} /usr/local/kha-${lab.id}`);
    assert.equal(same.stdout, "A\nR\nV\nU\n");
    for (const other of ["lb2", "master1"]) {
      const r = await lab.ssh(other, `for p in ${f} /run/kha-${lab.id} /var/lib/kha/${lab.id} /usr/local/kha-${lab.id}; do test -e $p && echo LEAK $p; done; id ${user} >/dev/null 2>&1 && echo LEAK user; true`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "", `visible on ${other}`);
    }
    for (const p of [f, `/run/kha-${lab.id}`, `/var/lib/kha/${lab.id}`, `/usr/local/kha-${lab.id}`]) assert.ok(!fs.existsSync(p), `${p} leaked to the root mount namespace`);
    assert.doesNotMatch(fs.readFileSync("/etc/passwd", "utf8"), new RegExp(`^${user}:`, "m"));
    // and lab.exec sees the same per-host view as ssh
    const e = await lab.exec("lb1", ["cat", f]);
    assert.equal(e.stdout, "A\n");
    const e2 = await lab.exec("lb2", ["test", "-e", f]);
    assert.equal(e2.code, 1);
  });

  it("hosts reach each other over the bridge", async () => {
    for (const [from, to] of [["lb1", "lb2"], ["lb2", "master1"], ["client", "lb1"]]) {
      const r = await tcpProbe(from, lab.host(to).address, 22);
      assert.equal(r.code, 0, `${from} -> ${to}: ${r.stderr}`);
    }
    const none = await tcpProbe("lb1", "192.0.2.99", 22);
    assert.notEqual(none.code, 0, "an address nobody holds must not answer");
  });

  it("setLink down cuts a host off and up restores it (host side and switch side)", async () => {
    const target = lab.host("lb2").address;
    for (const side of ["host", "switch"] as const) {
      await lab.setLink("lb2", false, side);
      try {
        await waitFor(`lb2 unreachable (${side})`, async () => (await tcpProbe("lb1", target, 22)).code !== 0, 10_000, 200);
      } finally {
        await lab.setLink("lb2", true, side);
      }
      await waitFor(`lb2 reachable again (${side})`, async () => (await tcpProbe("lb1", target, 22)).code === 0, 10_000, 200);
    }
  });

  it("startProcess runs inside the host's namespaces and stopProcess ends it", async () => {
    const addr = lab.host("lb2").address;
    const srv = `require("net").createServer((s) => s.end(require("fs").readFileSync("/etc/hostname"))).listen(8080, ${JSON.stringify(addr)})`;
    const pid = await lab.startProcess("lb2", "hello", ["node", "-e", srv]);
    assert.equal(lab.processPid("lb2", "hello"), pid);
    const sshdPid = lab.host("lb2").sshdPid;
    for (const ns of ["net", "mnt", "uts"]) {
      assert.equal(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), fs.readlinkSync(`/proc/${sshdPid}/ns/${ns}`), `${ns} namespace`);
    }
    const got = await waitFor("hello server to answer", async () => {
      const r = await lab.exec("client", ["timeout", "2", "bash", "-c", `exec 3<>/dev/tcp/${addr}/8080; cat <&3`], { timeoutMs: 5000 });
      return r.code === 0 && r.stdout;
    }, 10_000, 100);
    assert.equal(got, "lb2\n");
    await assert.rejects(lab.startProcess("lb2", "hello", ["true"]), /already running/);
    await lab.stopProcess("lb2", "hello");
    assert.ok(!isAlive(pid));
    assert.equal(lab.processPid("lb2", "hello"), undefined);
    assert.notEqual((await tcpProbe("client", addr, 8080)).code, 0);
    await assert.rejects(lab.startProcess("lb2", "dies", ["false"]), /exited right away/);
  });

  it("down removes every namespace, process, mount and dir of the lab", async () => {
    const leftover = await lab.startProcess("master1", "leftover", ["sleep", "300"]);
    // a daemon started over ssh that the lab does not know about
    const d = await lab.ssh("master1", "setsid sleep 301 </dev/null >/dev/null 2>&1 & echo $!");
    assert.equal(d.code, 0, d.stderr);
    const sshDaemon = Number(d.stdout.trim());
    assert.ok(isAlive(sshDaemon));
    const pids = [...lab.hosts.map((h) => h.sshdPid), leftover, sshDaemon];
    const { id, dir } = lab;
    await lab.down();
    assert.deepEqual((await listNetns()).filter((n) => n.startsWith(`kha-${id}-`)), []);
    assert.deepEqual(pids.filter((p) => isAlive(p)), []);
    assert.ok(!fs.existsSync(dir), "lab dir removed");
    const mounts = fs.readFileSync("/proc/self/mountinfo", "utf8");
    assert.ok(!mounts.includes(dir) && !mounts.includes(`kha-${id}-`), "no lab mounts in the root mount namespace");
    const overlaysElsewhere = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).some((p) => {
      try { return fs.readFileSync(`/proc/${p}/mountinfo`, "utf8").includes(dir); } catch { return false; }
    });
    assert.ok(!overlaysElsewhere, "no process still holds a mount namespace with the lab's overlays");
    await lab.down(); // idempotent
  });
});
