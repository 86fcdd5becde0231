/**
 * The Pulumi program: stack config → components → stack outputs. `index.ts` runs it under the
 * Pulumi CLI; the offline render and the lab run it under the mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CloudCoreHA } from "../components/cloudCoreHA";
import { LoadBalancedApiserver } from "../components/loadBalancedApiserver";
import { loadStackConfig } from "./config";

export function program(): Record<string, pulumi.Input<any>> {
    const cfg = new pulumi.Config();
    const stack = loadStackConfig(cfg);
    const outputs: Record<string, pulumi.Input<any>> = {};

    if (stack.apiserver) {
        const api = new LoadBalancedApiserver("apiserver", stack.apiserver);
        Object.assign(outputs, {
            apiserverEndpoint: api.endpoint,
            kubeconfigServer: api.kubeconfigServer,
            controlPlaneEndpoint: api.controlPlaneEndpoint,
            apiserverVip: api.keepalived.vips,
            haproxyStatsUrl: api.statsUrl,
            haproxyStatsPassword: api.statsPassword,
        });
    }
    if (stack.cloudcore) {
        // An explicit provider when the stack names a kubeconfig; otherwise the default provider
        // (kubernetes:kubeconfig / KUBECONFIG / ~/.kube/config).
        const provider = cfg.get("kubeconfig") ? new k8s.Provider("k8s", { kubeconfig: cfg.requireSecret("kubeconfig") }) : undefined;
        const cc = new CloudCoreHA("cloudcore", stack.cloudcore, provider ? { providers: { kubernetes: provider } } : undefined);
        Object.assign(outputs, {
            cloudcoreVip: cc.vip,
            cloudhubEndpoint: cc.cloudhubEndpoint,
            cloudcoreHttpsEndpoint: cc.httpsEndpoint,
            keadmJoin: cc.keadmJoin,
        });
    }
    return outputs;
}
