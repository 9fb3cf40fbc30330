// Times ONNX Runtime (npm onnxruntime-node, CPU) on a model and writes its
// input and output as .npy files, so that kiln can run the same input and the
// outputs can be compared.
//
//   node onnxruntime_reference.js MODEL.onnx THREADS REPEAT NUMBER INPUT.npy OUTPUT.npy
// prints one JSON line: {"threads":..,"median_ms":..,"samples_ms":[..]};
//   node onnxruntime_reference.js compare WANT.npy GOT.npy
// prints {"max_abs_diff":..,"max_abs_want":..}.
'use strict';
const fs = require('fs');

function writeNpy(path, data, shape) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'),
                                        Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

function readNpy(path) {
  const bytes = fs.readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString('latin1', 10, 10 + headerLength);
  if (!header.includes("'<f4'")) throw new Error(`${path}: expected a float32 array`);
  const data = bytes.subarray(10 + headerLength);
  return new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function compare(wantPath, gotPath) {
  const want = readNpy(wantPath), got = readNpy(gotPath);
  if (want.length !== got.length) throw new Error(`sizes differ: ${want.length} vs ${got.length}`);
  let maxDiff = 0, maxWant = 0;
  for (let i = 0; i < want.length; ++i) {
    maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
    maxWant = Math.max(maxWant, Math.abs(want[i]));
  }
  console.log(JSON.stringify({max_abs_diff: maxDiff, max_abs_want: maxWant}));
}

async function main() {
  if (process.argv[2] === 'compare') return compare(process.argv[3], process.argv[4]);
  const ort = require('onnxruntime-node');
  const [model, threads, repeat, number, inputPath, outputPath] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  // The model's static input shape where this onnxruntime-node reports it (1.22 on).
  const meta = session.inputMetadata && session.inputMetadata[0];
  const shape = meta && meta.shape && meta.shape.every(Number.isInteger) ? meta.shape : [1, 3, 224, 224];
  const data = new Float32Array(shape.reduce((a, b) => a * b));
  // A smooth deterministic input in roughly the normalized range.
  for (let i = 0; i < data.length; ++i) data[i] = Math.sin(0.001 * i) * 2;
  const feeds = {[inputName]: new ort.Tensor('float32', data, shape)};
  let out = await session.run(feeds);  // warm-up
  const samples = [];
  for (let r = 0; r < Number(repeat); ++r) {
    const start = process.hrtime.bigint();
    for (let n = 0; n < Number(number); ++n) out = await session.run(feeds);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6 / Number(number));
  }
  const result = out[session.outputNames[0]];
  writeNpy(inputPath, data, shape);
  writeNpy(outputPath, result.data, result.dims);
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]
                                   : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  console.log(JSON.stringify({threads: Number(threads), median_ms: median, samples_ms: samples}));
}

main().catch((e) => { console.error(String(e)); process.exit(1); });
