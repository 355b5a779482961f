//===- unet_ort.js - fmnist_small U-Net on ONNX Runtime (Node, CPU) -------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The ONNX Runtime peer of bench/unet_cpu.sh (run that, not this):
//
//   node unet_ort.js WORK_DIR NODE_MODULES_DIR THREADS
//
// Reads what `unet_cpu.py prepare` wrote into WORK_DIR (unet.onnx, the raw
// inputs x{B}.bin / t{B}.bin / xT16.bin, cases.json, ddim.json), times the
// forward cases and the 50-step DDIM loop (eta 0, diffusers' DDIMScheduler
// formulas, the same as the PyTorch loop and diffc's sample_ddim), and writes
// result-ort.json plus the outputs out{B}-ort.bin and ddim-ort.bin.
//
//===----------------------------------------------------------------------===//

'use strict';

const fs = require('fs');
const path = require('path');

const [work, nodeModules, threadsArg] = process.argv.slice(2);
const ort = require(path.join(nodeModules, 'onnxruntime-node'));
const threads = parseInt(threadsArg || '2', 10);
const ortVersion =
    JSON.parse(fs.readFileSync(path.join(nodeModules, 'onnxruntime-node',
                                         'package.json'))).version;

function readF32(name) {
  const buf = fs.readFileSync(path.join(work, name));
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}
function readI64(name) {
  const buf = fs.readFileSync(path.join(work, name));
  return new BigInt64Array(buf.buffer.slice(buf.byteOffset,
                                            buf.byteOffset + buf.byteLength));
}
function writeF32(name, data) {
  fs.writeFileSync(path.join(work, name),
                   Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
function nowMs() { return Number(process.hrtime.bigint()) / 1e6; }

async function timeCalls(fn, warmup, reps, what) {
  for (let i = 0; i < warmup; ++i)
    await fn();
  const times = [];
  for (let i = 0; i < reps; ++i) {
    const start = nowMs();
    await fn();
    times.push(nowMs() - start);
    process.stderr.write(`    ort ${what} ${i + 1}/${reps}: ` +
                         `${times[i].toFixed(1)} ms\n`);
  }
  return times;
}

async function main() {
  const cases = JSON.parse(fs.readFileSync(path.join(work, 'cases.json')));
  const sched = JSON.parse(fs.readFileSync(path.join(work, 'ddim.json')));
  const createStart = nowMs();
  const session = await ort.InferenceSession.create(
      path.join(work, 'unet.onnx'), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
  const createMs = nowMs() - createStart;
  const result = {
    peer: 'ort', threads, version: `onnxruntime-node ${ortVersion}`,
    session_create_ms: createMs, cases: {},
  };

  for (const c of cases.forward) {
    const b = c.batch;
    const feeds = {
      sample: new ort.Tensor('float32', readF32(`x${b}.bin`), [b, 1, 28, 28]),
      timestep: new ort.Tensor('int64', readI64(`t${b}.bin`), [b]),
    };
    let out = null;
    const times = await timeCalls(async () => {
      out = (await session.run(feeds)).eps;
    }, c.warmup, c.reps, c.case);
    writeF32(`out${b}-ort.bin`, out.data);
    result.cases[c.case] = {times_ms: times};
  }

  const d = cases.ddim, b = d.batch;
  const xT = readF32(`xT${b}.bin`);
  const range = sched.clip_sample_range;
  let x0 = null;
  const times = await timeCalls(async () => {
    let x = Float32Array.from(xT);
    for (let i = 0; i < sched.timesteps.length; ++i) {
      const at = sched.alphabar_t[i], ap = sched.alphabar_prev[i];
      const t = new BigInt64Array(b).fill(BigInt(sched.timesteps[i]));
      const eps = (await session.run({
        sample: new ort.Tensor('float32', x, [b, 1, 28, 28]),
        timestep: new ort.Tensor('int64', t, [b]),
      })).eps.data;
      const sa = Math.sqrt(at), sb = Math.sqrt(1 - at);
      const sp = Math.sqrt(ap), sd = Math.sqrt(1 - ap);
      const next = new Float32Array(x.length);
      for (let j = 0; j < x.length; ++j) {
        let p = (x[j] - sb * eps[j]) / sa;
        if (sched.clip_sample)
          p = Math.min(Math.max(p, -range), range);
        next[j] = sp * p + sd * eps[j]; // eta = 0
      }
      x = next;
    }
    x0 = x;
  }, d.warmup, d.reps, d.case);
  writeF32('ddim-ort.bin', x0);
  result.cases[d.case] = {times_ms: times};
  result.peak_rss_mib = process.resourceUsage().maxRSS / 1024;
  fs.writeFileSync(path.join(work, 'result-ort.json'), JSON.stringify(result));
}

main().catch((e) => {
  process.stderr.write(`unet_ort.js: ${e.stack || e}\n`);
  process.exit(1);
});
