/**
 * The Pulumi mock runtime for component tests: every registration is recorded. Import this module
 * before any component (setMocks must run first); call `reset()` in beforeEach.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { unwrap } from "../../render/record";

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
    secrets: string[];
    provider?: string;
}

export const registered: Registered[] = [];

pulumi.runtime.setMocks({
    newResource(args) {
        const inputs: Record<string, any> = {};
        const secrets: string[] = [];
        for (const k of Object.keys(args.inputs)) {
            const u = unwrap(args.inputs[k]);
            inputs[k] = u.value;
            if (u.secret) secrets.push(k);
        }
        registered.push({ type: args.type, name: args.name, inputs, secrets, provider: args.provider });
        const state: Record<string, any> = { ...args.inputs };
        if (args.type === "random:index/randomPassword:RandomPassword") state.result = "Pw3xAmpl".padEnd(args.inputs.length, "x");
        return { id: `${args.name}-id`, state };
    },
    call(args) {
        throw new Error(`unexpected invoke ${args.token}`);
    },
}, "kubeedge-ha", "test", false);

export function reset(): void {
    registered.length = 0;
}

/** The value of an Output (assert outside the callback). */
export function value<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => { resolve(v); return v; }));
}

export async function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
    return (o as any).isSecret;
}

/** Waits until the registrations settle (count stable over a few ticks), bounded. */
export async function settle(ms = 5000): Promise<Registered[]> {
    const deadline = Date.now() + ms;
    let last = -1;
    let stable = 0;
    while (Date.now() < deadline && stable < 5) {
        await new Promise((r) => setTimeout(r, 10));
        stable = registered.length === last ? stable + 1 : 0;
        last = registered.length;
    }
    return registered;
}

export const commands = () => registered.filter((r) => r.type === "command:remote:Command");
export const byName = (name: string) => registered.find((r) => r.name === name);

/** A bad input: what it is, how to break valid args, and the message expected. */
export type BadInput<A> = [string, (args: A) => void, RegExp];

/**
 * One test per bad input: constructing the component throws a pulumi.ResourceError that starts with
 * the component name and matches the pattern, and nothing but the component itself was registered.
 */
export function itRejects<A>(name: string, cases: BadInput<A>[], valid: () => A, build: (name: string, args: A) => unknown): void {
    for (const [what, mutate, pattern] of cases) {
        it(`rejects ${what} at evaluation, before any child exists`, async () => {
            const args = valid();
            mutate(args);
            assert.throws(() => build(name, args), (e: Error) => {
                assert.ok(e instanceof pulumi.ResourceError, `expected ResourceError, got ${e}`);
                assert.ok(e.message.startsWith(`${name}: `), e.message);
                assert.match(e.message, pattern);
                return true;
            });
            await settle(200);
            assert.deepEqual(registered.filter((r) => r.name !== name).map((r) => r.name), []);
        });
    }
}
