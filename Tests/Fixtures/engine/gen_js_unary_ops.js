// Generates js_unary_ops.txt: for float32 inputs, what TF.js's CPU kernels print for
// element-wise ops (each kernel's formula as written in tfjs-backend-cpu, evaluated in
// JavaScript doubles, stored as float32, printed as parseFloat(v.toFixed(7))).
// For Tests/TensorEngineTests/FormatTests.swift. Run: node gen_js_unary_ops.js
const fs = require('fs');
const dv = new DataView(new ArrayBuffer(4));
let seed = 777;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const eps = 1.1920928955078125e-7, th = Math.log(eps) + 2;
const ops = {
  exp: Math.exp, sigmoid: x => 1 / (1 + Math.exp(-x)), tanh: Math.tanh, sin: Math.sin,
  cos: Math.cos, atan: Math.atan, log1p: x => Math.log1p(Math.abs(x)), expm1: Math.expm1,
  softplus: x => (x < th ? Math.exp(x) : x > -th ? x : Math.log(1 + Math.exp(x))),
  elu: x => (x >= 0 ? x : Math.exp(x) - 1),
  selu: x => (x >= 0 ? 1.0507009873554804934193349852946 * x
                     : 1.7580993408473768599402175208123 * (Math.exp(x) - 1)),
  logAbs: x => Math.log(Math.abs(x)), sqrtAbs: x => Math.sqrt(Math.abs(x)),
  squaredDifference03: x => { const d = x - Math.fround(0.3); return d * d; },
};
const out = [];
for (const [name, f] of Object.entries(ops)) {
  for (let i = 0; i < 150; i++) {
    const x = Math.fround((next() * 2 - 1) * 8);
    dv.setFloat32(0, x);
    out.push(`${name} ${dv.getUint32(0)} ${parseFloat(Math.fround(f(x)).toFixed(7))}`);
  }
}
fs.writeFileSync('js_unary_ops.txt', out.join('\n') + '\n');
