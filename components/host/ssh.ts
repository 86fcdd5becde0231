/** Validation of SSH settings that are known at evaluation time. */
import { check, intIn } from "../render/errors";
import type { SshSettings } from "./remoteHost";

const USER = /^[a-z_][a-z0-9_.-]{0,31}$/;
const HOST = /^[A-Za-z0-9.:_-]{1,253}$/;

export function checkSsh(field: string, ssh: SshSettings | undefined): void {
    check(typeof ssh === "object" && ssh !== null, field, ssh, "SSH settings ({host, user, privateKey, ...}) are required");
    const s = ssh as SshSettings;
    check(s.host !== undefined && s.host !== "", `${field}.host`, s.host, "must be the address or DNS name to SSH to");
    if (typeof s.host === "string") check(HOST.test(s.host), `${field}.host`, s.host, "must be an address or DNS name");
    if (typeof s.port === "number" || s.port === undefined) intIn(`${field}.port`, s.port, 1, 65535, 22);
    if (s.user !== undefined) check(USER.test(s.user), `${field}.user`, s.user, "must be a Unix user name");
    if (typeof s.hostKey === "string") {
        check(/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-\S+) [A-Za-z0-9+/=]+( .*)?$/.test(s.hostKey),
            `${field}.hostKey`, s.hostKey, 'must be a public host key such as "ssh-ed25519 AAAA..."');
    }
    if (s.dialErrorLimit !== undefined) {
        check(Number.isInteger(s.dialErrorLimit) && (s.dialErrorLimit === -1 || s.dialErrorLimit >= 1),
            `${field}.dialErrorLimit`, s.dialErrorLimit, "must be -1 (unlimited) or a positive integer");
    }
}
