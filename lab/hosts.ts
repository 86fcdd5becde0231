// HA lab hosts: network-namespace "hosts" on one isolated bridge (192.0.2.0/24), each running a real OpenSSH
// sshd in a private mount namespace, so provisioning scripts run over real SSH and keepalived/haproxy can be drilled.
//
// Layout: netns kha-<id>-sw holds bridge br0; each host has netns kha-<id>-<name> with a veth (default eth1)
// whose peer v-<name> is a br0 port. The root network namespace is never given an address, route or link.
// Host state: /etc, /usr/local, /var/lib are overlays (upper dirs under <labdir>/hosts/<name>/ovl), /run is a
// private tmpfs, the UTS namespace is private (hostname = host name). /tmp, /var/log, /root and the PID
// namespace are SHARED with the machine and with the other hosts.
//
// Caveats verified with Debian 12 packages (keepalived 2.2.7, haproxy 2.6) inside lab hosts over ssh:
// - `service keepalived start|stop` works: systemd is not PID 1 and /run/systemd does not exist inside a host,
//   so `service` falls back to /etc/init.d/keepalived (start-stop-daemon --pidfile /var/run/keepalived.pid).
//   keepalived writes /run/keepalived.pid and /run/vrrp.pid itself; /run is per host, so hosts never see each
//   other's pidfiles. Nothing is needed in /etc/default/keepalived. Two hosts with MASTER/BACKUP configs elect
//   over the bridge and the VIP moves on `service keepalived stop`.
// - The init script exits 0 WITHOUT starting anything when /etc/keepalived/keepalived.conf is missing, and
//   `start` reports success even if the daemon dies right after: check /run/keepalived.pid + the process, or
//   the VIP, never the exit code. `stop` does not wait (no --retry): the processes and pidfiles are gone
//   ~0.5-1 s later, and the VIP is still on the host right after `stop` returns. Poll before asserting.
// - keepalived logs only to syslog and there is no /dev/log (and the Debian build has no --log-file). To see
//   its log run it in the foreground via lab.startProcess(host, "keepalived", ["keepalived", "-n", "-l", "-D"]);
//   the log is lab.processLogPath(host, "keepalived").
// - `service haproxy start` likewise uses /var/run/haproxy.pid (per host).
// - The PID namespace is SHARED: `ps -C keepalived` inside a host lists every host's keepalived. Never use
//   pkill/killall/`start-stop-daemon --exec` without --pidfile inside a host, it would hit every host's
//   daemons. Use pidfiles (per host, in /run) or lab.stopProcess.
// - ssh as a non-root user works (lab.ssh(host, cmd, { user })) only if the account is not locked: sshd runs
//   without PAM and refuses users whose shadow password is "!" (plain `useradd` default). Use `useradd -p '*'`.
// - vrrp_track_process cannot work in a network namespace (failover-facts §11): use vrrp_script checks.
// - The ssh client runs inside the first "client" host (lab.ssh); the root namespace has no route to the lab.
// - PID 1 on this machine reaps orphans only now and then: sshds of a persistent (`npm run lab -- up`) lab
//   may show as <defunct> for a while after `down`. They are dead; isAlive() treats zombies as gone.
// - Labs created in a test process register that process as owner; `labDownAll` (npm run lab -- down) skips
//   labs whose owner is still running (other engineers' tests) unless force. The owner process also tears
//   its labs down synchronously on exit if down() was never called.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { run, RunResult, sleep, waitFor, FatalWait, killAndWait, spawnDetached, writePidfile, readPidfile, isAlive,
  procStartTime, pidsWithCmdline, killByPidfile } from "./proc";
import { NETNS_PREFIX, listNetns, createSwitch, addNetns, attachHost, setLinkState, netnsPids, deleteNetns } from "./netns";
import { genKey, sshdConfig, sshdArgv, sshClientArgv, knownHostsLine, hostPaths } from "./sshd";

export { killByPidfile } from "./proc";

export type LabRole = "lb" | "master" | "cloudcore" | "client";
export interface LabHostSpec { name: string; address: string; role: LabRole; iface?: string }
export interface LabSpec { id?: string; hosts: LabHostSpec[] }
export interface LabHost extends LabHostSpec {
  netns: string; dir: string; sshdPid: number; hostKey: string /* "ssh-ed25519 AAAA..." */;
  iface: string; /** bridge port (in the switch netns) of this host's cable */ switchPort: string;
}
export interface ExecResult { code: number; stdout: string; stderr: string; timedOut?: boolean }
export interface SshOpts { input?: string; timeoutMs?: number; user?: string; knownHostsPath?: string; privateKeyPath?: string }
export interface StartOpts {
  env?: Record<string, string>;
  /** after the exec, watch this long for an immediate exit and report it as an error (default 300 ms, 0 = off) */
  settleMs?: number;
}
export interface Lab {
  id: string; dir: string; hosts: LabHost[]; privateKeyPath: string; knownHostsPath: string;
  /** netns of the bridge */ switchNetns: string;
  host(name: string): LabHost;
  /** run argv inside the host's netns + mount ns + uts ns (as root), bounded by timeoutMs (default 30s) */
  exec(host: string, argv: string[], opts?: { input?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** run a shell command on `host` over real OpenSSH from the client namespace, stdin optional */
  ssh(host: string, command: string, opts?: SshOpts): Promise<ExecResult>;
  /** ssh argv (to run inside the client host, e.g. via lab.exec(clientName, argv)) */
  sshArgv(host: string, command: string, opts?: SshOpts): string[];
  /** start argv detached inside the host's namespaces; pidfile/log under <host dir>/proc/<name>.{pid,log} */
  startProcess(host: string, name: string, argv: string[], opts?: StartOpts): Promise<number>;
  /** send `signal` (default SIGTERM), wait ≤5 s for exit, then SIGKILL; removes the pidfile */
  stopProcess(host: string, name: string, signal?: NodeJS.Signals): Promise<void>;
  /** send a signal without waiting (SIGSTOP/SIGCONT/SIGHUP drills) */
  signalProcess(host: string, name: string, signal: NodeJS.Signals): void;
  /** pid of a started process if it is still alive */
  processPid(host: string, name: string): number | undefined;
  processLogPath(host: string, name: string): string;
  /** bring the host's lab interface down/up (link loss drill); side "switch" pulls the cable at the bridge port */
  setLink(host: string, up: boolean, side?: "host" | "switch"): Promise<void>;
  down(): Promise<void>;
}

export const REPO_ROOT = path.resolve(__dirname, "..");
export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, ".lab");
/** every live lab (whatever its state dir) registers here so labDownAll can find it */
const INDEX_DIR = path.join(os.tmpdir(), "kha-lab-index");
const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function defaultLabSpec(): LabSpec {
  return {
    hosts: [
      { name: "client", address: "192.0.2.2", role: "client" },
      { name: "lb1", address: "192.0.2.11", role: "lb" },
      { name: "lb2", address: "192.0.2.12", role: "lb" },
      { name: "master1", address: "192.0.2.21", role: "master" },
      { name: "master2", address: "192.0.2.22", role: "master" },
      { name: "master3", address: "192.0.2.23", role: "master" },
      { name: "cc1", address: "192.0.2.31", role: "cloudcore" },
      { name: "cc2", address: "192.0.2.32", role: "cloudcore" },
    ],
  };
}

export interface PreflightChecks { getuid(): number; ipNetns(): void; haveCommand(cmd: string): boolean; overlayfs(): boolean }
const realChecks: PreflightChecks = {
  getuid: () => (process.getuid ? process.getuid() : -1),
  ipNetns: () => { execFileSync("ip", ["netns", "list"], { stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 }); },
  haveCommand: (cmd) => HOST_PATH.split(":").some((d) => { try { fs.accessSync(path.join(d, cmd), fs.constants.X_OK); return true; } catch { return false; } }),
  overlayfs: () => { try { return /\toverlay\n/.test(fs.readFileSync("/proc/filesystems", "utf8")); } catch { return false; } },
};

/** Throws a clear Error when the lab cannot run here (not root, no `ip netns`, missing tools). */
export function labPreflight(checks: Partial<PreflightChecks> = {}): void {
  const c = { ...realChecks, ...checks };
  const uid = c.getuid();
  if (uid !== 0) throw new Error(`kubeedge-ha lab: must run as root (uid 0) to create network namespaces; current uid is ${uid}. Re-run as root (e.g. sudo npm run lab -- up).`);
  try { c.ipNetns(); } catch (e) {
    throw new Error(`kubeedge-ha lab: \`ip netns\` is not usable here (${((e as Error).message || String(e)).split("\n")[0]}). ` +
      "The lab needs iproute2 and a kernel with network namespaces.");
  }
  const missing = ["ip", "unshare", "nsenter", "sshd", "ssh", "ssh-keygen", "mount"].filter((x) => !c.haveCommand(x));
  if (missing.length) throw new Error(`kubeedge-ha lab: required commands not found: ${missing.join(", ")} (install iproute2, util-linux, openssh-server, openssh-client).`);
  if (!c.overlayfs()) throw new Error("kubeedge-ha lab: the kernel does not support overlayfs (needed for per-host /etc).");
}

const NAME_RE = /^[a-z][a-z0-9-]{0,11}$/;
const ID_RE = /^[a-z0-9]{1,8}$/;
const PROC_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function validateSpec(spec: LabSpec): void {
  if (!spec.hosts.length) throw new Error("lab spec has no hosts");
  const names = new Set<string>(), addrs = new Set<string>();
  for (const h of spec.hosts) {
    if (!NAME_RE.test(h.name) || h.name === "sw") throw new Error(`bad lab host name ${JSON.stringify(h.name)} (want ${NAME_RE}, not "sw")`);
    const m = /^192\.0\.2\.(\d{1,3})$/.exec(h.address);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 254) throw new Error(`lab host ${h.name}: address ${h.address} is not a host address in 192.0.2.0/24`);
    if (h.iface !== undefined && !/^[a-z][a-z0-9]{0,14}$/.test(h.iface)) throw new Error(`lab host ${h.name}: bad iface ${h.iface}`);
    if (!["lb", "master", "cloudcore", "client"].includes(h.role)) throw new Error(`lab host ${h.name}: bad role ${h.role}`);
    if (names.has(h.name)) throw new Error(`duplicate lab host name ${h.name}`);
    if (addrs.has(h.address)) throw new Error(`duplicate lab address ${h.address}`);
    names.add(h.name); addrs.add(h.address);
  }
}

interface LabRecord {
  id: string; dir: string; hosts: LabHost[]; privateKeyPath: string; knownHostsPath: string; switchNetns: string;
  owner?: { pid: number; start?: string }; createdAt: string;
}

function indexEntry(id: string) { return path.join(INDEX_DIR, `${id}.json`); }

function nsenterArgv(h: LabHost, argv: string[]): string[] {
  return ["nsenter", `--target=${h.sshdPid}`, "--mount", "--net", "--uts", "--", ...argv];
}

const HOST_ENV = { PATH: HOST_PATH, HOME: "/root", LANG: "C.UTF-8", USER: "root", LOGNAME: "root" };

class LabImpl implements Lab {
  private exitHook = () => this.downSync();
  private isDown = false;
  constructor(public rec: LabRecord) {
    if (rec.owner) process.once("exit", this.exitHook);
  }
  get id() { return this.rec.id; }
  get dir() { return this.rec.dir; }
  get hosts() { return this.rec.hosts; }
  get privateKeyPath() { return this.rec.privateKeyPath; }
  get knownHostsPath() { return this.rec.knownHostsPath; }
  get switchNetns() { return this.rec.switchNetns; }

  host(name: string): LabHost {
    const h = this.rec.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`lab ${this.id} has no host ${JSON.stringify(name)} (hosts: ${this.rec.hosts.map((x) => x.name).join(", ")})`);
    return h;
  }

  async exec(host: string, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    const h = this.host(host);
    if (!argv.length) throw new Error("exec: empty argv");
    return runIn(h, argv, opts);
  }

  sshArgv(host: string, command: string, opts: SshOpts = {}): string[] {
    const h = this.host(host);
    return sshClientArgv(h.address, command, {
      privateKeyPath: opts.privateKeyPath ?? this.privateKeyPath,
      knownHostsPath: opts.knownHostsPath ?? this.knownHostsPath, user: opts.user,
    });
  }

  async ssh(host: string, command: string, opts: SshOpts = {}): Promise<ExecResult> {
    const client = this.rec.hosts.find((x) => x.role === "client");
    if (!client) throw new Error(`lab ${this.id} has no host with role "client" to run ssh from`);
    return runIn(client, this.sshArgv(host, command, opts), { input: opts.input, timeoutMs: opts.timeoutMs });
  }

  private procPaths(host: string, name: string) {
    if (!PROC_NAME_RE.test(name)) throw new Error(`bad process name ${JSON.stringify(name)}`);
    const d = hostPaths(this.host(host).dir).procDir;
    return { pidfile: path.join(d, `${name}.pid`), log: path.join(d, `${name}.log`) };
  }

  processLogPath(host: string, name: string): string { return this.procPaths(host, name).log; }

  processPid(host: string, name: string): number | undefined {
    const rec = readPidfile(this.procPaths(host, name).pidfile);
    return rec && isAlive(rec.pid, rec.start) ? rec.pid : undefined;
  }

  async startProcess(host: string, name: string, argv: string[], opts: StartOpts = {}): Promise<number> {
    const h = this.host(host);
    const p = this.procPaths(host, name);
    if (!argv.length) throw new Error("startProcess: empty argv");
    if (this.processPid(host, name) !== undefined) throw new Error(`process ${name} already running on ${host}`);
    const pid = spawnDetached(nsenterArgv(h, argv), p.log, { ...HOST_ENV, ...(opts.env ?? {}) });
    writePidfile(p.pidfile, pid);
    // nsenter execs argv in place (same pid): wait until it did, then watch settleMs for an immediate crash
    // (bad flags, port in use) and report it with the log tail
    const start = readPidfile(p.pidfile)?.start;
    const execDeadline = Date.now() + 5000;
    let settleUntil = 0;
    for (let i = 0; i < 10_000; i++) {
      if (!isAlive(pid, start)) {
        fs.rmSync(p.pidfile, { force: true });
        throw new Error(`process ${name} on ${host} exited right away:\n${tail(p.log)}`);
      }
      if (!settleUntil) {
        let comm = "";
        try { comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim(); } catch { /* exiting */ }
        if (comm && comm !== "nsenter") settleUntil = Date.now() + (opts.settleMs ?? 300);
        else if (Date.now() > execDeadline) {
          await killAndWait([{ pid, start }], "SIGKILL", 2000);
          fs.rmSync(p.pidfile, { force: true });
          throw new Error(`process ${name} on ${host}: nsenter did not exec within 5 s:\n${tail(p.log)}`);
        }
      } else if (Date.now() >= settleUntil) break;
      await sleep(20);
    }
    return pid;
  }

  async stopProcess(host: string, name: string, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await killByPidfile(this.procPaths(host, name).pidfile, signal, 5000);
  }

  signalProcess(host: string, name: string, signal: NodeJS.Signals): void {
    const rec = readPidfile(this.procPaths(host, name).pidfile);
    if (!rec || !isAlive(rec.pid, rec.start)) throw new Error(`process ${name} is not running on ${host}`);
    process.kill(rec.pid, signal);
  }

  async setLink(host: string, up: boolean, side: "host" | "switch" = "host"): Promise<void> {
    const h = this.host(host);
    if (side === "host") await setLinkState(h.netns, h.iface, up);
    else await setLinkState(this.switchNetns, h.switchPort, up);
  }

  async down(): Promise<void> {
    process.removeListener("exit", this.exitHook);
    if (this.isDown) return;
    this.isDown = true;
    await teardownLab(this.id, this.dir);
  }

  /** last resort on process exit (e.g. mocha exiting with a failed after hook): synchronous, bounded */
  downSync(): void {
    if (this.isDown) return;
    this.isDown = true;
    teardownLabSync(this.rec);
  }
}

function runIn(h: LabHost, argv: string[], opts: { input?: string; timeoutMs?: number }): Promise<RunResult> {
  return run(nsenterArgv(h, argv), { ...opts, env: HOST_ENV });
}

/** Bring up a lab. Everything created is removed again if any step fails. */
export async function labUp(spec: LabSpec = defaultLabSpec(), opts: { stateDir?: string; persistent?: boolean } = {}): Promise<Lab> {
  labPreflight();
  validateSpec(spec);
  const id = spec.id ?? crypto.randomBytes(3).toString("hex");
  if (!ID_RE.test(id)) throw new Error(`bad lab id ${JSON.stringify(id)} (want ${ID_RE})`);
  const stateDir = path.resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  const dir = path.join(stateDir, id);
  if (fs.existsSync(dir) || (await listNetns()).some((n) => n.startsWith(`${NETNS_PREFIX}${id}-`))) throw new Error(`lab ${id} already exists`);
  // 0755: sshd reads the shared authorized_keys file with the target user's uid (ssh as non-root users)
  // (every parent of the state dir must be traversable by other users for that)
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(stateDir, 0o755);
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(INDEX_DIR, { recursive: true, mode: 0o700 });
  const rec: LabRecord = {
    id, dir, hosts: [], switchNetns: `${NETNS_PREFIX}${id}-sw`,
    privateKeyPath: path.join(dir, "id_ed25519"), knownHostsPath: path.join(dir, "known_hosts"),
    owner: opts.persistent ? undefined : { pid: process.pid, start: procStartTime(process.pid) },
    createdAt: new Date().toISOString(),
  };
  const save = () => {
    fs.writeFileSync(path.join(dir, "lab.json"), JSON.stringify(rec, null, 2) + "\n");
    fs.writeFileSync(indexEntry(id), JSON.stringify({ id, dir, owner: rec.owner }) + "\n");
  };
  save();
  const lab = new LabImpl(rec);
  try {
    await genKey(rec.privateKeyPath, `kha-lab-${id}-client`);
    const authorized = path.join(dir, "authorized_keys");
    fs.writeFileSync(authorized, fs.readFileSync(rec.privateKeyPath + ".pub"), { mode: 0o644 });
    await createSwitch(rec.switchNetns);
    rec.hosts = await Promise.all(spec.hosts.map(async (s): Promise<LabHost> => {
      const hdir = path.join(dir, "hosts", s.name);
      const hp = hostPaths(hdir);
      fs.mkdirSync(hp.procDir, { recursive: true, mode: 0o700 });
      const hostKey = await genKey(hp.hostKey, `kha-lab-${id}-${s.name}`);
      fs.writeFileSync(hp.config, sshdConfig({ address: s.address, hostKeyPath: hp.hostKey, authorizedKeysPath: authorized }));
      const h: LabHost = { ...s, iface: s.iface ?? "eth1", netns: `${NETNS_PREFIX}${id}-${s.name}`, dir: hdir,
        switchPort: `v-${s.name}`, sshdPid: 0, hostKey };
      await addNetns(h.netns);
      await attachHost(rec.switchNetns, h.netns, h.iface, h.switchPort, `${h.address}/24`);
      return h;
    }));
    fs.writeFileSync(rec.knownHostsPath, rec.hosts.map((h) => knownHostsLine(h.address, h.hostKey)).join("\n") + "\n", { mode: 0o644 });
    for (const h of rec.hosts) {
      const hp = hostPaths(h.dir);
      h.sshdPid = spawnDetached(sshdArgv(h.netns, h.dir, hp.config, h.name), hp.log, { PATH: HOST_PATH, LANG: "C.UTF-8" });
      writePidfile(path.join(h.dir, "sshd.pid"), h.sshdPid);
    }
    save();
    // readiness: sshd is the same pid (exec chain) and listens on port 22 in its netns
    await Promise.all(rec.hosts.map((h) => waitFor(`sshd on ${h.name} to listen`, () => {
      if (!isAlive(h.sshdPid)) throw new FatalWait(`sshd on ${h.name} died: ${tail(hostPaths(h.dir).log)}`);
      return fs.readFileSync(`/proc/${h.sshdPid}/comm`, "utf8").trim() === "sshd" && listensOn22(h.sshdPid);
    }, 15_000, 50)));
    // end-to-end: real ssh with pinned host keys from the client host
    if (rec.hosts.some((h) => h.role === "client")) {
      await Promise.all(rec.hosts.map((h) => waitFor(`ssh to ${h.name}`, async () => {
        const r = await lab.ssh(h.name, "true", { timeoutMs: 10_000 });
        if (r.code !== 0) throw new Error(r.stderr.trim());
        return true;
      }, 20_000, 200)));
    }
    return lab;
  } catch (e) {
    await lab.down().catch((e2) => { (e as Error).message += `\n(cleanup after failed labUp also failed: ${(e2 as Error).message})`; });
    throw e;
  }
}

function tail(file: string): string {
  try { return fs.readFileSync(file, "utf8").slice(-1500); } catch { return "(no log)"; }
}

function listensOn22(pid: number): boolean {
  const tcp = fs.readFileSync(`/proc/${pid}/net/tcp`, "utf8");
  return tcp.split("\n").some((l) => { const f = l.trim().split(/\s+/); return f[1]?.endsWith(":0016") && f[3] === "0A"; });
}

/** Collect every process belonging to lab `id`: in its namespaces, in its pidfiles, or naming its dir. */
async function labPids(id: string, dir: string | undefined): Promise<{ pid: number; start?: string }[]> {
  const found = new Map<number, { pid: number; start?: string }>();
  for (const ns of (await listNetns()).filter((n) => n.startsWith(`${NETNS_PREFIX}${id}-`))) {
    for (const pid of await netnsPids(ns)) found.set(pid, { pid, start: procStartTime(pid) });
  }
  if (dir && fs.existsSync(path.join(dir, "hosts"))) {
    for (const hn of fs.readdirSync(path.join(dir, "hosts"))) {
      const hdir = path.join(dir, "hosts", hn);
      const files = [path.join(hdir, "sshd.pid"), ...safeList(path.join(hdir, "proc")).filter((f) => f.endsWith(".pid")).map((f) => path.join(hdir, "proc", f))];
      for (const f of files) { const r = readPidfile(f); if (r && isAlive(r.pid, r.start)) found.set(r.pid, r); }
    }
  }
  if (dir) for (const p of pidsWithCmdline(dir + "/")) found.set(p.pid, p);
  found.delete(process.pid);
  return [...found.values()];
}

function safeList(d: string): string[] { try { return fs.readdirSync(d); } catch { return []; } }

/** Kill everything, delete namespaces, remove the lab dir; keeps going after errors and reports them all. */
async function teardownLab(id: string, dir: string | undefined): Promise<void> {
  const errors: string[] = [];
  // two rounds: a process might fork while we kill (e.g. keepalived respawning children)
  for (let round = 0; round < 2; round++) {
    const pids = await labPids(id, dir);
    if (!pids.length) break;
    const left = await killAndWait(pids, "SIGTERM", round === 0 ? 3000 : 1000);
    if (left.length && round === 1) errors.push(`processes survived SIGKILL: ${left.join(" ")}`);
  }
  for (const ns of (await listNetns()).filter((n) => n.startsWith(`${NETNS_PREFIX}${id}-`))) {
    try { await deleteNetns(ns); } catch (e) { errors.push((e as Error).message); }
  }
  if (dir) {
    try { fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch (e) { errors.push(`cannot remove ${dir}: ${(e as Error).message}`); }
  }
  fs.rmSync(indexEntry(id), { force: true });
  try { fs.rmdirSync(INDEX_DIR); } catch { /* other labs still registered */ }
  const leftNs = (await listNetns()).filter((n) => n.startsWith(`${NETNS_PREFIX}${id}-`));
  if (leftNs.length) errors.push(`namespaces left: ${leftNs.join(" ")}`);
  if (errors.length) throw new Error(`lab ${id} teardown incomplete:\n  ${errors.join("\n  ")}`);
}

function teardownLabSync(rec: LabRecord): void {
  const sh = (argv: string[]) => { try { return execFileSync(argv[0], argv.slice(1), { timeout: 5000, stdio: ["ignore", "pipe", "ignore"] }).toString(); } catch { return ""; } };
  const nss = [...rec.hosts.map((h) => h.netns), rec.switchNetns];
  const pids = new Set<number>();
  for (const ns of nss) for (const l of sh(["ip", "netns", "pids", ns]).split("\n")) if (/^\d+$/.test(l.trim())) pids.add(Number(l));
  for (const h of rec.hosts) if (h.sshdPid) pids.add(h.sshdPid);
  for (const p of pidsWithCmdline(rec.dir + "/")) pids.add(p.pid);
  pids.delete(process.pid);
  for (const pid of pids) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
  const deadline = Date.now() + 3000;
  while ([...pids].some((p) => isAlive(p)) && Date.now() < deadline) sh(["sleep", "0.05"]);
  for (const ns of nss) sh(["ip", "netns", "del", ns]);
  try { fs.rmSync(rec.dir, { recursive: true, force: true }); } catch { /* best effort */ }
  fs.rmSync(indexEntry(rec.id), { force: true });
}

/**
 * Remove every kha- lab leftover: labs under stateDir and labs in the index (with their kha-<id>-* netns,
 * processes and dirs). Labs owned by another live process (e.g. a test run in progress) and kha-* netns with
 * no lab record are skipped unless force is set.
 * `ids` limits the sweep to those lab ids.
 */
export async function labDownAll(opts: { stateDir?: string; force?: boolean; ids?: string[]; log?: (msg: string) => void } = {}): Promise<void> {
  labPreflight();
  const log = opts.log ?? (() => undefined);
  const stateDir = path.resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  const labs = new Map<string, { dir?: string; owner?: { pid: number; start?: string } }>();
  const readRec = (f: string) => { try { return JSON.parse(fs.readFileSync(f, "utf8")) as Partial<LabRecord>; } catch { return undefined; } };
  for (const f of safeList(INDEX_DIR)) {
    const r = readRec(path.join(INDEX_DIR, f));
    const id = f.replace(/\.json$/, "");
    if (ID_RE.test(id)) labs.set(id, { dir: r?.dir, owner: r?.owner });
  }
  for (const id of safeList(stateDir)) {
    if (!ID_RE.test(id)) continue;
    const r = readRec(path.join(stateDir, id, "lab.json"));
    labs.set(id, { dir: path.join(stateDir, id), owner: r?.owner ?? labs.get(id)?.owner });
  }
  // kha-* namespaces without a record: every labUp writes its record before creating any namespace, so these
  // were not made by this module (e.g. test/support/scratchHost.ts uses kha-t<pid>-N while it runs): only with force
  for (const ns of await listNetns()) {
    const m = /^kha-([a-z0-9]{1,8})-/.exec(ns);
    if (!m || labs.has(m[1])) continue;
    if (opts.force) labs.set(m[1], {});
    else log(`netns ${ns}: skipped, no lab record (not created by labUp, or its record was deleted; use --force)`);
  }
  const errors: string[] = [];
  for (const [id, l] of labs) {
    if (opts.ids && !opts.ids.includes(id)) continue;
    if (!opts.force && l.owner && l.owner.pid !== process.pid && isAlive(l.owner.pid, l.owner.start)) {
      log(`lab ${id}: skipped, owned by running process ${l.owner.pid} (use --force to remove anyway)`);
      continue;
    }
    try { await teardownLab(id, l.dir); log(`lab ${id}: removed`); } catch (e) { errors.push((e as Error).message); }
  }
  if (errors.length) throw new Error(errors.join("\n"));
}
