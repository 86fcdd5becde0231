/**
 * Offline render: `npm start [-- --stack NAME | --stack-file PATH] [--out DIR]`.
 * Runs the program under the Pulumi mock runtime for a stack and writes `rendered/<stack>/`.
 * Invalid config exits non-zero with the validation message and writes nothing.
 */
import * as path from "path";
import { record } from "./record";
import { readStackFile } from "./stackFile";
import { renderTree, writeTree } from "./write";

export const REDACTED_RANDOM = "REDACTED";

function parseArgs(argv: string[]): { stack: string; file: string; out: string } {
    let stack = "dev";
    let file: string | undefined;
    let out: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const next = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value`);
            return v;
        };
        if (a === "--stack") stack = next();
        else if (a === "--stack-file") file = next();
        else if (a === "--out") out = next();
        else throw new Error(`unknown argument ${a}; usage: npm start -- [--stack NAME] [--stack-file PATH] [--out DIR]`);
    }
    const root = path.resolve(__dirname, "..");
    if (file && !argv.includes("--stack")) stack = path.basename(file).replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
    return { stack, file: file ?? path.join(root, `Pulumi.${stack}.yaml`), out: out ?? path.join(root, "rendered", stack) };
}

export async function main(argv: string[]): Promise<number> {
    const a = parseArgs(argv);
    const stackFile = readStackFile(a.file);
    const started = Date.now();
    // The SDK captures `new Error().stack` for every promise and resource; under ts-node each
    // capture is source-mapped, which dominated evaluation time (bench/main.ts). The render needs
    // no stacks: validation errors are reported by message.
    Error.stackTraceLimit = 0;
    const { program } = await import("../stacks/program");
    const rec = await record({
        stack: a.stack, config: stackFile.config, secretKeys: stackFile.secretKeys,
        randomDefault: REDACTED_RANDOM, program,
    });
    const evaluated = Date.now();
    const files = renderTree(rec);
    writeTree(a.out, files);
    console.log(`rendered stack ${a.stack}: ${rec.resources.length} resources, ${files.size} files -> ` +
        `${path.relative(process.cwd(), a.out) || "."} (evaluated in ${evaluated - started} ms, written in ${Date.now() - evaluated} ms)`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
        console.error(`error: ${e.message}`);
        process.exit(1);
    });
}
