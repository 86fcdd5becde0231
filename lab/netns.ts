// Network namespaces for the lab: one "switch" namespace holding a bridge, one namespace per host with a veth
// whose peer is a bridge port in the switch namespace. Nothing is ever created in the root namespace:
// veth pairs are created directly inside the host namespace with the peer moved straight into the switch.
import { run, runOk } from "./proc";

export const NETNS_PREFIX = "kha-";
export const BRIDGE = "br0";

export async function listNetns(): Promise<string[]> {
  const out = await runOk(["ip", "netns", "list"], { timeoutMs: 10_000 });
  return out.split("\n").map((l) => l.trim().split(/\s+/)[0]).filter((n) => !!n);
}

export async function addNetns(ns: string): Promise<void> {
  await runOk(["ip", "netns", "add", ns], { timeoutMs: 10_000 });
  await runOk(["ip", "-n", ns, "link", "set", "lo", "up"], { timeoutMs: 10_000 });
}

export async function createSwitch(swNs: string): Promise<void> {
  await addNetns(swNs);
  // STP off (default): ports forward immediately; no address on the bridge.
  await runOk(["ip", "-n", swNs, "link", "add", BRIDGE, "type", "bridge"], { timeoutMs: 10_000 });
  await runOk(["ip", "-n", swNs, "link", "set", BRIDGE, "up"], { timeoutMs: 10_000 });
}

export async function attachHost(swNs: string, hostNs: string, iface: string, port: string, cidr: string): Promise<void> {
  await runOk(["ip", "-n", hostNs, "link", "add", iface, "type", "veth", "peer", "name", port, "netns", swNs], { timeoutMs: 10_000 });
  await runOk(["ip", "-n", swNs, "link", "set", port, "master", BRIDGE], { timeoutMs: 10_000 });
  await runOk(["ip", "-n", swNs, "link", "set", port, "up"], { timeoutMs: 10_000 });
  await runOk(["ip", "-n", hostNs, "addr", "add", cidr, "dev", iface], { timeoutMs: 10_000 });
  await runOk(["ip", "-n", hostNs, "link", "set", iface, "up"], { timeoutMs: 10_000 });
}

export async function setLinkState(ns: string, iface: string, up: boolean): Promise<void> {
  await runOk(["ip", "-n", ns, "link", "set", iface, up ? "up" : "down"], { timeoutMs: 10_000 });
}

/** pids of processes whose network namespace is `ns` (empty if the namespace is gone). */
export async function netnsPids(ns: string): Promise<number[]> {
  const r = await run(["ip", "netns", "pids", ns], { timeoutMs: 10_000 });
  if (r.code !== 0) return [];
  return r.stdout.split("\n").map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
}

export async function deleteNetns(ns: string): Promise<void> {
  const r = await run(["ip", "netns", "del", ns], { timeoutMs: 10_000 });
  if (r.code !== 0 && (await listNetns()).includes(ns)) throw new Error(`cannot delete netns ${ns}: ${r.stderr.trim()}`);
}
