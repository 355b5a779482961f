// diffc-zoo unet2d: the reference U-Nets of BENCH.md, emitted by the C++ zoo
// (frontends/Zoo/UNet2D.cpp), have BENCH's parameter counts and FLOPs, parse
// and round-trip through diffc-opt, and have the structure of diffusers'
// UNet2DModel.

// Test: fmnist_small has 6,469,889 parameters and 2.21 GFLOP per sample.
// RUN: diffc-zoo unet2d --preset=fmnist_small | diffc-opt --diffc-model-summary -o /dev/null | FileCheck %s --check-prefix=FMNIST-SUMMARY
// FMNIST-SUMMARY:      diffc model summary: @unet (dynamic extents as 1)
// FMNIST-SUMMARY-NEXT:   parameters  6,469,889 in 268 tensors (24.68 MiB)
// FMNIST-SUMMARY-NEXT:   FLOP/call   2,208,406,528 (2.208 GFLOP; 2 x multiply-adds of conv, linear, matmul, attention)
// FMNIST-SUMMARY:        diffc.conv2d                     50       2,161,381,376
// FMNIST-SUMMARY:        diffc.attention                   6           7,375,872

// Test: cifar10_ddpm has 35,746,307 parameters and 12.44 GFLOP per sample.
// RUN: diffc-zoo unet2d --preset=cifar10_ddpm | diffc-opt --diffc-model-summary -o /dev/null | FileCheck %s --check-prefix=CIFAR-SUMMARY
// CIFAR-SUMMARY:      diffc model summary: @unet (dynamic extents as 1)
// CIFAR-SUMMARY-NEXT:   parameters  35,746,307 in 328 tensors (136.36 MiB)
// CIFAR-SUMMARY-NEXT:   FLOP/call   12,443,713,536 (12.444 GFLOP; 2 x multiply-adds of conv, linear, matmul, attention)
// CIFAR-SUMMARY:        diffc.conv2d                     65      11,422,662,656
// CIFAR-SUMMARY:        diffc.attention                   6         335,806,464

// Test: fmnist_small round-trips (text and generic form) with attention only
// in the 7x7 level, the middle block and the 7x7 up level.
// RUN: diffc-zoo unet2d --preset=fmnist_small | diffc-opt | diffc-opt | FileCheck %s --check-prefix=FMNIST
// RUN: diffc-zoo unet2d --preset=fmnist_small | diffc-opt --mlir-print-op-generic | diffc-opt | FileCheck %s --check-prefix=FMNIST
// RUN: diffc-zoo unet2d --preset=fmnist_small | FileCheck %s --check-prefix=FMNIST-NAMES --implicit-check-not="down_blocks.0.attentions" --implicit-check-not="down_blocks.1.attentions" --implicit-check-not="up_blocks.1.attentions" --implicit-check-not="up_blocks.2.attentions" --implicit-check-not="down_blocks.2.downsamplers" --implicit-check-not="up_blocks.2.upsamplers" --implicit-check-not="class_embedding"
// FMNIST-LABEL: func.func @unet(
// FMNIST-SAME:    %{{.*}}: tensor<?x1x28x28xf32>, %{{.*}}: tensor<?xi64>) -> tensor<?x1x28x28xf32>
// FMNIST:         diffc.timestep_embedding %{{.*}} {dim = 64 : i64, downscale_freq_shift = 0.000000e+00 : f64, flip_sin_to_cos = true} : (tensor<?xi64>) -> tensor<?x64xf32>
// FMNIST:         diffc.parameter "time_embedding.linear_2.weight" : tensor<256x256xf32>
// FMNIST:         %[[CIN_W:.*]] = diffc.parameter "conv_in.weight" : tensor<64x1x3x3xf32>
// FMNIST:         diffc.conv2d %{{.*}}, %[[CIN_W]], %{{.*}} {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x3x3xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
// FMNIST:         diffc.parameter "down_blocks.0.resnets.0.norm1.weight" : tensor<64xf32>
// FMNIST:         diffc.group_norm %{{.*}} {epsilon = 9.9999999999999995E-7 : f64, num_groups = 32 : i64} : (tensor<?x64x28x28xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x28x28xf32>
// FMNIST:         diffc.parameter "down_blocks.0.resnets.0.time_emb_proj.weight" : tensor<64x256xf32>
// FMNIST:         diffc.reshape %{{.*}} : (tensor<?x64xf32>) -> tensor<?x64x1x1xf32>
// FMNIST:         diffc.parameter "down_blocks.0.downsamplers.0.conv.weight" : tensor<64x64x3x3xf32>
// FMNIST:         diffc.conv2d %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x64x28x28xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
// FMNIST:         diffc.parameter "down_blocks.1.resnets.0.conv_shortcut.weight" : tensor<128x64x1x1xf32>
// FMNIST:         diffc.parameter "down_blocks.2.attentions.0.group_norm.weight" : tensor<128xf32>
// FMNIST:         diffc.parameter "down_blocks.2.attentions.0.to_q.weight" : tensor<128x128xf32>
// FMNIST:         diffc.attention %{{.*}} : (tensor<?x49x128xf32>, tensor<?x49x128xf32>, tensor<?x49x128xf32>) -> tensor<?x49x128xf32>
// FMNIST:         diffc.parameter "down_blocks.2.attentions.0.to_out.0.weight" : tensor<128x128xf32>
// FMNIST:         diffc.parameter "mid_block.attentions.0.to_v.weight" : tensor<128x128xf32>
// FMNIST:         diffc.parameter "mid_block.resnets.1.conv2.weight" : tensor<128x128x3x3xf32>
// FMNIST:         diffc.concat %{{.*}} {dim = 1 : i64} : (tensor<?x128x7x7xf32>, tensor<?x128x7x7xf32>) -> tensor<?x256x7x7xf32>
// FMNIST:         diffc.parameter "up_blocks.0.resnets.0.conv_shortcut.weight" : tensor<128x256x1x1xf32>
// FMNIST:         diffc.parameter "up_blocks.0.attentions.2.to_k.weight" : tensor<128x128xf32>
// FMNIST:         diffc.upsample_nearest %{{.*}} : (tensor<?x128x7x7xf32>) -> tensor<?x128x14x14xf32>
// FMNIST:         diffc.parameter "up_blocks.0.upsamplers.0.conv.weight" : tensor<128x128x3x3xf32>
// FMNIST:         diffc.parameter "up_blocks.2.resnets.0.conv1.weight" : tensor<64x192x3x3xf32>
// FMNIST:         diffc.parameter "up_blocks.2.resnets.2.conv_shortcut.weight" : tensor<64x128x1x1xf32>
// FMNIST:         diffc.parameter "conv_norm_out.weight" : tensor<64xf32>
// FMNIST:         %[[OUT_W:.*]] = diffc.parameter "conv_out.weight" : tensor<1x64x3x3xf32>
// FMNIST:         %[[OUT:.*]] = diffc.conv2d %{{.*}}, %[[OUT_W]], %{{.*}} {padding = array<i64: 1, 1>} : (tensor<?x64x28x28xf32>, tensor<1x64x3x3xf32>, tensor<1xf32>) -> tensor<?x1x28x28xf32>
// FMNIST:         return %[[OUT]] : tensor<?x1x28x28xf32>
// FMNIST-NAMES:   "down_blocks.2.attentions.1.to_out.0.bias"
// FMNIST-NAMES:   "mid_block.attentions.0.to_out.0.bias"
// FMNIST-NAMES:   "up_blocks.0.attentions.2.to_out.0.bias"

// Test: cifar10_ddpm has attention at 16x16 (down level 1, up level 2) and
// in the 4x4 middle block, three up levels with upsamplers.
// RUN: diffc-zoo unet2d --preset=cifar10_ddpm | diffc-opt | FileCheck %s --check-prefix=CIFAR --implicit-check-not="down_blocks.0.attentions" --implicit-check-not="down_blocks.2.attentions" --implicit-check-not="up_blocks.0.attentions" --implicit-check-not="up_blocks.3.attentions"
// CIFAR-LABEL: func.func @unet(
// CIFAR-SAME:    %{{.*}}: tensor<?x3x32x32xf32>, %{{.*}}: tensor<?xi64>) -> tensor<?x3x32x32xf32>
// CIFAR:         diffc.parameter "conv_in.weight" : tensor<128x3x3x3xf32>
// CIFAR:         diffc.parameter "down_blocks.1.attentions.0.to_q.weight" : tensor<256x256xf32>
// CIFAR:         diffc.attention %{{.*}} : (tensor<?x256x256xf32>, tensor<?x256x256xf32>, tensor<?x256x256xf32>) -> tensor<?x256x256xf32>
// CIFAR:         diffc.parameter "down_blocks.1.attentions.1.to_q.weight" : tensor<256x256xf32>
// CIFAR:         diffc.conv2d %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x256x8x8xf32>, tensor<256x256x3x3xf32>, tensor<256xf32>) -> tensor<?x256x4x4xf32>
// CIFAR:         diffc.parameter "mid_block.attentions.0.to_q.weight" : tensor<256x256xf32>
// CIFAR:         diffc.attention %{{.*}} : (tensor<?x16x256xf32>, tensor<?x16x256xf32>, tensor<?x16x256xf32>) -> tensor<?x16x256xf32>
// CIFAR:         diffc.parameter "up_blocks.2.attentions.0.to_q.weight" : tensor<256x256xf32>
// CIFAR:         diffc.parameter "up_blocks.2.attentions.2.to_q.weight" : tensor<256x256xf32>
// CIFAR:         diffc.parameter "up_blocks.2.upsamplers.0.conv.weight" : tensor<256x256x3x3xf32>
// CIFAR:         diffc.parameter "up_blocks.3.resnets.2.conv_shortcut.weight" : tensor<128x256x1x1xf32>
// CIFAR:         diffc.conv2d %{{.*}} : (tensor<?x128x32x32xf32>, tensor<3x128x3x3xf32>, tensor<3xf32>) -> tensor<?x3x32x32xf32>

// Test: class conditioning adds the labels argument and a table with a
// null-class row; a head dimension splits the attention into heads.
// RUN: diffc-zoo unet2d --preset=cifar10_ddpm --num-classes=10 --attention-head-dim=64 --name=eps | diffc-opt | FileCheck %s --check-prefix=COND
// COND-LABEL: func.func @eps(
// COND-SAME:    %{{.*}}: tensor<?x3x32x32xf32>, %{{.*}}: tensor<?xi64>, %[[LABELS:.*]]: tensor<?xi64>) -> tensor<?x3x32x32xf32>
// COND:         %[[TABLE:.*]] = diffc.parameter "class_embedding.weight" : tensor<11x512xf32>
// COND:         diffc.embedding %[[TABLE]], %[[LABELS]] : (tensor<11x512xf32>, tensor<?xi64>) -> tensor<?x512xf32>
// COND:         diffc.attention %{{.*}} {num_heads = 4 : i64} : (tensor<?x256x256xf32>, tensor<?x256x256xf32>, tensor<?x256x256xf32>) -> tensor<?x256x256xf32>

// Test: command-line overrides: a two-level net with attention at 14x14;
// the time embedding follows the new width (4 x 32).
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=8 | diffc-opt --diffc-model-summary -o /dev/null | FileCheck %s --check-prefix=SMALL-SUMMARY
// SMALL-SUMMARY: parameters  701,345 in 144 tensors
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=8 | diffc-opt | FileCheck %s --check-prefix=SMALL
// SMALL:       diffc.parameter "time_embedding.linear_1.weight" : tensor<128x32xf32>
// SMALL:       diffc.group_norm %{{.*}} {epsilon = 9.9999999999999995E-7 : f64, num_groups = 8 : i64} : (tensor<?x32x28x28xf32>
// SMALL:       diffc.parameter "down_blocks.1.attentions.0.to_q.weight" : tensor<64x64xf32>
// SMALL:       diffc.attention %{{.*}} : (tensor<?x196x64xf32>
// SMALL:       diffc.parameter "up_blocks.1.resnets.1.conv1.weight" : tensor<32x64x3x3xf32>
