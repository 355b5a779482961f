// A sampler step entry called with timesteps outside alphas_cumprod: the
// lookup is clamped into the table, so t = 5000 on a 1000-entry table reads
// entry 999 instead of memory past the table (on a GPU that read would
// fault and end the context), and a negative t reads entry 0. Valid
// timesteps read as before (test/e2e/sampler-steps.mlir). The entry is named
// `step` on purpose: glibc exports a legacy `step` function, and before the
// model's functions were made internal to the code object, the call from
// the entry wrapper jumped to glibc's and crashed.
// RUN: diffc compile %s -o %t.diffc
// RUN: %python -c "import numpy as np; r = np.random.default_rng(3); np.save('%t.eps.npy', r.standard_normal((2, 1, 6, 6)).astype(np.float32)); np.save('%t.x.npy', r.standard_normal((2, 1, 6, 6)).astype(np.float32)); np.save('%t.abar.npy', np.cumprod(1 - np.linspace(1e-4, 0.02, 1000)).astype(np.float32))"
// RUN: diffc-run %t.diffc call step --arg %t.eps.npy --arg %t.x.npy --arg %t.abar.npy --arg i64:5000 --arg i64:4980 --out %t.far.npy
// RUN: diffc-run %t.diffc call step --arg %t.eps.npy --arg %t.x.npy --arg %t.abar.npy --arg i64:999 --arg i64:999 --out %t.last.npy
// RUN: diffc-run %t.diffc call inverse --arg %t.eps.npy --arg %t.x.npy --arg %t.abar.npy --arg i64:-7 --arg i64:-3 --out %t.neg.npy
// RUN: diffc-run %t.diffc call inverse --arg %t.eps.npy --arg %t.x.npy --arg %t.abar.npy --arg i64:-7 --arg i64:0 --out %t.zero.npy
// RUN: %python -c "import numpy as np; print('far', np.array_equal(np.load('%t.far.npy'), np.load('%t.last.npy')), np.isfinite(np.load('%t.far.npy')).all()); print('neg', np.array_equal(np.load('%t.neg.npy'), np.load('%t.zero.npy')))" | FileCheck %s
// CHECK: far True True
// CHECK: neg True

!x = tensor<?x1x6x6xf32>

func.func @step(%eps: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64) -> !x {
  %eta = arith.constant 0.0 : f32
  %0 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta prediction epsilon : (!x, !x, tensor<1000xf32>, i64, i64, f32) -> !x
  return %0 : !x
}

func.func @inverse(%eps: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tn: i64) -> !x {
  %0 = diffc.ddim_inverse_step %eps, %x, %abar, %t, %tn prediction epsilon : (!x, !x, tensor<1000xf32>, i64, i64) -> !x
  return %0 : !x
}
