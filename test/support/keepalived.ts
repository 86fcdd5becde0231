/** Runs the host layer's own install + validation script for a rendered keepalived.conf on a scratch host. */
import { renderCheckScript, renderNotifyScript } from "../../components/render/checkScript";
import { KEEPALIVED_CONF, ResolvedVrrpGroup, renderKeepalivedConf } from "../../components/render/keepalived";
import { installFileScript, sha256, systemUserScript } from "../../components/host/scripts";
import { RunResult, runOnScratchHost } from "./scratchHost";

/** Writes a file from a quoted heredoc (test setup only; the product installs files via stdin). */
export function heredoc(path: string, content: string, mode: string): string {
    return `mkdir -p "$(dirname ${path})"\ncat > ${path} <<'KHA_EOF'\n${content}KHA_EOF\nchmod ${mode} ${path}\n`;
}

/** Every interface the member's config names. */
export function interfacesOf(g: ResolvedVrrpGroup, index: number): string[] {
    const names = [g.nodes[index].interface, ...g.trackInterfaces, ...g.vips.map((v) => v.device).filter((d): d is string => !!d)];
    return [...new Set(names)];
}

/**
 * Installs member `index`'s keepalived.conf the way a host would: script user, check and notify
 * scripts, then the validated install of the config itself. `conf` overrides the rendered text.
 */
export function installOnScratchHost(g: ResolvedVrrpGroup, index: number, o: { pass?: string; conf?: string; before?: string } = {}): RunResult {
    const conf = o.conf ?? renderKeepalivedConf(g, index, o.pass);
    const setup = [
        systemUserScript(g.scriptUser).create,
        ...g.checks.map((c) => heredoc(c.path, renderCheckScript(c), "0755")),
        ...g.notify.map((n) => heredoc(n.path, renderNotifyScript(n.content), "0755")),
        o.before ?? "",
    ].join("\n");
    const install = installFileScript({ path: KEEPALIVED_CONF, mode: "0600", validate: "keepalived" }, sha256(conf)).create;
    const report = `echo "live: $(sha256sum ${KEEPALIVED_CONF} 2>/dev/null | cut -d' ' -f1)"; echo "mode: $(stat -c %a ${KEEPALIVED_CONF} 2>/dev/null)"`;
    return runOnScratchHost(`${setup}\nrc=0\n( ${install} ) || rc=$?\n${report}\nexit $rc\n`, { interfaces: interfacesOf(g, index), stdin: conf });
}
