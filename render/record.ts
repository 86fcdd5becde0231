/**
 * Runs the Pulumi program in-process under the official mock runtime and records every resource:
 * type, name, parent, explicit dependencies and inputs (secrets marked). No CLI, no cloud, no
 * cluster, no host is touched. Used by the offline render (`npm start`) and by the lab's apply.
 *
 * One recording per process: the Pulumi runtime is process-global.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "kubeedge-ha";

export interface RecordedResource {
    type: string;
    name: string;
    /** `type::name` of the parent, or undefined for children of the stack. */
    parent?: string;
    /** `type::name` of explicit `dependsOn` resources. */
    dependsOn: string[];
    custom: boolean;
    /** Inputs as the provider would receive them, secrets unwrapped. */
    inputs: Record<string, any>;
    /** Top-level input names that were secret. */
    secretInputs: string[];
}

export interface Recording {
    stack: string;
    resources: RecordedResource[];
    outputs: Record<string, any>;
    secretOutputs: string[];
    /** RandomPassword values by resource name (generated ones included), for a later apply to reuse. */
    randomValues: Record<string, string>;
}

export interface RecordOptions {
    stack: string;
    /** Stack config as in Pulumi.<stack>.yaml's `config:` (keys with or without the project prefix). */
    config: Record<string, unknown>;
    /** Config keys to mark secret (e.g. those that were `secure:` in the file). */
    secretKeys?: string[];
    /** Value for each RandomPassword by resource name; missing ones get `dflt` (or fresh random values when dflt is undefined). */
    randomValues?: Record<string, string>;
    /** Value for RandomPasswords not in randomValues; undefined = generate. */
    randomDefault?: string;
    /** The program: returns the stack outputs. */
    program: () => Promise<Record<string, any>> | Record<string, any>;
    /** Bound on waiting for registrations to settle. Defaults to 60 s. */
    timeoutMs?: number;
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** Removes the mock runtime's secret wrappers; reports whether any were found. */
export function unwrap(v: any): { value: any; secret: boolean } {
    if (v && typeof v === "object" && !Array.isArray(v)) {
        if (v[SIG] === SECRET) {
            return { value: unwrap(v.value).value, secret: true };
        }
        let secret = false;
        const out: Record<string, any> = {};
        for (const k of Object.keys(v)) {
            const u = unwrap(v[k]);
            secret = secret || u.secret;
            out[k] = u.value;
        }
        return { value: out, secret };
    }
    if (Array.isArray(v)) {
        let secret = false;
        const value = v.map((x) => {
            const u = unwrap(x);
            secret = secret || u.secret;
            return u.value;
        });
        return { value, secret };
    }
    return { value: v, secret: false };
}

const key = (type: string, name: string) => `${type}::${name}`;

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random alphanumeric string, like RandomPassword with `special: false`. */
function randomText(length: number): string {
    return [...crypto.randomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join("");
}

export async function record(o: RecordOptions): Promise<Recording> {
    const registered = new Map<string, RecordedResource>();
    const byResource = new Map<pulumi.Resource, string>();
    const mocked = new Set<string>();
    const randoms = { ...(o.randomValues ?? {}) };

    await pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const k = key(args.type, args.name);
            mocked.add(k);
            const r = registered.get(k);
            const state: Record<string, any> = { ...args.inputs };
            if (r) {
                const inputs: Record<string, any> = {};
                for (const name of Object.keys(args.inputs)) {
                    const u = unwrap(args.inputs[name]);
                    inputs[name] = u.value;
                    if (u.secret) r.secretInputs.push(name);
                }
                r.inputs = inputs;
                r.custom = args.custom !== false;
            }
            if (args.type === "random:index/randomPassword:RandomPassword") {
                randoms[args.name] ??= o.randomDefault ?? randomText(Number(args.inputs.length ?? 8));
                state.result = randoms[args.name];
            }
            if (args.type === "command:remote:Command") {
                state.stdout = "";
                state.stderr = "";
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            throw new Error(`the program made an invoke (${args.token}); the offline render supports none`);
        },
    }, PROJECT, o.stack, false);

    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.config)) {
        const full = k.includes(":") ? k : `${PROJECT}:${k}`;
        config[full] = typeof v === "string" ? v : JSON.stringify(v);
    }
    const secretKeys = (o.secretKeys ?? []).map((k) => (k.includes(":") ? k : `${PROJECT}:${k}`));
    pulumi.runtime.setAllConfig(config, secretKeys);

    let outputs: Record<string, any> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((t) => {
            const k = key(t.type, t.name);
            byResource.set(t.resource, k);
            const deps = ([] as any[]).concat(t.opts.dependsOn ?? []);
            registered.set(k, {
                type: t.type, name: t.name,
                parent: t.opts.parent ? byResource.get(t.opts.parent) : undefined,
                dependsOn: deps.map((d) => (pulumi.Resource.isInstance(d) ? byResource.get(d) : undefined))
                    .filter((d): d is string => d !== undefined),
                custom: true, inputs: {}, secretInputs: [],
            });
            return undefined;
        });
        outputs = await o.program();
        return outputs;
    });

    const resolved: Record<string, any> = {};
    const secretOutputs: string[] = [];
    for (const [name, value] of Object.entries(outputs ?? {})) {
        const out = pulumi.output(value);
        resolved[name] = await (out as any).promise();
        if (await (out as any).isSecret) secretOutputs.push(name);
    }
    // every registration must reach the mock monitor before the recording is complete
    const deadline = Date.now() + (o.timeoutMs ?? 60000);
    while ([...registered.keys()].some((k) => !mocked.has(k))) {
        if (Date.now() > deadline) {
            const missing = [...registered.keys()].filter((k) => !mocked.has(k));
            throw new Error(`registrations did not settle: ${missing.slice(0, 5).join(", ")}`);
        }
        await new Promise((r) => setTimeout(r, 10));
    }
    return { stack: o.stack, resources: [...registered.values()], outputs: resolved, secretOutputs, randomValues: randoms };
}
