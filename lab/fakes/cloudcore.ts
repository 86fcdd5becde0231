/**
 * Fake KubeEdge cloudcore: the cloudhub HTTPS server and a bare TCP listener for the websocket port.
 *
 *   node -r ts-node/register/transpile-only lab/fakes/cloudcore.ts --address 127.0.0.1 \
 *        --https-port 10002 --ws-port 10000 --cert C --key K --mode v17|leader|standby [--no-ws] [--no-https]
 *
 * HTTPS: `/ca.crt` 200 (the PEM of --cert) in every mode; `/readyz` 200 "Cloudcore is ready" in
 * `leader`, 404 "Cloudcore is not ready" in `standby` (upstream `electionHandler`, v1.3.1–v1.6) and
 * 404 "404 page not found" in `v17` (route removed in v1.7, kubeedge#3059). Other paths 404.
 * ws port: accepts TCP connections and holds them open (closed when the client goes or on exit).
 * `--no-ws` / `--no-https` leave that listener out (tests of half-dead instances).
 * Prints "listening" once every listener is bound. Certificates: `makeSelfSignedCert` from
 * `lab/fakes/apiserver.ts` (openssl CLI).
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";

export type FakeCloudCoreMode = "v17" | "leader" | "standby";

export interface FakeCloudCoreOptions {
    address: string;
    httpsPort: number;
    wsPort: number;
    cert: string;
    key: string;
    mode: FakeCloudCoreMode;
    /** Start the HTTPS server. Defaults to true. */
    https?: boolean;
    /** Start the websocket-port TCP listener. Defaults to true. */
    ws?: boolean;
}

export interface FakeCloudCore { close(): Promise<void> }

function listen(server: net.Server, port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve());
    });
}

/** Starts the fake in this process; resolves once every listener is bound. */
export async function startFakeCloudCore(o: FakeCloudCoreOptions): Promise<FakeCloudCore> {
    const servers: net.Server[] = [];
    const sockets = new Set<net.Socket>();
    const pem = fs.readFileSync(o.cert, "utf8");
    if (o.https !== false) {
        const server = https.createServer({ cert: pem, key: fs.readFileSync(o.key) }, (req, res) => {
            const url = (req.url ?? "/").split("?")[0];
            const reply = (code: number, body: string) => {
                res.writeHead(code, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
                res.end(body);
            };
            if (req.method === "GET" && url === "/ca.crt") return reply(200, pem);
            if (req.method === "GET" && url === "/readyz" && o.mode === "leader") return reply(200, "Cloudcore is ready");
            if (req.method === "GET" && url === "/readyz" && o.mode === "standby") return reply(404, "Cloudcore is not ready");
            return reply(404, "404 page not found\n");
        });
        await listen(server, o.httpsPort, o.address);
        servers.push(server);
    }
    if (o.ws !== false) {
        const server = net.createServer((s) => {
            sockets.add(s);
            s.on("error", () => { /* client went away */ });
            s.on("close", () => sockets.delete(s));
            s.resume(); // read and drop whatever the client sends
        });
        await listen(server, o.wsPort, o.address);
        servers.push(server);
    }
    return {
        close: async () => {
            for (const s of sockets) s.destroy();
            await Promise.all(servers.map((s) => new Promise<void>((r) => {
                (s as https.Server).closeAllConnections?.();
                s.close(() => r());
            })));
        },
    };
}

function parseArgs(argv: string[]): FakeCloudCoreOptions {
    const a: Record<string, string> = {};
    const flags = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const k = argv[i];
        if (k === "--no-ws" || k === "--no-https") { flags.add(k); continue; }
        if (!k.startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad argument ${k}`);
        a[k.slice(2)] = argv[++i];
    }
    const mode = a.mode ?? "v17";
    if (!a.cert || !a.key || !["v17", "leader", "standby"].includes(mode)) {
        throw new Error("usage: --address A --https-port P --ws-port P --cert C --key K --mode v17|leader|standby [--no-ws] [--no-https]");
    }
    return {
        address: a.address ?? "127.0.0.1", httpsPort: Number(a["https-port"] ?? 10002), wsPort: Number(a["ws-port"] ?? 10000),
        cert: a.cert, key: a.key, mode: mode as FakeCloudCoreMode, https: !flags.has("--no-https"), ws: !flags.has("--no-ws"),
    };
}

if (require.main === module) {
    const o = parseArgs(process.argv.slice(2));
    startFakeCloudCore(o).then(() => {
        process.stdout.write("listening\n");
        process.on("SIGTERM", () => process.exit(0));
        process.on("SIGINT", () => process.exit(0));
    }, (e: Error) => { process.stderr.write(`fake cloudcore: ${e.message}\n`); process.exit(1); });
}
