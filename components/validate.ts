import * as pulumi from "@pulumi/pulumi";
import { InputError } from "./render/errors";

/**
 * Runs a pure resolver and turns its InputError into a `pulumi.ResourceError` attached to the
 * component, so a bad input fails program evaluation before any child (host or cluster) is touched.
 */
export function validated<T>(resource: pulumi.Resource, name: string, resolve: () => T): T {
    try {
        return resolve();
    } catch (e) {
        if (e instanceof InputError) throw new pulumi.ResourceError(`${name}: ${e.message}`, resource);
        throw e;
    }
}
