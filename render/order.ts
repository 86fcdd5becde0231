/** Apply order of recorded resources: dependencies first, otherwise registration order. */
import type { RecordedResource } from "./record";

export const keyOf = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

/**
 * Topological order over explicit `dependsOn`, where depending on a component means depending on
 * every resource below it (as the engine does). Throws on a cycle.
 */
export function applyOrder(resources: RecordedResource[]): RecordedResource[] {
    const byKey = new Map(resources.map((r) => [keyOf(r), r]));
    const children = new Map<string, string[]>();
    for (const r of resources) {
        if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), keyOf(r)]);
    }
    const leaves = (k: string, seen = new Set<string>()): string[] => {
        if (seen.has(k)) return [];
        seen.add(k);
        const r = byKey.get(k);
        const own = r && r.custom ? [k] : [];
        return [...own, ...(children.get(k) ?? []).flatMap((c) => leaves(c, seen))];
    };
    const deps = new Map<string, Set<string>>();
    for (const r of resources) {
        deps.set(keyOf(r), new Set(r.dependsOn.flatMap((d) => leaves(d)).filter((d) => d !== keyOf(r))));
    }
    const done = new Set<string>();
    const out: RecordedResource[] = [];
    const visiting = new Set<string>();
    const visit = (k: string) => {
        if (done.has(k)) return;
        if (visiting.has(k)) throw new Error(`dependency cycle through ${k}`);
        visiting.add(k);
        for (const d of deps.get(k) ?? []) if (byKey.has(d)) visit(d);
        visiting.delete(k);
        done.add(k);
        out.push(byKey.get(k)!);
    };
    for (const r of resources) visit(keyOf(r));
    return out;
}
