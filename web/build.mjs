// Copy the browser bundles the pages use from node_modules into the package's static
// folder, each with the licences of every npm package bundled into it, so that the
// server needs neither npm nor a CDN at run time.  Run `npm ci && npm run build` here.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "server", "nzsa", "pages", "static", "vendor");

// Each bundle: the npm package, the files to copy (source → name in vendor/<dir>/).
const BUNDLES = [
  {
    dir: "yasgui",
    package: "@zazuko/yasgui",
    files: {
      "build/yasgui.min.js": "yasgui.min.js",
      "build/yasgui.min.css": "yasgui.min.css",
    },
  },
  {
    dir: "vis-network",
    package: "vis-network",
    files: {
      "standalone/umd/vis-network.min.js": "vis-network.min.js",
      "styles/vis-network.min.css": "vis-network.min.css",
    },
  },
  {
    dir: "vis-timeline",
    package: "vis-timeline",
    files: {
      "standalone/umd/vis-timeline-graph2d.min.js": "vis-timeline-graph2d.min.js",
      "styles/vis-timeline-graph2d.min.css": "vis-timeline-graph2d.min.css",
    },
  },
];

const LICENCE_FILE = /^(licen[cs]e|copying|notice)/i;

// The MIT licence's text, for MIT packages that declare it without shipping the file.
const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

function manifest(name) {
  return JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
}

// The package and everything it depends on at run time: what a bundle may contain.
function closure(name, seen = new Set()) {
  if (seen.has(name) || !existsSync(join(modules, name, "package.json"))) return seen;
  seen.add(name);
  const { dependencies = {}, peerDependencies = {} } = manifest(name);
  for (const dep of Object.keys({ ...dependencies, ...peerDependencies })) closure(dep, seen);
  return seen;
}

// A package's own licence texts; when it ships none, a notice built from its manifest.
function licenceText(name) {
  const folder = join(modules, name);
  const files = readdirSync(folder).filter((f) => LICENCE_FILE.test(f)).sort();
  const { version, license, author } = manifest(name);
  const header = `${name}@${version} — ${license ?? "see package"}\n`;
  if (files.length) {
    return header + files.map((f) => "\n" + readFileSync(join(folder, f), "utf8")).join("\n");
  }
  const holder = typeof author === "string" ? author : (author?.name ?? `the ${name} authors`);
  return (
    header +
    `\nThe package ships no licence file; its package.json declares "${license}".\n` +
    `Copyright (c) ${holder}\n` +
    (license === "MIT" ? "\n" + MIT : "")
  );
}

// Source-map comments point at files we do not ship; browsers would request them.
function withoutSourceMap(text) {
  return text.replace(/\n?\/[/*][#@] sourceMappingURL=[^\n]*?(\*\/)?\s*$/, "\n");
}

rmSync(vendor, { recursive: true, force: true });
for (const bundle of BUNDLES) {
  const out = join(vendor, bundle.dir);
  mkdirSync(out, { recursive: true });
  for (const [source, target] of Object.entries(bundle.files)) {
    const text = readFileSync(join(modules, bundle.package, source), "utf8");
    writeFileSync(join(out, target), withoutSourceMap(text));
  }
  const names = [...closure(bundle.package)].sort();
  const licences = names.map(licenceText).join("\n" + "=".repeat(78) + "\n\n");
  writeFileSync(join(out, "LICENSES.txt"), licences);
  const { version } = manifest(bundle.package);
  console.log(`${bundle.package}@${version} → vendor/${bundle.dir} (${names.length} licences)`);
}
