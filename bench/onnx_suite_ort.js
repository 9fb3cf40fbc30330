// Runs the ONNX backend suite's cases (the JSON lines of onnx_suite_dump.py)
// through ONNX Runtime (npm onnxruntime-node, CPU) and prints one line per
// case: "PASS group/name" or "FAIL group/name: why", with the backend tests'
// tolerance |got - want| <= 1e-5 + 1e-3 |want| (NaN equals NaN).
//
//   node onnx_suite_ort.js cases.jsonl
'use strict';
const fs = require('fs');
const readline = require('readline');
const ort = require('onnxruntime-node');

const kTypedArrays = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array, float16: Uint16Array,
};

function toTensor(t) {
  if (t.dtype === 'string') return new ort.Tensor('string', t.strings, t.dims);
  const bytes = Buffer.from(t.b64, 'base64');
  const Typed = kTypedArrays[t.dtype];
  if (!Typed) throw new Error(`no ONNX Runtime tensor for ${t.dtype}`);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new ort.Tensor(t.dtype, new Typed(copy.buffer, 0, bytes.length / Typed.BYTES_PER_ELEMENT), t.dims);
}

function halfToNumber(h) {
  const sign = h & 0x8000 ? -1 : 1, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function closeEnough(got, want) {
  if (JSON.stringify(Array.from(got.dims)) !== JSON.stringify(want.dims)) {
    return `shape [${got.dims}] vs expected [${want.dims}]`;
  }
  if (want.dtype === 'string') {
    return JSON.stringify(Array.from(got.data)) === JSON.stringify(want.strings) ? null : 'strings differ';
  }
  const w = toTensor(want).data;
  for (let i = 0; i < w.length; ++i) {
    const half = want.dtype === 'float16';
    const g = half ? halfToNumber(got.data[i]) : Number(got.data[i]);
    const e = half ? halfToNumber(w[i]) : Number(w[i]);
    if (g === e || (Number.isNaN(g) && Number.isNaN(e))) continue;
    if (!(Math.abs(g - e) <= 1e-5 + 1e-3 * Math.abs(e))) return `element ${i} is ${g}, expected ${e}`;
  }
  return null;
}

async function runCase(c) {
  if (c.sets.length === 0) return 'no test data';
  const session = await ort.InferenceSession.create(c.model, {intraOpNumThreads: 1});
  for (const set of c.sets) {
    if (set.inputs.some((t) => t === null) || set.outputs.some((t) => t === null)) {
      return 'a non-tensor input or output';
    }
    const feeds = {};
    c.inputs.forEach((name, k) => { feeds[name] = toTensor(set.inputs[k]); });
    const results = await session.run(feeds);
    for (let k = 0; k < set.outputs.length; ++k) {
      const got = results[session.outputNames[k]];
      const why = closeEnough(got, set.outputs[k]);
      if (why) return `output ${k}: ${why}`;
    }
  }
  return null;
}

async function main() {
  const lines = readline.createInterface({input: fs.createReadStream(process.argv[2])});
  for await (const line of lines) {
    const c = JSON.parse(line);
    let why;
    try {
      why = await runCase(c);
    } catch (e) {
      why = String(e.message || e).split('\n')[0];
    }
    console.log(why ? `FAIL ${c.name}: ${why}` : `PASS ${c.name}`);
  }
}

main();
