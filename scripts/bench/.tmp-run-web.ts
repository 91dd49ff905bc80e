import { webChatLoad } from './webChatLoad.js';
const t0 = Date.now();
for (const f of await webChatLoad({ quick: false })) console.log(`| ${f.measure} | ${f.value} ${f.unit} |`);
console.log(`took ${(Date.now() - t0) / 1000}s`);
