/**
 * Validation errors raised by the pure renderers and settings resolvers.
 *
 * Renderers know nothing about Pulumi; components catch an {@link InputError} and rethrow it as a
 * `pulumi.ResourceError` attached to themselves (see `components/validate.ts`).
 */
export class InputError extends Error {
    constructor(
        /** Dotted path of the offending field, e.g. `hosts[1].priority`. */
        public readonly field: string,
        /** The value that was rejected. */
        public readonly value: unknown,
        /** Why it was rejected, in words a user can act on. */
        public readonly reason: string,
    ) {
        super(`${field}: ${reason} (got ${show(value)})`);
        this.name = "InputError";
    }
}

/** Renders a rejected value for an error message: strings quoted, objects as JSON, long values cut. */
export function show(value: unknown): string {
    let text: string;
    if (value === undefined) text = "undefined";
    else if (typeof value === "string") text = JSON.stringify(value);
    else {
        try {
            text = JSON.stringify(value) ?? String(value);
        } catch {
            text = String(value);
        }
    }
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Throws an {@link InputError}. */
export function fail(field: string, value: unknown, reason: string): never {
    throw new InputError(field, value, reason);
}

/** Throws an {@link InputError} unless `ok`. */
export function check(ok: boolean, field: string, value: unknown, reason: string): void {
    if (!ok) fail(field, value, reason);
}

/** An integer in [min, max], or the default when undefined. */
export function intIn(field: string, value: unknown, min: number, max: number, dflt?: number): number {
    if (value === undefined && dflt !== undefined) return dflt;
    check(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max,
        field, value, `must be an integer from ${min} to ${max}`);
    return value as number;
}

/** A TCP/UDP port number, or the default when undefined. */
export function port(field: string, value: unknown, dflt?: number): number {
    return intIn(field, value, 1, 65535, dflt);
}

/** A non-empty string matching `pattern`, or the default when undefined. */
export function text(field: string, value: unknown, pattern: RegExp, what: string, dflt?: string): string {
    if (value === undefined && dflt !== undefined) return dflt;
    check(typeof value === "string" && pattern.test(value), field, value, `must be ${what}`);
    return value as string;
}

/** Names used in file names, service names, keepalived identifiers and Pulumi resource names. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** Linux network interface names (IFNAMSIZ 16, no slash or blank), optionally with a VLAN dot. */
export const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,14}$/;
/** Absolute paths without characters that need shell or keepalived.conf quoting. */
export const ABS_PATH = /^\/[A-Za-z0-9_./-]*$/;

/** Throws when `values` has a duplicate; `key` picks what must be unique. */
export function unique<T>(field: string, values: T[], key: (v: T) => string, what: string): void {
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
        const k = key(v);
        const j = seen.get(k);
        if (j !== undefined) fail(`${field}[${i}]`, k, `duplicate ${what}: already used by ${field}[${j}]`);
        seen.set(k, i);
    });
}
