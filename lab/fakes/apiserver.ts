/**
 * Fake kube-apiserver: HTTPS with /readyz, /healthz, /version; enough for haproxy health checks and traffic tests.
 *
 *   node -r ts-node/register/transpile-only lab/fakes/apiserver.ts --listen 127.0.0.1:16443 \
 *        --cert C --key K [--name n] [--readyz-file F]
 *
 * /readyz answers 500 while the file given by --readyz-file exists and contains "500" (read on every
 * request, so tests flip readiness by writing the file); otherwise 200 "ok". /healthz is always 200.
 * /version returns {"major","minor","gitVersion","name"} so callers see which backend answered.
 * Port 0 picks a free port. Prints "listening <host>:<port>" once bound.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";

export interface CertFiles { cert: string; key: string }

/** Writes a self-signed EC certificate (also usable as its own CA file) for `ips` into `dir`. */
export function makeSelfSignedCert(dir: string, ips: string[] = ["127.0.0.1"], cn = "fake-apiserver"): CertFiles {
    fs.mkdirSync(dir, { recursive: true });
    const cert = path.join(dir, "apiserver.crt"), key = path.join(dir, "apiserver.key");
    const san = ["DNS:localhost", "DNS:kubernetes", ...ips.map(ip => `IP:${ip}`)].join(",");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", cert, "-days", "30", "-subj", `/CN=${cn}`, "-addext", `subjectAltName=${san}`,
        "-addext", "basicConstraints=critical,CA:TRUE"], { stdio: "pipe" });
    return { cert, key };
}

export interface FakeOptions { host: string; port: number; cert: string; key: string; name: string; readyzFile?: string }

/** Starts the server in this process; resolves once bound with the actual port. */
export function startFakeApiserver(o: FakeOptions): Promise<{ server: https.Server; port: number }> {
    const version = JSON.stringify({ major: "1", minor: "30", gitVersion: "v1.30.0-fake", name: o.name });
    const server = https.createServer({ cert: fs.readFileSync(o.cert), key: fs.readFileSync(o.key), keepAlive: true }, (req, res) => {
        const url = (req.url ?? "/").split("?")[0];
        const reply = (code: number, body: string, type = "text/plain") => {
            res.writeHead(code, { "content-type": type, "content-length": Buffer.byteLength(body) });
            res.end(body);
        };
        if (url === "/readyz") {
            let bad = false;
            if (o.readyzFile) try { bad = fs.readFileSync(o.readyzFile, "utf8").includes("500"); } catch { /* absent: ready */ }
            return bad ? reply(500, "[-]fake-drain failed: draining\nreadyz check failed") : reply(200, "ok");
        }
        if (url === "/healthz" || url === "/livez") return reply(200, "ok");
        if (url === "/version") return reply(200, version, "application/json");
        return reply(404, "404 page not found");
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(o.port, o.host, () => resolve({ server, port: (server.address() as { port: number }).port }));
    });
}

function parseArgs(argv: string[]): FakeOptions {
    const a: Record<string, string> = {};
    for (let i = 0; i < argv.length; i += 2) {
        if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
        a[argv[i].slice(2)] = argv[i + 1];
    }
    const listen = a.listen ?? "127.0.0.1:16443";
    const at = listen.lastIndexOf(":");
    if (!a.cert || !a.key || at < 0) throw new Error("usage: --listen host:port --cert C --key K [--name n] [--readyz-file F]");
    return { host: listen.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(listen.slice(at + 1)), cert: a.cert, key: a.key,
        name: a.name ?? listen, readyzFile: a["readyz-file"] };
}

if (require.main === module) {
    const o = parseArgs(process.argv.slice(2));
    startFakeApiserver(o).then(({ port }) => {
        process.stdout.write(`listening ${o.host}:${port}\n`);
        process.on("SIGTERM", () => process.exit(0));
    }, (e: Error) => { process.stderr.write(`fake apiserver ${o.name}: ${e.message}\n`); process.exit(1); });
}
