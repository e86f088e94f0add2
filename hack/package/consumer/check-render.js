// Asserts on a consumer's delivery render: `node check-render.js <dir> <package name> <package version>`.
// The folders are the consumer's charts and argocd/, every object names the consumer's package (never this
// library), every folder's index matches its files.
const fs = require('fs');
const path = require('path');
const { parseAllDocuments } = require('yaml');

const [dir, name, version] = process.argv.slice(2);
const failures = [];
const expect = (ok, message) => { if (!ok) failures.push(message); };
const folders = fs.readdirSync(dir).sort();
expect(JSON.stringify(folders) === JSON.stringify(['argocd', 'production']), `folders are ${folders.join(', ')}, expected argocd, production`);
const key = `shop.example.com/${name}-version`;
let objects = 0;
for (const folder of folders) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, folder, 'index.json'), 'utf8'));
  expect(index.package.name === name && index.package.version === version, `${folder}/index.json names ${JSON.stringify(index.package)}`);
  const files = fs.readdirSync(path.join(dir, folder)).filter((f) => f.endsWith('.yaml')).sort();
  expect(JSON.stringify(index.files.map((f) => f.name).filter((f) => f.endsWith('.yaml'))) === JSON.stringify(files), `${folder}: index lists other files than ${files.join(', ')}`);
  for (const f of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, folder, f), 'utf8'))) {
      const o = doc.toJS();
      objects++;
      expect(o.metadata.annotations?.[key] === version, `${folder}/${f} ${o.kind} ${o.metadata.name}: annotation ${key} is ${o.metadata.annotations?.[key]}`);
      const foreign = Object.keys(o.metadata.annotations ?? {}).filter((k) => /picvario|k8s-topology/.test(k));
      expect(foreign.length === 0, `${folder}/${f} ${o.kind} ${o.metadata.name}: annotations name the library: ${foreign.join(', ')}`);
    }
  }
}
const readme = fs.readFileSync(path.join(dir, 'production', 'README.md'), 'utf8');
expect(readme.includes(`rendered by \`${name}\` ${version}.`), 'the README does not name the consumer package');
const app = fs.readFileSync(path.join(dir, 'argocd', 'production.yaml'), 'utf8');
expect(app.includes('include: "*.yaml"'), 'the Application reads more than the YAML files');
if (failures.length) {
  console.error(`check-render ${dir}: FAILED\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-render ${dir}: ok (${folders.length} folders, ${objects} objects, all naming ${name} ${version})`);
