// Checks AsyncAPI documents with the official parser (@asyncapi/parser, the one `asyncapi validate` uses).
// Usage: node tools/node/validate-asyncapi.mjs docs/asyncapi/*.json
// Prints every diagnostic; exits 1 when any document has an error (warnings are listed, not fatal).
import { readFile } from "node:fs/promises";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";

const SEVERITY = {
  [DiagnosticSeverity.Error]: "error",
  [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "info",
  [DiagnosticSeverity.Hint]: "hint",
};

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate-asyncapi.mjs FILE...");
  process.exit(2);
}

const parser = new Parser();
let failed = false;
for (const file of files) {
  const { document, diagnostics } = await parser.parse(await readFile(file, "utf8"), { source: file });
  const count = (severity) => diagnostics.filter((d) => d.severity === severity).length;
  const errors = count(DiagnosticSeverity.Error);
  if (errors > 0 || document === undefined) {
    failed = true;
  }
  console.log(`${file}: ${errors} error(s), ${count(DiagnosticSeverity.Warning)} warning(s)`);
  for (const d of diagnostics) {
    if (d.severity <= DiagnosticSeverity.Warning) {
      console.log(`  ${SEVERITY[d.severity]} ${d.code} at ${d.path.join("/") || "(root)"}: ${d.message}`);
    }
  }
}
process.exit(failed ? 1 : 0);
