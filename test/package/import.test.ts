import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "../..");

/** The README's example, as another Pulumi project would write it. */
const example = fs.readFileSync(path.join(root, "README.md"), "utf8").match(/```ts\n(import \* as pulumi[\s\S]*?)```/)![1];

describe("the package, imported by another project", () => {
    let dir: string;
    before(function () {
        this.timeout(180000);
        const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, encoding: "utf8", timeout: 170000 });
        assert.equal(build.status, 0, build.stderr);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kha-consumer-"));
        fs.mkdirSync(path.join(dir, "node_modules"));
        fs.symlinkSync(root, path.join(dir, "node_modules", "kubeedge-ha"));
        fs.symlinkSync(path.join(root, "node_modules", "@pulumi"), path.join(dir, "node_modules", "@pulumi"));
        fs.writeFileSync(path.join(dir, "index.ts"), example);
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
            compilerOptions: { strict: true, module: "commonjs", moduleResolution: "node", target: "es2020", esModuleInterop: true, skipLibCheck: true, noEmit: true, types: [] },
            files: ["index.ts"],
        }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("`import { KeepalivedPair } from \"kubeedge-ha\"` resolves to the built components", () => {
        const r = spawnSync(process.execPath, ["-e", "const k = require('kubeedge-ha'); console.log(Object.keys(k).sort().join(','))"], { cwd: dir, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /CloudCoreHA,.*KeepalivedPair,.*LoadBalancedApiserver/);
    });

    it("the README example type-checks against the published declarations (strict)", () => {
        const r = spawnSync(path.join(root, "node_modules/.bin/tsc"), ["-p", dir], { cwd: dir, encoding: "utf8", timeout: 120000 });
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });
});
