// Generates js_number_format.txt: float32 bit patterns with what JavaScript prints for
// them, `parseFloat(v.toFixed(7)).toString()` (TF.js's array entries) and `String(v)`
// (TF.js's scalars), for Tests/TensorEngineTests/FormatTests.swift. Run: node gen_js_number_format.js
const fs = require('fs');
let seed = 12345;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const view = new DataView(new ArrayBuffer(4));
const out = [];
for (let i = 0; i < 3000; i++) {
  let v;
  switch (i % 4) {
    case 0: view.setUint32(0, Math.floor(next() * 4294967296)); v = view.getFloat32(0); break;
    case 1: v = Math.fround((next() * 2 - 1) * Math.pow(10, Math.floor(next() * 21) - 10)); break;
    case 2: v = Math.fround(Math.floor(next() * 1025) / 256 * (next() < 0.5 ? 1 : -1)); break;
    default: v = Math.fround(Math.floor(next() * 200001 - 100000) / 1000);
  }
  if (!isFinite(v)) continue;
  view.setFloat32(0, v);
  out.push(`${view.getUint32(0)} ${parseFloat(v.toFixed(7)).toString()} ${String(v)}`);
}
fs.writeFileSync('js_number_format.txt', out.join('\n') + '\n');
