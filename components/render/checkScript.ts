/** The health-check and notify scripts keepalived runs: typed settings in, script text out. */
import type { ResolvedCheck } from "./keepalived";

/**
 * A check script: runs the probe `samples` times, evenly spread over one interval, and fails on
 * the first failed probe. keepalived 2.2.7 starts scripts at most once a second; sampling inside
 * the run shortens the time to notice a dead service from up to 1 s to up to 1/samples s.
 * The last probe starts at (samples-1)/samples of the interval, so a run ends before the next.
 */
export function renderCheckScript(c: ResolvedCheck): string {
    const spacing = Math.round((c.interval / c.samples) * 1000) / 1000;
    return [
        "#!/bin/sh",
        `# kubeedge-ha health check "${c.name}": exit 0 = healthy. Managed by Pulumi.`,
        `# ${c.samples} probe(s) ${spacing}s apart per run; keepalived: interval ${c.interval}s, fall ${c.fall}, rise ${c.rise}, weight ${c.weight}.`,
        "probe() {",
        c.probe.trimEnd(),
        "}",
        "i=0",
        `while [ "$i" -lt ${c.samples} ]; do`,
        `  [ "$i" -eq 0 ] || sleep ${spacing}`,
        "  probe >/dev/null 2>&1 || exit 1",
        "  i=$((i + 1))",
        "done",
        "exit 0",
        "",
    ].join("\n");
}

/** A notify script as given, with a shebang added when it has none. */
export function renderNotifyScript(content: string): string {
    const body = content.endsWith("\n") ? content : `${content}\n`;
    return body.startsWith("#!") ? body : `#!/bin/sh\n${body}`;
}
