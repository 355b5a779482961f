// A whole training step (Philox t and noise, forward, L_simple, backward,
// AdamW, EMA) compiled through the GPU pipeline, its kernels run as host
// loops, against PyTorch's float64 autograd and optimizer formulas: the
// backward pass's GPU kernels (convolution gradients, GroupNorm and
// attention backward, reductions) checked without a GPU.
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=8 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=4 -o %t.mlir
// RUN: diffc compile %t.mlir --train --gpu-host-loops -o %t.diffc
// RUN: %python %diffc_src_root/frontends/python/train_step_check.py --diffc-run diffc-run --artifact %t.diffc --base-channels=8 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=4 --batch 2 | FileCheck %s

// CHECK: ok train_loss_grad: loss {{.*}}, 144 gradients
// CHECK: ok train_step loss
// CHECK: ok train_step params
// CHECK: ok train_step exp_avg:
// CHECK: ok train_step exp_avg_sq:
// CHECK: ok train_step ema:
// CHECK-NOT: FAIL
