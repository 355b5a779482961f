// `diffc compile --train` on a small zoo U-Net: the gradients of L_simple
// (entry train_loss_grad) and one whole training step (train_step: Philox
// t and noise, AdamW with bias correction, EMA) against PyTorch's autograd
// and torch.optim formulas in float64 (frontends/python/train_step_check.py).
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=8 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=4 -o %t.mlir
// RUN: diffc compile %t.mlir --train -o %t.diffc
// RUN: %python %diffc_src_root/frontends/python/train_step_check.py --diffc-run diffc-run --artifact %t.diffc --base-channels=8 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=4 --batch 2 | FileCheck %s
// CHECK: ok train_loss_grad: loss {{.*}}, 144 gradients
// CHECK: ok train_step loss
// CHECK: ok train_step params
// CHECK: ok train_step exp_avg:
// CHECK: ok train_step exp_avg_sq:
// CHECK: ok train_step ema
// CHECK-NOT: FAIL
