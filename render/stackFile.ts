/** Reads a `Pulumi.<stack>.yaml` stack settings file without the Pulumi CLI. */
import * as fs from "fs";
import * as YAML from "yaml";
import { PROJECT } from "./record";
import { SECRET_TEXT } from "./write";

export interface StackFile {
    config: Record<string, unknown>;
    /** Keys that were `secure:` (encrypted by the CLI): their values are unknown here. */
    secretKeys: string[];
}

export function readStackFile(file: string): StackFile {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const raw = (doc.config ?? {}) as Record<string, unknown>;
    const config: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries(raw)) {
        const key = k.includes(":") ? k : `${PROJECT}:${k}`;
        if (v && typeof v === "object" && !Array.isArray(v) && "secure" in (v as object)) {
            config[key] = SECRET_TEXT;
            secretKeys.push(key);
        } else {
            config[key] = v;
        }
    }
    return { config, secretKeys };
}
