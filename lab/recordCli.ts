/**
 * Child-process entry for the lab's apply: records the program for one stack config.
 *
 *   node -r ts-node/register/transpile-only lab/recordCli.ts REQUEST.json OUT.json
 *
 * REQUEST: { stack, config, secretKeys?, randomValues? }. OUT gets the Recording as JSON, mode
 * 0600 (it holds the lab's secrets unwrapped). One recording per process: the Pulumi runtime is
 * process-global. Exit 0 on success; 1 with the message on stderr otherwise (e.g. invalid config).
 */
import * as fs from "fs";
import { record } from "../render/record";

export interface RecordRequest {
    stack: string;
    config: Record<string, unknown>;
    secretKeys?: string[];
    randomValues?: Record<string, string>;
}

/** Writes `text` to `file` with mode 0600 from the first byte (written aside, then renamed). */
export function writePrivate(file: string, text: string): void {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.rmSync(tmp, { force: true });
    fs.writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
    fs.renameSync(tmp, file);
}

async function main(argv: string[]): Promise<void> {
    if (argv.length !== 2) throw new Error("usage: recordCli.ts REQUEST.json OUT.json");
    const req = JSON.parse(fs.readFileSync(argv[0], "utf8")) as RecordRequest;
    const { program } = await import("../stacks/program");
    const rec = await record({
        stack: req.stack, config: req.config, secretKeys: req.secretKeys, randomValues: req.randomValues, program,
    });
    writePrivate(argv[1], JSON.stringify(rec));
}

if (require.main === module) {
    main(process.argv.slice(2)).then(() => process.exit(0), (e: Error) => {
        process.stderr.write(`record: ${e.message}\n`);
        process.exit(1);
    });
}
