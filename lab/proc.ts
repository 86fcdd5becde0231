// Process helpers for the lab: bounded command runs, detached daemons, pidfiles that survive pid reuse.
// Only node built-ins; every command is an argv array (no shell strings built from values).
import { spawn } from "child_process";
import * as fs from "fs";

export interface RunResult { code: number; stdout: string; stderr: string; timedOut?: boolean }

const MAX_OUTPUT = 16 * 1024 * 1024;

/** Run argv to completion, bounded by timeoutMs (SIGKILL on expiry, code 124). Never rejects for exit codes. */
export function run(argv: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve) => {
    let stdout = "", stderr = "", settled = false, timedOut = false;
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], env: opts.env ?? process.env });
    const finish = (code: number, extraErr = "") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // a daemon started by the command may keep our pipes open: stop reading, do not wait for EOF
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ code, stdout, stderr: stderr + extraErr, ...(timedOut ? { timedOut } : {}) });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      try { child.kill("SIGKILL"); } catch { /* gone */ }
      finish(124, `\n[lab] timed out after ${timeoutMs} ms: ${argv.join(" ")}\n`);
    }, timeoutMs);
    child.stdout!.on("data", (d: Buffer) => { if (stdout.length < MAX_OUTPUT) stdout += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { if (stderr.length < MAX_OUTPUT) stderr += d.toString(); });
    child.on("error", (e) => finish(127, `\n[lab] cannot run ${argv[0]}: ${e.message}\n`));
    let exitCode: number | null = null;
    child.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : 1);
      // give the pipes a short, bounded moment to drain after exit
      setTimeout(() => finish(exitCode!), 300);
    });
    child.on("close", () => { if (exitCode !== null) finish(exitCode); });
    child.stdin!.on("error", () => { /* command did not read stdin */ });
    child.stdin!.end(opts.input ?? "");
  });
}

/** run() that throws with the command's stderr on a non-zero exit. */
export async function runOk(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`command failed (exit ${r.code}): ${argv.join(" ")}\n${r.stderr.trim()}`);
  return r.stdout;
}

function signalNumber(sig: NodeJS.Signals): number | undefined {
  return (require("os").constants.signals as Record<string, number>)[sig];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown inside a waitFor callback to stop waiting at once (the condition can never become true). */
export class FatalWait extends Error {}

/** Poll fn every intervalMs until it returns a truthy value or the deadline passes (then throws `what`). */
export async function waitFor<T>(what: string, fn: () => Promise<T> | T, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (let i = 0; i < 100_000; i++) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e instanceof FatalWait) throw e;
      lastErr = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` + (lastErr ? `: ${(lastErr as Error).message}` : ""));
}

/** Kernel start time of pid (clock ticks since boot, field 22 of /proc/pid/stat), or undefined if gone. */
export function procStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19]; // field 22 overall; rest[0] is field 3
  } catch { return undefined; }
}

/**
 * Alive (and, if startTime is given, still the same process). A zombie thread-group leader counts as alive while
 * other threads of the group are still exiting: they share its file table, so its sockets (a listener, say) stay
 * open until the last one is gone — a SIGKILLed node server shows `Z` for a few ms while still accepting.
 */
export function isAlive(pid: number, startTime?: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (startTime !== undefined && rest[19] !== startTime) return false;
    if (rest[0] !== "Z" && rest[0] !== "X") return true;
    try { return fs.readdirSync(`/proc/${pid}/task`).length > 1; } catch { return false; }
  } catch { return false; }
}

/** Send sig to each pid; if the signal is terminal, wait (bounded) for them to go, escalating to SIGKILL. */
export async function killAndWait(pids: { pid: number; start?: string }[], sig: NodeJS.Signals = "SIGTERM", timeoutMs = 5000): Promise<number[]> {
  const live = () => pids.filter((p) => isAlive(p.pid, p.start));
  for (const p of live()) { try { process.kill(p.pid, sig); } catch { /* gone */ } }
  const deadline = Date.now() + timeoutMs;
  // 1, 2, 4 … 50 ms: the moment of death is measured to a few ms (drills time faults from it)
  for (let wait = 1; live().length && Date.now() < deadline; wait = Math.min(50, wait * 2)) await sleep(wait);
  if (live().length && sig !== "SIGKILL") {
    for (const p of live()) { try { process.kill(p.pid, "SIGKILL"); } catch { /* gone */ } }
    const d2 = Date.now() + 5000;
    while (live().length && Date.now() < d2) await sleep(50);
  }
  return live().map((p) => p.pid);
}

/** Start argv detached (own session), stdout+stderr appended to logPath. Returns the pid. */
export function spawnDetached(argv: string[], logPath: string, env: NodeJS.ProcessEnv = process.env): number {
  const fd = fs.openSync(logPath, "a", 0o600);
  try {
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ["ignore", fd, fd], env, cwd: "/" });
    if (!child.pid) throw new Error(`cannot start ${argv[0]}`);
    child.on("error", () => { /* reported through the pid check by callers */ });
    child.unref();
    return child.pid;
  } finally { fs.closeSync(fd); }
}

/** Pidfile format: "<pid> <starttime>\n" so that a recycled pid is never signalled. */
export function writePidfile(path: string, pid: number): void {
  fs.writeFileSync(path, `${pid} ${procStartTime(pid) ?? ""}\n`, { mode: 0o600 });
}

export function readPidfile(path: string): { pid: number; start?: string } | undefined {
  let text: string;
  try { text = fs.readFileSync(path, "utf8"); } catch { return undefined; }
  const [p, s] = text.trim().split(/\s+/);
  const pid = Number(p);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  return { pid, start: s || undefined };
}

/** Kill the process named by a lab pidfile (only if it is still the same process), wait, remove the pidfile. */
export async function killByPidfile(path: string, sig: NodeJS.Signals = "SIGTERM", timeoutMs = 5000): Promise<boolean> {
  const rec = readPidfile(path);
  if (!rec) { fs.rmSync(path, { force: true }); return false; }
  const left = await killAndWait([rec], sig, timeoutMs);
  if (left.length) throw new Error(`process ${rec.pid} from ${path} survived SIGKILL`);
  fs.rmSync(path, { force: true });
  return true;
}

/** pids whose command line mentions `needle` (used to find lab processes that escaped their netns). */
export function pidsWithCmdline(needle: string): { pid: number; start?: string }[] {
  const out: { pid: number; start?: string }[] = [];
  for (const ent of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(ent)) continue;
    const pid = Number(ent);
    if (pid === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${ent}/cmdline`, "utf8");
      if (cmd.includes(needle)) out.push({ pid, start: procStartTime(pid) });
    } catch { /* raced with exit */ }
  }
  return out;
}
