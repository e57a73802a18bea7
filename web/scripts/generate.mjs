// Generates the TypeScript message types and service descriptor from
// proto/ (the one public contract) with protoc-gen-es, into src/gen/.
// Run by `npm run build` and `npm test`; src/gen/ is never committed.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const protoRoot = join(web, "..", "proto");
const out = join(web, "src", "gen");
const plugin = join(web, "node_modules", ".bin", "protoc-gen-es");
const files = readdirSync(join(protoRoot, "evaluation", "v1"))
  .filter((f) => f.endsWith(".proto"))
  .map((f) => `evaluation/v1/${f}`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync(
  "protoc",
  [
    `--plugin=protoc-gen-es=${plugin}`,
    `--es_out=${out}`,
    "--es_opt=target=ts,import_extension=none",
    `-I${protoRoot}`,
    ...files,
  ],
  { stdio: "inherit" },
);
