#!/usr/bin/env node
/* global console, process */
// Exports Debian's package descriptions, labelled by their archive section, as a text
// classification dataset: OUT/debian-packages.csv (columns package,text,label) and
// OUT/debian-packages/<section>/<package>.txt (a folder per class). The text is the short
// description and the long one from the apt package index (run `apt-get update
// -o Acquire::Languages=en` first so the long descriptions, Translation-en, are there).
// Sections with fewer than --min-count packages are left out.
//
//   node scripts/export-debian-packages.mjs OUT [--min-count 150]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';

const LISTS = '/var/lib/apt/lists';
const [out, ...rest] = process.argv.slice(2);
if (!out) {
  console.error('usage: export-debian-packages.mjs OUT [--min-count N]');
  process.exit(1);
}
const minCount = rest[0] === '--min-count' ? Number(rest[1]) : 150;

/** The stanzas of an apt index file (compressed ones through apt-helper), as field maps. */
function* stanzas(file) {
  const text = execFileSync('/usr/lib/apt/apt-helper', ['cat-file', join(LISTS, file)], {
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  for (const block of text.split(/\n\n+/)) {
    const fields = new Map();
    let key = null;
    for (const line of block.split('\n')) {
      if (/^\s/.test(line) && key) fields.set(key, `${fields.get(key)}\n${line}`);
      else {
        const at = line.indexOf(':');
        if (at < 1) continue;
        key = line.slice(0, at);
        fields.set(key, line.slice(at + 1).trim());
      }
    }
    if (fields.has('Package')) yield fields;
  }
}

const files = readdirSync(LISTS);
const longByMd5 = new Map();
for (const file of files.filter((f) => f.includes('Translation-en'))) {
  for (const s of stanzas(file)) {
    const long = s.get('Description-en') ?? '';
    // Continuation lines start with a space; " ." is a paragraph break.
    const body = long
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l !== '.');
    longByMd5.set(s.get('Description-md5'), body.join(' '));
  }
}
const packages = new Map();
for (const file of files.filter((f) => /_Packages(\.\w+)?$/.test(f))) {
  for (const s of stanzas(file)) {
    const section = (s.get('Section') ?? '').replace(/^.*\//, ''); // contrib/net -> net
    if (!section || packages.has(s.get('Package'))) continue;
    const long = longByMd5.get(s.get('Description-md5')) ?? '';
    const tags = s.get('Tag') ?? '';
    const languages = [...tags.matchAll(/implemented-in::([\w+-]+)/g)].map((m) => m[1]);
    packages.set(s.get('Package'), {
      section,
      languages,
      text: `${s.get('Description') ?? ''}. ${long}`.trim(),
    });
  }
}
const counts = new Map();
for (const { section } of packages.values()) counts.set(section, (counts.get(section) ?? 0) + 1);
const kept = new Set([...counts].filter(([, n]) => n >= minCount).map(([s]) => s));

const csvField = (v) => `"${v.replace(/"/g, '""')}"`;
mkdirSync(out, { recursive: true });
const csv = createWriteStream(join(out, 'debian-packages.csv'));
csv.write('package,text,label\n');
let rows = 0;
for (const [name, { section, text }] of packages) {
  if (!kept.has(section)) continue;
  csv.write(`${[name, text, section].map(csvField).join(',')}\n`);
  const dir = join(out, 'debian-packages', section);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.txt`), text);
  rows++;
}
csv.end();

const languageCounts = new Map();
for (const { languages } of packages.values())
  for (const l of languages) languageCounts.set(l, (languageCounts.get(l) ?? 0) + 1);
const keptLanguages = new Set([...languageCounts].filter(([, n]) => n >= minCount).map(([l]) => l));
const jsonl = createWriteStream(join(out, 'debian-implemented-in.jsonl'));
let tagged = 0;
for (const { languages, text } of packages.values()) {
  const labels = languages.filter((l) => keptLanguages.has(l));
  if (labels.length === 0) continue;
  jsonl.write(`${JSON.stringify({ text, labels })}\n`);
  tagged++;
}
jsonl.end();
console.log(
  `${tagged} packages tagged with ${[...keptLanguages].sort().join(', ')} -> ${out}/debian-implemented-in.jsonl`,
);
console.log(
  `${rows} packages in ${kept.size} sections (of ${packages.size} packages, ${counts.size} sections; ` +
    `${longByMd5.size} long descriptions) -> ${out}/debian-packages.csv and ${out}/debian-packages/`,
);
