/**
 * A throwaway "host" for validation tests: a network namespace with the interfaces a config names
 * (veth pairs: this kernel has no dummy links) and a private mount namespace whose /etc is an
 * overlay, so scripts can write /etc/keepalived, add users, etc. without touching this machine.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

let counter = 0;

/**
 * Runs `script` (sh) as root inside a scratch host with `interfaces` present and up, `stdin` on
 * its standard input. Everything is removed afterwards, also on failure. Bounded by `timeoutMs`.
 */
export function runOnScratchHost(script: string, o: { interfaces?: string[]; stdin?: string; timeoutMs?: number } = {}): RunResult {
    const id = `kscr-${process.pid}-${counter++}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kha-scratch-"));
    const ns = id;
    try {
        sh(`ip netns add ${ns}`);
        sh(`ip -n ${ns} link set lo up`);
        (o.interfaces ?? []).forEach((ifname, i) => {
            sh(`ip -n ${ns} link add ${ifname} type veth peer name kp${i}`);
            sh(`ip -n ${ns} link set ${ifname} up`);
            sh(`ip -n ${ns} link set kp${i} up`);
        });
        fs.mkdirSync(path.join(dir, "upper"));
        fs.mkdirSync(path.join(dir, "work"));
        fs.writeFileSync(path.join(dir, "script.sh"), script);
        const wrapper = [
            "set -e",
            `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/upper,workdir=${dir}/work /etc`,
            "mount -t tmpfs tmpfs /run",
            `exec sh ${dir}/script.sh`,
        ].join("\n");
        const r = spawnSync("ip", ["netns", "exec", ns, "unshare", "--mount", "--propagation", "private", "sh", "-c", wrapper], {
            input: o.stdin ?? "", encoding: "utf8", timeout: o.timeoutMs ?? 30000, killSignal: "SIGKILL",
        });
        return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
    } finally {
        spawnSync("ip", ["netns", "del", ns]);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function sh(cmd: string): void {
    const r = spawnSync("sh", ["-c", cmd], { encoding: "utf8", timeout: 10000 });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
}

/** True when this process may create namespaces (root with ip netns). */
export function canUseNetns(): boolean {
    return process.getuid?.() === 0 && spawnSync("ip", ["netns", "list"]).status === 0;
}
