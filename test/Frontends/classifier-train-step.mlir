// `diffc compile --train=classifier` on small zoo classifiers: the forward
// pass (logits and features), the gradients of the softmax cross-entropy
// (entry train_loss_grad) and one whole training step (AdamW with bias
// correction, EMA) against PyTorch's autograd and torch.optim formulas in
// float64 (frontends/python/classifier_train_step_check.py). SiLU and ReLU.
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc-zoo classifier --channels=4,8 --sample-size=8 --feature-dim=16 --activation=silu -o %t/silu.mlir
// RUN: diffc compile %t/silu.mlir --train=classifier -o %t/silu.diffc
// RUN: %python %diffc_src_root/frontends/python/classifier_train_step_check.py --diffc-run diffc-run --artifact %t/silu.diffc --channels 4,8 --sample-size 8 --feature-dim 16 --activation silu --batch 4 | FileCheck %s
// RUN: diffc-zoo classifier --channels=4,8 --sample-size=8 --feature-dim=16 --num-classes=5 -o %t/relu.mlir
// RUN: diffc compile %t/relu.mlir --train=classifier -o %t/relu.diffc
// RUN: %python %diffc_src_root/frontends/python/classifier_train_step_check.py --diffc-run diffc-run --artifact %t/relu.diffc --channels 4,8 --sample-size 8 --feature-dim 16 --num-classes 5 --batch 6 --seed 3 | FileCheck %s
// CHECK: ok classifier logits
// CHECK: ok classifier features
// CHECK: ok train_loss_grad: loss {{.*}}, 8 gradients
// CHECK: ok train_step loss
// CHECK: ok train_step params
// CHECK: ok train_step exp_avg:
// CHECK: ok train_step exp_avg_sq:
// CHECK: ok train_step ema
// CHECK-NOT: FAIL

// The artifact says what it trains; the loss is composed of diffc ops
// (log-sum-exp with the row maximum behind stop_gradient, one-hot rows of a
// constant identity).
// RUN: diffc-run %t/relu.diffc inspect | FileCheck %s --check-prefix=META
// META: "train.config": "{\"beta1\":0.90000000000000002,{{.*}}\"loss\":\"cross_entropy\",\"num_classes\":5,\"optimizer\":\"adamw\",\"sample_shape\":[1,8,8],
// META: "train.kind": "classifier"
// RUN: diffc compile %t/relu.mlir --train=classifier --emit=mlir --stage=linalg -o - | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @train_loss_grad(
// IR: arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00

// A classifier has no noise schedule; an unknown kind; a denoiser is no
// classifier.
// RUN: not diffc compile %t/relu.mlir --train=classifier --scheduler-config %S/../Tools/Inputs/scheduler_config.json -o %t/x.diffc 2>&1 | FileCheck %s --check-prefix=SCHED
// SCHED: diffc: error: --scheduler-config does not apply to --train=classifier
// RUN: not diffc compile %t/relu.mlir --train=gan -o %t/x.diffc 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: diffc: error: unknown --train=gan (expected ddpm or classifier)
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=8 --channel-mult=1 --layers-per-block=1 --no-attention --norm-groups=4 -o %t/unet.mlir
// RUN: not diffc compile %t/unet.mlir --train=classifier --model=unet -o %t/x.diffc 2>&1 | FileCheck %s --check-prefix=NOTCLF
// NOTCLF: error: classifier training needs @unet : (tensor<?xCxHxWxf32>) -> (tensor<?xKxf32> logits, ...), in one block; got '(tensor<?x1x28x28xf32>, tensor<?xi64>) -> tensor<?x1x28x28xf32>'
