// Per-host OpenSSH server for the lab, running in the host's netns and in a private mount namespace where
// /etc, /usr/local and /var/lib are overlays (writes land in the host dir) and /run is a fresh tmpfs.
import * as fs from "fs";
import * as path from "path";
import { runOk } from "./proc";

/** Directories overlaid per host (lower = the machine's own directory, upper/work under <hostDir>/ovl). */
export const OVERLAY_DIRS = ["/etc", "/usr/local", "/var/lib"];

/** Generate an ed25519 key pair at keyPath (+ .pub, private key 0600); returns the public key "ssh-ed25519 AAAA...". */
export async function genKey(keyPath: string, comment: string): Promise<string> {
  fs.rmSync(keyPath, { force: true });
  fs.rmSync(keyPath + ".pub", { force: true });
  await runOk(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", keyPath], { timeoutMs: 15_000 });
  fs.chmodSync(keyPath, 0o600);
  const [type, b64] = fs.readFileSync(keyPath + ".pub", "utf8").trim().split(/\s+/);
  return `${type} ${b64}`;
}

export function sshdConfig(o: { address: string; hostKeyPath: string; authorizedKeysPath: string }): string {
  return [
    `ListenAddress ${o.address}:22`,
    `HostKey ${o.hostKeyPath}`,
    `AuthorizedKeysFile ${o.authorizedKeysPath}`,
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    "PidFile /run/sshd.pid",
    "LogLevel ERROR",
    "PrintMotd no",
    "PrintLastLog no",
    "UseDNS no",
    // provisioning tools open many sessions at once
    "MaxStartups 100:30:200",
    "MaxSessions 64",
    // @pulumi/command's CopyToRemote uses SFTP
    "Subsystem sftp /usr/lib/openssh/sftp-server",
    "",
  ].join("\n");
}

// Runs as: ip netns exec NS unshare --mount --uts --propagation private sh -c SCRIPT sh HOSTDIR CONFIG HOSTNAME
// Values arrive as positional parameters, never spliced into the script text.
const SSHD_SCRIPT = `set -eu
d="$1"; cfg="$2"; hn="$3"
for p in ${OVERLAY_DIRS.map((p) => p.slice(1)).join(" ")}; do
  n=$(printf %s "$p" | tr / _)
  mkdir -p "$d/ovl/$n/upper" "$d/ovl/$n/work"
  mount -t overlay overlay -o "lowerdir=/$p,upperdir=$d/ovl/$n/upper,workdir=$d/ovl/$n/work" "/$p"
done
mount -t tmpfs -o mode=0755,size=64m tmpfs /run
mkdir -p /run/sshd /run/lock
chmod 0755 /run/sshd
hostname "$hn"
printf '%s\\n' "$hn" > /etc/hostname
exec /usr/sbin/sshd -D -e -f "$cfg"
`;

/** argv that starts sshd for one host (exec chain keeps one pid: ip -> unshare -> sh -> sshd). */
export function sshdArgv(netns: string, hostDir: string, configPath: string, hostname: string): string[] {
  if (!/^[A-Za-z0-9_./-]+$/.test(hostDir)) throw new Error(`lab host dir has characters overlayfs options cannot carry: ${hostDir}`);
  return ["ip", "netns", "exec", netns, "unshare", "--mount", "--uts", "--propagation", "private",
    "sh", "-c", SSHD_SCRIPT, "sh", hostDir, configPath, hostname];
}

export interface SshClientOpts { privateKeyPath: string; knownHostsPath: string; user?: string; connectTimeoutS?: number }

/** OpenSSH client argv with host-key pinning; run it inside the client host's namespaces. */
export function sshClientArgv(address: string, command: string, o: SshClientOpts): string[] {
  return ["ssh", "-F", "/dev/null",
    "-i", o.privateKeyPath, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
    "-o", `UserKnownHostsFile=${o.knownHostsPath}`, "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "StrictHostKeyChecking=yes", "-o", "UpdateHostKeys=no", "-o", "CheckHostIP=no",
    "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no",
    "-o", `ConnectTimeout=${o.connectTimeoutS ?? 5}`, "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
    "-o", "LogLevel=ERROR",
    "-l", o.user ?? "root", address, "--", command];
}

export function knownHostsLine(address: string, hostKey: string): string {
  return `${address} ${hostKey}`;
}

export function hostPaths(hostDir: string) {
  return {
    hostKey: path.join(hostDir, "ssh_host_ed25519_key"),
    config: path.join(hostDir, "sshd_config"),
    log: path.join(hostDir, "sshd.log"),
    procDir: path.join(hostDir, "proc"),
  };
}
