/**
 * Turns a recording into the reviewable tree `rendered/<stack>/`: per host the exact files and
 * scripts, Kubernetes objects as YAML, the resource plan and the stack outputs. Deterministic.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { applyOrder } from "./order";
import type { RecordedResource, Recording } from "./record";

export const COMMAND = "command:remote:Command";
export const SECRET_TEXT = "[secret]";

const FILE_HEADER = /^# kubeedge-ha: file (\S+) /;

/** The connection host of a remote command. */
export function hostOf(r: RecordedResource): string {
    return String(r.inputs.connection?.host ?? "unknown-host");
}

/** Path a `file` script installs, from its header line. */
export function installedPath(script: string): string | undefined {
    const body = script.startsWith("sudo -n sh -c ") ? script.slice(15) : script;
    return FILE_HEADER.exec(body)?.[1];
}

const yaml = (v: unknown) => YAML.stringify(v, { sortMapEntries: true, lineWidth: 0 });

function redactOutputs(rec: Recording): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(rec.outputs).sort()) out[k] = rec.secretOutputs.includes(k) ? SECRET_TEXT : rec.outputs[k];
    return out;
}

/** The k8s object as it would be sent, without provider-only fields. */
function k8sObject(r: RecordedResource): Record<string, unknown> {
    const { apiVersion, kind, metadata, ...rest } = r.inputs;
    return { apiVersion, kind, metadata, ...rest };
}

/** Every file under `dir` as relative path → content (for writing and for staleness checks). */
export function renderTree(rec: Recording): Map<string, string> {
    const files = new Map<string, string>();
    const ordered = applyOrder(rec.resources);
    files.set("plan.yaml", yaml({
        stack: rec.stack,
        resources: ordered.map((r) => ({
            type: r.type, name: r.name, parent: r.parent, dependsOn: r.dependsOn.length ? r.dependsOn : undefined,
            secretInputs: r.secretInputs.length ? r.secretInputs : undefined,
        })),
    }));
    files.set("outputs.yaml", yaml(redactOutputs(rec)));
    const step = new Map<string, number>();
    for (const r of ordered) {
        if (r.type === COMMAND) {
            const host = hostOf(r);
            const n = (step.get(host) ?? 0) + 1;
            step.set(host, n);
            const base = `hosts/${host}/scripts/${String(n).padStart(2, "0")}-${r.name}`;
            files.set(`${base}.sh`, r.inputs.create ?? "");
            if (r.inputs.delete) files.set(`${base}.delete.sh`, r.inputs.delete);
            const target = installedPath(r.inputs.create ?? "");
            if (target && typeof r.inputs.stdin === "string") files.set(`hosts/${host}/files${target}`, r.inputs.stdin);
        } else if (r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:yaml") && r.type !== "pulumi:providers:kubernetes") {
            const obj = k8sObject(r);
            const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
            const kind = String(obj.kind ?? r.type.split(":").pop());
            const name = [kind.toLowerCase(), meta.namespace, meta.name ?? r.name].filter(Boolean).join("-");
            files.set(`kubernetes/${name}.yaml`, yaml(r.secretInputs.length ? { ...obj, data: SECRET_TEXT } : obj));
        }
    }
    return files;
}

/** Replaces `outDir` with the rendered tree, atomically enough: written aside, then renamed. */
export function writeTree(outDir: string, files: Map<string, string>): void {
    const tmp = `${outDir.replace(/\/+$/, "")}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const [rel, content] of [...files.entries()].sort()) {
        const p = path.join(tmp, rel);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, content);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(path.resolve(outDir)), { recursive: true });
    fs.renameSync(tmp, outDir);
}

