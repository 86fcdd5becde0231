/**
 * The shell scripts the host layer runs over SSH: typed settings in, POSIX sh text out.
 * No Pulumi here; `remoteHost.ts` wires them into `remote.Command`s, the offline render writes
 * them to `rendered/`, and the lab executes exactly these strings.
 *
 * Every script's first line is `# kubeedge-ha: <kind> <subject> ...`, which names it in renders.
 * Secrets never appear in a script: file content (which may hold one) arrives on stdin.
 */
import * as crypto from "crypto";

/** create/delete pair for one `remote.Command`. */
export interface HostScript {
    create: string;
    delete?: string;
}

/** How a file's candidate content is checked before it replaces the live file. */
export type Validator = "keepalived" | "haproxy" | "sh" | "none";

export interface FileSpec {
    /** Absolute path on the host. */
    path: string;
    /** Octal mode, e.g. "0600". Files holding secrets must be 0600. */
    mode: string;
    /** owner:group. Defaults to root:root. */
    owner?: string;
    /** Validator for the candidate file. Defaults to "none". */
    validate?: Validator;
    /** Shell run after the file is in place (also when unchanged), e.g. `sysctl -p "$dst"`. */
    after?: string;
    /** Remove the file on delete. Defaults to true. */
    removeOnDelete?: boolean;
}

export function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}

/** Single-quotes a word for sh. */
export function shq(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs `script` through sudo for non-root users (no tty, no password prompt: NOPASSWD required). */
export function asRoot(script: string, sudo: boolean): string {
    return sudo ? `sudo -n sh -c ${shq(script)}` : script;
}

const STATE_DIR = "/var/lib/kubeedge-ha";

/**
 * keepalived 2.2.7 `-t` exits 143, silently, whenever scripts run as a non-root user, although the
 * daemon runs such configs fine (failover-facts.md §10). So: prove the script user exists and can
 * execute every script, then test a copy whose only difference is `script_user root`.
 */
const VALIDATE_KEEPALIVED = String.raw`validate() {
  user=$(sed -n 's/^[[:space:]]*script_user[[:space:]]\{1,\}\([^[:space:]]\{1,\}\).*/\1/p' "$1" | head -n 1)
  cfg=$1
  if [ -n "$user" ] && [ "$user" != root ]; then
    id "$user" >/dev/null 2>&1 || { echo "script_user $user does not exist on $(hostname)" >&2; return 1; }
    for s in $(sed -n 's/^[[:space:]]*\(script\|notify[a-z_]*\)[[:space:]]\{1,\}"\([^" ]*\).*/\2/p' "$1"); do
      runuser -u "$user" -- test -x "$s" || { echo "script_user $user cannot execute $s" >&2; return 1; }
    done
    sed 's/^\([[:space:]]*script_user[[:space:]]\{1,\}\).*/\1root/' "$1" > "$1.root"
    cfg=$1.root
  fi
  rc=0; out=$(keepalived -t -f "$cfg" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then printf '%s\n' "$out" >&2; echo "keepalived -t exited $rc" >&2; return 1; fi
}`;

const VALIDATORS: Record<Validator, string> = {
    keepalived: VALIDATE_KEEPALIVED,
    haproxy: String.raw`validate() {
  rc=0; out=$(haproxy -c -f "$1" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then printf '%s\n' "$out" >&2; echo "haproxy -c exited $rc" >&2; return 1; fi
}`,
    sh: `validate() { sh -n "$1"; }`,
    none: "validate() { :; }",
};

/**
 * Installs stdin as `f.path`, atomically, with owner and mode; a candidate that fails its
 * validator never replaces the live file (the daemon keeps running on the old one) and the script
 * fails with the validator's output. `contentHash` goes into the header, so a content change is an
 * update that re-runs the script, not a replacement.
 */
export function installFileScript(f: FileSpec, contentHash: string): HostScript {
    const owner = f.owner ?? "root:root";
    const create = [
        `# kubeedge-ha: file ${f.path} mode=${f.mode} owner=${owner} validate=${f.validate ?? "none"} sha256=${contentHash}`,
        "set -eu",
        `dst=${shq(f.path)}`,
        'mkdir -p "$(dirname "$dst")"',
        'tmp=$(mktemp "$dst.kha-XXXXXX")',
        `trap 'rm -f "$tmp" "$tmp.root"' EXIT`,
        'cat > "$tmp"',
        `chown ${owner} "$tmp"`,
        `chmod ${f.mode} "$tmp"`,
        'if [ -f "$dst" ] && cmp -s "$tmp" "$dst"; then',
        `  chown ${owner} "$dst"; chmod ${f.mode} "$dst"`,
        '  echo "unchanged $dst"',
        "else",
        VALIDATORS[f.validate ?? "none"].replace(/^/gm, "  "),
        '  validate "$tmp" || { echo "rejected new $dst; the live file is unchanged" >&2; exit 1; }',
        '  mv -f "$tmp" "$dst"',
        '  echo "installed $dst"',
        "fi",
        ...(f.after ? [f.after] : []),
        "",
    ].join("\n");
    const dir = f.path.slice(0, f.path.lastIndexOf("/"));
    // our own directories go when they are empty; system ones (/etc/sysctl.d ...) always stay
    const ownDir = /kubeedge-ha|\.service\.d$/.test(dir);
    const del = f.removeOnDelete === false ? undefined : [
        `# kubeedge-ha: remove ${f.path}`,
        "set -eu",
        `rm -f ${shq(f.path)}`,
        ...(ownDir ? [`rmdir --ignore-fail-on-non-empty ${shq(dir)} 2>/dev/null || true`] : []),
        "",
    ].join("\n");
    return { create, delete: del };
}

/** Package name → a command it provides (to tell whether it is installed on any distro). */
export type PackageSet = Record<string, string>;

/** Installs missing packages: apt first, then dnf, yum, zypper, apk. Never removes them on delete. */
export function packagesScript(pkgs: PackageSet): HostScript {
    const names = Object.keys(pkgs).sort();
    return {
        create: [
            `# kubeedge-ha: packages ${names.join(" ")}`,
            "set -eu",
            "missing=''",
            ...names.map((n) => `command -v ${shq(pkgs[n])} >/dev/null 2>&1 || missing="$missing ${n}"`),
            'if [ -z "$missing" ]; then echo "packages present"; exit 0; fi',
            'echo "installing:$missing"',
            "if command -v apt-get >/dev/null 2>&1; then",
            "  export DEBIAN_FRONTEND=noninteractive",
            "  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing",
            "elif command -v dnf >/dev/null 2>&1; then dnf install -y $missing",
            "elif command -v yum >/dev/null 2>&1; then yum install -y $missing",
            "elif command -v zypper >/dev/null 2>&1; then zypper --non-interactive install $missing",
            "elif command -v apk >/dev/null 2>&1; then apk add --no-cache $missing",
            'else echo "no supported package manager (apt-get, dnf, yum, zypper, apk) for:$missing" >&2; exit 1; fi',
            "",
        ].join("\n"),
    };
}

/** Creates an unprivileged system user when missing; delete removes it only if we created it. */
export function systemUserScript(user: string): HostScript {
    const marker = `${STATE_DIR}/created-user-${user}`;
    return {
        create: [
            `# kubeedge-ha: user ${user}`,
            "set -eu",
            `if id ${shq(user)} >/dev/null 2>&1; then echo "user ${user} present"; exit 0; fi`,
            `nologin=$(command -v nologin || echo /bin/false)`,
            `useradd --system --no-create-home --home-dir /nonexistent --shell "$nologin" ${shq(user)}`,
            `mkdir -p ${STATE_DIR} && touch ${shq(marker)}`,
            `echo "created user ${user}"`,
            "",
        ].join("\n"),
        delete: [
            `# kubeedge-ha: remove user ${user}`,
            "set -u",
            `[ -f ${shq(marker)} ] || exit 0`,
            // check scripts of a just-stopped keepalived may still run as the user: retry, bounded
            "i=0",
            `until userdel ${shq(user)} 2>/dev/null || ! id ${shq(user)} >/dev/null 2>&1; do`,
            "  i=$((i + 1))",
            `  if [ "$i" -ge 10 ]; then`,
            `    held=$(ps -o pid=,comm= -u ${shq(user)} 2>/dev/null | head -n 3 | tr -s ' \\n' ' ')`,
            `    echo "warning: user ${user} is still in use; left in place (processes: \${held:-unknown})" >&2; exit 0`,
            "  fi",
            "  sleep 0.5",
            "done",
            `rm -f ${shq(marker)}`,
            `rmdir --ignore-fail-on-non-empty ${STATE_DIR} 2>/dev/null || true`,
            "",
        ].join("\n"),
    };
}

/** What the host layer knows about a daemon it manages. */
export interface ServiceSpec {
    /** Service (unit / init script) name. */
    name: string;
    /** Pidfile of the main process without systemd (Debian init scripts). */
    pidfile: string;
    /** Pidfiles of the daemon's child processes, cleared before a supervised restart. */
    childPidfiles?: string[];
    /** Seconds the supervisor waits after a crash before it restarts the daemon. Defaults to 0. */
    restartDelaySeconds?: number;
    /** Reload command without systemd; must be hitless and validate first. */
    reload: string;
    /** Install restart-on-crash supervision (systemd drop-in or our supervisor). */
    supervise: boolean;
}

export const KEEPALIVED: ServiceSpec = {
    name: "keepalived",
    pidfile: "/run/keepalived.pid",
    childPidfiles: ["/run/vrrp.pid", "/run/checkers.pid", "/run/bfd.pid"],
    // Debian's init script sends SIGHUP: keepalived re-reads its config and keeps VRRP state.
    reload: "service keepalived reload",
    supervise: true,
};

export const HAPROXY: ServiceSpec = {
    name: "haproxy",
    pidfile: "/run/haproxy.pid",
    // Debian's init script reloads with a legacy `-sf` restart that drops connections; with
    // `master-worker` in haproxy.cfg, SIGUSR2 to the master reloads hitlessly.
    reload: 'haproxy -c -q -f /etc/haproxy/haproxy.cfg && kill -USR2 "$(cat /run/haproxy.pid)"',
    supervise: false, // Debian's haproxy.service already has Restart=always
};

export const SUPERVISOR_PATH = "/usr/local/lib/kubeedge-ha/supervise";

/**
 * Restart-on-crash for hosts without systemd as PID 1: `supervise SERVICE DELAY PIDFILE [CHILD_PIDFILE...]`.
 * A restart is owed when the pidfile names a dead process (a crash or SIGKILL) — never after a clean
 * stop, where the daemon removes its pidfile — and stays owed until the pidfile names a live process of
 * that service: start is retried each interval. Before a start, leftover processes of the service named
 * by the child pidfiles are stopped and every pidfile is removed (keepalived refuses to start while
 * /run/vrrp.pid or /run/checkers.pid names a live process, and a reused PID would block it for good).
 * keepalived killed with SIGKILL leaves its VIP behind as a duplicate address until it starts again
 * (failover-facts.md §11). The restart waits DELAY seconds: for keepalived one master-down interval, so
 * the backup takes the VIP first and the restart ends a short duplicate — restarting sooner made the
 * restarted BACKUP drop the VIP before anyone held it (lab drill 2: ~1.6 s with no holder).
 */
export function supervisorScript(): string {
    return [
        "#!/bin/sh",
        "# kubeedge-ha supervisor: supervise SERVICE DELAY PIDFILE [CHILD_PIDFILE...]. Managed by Pulumi.",
        'svc=$1; delay=$2; pidfile=$3; shift 3',
        "# a live process of this service (not just any process that reused the PID)",
        'ours() { [ -s "$1" ] && p=$(cat "$1") && kill -0 "$p" 2>/dev/null && tr "\\0" " " < "/proc/$p/cmdline" 2>/dev/null | grep -q "$svc"; }',
        "owed=0",
        "while :; do",
        '  if [ -s "$pidfile" ] && ! ours "$pidfile"; then',
        '    owed=1; left=$delay; rm -f "$pidfile"',
        '    echo "$(date -u +%FT%TZ) $svc died; restarting in ${delay}s" >&2',
        "  fi",
        '  if [ "$owed" = 1 ]; then',
        '    if ours "$pidfile"; then owed=0',
        '    elif [ "$left" -gt 0 ]; then left=$((left - 1))',
        "    else",
        '      for f in "$@"; do if ours "$f"; then kill "$(cat "$f")" 2>/dev/null; fi; done',
        '      rm -f "$pidfile" "$@"',
        '      service "$svc" start >&2 || true',
        "    fi",
        "  fi",
        "  sleep 1",
        "done",
        "",
    ].join("\n");
}

/** systemd drop-in: Debian's keepalived.service has no Restart=. */
export function restartDropIn(): string {
    return "# Managed by kubeedge-ha (Pulumi).\n[Service]\nRestart=always\nRestartSec=1s\n";
}

export function dropInPath(service: string): string {
    return `/etc/systemd/system/${service}.service.d/10-kubeedge-ha.conf`;
}

/** After the drop-in lands: make systemd see it (no-op without systemd). */
export const DAEMON_RELOAD = "if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi";

/**
 * Shell test: the service's main process is alive, by its pidfile. Not `service X status`: Debian's
 * /etc/init.d/keepalived has no status action, so that reads "stopped" for a running daemon (and a
 * reload became a no-op `start`, found by the lab drills).
 */
function alive(s: ServiceSpec): string {
    return `{ [ -s ${s.pidfile} ] && kill -0 "$(cat ${s.pidfile})" 2>/dev/null; }`;
}

/**
 * Enables and starts a service (systemd, else the init script) and, without systemd, our
 * supervisor. Delete stops the supervisor, and the service if this script started it.
 */
export function serviceScript(s: ServiceSpec): HostScript {
    const marker = `${STATE_DIR}/started-${s.name}`;
    const supPid = `/run/kubeedge-ha-supervise-${s.name}.pid`;
    return {
        create: [
            `# kubeedge-ha: service ${s.name}`,
            "set -eu",
            `mkdir -p ${STATE_DIR}`,
            "if [ -d /run/systemd/system ]; then",
            `  systemctl enable ${s.name}`,
            `  if ! systemctl is-active --quiet ${s.name}; then systemctl start ${s.name}; touch ${marker}; fi`,
            "else",
            `  if ! ${alive(s)}; then service ${s.name} start; touch ${marker}; fi`,
            ...(s.supervise ? [
                `  if ! { [ -s ${supPid} ] && kill -0 "$(cat ${supPid})" 2>/dev/null; }; then`,
                `    start-stop-daemon --start --background --make-pidfile --pidfile ${supPid} --output /var/log/kubeedge-ha-supervise-${s.name}.log --startas ${SUPERVISOR_PATH} -- ${[s.name, s.restartDelaySeconds ?? 0, s.pidfile, ...(s.childPidfiles ?? [])].join(" ")}`,
                "  fi",
            ] : []),
            "fi",
            `echo "${s.name} running"`,
            "",
        ].join("\n"),
        delete: [
            `# kubeedge-ha: stop ${s.name}`,
            "set -u",
            ...(s.supervise ? [
                `if [ -s ${supPid} ]; then kill "$(cat ${supPid})" 2>/dev/null || true; rm -f ${supPid}; fi`,
            ] : []),
            `if [ -f ${marker} ]; then`,
            `  if [ -d /run/systemd/system ]; then systemctl disable --now ${s.name} || true; else service ${s.name} stop || true; fi`,
            `  rm -f ${marker}`,
            "fi",
            `rmdir --ignore-fail-on-non-empty ${STATE_DIR} 2>/dev/null || true`,
            "exit 0",
            "",
        ].join("\n"),
    };
}

/** Reloads (never restarts) a running service after its config changed; starts it if stopped. */
export function reloadScript(s: ServiceSpec, configHash: string): HostScript {
    return {
        create: [
            `# kubeedge-ha: reload ${s.name} config=${configHash}`,
            "set -eu",
            "if [ -d /run/systemd/system ]; then",
            `  if systemctl is-active --quiet ${s.name}; then systemctl reload ${s.name}; else systemctl start ${s.name}; fi`,
            `elif ${alive(s)}; then`,
            `  ${s.reload}`,
            "else",
            `  service ${s.name} start`,
            "fi",
            `echo "${s.name} reloaded"`,
            "",
        ].join("\n"),
    };
}

/** Applies a sysctl drop-in (never `sysctl --system`, which re-applies every other file too). */
export const SYSCTL_APPLY = 'sysctl -p "$dst"';

export function sysctlFile(settings: Record<string, string>): string {
    return "# Managed by kubeedge-ha (Pulumi).\n" +
        Object.keys(settings).sort().map((k) => `${k} = ${settings[k]}\n`).join("");
}

export function modulesFile(modules: string[]): string {
    return "# Managed by kubeedge-ha (Pulumi).\n" + modules.map((m) => `${m}\n`).join("");
}

/**
 * Loads kernel modules now (the drop-in loads them at boot). When `required` is false a module the
 * kernel lacks is reported on stderr and skipped, so an apply on a kernel without it still works.
 */
export function modprobeAfter(modules: string[], required: boolean): string {
    return [
        `for m in ${modules.join(" ")}; do`,
        '  if modprobe "$m" 2>/dev/null; then echo "loaded $m";',
        required
            ? '  else echo "modprobe $m failed: this kernel lacks it" >&2; exit 1; fi'
            : '  else echo "warning: modprobe $m failed: this kernel lacks it (persisted for boot, not loaded)" >&2; fi',
        "done",
    ].join("\n");
}
