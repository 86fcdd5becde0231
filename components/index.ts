// kubeedge-ha: the component library. `import { KeepalivedPair } from "kubeedge-ha"`.
export { KeepalivedPair, KeepalivedPairArgs, KeepalivedHostArgs } from "./keepalivedPair";
export { LoadBalancedApiserver, LoadBalancedApiserverArgs, ApiserverVrrpSettings, haproxyProbe } from "./loadBalancedApiserver";
export { CloudCoreHA, CloudCoreHAArgs, CloudCoreNodeArgs, CloudCoreVrrpSettings } from "./cloudCoreHA";
export { SshSettings } from "./host/remoteHost";
export {
    VrrpGroupSettings, VrrpNodeSettings, VipSettings, VrrpCheckSettings, VrrpNotifySettings, GarpSettings,
    VirtualServerSettings, RealServerSettings,
} from "./render/keepalived";
export { HaproxySettings, HaproxyMaster } from "./render/haproxy";
export { CloudCoreSettings, CloudCoreResources, CloudCoreNodePorts } from "./render/cloudcore";
export { CloudCoreProbeOptions } from "./render/cloudcoreCheck";
export { InputError } from "./render/errors";
