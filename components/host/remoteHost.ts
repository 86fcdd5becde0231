/**
 * The host-provisioning layer every component reuses: packages, validated files, sysctl and
 * kernel-module drop-ins, users, services with supervision, and reloads, each one
 * `remote.Command` (@pulumi/command 1.2.1) over SSH, named `${prefix}-<role>`, parented to the
 * component that owns the host.
 *
 * Why one `remote.Command` with stdin per file rather than `remote.CopyToRemote`: the copy lands
 * with the login user's umask and no validation step, so a secret would sit readable and a bad
 * config would be live before anything checked it. stdin reaches a `mktemp` file (0600) that is
 * validated and renamed into place in the same command.
 */
import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import {
    DAEMON_RELOAD, FileSpec, HostScript, PackageSet, SUPERVISOR_PATH, SYSCTL_APPLY, ServiceSpec, asRoot, dropInPath,
    installFileScript, modprobeAfter, modulesFile, packagesScript, reloadScript, restartDropIn, serviceScript, sha256,
    supervisorScript, sysctlFile, systemUserScript,
} from "./scripts";

/** How to reach a host over SSH. */
export interface SshSettings {
    /** Address or DNS name SSH connects to. Required. */
    host: pulumi.Input<string>;
    /** SSH port. Defaults to 22. */
    port?: pulumi.Input<number>;
    /** Login user. Defaults to `root`; any other user runs every script through `sudo -n` (NOPASSWD, no tty). */
    user?: string;
    /** Private key (OpenSSH or PEM), kept as a Pulumi secret. Defaults to the SSH agent (`SSH_AUTH_SOCK`). */
    privateKey?: pulumi.Input<string>;
    /** Expected host key, e.g. `ssh-ed25519 AAAA...`. Defaults to none, which accepts any key: pin it in production. */
    hostKey?: pulumi.Input<string>;
    /** Failed dials before an operation fails (-1 = unlimited). Defaults to 10. */
    dialErrorLimit?: number;
}

/** A file to install; `content` may be a secret Output (it only ever travels on stdin). */
export interface HostFile extends FileSpec {
    content: pulumi.Input<string>;
    /** Content with secrets replaced, for the public hash in the script header. Defaults to `content` (must then be a plain string). */
    publicContent?: string;
}

type Deps = pulumi.Input<pulumi.Resource>[];

export class RemoteHost {
    /** `remote.ConnectionArgs` for this host; the whole object is secret (it carries the key). */
    public readonly connection: pulumi.Output<types.input.remote.ConnectionArgs>;
    private readonly sudo: boolean;

    constructor(
        /** Prefix of every resource name, `${component}-${host}`. */
        public readonly prefix: string,
        ssh: SshSettings,
        private readonly parent: pulumi.Resource,
    ) {
        this.sudo = (ssh.user ?? "root") !== "root";
        this.connection = pulumi.secret(pulumi.output({
            host: ssh.host,
            port: ssh.port ?? 22,
            user: ssh.user ?? "root",
            privateKey: ssh.privateKey,
            hostKey: ssh.hostKey,
            dialErrorLimit: ssh.dialErrorLimit ?? 10,
        })) as pulumi.Output<types.input.remote.ConnectionArgs>;
    }

    /** One remote command. `triggers` replace it (create the new, delete the old) when they change. */
    run(role: string, script: HostScript, o: { stdin?: pulumi.Input<string>; secret?: boolean; triggers?: pulumi.Input<any>[]; dependsOn?: Deps } = {}): remote.Command {
        return new remote.Command(`${this.prefix}-${role}`, {
            connection: this.connection,
            create: asRoot(script.create, this.sudo),
            delete: script.delete === undefined ? undefined : asRoot(script.delete, this.sudo),
            stdin: o.stdin,
            triggers: o.triggers,
            addPreviousOutputInEnv: false, // its env vars need sshd AcceptEnv (pulumi-command#430)
            logging: "stdoutAndStderr",
        }, {
            parent: this.parent,
            dependsOn: o.dependsOn,
            additionalSecretOutputs: o.secret ? ["stdout", "stderr"] : undefined,
        });
    }

    /**
     * Installs a file, validated before it replaces the live one. The path is the trigger (a new path
     * installs there and removes the old file); a content change is an in-place update.
     */
    file(role: string, f: HostFile, dependsOn?: Deps): remote.Command {
        const secret = f.publicContent !== undefined;
        const shown = f.publicContent ?? (f.content as string);
        return this.run(role, installFileScript(f, sha256(shown)), {
            stdin: f.content, secret, triggers: [f.path], dependsOn,
        });
    }

    packages(role: string, pkgs: PackageSet, dependsOn?: Deps): remote.Command {
        return this.run(role, packagesScript(pkgs), { dependsOn });
    }

    user(role: string, name: string, dependsOn?: Deps): remote.Command {
        return this.run(role, systemUserScript(name), { triggers: [name], dependsOn });
    }

    /** `/etc/sysctl.d/<name>.conf`, applied with `sysctl -p` on that file only. */
    sysctl(role: string, name: string, settings: Record<string, string>, dependsOn?: Deps): remote.Command {
        return this.file(role, { path: `/etc/sysctl.d/${name}.conf`, mode: "0644", content: sysctlFile(settings), after: SYSCTL_APPLY }, dependsOn);
    }

    /** `/etc/modules-load.d/<name>.conf` plus `modprobe` now. */
    modules(role: string, name: string, modules: string[], required: boolean, dependsOn?: Deps): remote.Command {
        return this.file(role, {
            path: `/etc/modules-load.d/${name}.conf`, mode: "0644", content: modulesFile(modules), after: modprobeAfter(modules, required),
        }, dependsOn);
    }

    /**
     * Enable + start `svc`, with restart-on-crash supervision where `svc.supervise` (a systemd
     * drop-in, and a supervisor script for hosts without systemd).
     */
    service(role: string, svc: ServiceSpec, dependsOn?: Deps): remote.Command {
        let deps = dependsOn ?? [];
        if (svc.supervise) {
            const dropIn = this.file(`${role}-restart`, { path: dropInPath(svc.name), mode: "0644", content: restartDropIn(), after: DAEMON_RELOAD }, deps);
            const sup = this.file(`${role}-supervisor`, { path: SUPERVISOR_PATH, mode: "0755", content: supervisorScript(), validate: "sh" }, deps);
            deps = [...deps, dropIn, sup];
        }
        return this.run(role, serviceScript(svc), { triggers: [svc.name], dependsOn: deps });
    }

    /**
     * Reloads `svc` whenever `configHash` changes (it is the trigger; a secret hash stays secret in
     * state). `publicHash` is what the script shows.
     */
    reload(role: string, svc: ServiceSpec, publicHash: string, configHash: pulumi.Input<string>, dependsOn?: Deps): remote.Command {
        return this.run(role, reloadScript(svc, publicHash), { triggers: [configHash], dependsOn });
    }
}
