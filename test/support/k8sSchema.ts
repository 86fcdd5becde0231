/**
 * Schema validation of rendered Kubernetes objects with kubernetes-models 5.1.0.
 *
 * Schema version: Kubernetes v1.36 OpenAPI (kubernetes-models CHANGELOG 5.0.0: "Update to Kubernetes
 * v1.36.0"; the 5.1.0 README badge still says 1.27.1 but is stale — the package ships v1.34+ types
 * such as PodCertificateProjection and PodSchedulingGroup). The schemas check types, required fields
 * and enums; like the OpenAPI spec they do not reject unknown fields.
 *
 * kubernetes-models is ESM-only with "import"-only exports, so the class files are loaded by absolute
 * path through require(esm) (Node ≥ 20.19 / 22.12).
 */
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..", "node_modules", "kubernetes-models");

/** apiVersion/kind → class file under kubernetes-models. */
const CLASSES: Record<string, string> = {
    "v1/Namespace": "v1/Namespace",
    "v1/Node": "v1/Node",
    "v1/ServiceAccount": "v1/ServiceAccount",
    "v1/ConfigMap": "v1/ConfigMap",
    "v1/Service": "v1/Service",
    "v1/Secret": "v1/Secret",
    "apps/v1/Deployment": "apps/v1/Deployment",
    "apps/v1/DaemonSet": "apps/v1/DaemonSet",
    "rbac.authorization.k8s.io/v1/ClusterRole": "rbac.authorization.k8s.io/v1/ClusterRole",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1/Role": "rbac.authorization.k8s.io/v1/Role",
    "rbac.authorization.k8s.io/v1/RoleBinding": "rbac.authorization.k8s.io/v1/RoleBinding",
};

type ModelClass = new (data: unknown) => { validate(): void };

function modelClass(apiVersion: string, kind: string): ModelClass | undefined {
    const file = CLASSES[`${apiVersion}/${kind}`];
    if (!file) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(ROOT, `${file}.js`)) as Record<string, ModelClass>;
    return mod[kind];
}

/** Validates one object against its kind's schema; returns the errors (empty = valid). */
export function validateManifest(obj: unknown): string[] {
    if (typeof obj !== "object" || obj === null) return ["not an object"];
    const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== "string" || typeof kind !== "string") return ["apiVersion and kind must be strings"];
    const Model = modelClass(apiVersion, kind);
    if (!Model) return [`no schema mapped for ${apiVersion} ${kind}`];
    try {
        new Model(obj).validate();
        return [];
    } catch (e) {
        const errors = (e as { errors?: { instancePath?: string; message?: string }[] }).errors;
        if (Array.isArray(errors)) return errors.map((x) => `${kind} ${x.instancePath || "/"} ${x.message ?? "invalid"}`);
        return [`${kind}: ${(e as Error).message}`];
    }
}
