import { sheets } from './sheets.js';
const quick = process.argv.includes('--quick');
const t0 = Date.now();
const figures = await sheets({ quick });
for (const f of figures) console.log(`| ${f.scenario.slice(0, 12)} | ${f.measure} | ${f.value} ${f.unit} |`);
console.log(`took ${(Date.now() - t0) / 1000}s`);
