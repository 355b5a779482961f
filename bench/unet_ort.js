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
// A worker of `unet_cpu.py measure`, which interleaves the peers call by
// call. Loads what `unet_cpu.py prepare` wrote into WORK_DIR (unet.onnx, the
// raw inputs x{B}.bin / t{B}.bin / xT16.bin, ddim{S}.json), prints
// "ready {JSON}", then answers one request per stdin line:
//   run f{B} [save]       the forward at batch B once -> "ok <ms>"
//   run ddim{B}s{S} [save]  S DDIM steps at batch B (eta 0, diffusers'
//                       DDIMScheduler formulas, as the PyTorch loop and
//                       diffc's sample_ddim) -> "ok <ms>"
//   rss                 -> "ok <peak RSS MiB>"
//   quit
// "save" writes the output after the timing (out{B}-ort.bin,
// ddim{S}-ort.bin).
//
//===----------------------------------------------------------------------===//

'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

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

async function main() {
  const schedules = {};
  const createStart = nowMs();
  const session = await ort.InferenceSession.create(
      path.join(work, 'unet.onnx'), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
  const info = {
    version: `onnxruntime-node ${ortVersion}`, threads,
    session_create_ms: nowMs() - createStart,
  };
  const inputs = {};

  async function forward(b) {
    if (!inputs[b])
      inputs[b] = {
        sample: new ort.Tensor('float32', readF32(`x${b}.bin`), [b, 1, 28, 28]),
        timestep: new ort.Tensor('int64', readI64(`t${b}.bin`), [b]),
      };
    return (await session.run(inputs[b])).eps.data;
  }

  // diffusers' DDIMScheduler.step with eta = 0 (the PyTorch loop's formulas).
  async function sample(b, steps) {
    if (!schedules[steps])
      schedules[steps] = JSON.parse(
          fs.readFileSync(path.join(work, `ddim${steps}.json`)));
    const sched = schedules[steps];
    let x = Float32Array.from(readF32(`xT${b}.bin`));
    const range = sched.clip_sample_range;
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
        next[j] = sp * p + sd * eps[j];
      }
      x = next;
    }
    return x;
  }

  const say = (line) => process.stdout.write(line + '\n');
  say('ready ' + JSON.stringify(info));
  const rl = readline.createInterface({input: process.stdin});
  for await (const line of rl) {
    const words = line.trim().split(/\s+/);
    if (!words[0])
      continue;
    if (words[0] === 'quit')
      break;
    if (words[0] === 'rss') {
      say(`ok ${(process.resourceUsage().maxRSS / 1024).toFixed(1)}`);
      continue;
    }
    try {
      const key = words[1], ddim = key.startsWith('ddim');
      const [b, steps] = (ddim ? key.slice(4) : key.slice(1))
                             .split('s').map((v) => parseInt(v, 10));
      const start = nowMs();
      const y = ddim ? await sample(b, steps) : await forward(b);
      const ms = nowMs() - start;
      if (words.includes('save'))
        writeF32(ddim ? `ddim${steps}-ort.bin` : `out${b}-ort.bin`, y);
      say(`ok ${ms.toFixed(4)}`);
    } catch (e) {
      say(`error ${String(e).replace(/\n/g, ' ')}`);
    }
  }
  rl.close();
}

main().catch((e) => {
  process.stderr.write(`unet_ort.js: ${e.stack || e}\n`);
  process.exit(1);
});
