// diffc-zoo unet2d refuses configurations it cannot build with one line on
// stderr and exit status 1.

// Test: channels must divide into GroupNorm groups.
// RUN: not diffc-zoo unet2d --preset=fmnist_small --base-channels=48 2>&1 | FileCheck %s --check-prefix=GROUPS
// GROUPS: diffc-zoo: error: channels 48 (base channels x multiplier) not divisible by norm groups 32
// RUN: not diffc-zoo unet2d --preset=fmnist_small --base-channels=48 2>&1 | count 1

// Test: every downsample halves the feature map exactly.
// RUN: not diffc-zoo unet2d --preset=cifar10_ddpm --sample-size=36 2>&1 | FileCheck %s --check-prefix=SIZE
// SIZE: diffc-zoo: error: sample size 36 not divisible by 2^(levels - 1) = 8 for 4 levels
// RUN: not diffc-zoo unet2d --preset=cifar10_ddpm --sample-size=36 2>&1 | count 1

// Test: an attention resolution must be one of the levels' sizes.
// RUN: not diffc-zoo unet2d --preset=fmnist_small --attention-resolutions=8 2>&1 | FileCheck %s --check-prefix=ATTN
// ATTN: diffc-zoo: error: attention resolution 8 is not a feature-map size of this U-Net (28, 14, 7)

// Test: heads split the channels of every level.
// RUN: not diffc-zoo unet2d --preset=fmnist_small --attention-head-dim=48 2>&1 | FileCheck %s --check-prefix=HEADS
// HEADS: diffc-zoo: error: channels 64 not divisible by attention head dim 48

// Test: multipliers, layers and channels are positive.
// RUN: not diffc-zoo unet2d --preset=fmnist_small --channel-mult=1,0 2>&1 | FileCheck %s --check-prefix=MULT
// MULT: diffc-zoo: error: channel multiplier must be positive, got 0
// RUN: not diffc-zoo unet2d --preset=fmnist_small --layers-per-block=0 2>&1 | FileCheck %s --check-prefix=LAYERS
// LAYERS: diffc-zoo: error: layers per block must be positive, got 0
// RUN: not diffc-zoo unet2d --preset=fmnist_small --num-classes=-1 2>&1 | FileCheck %s --check-prefix=CLASSES
// CLASSES: diffc-zoo: error: num classes must be non-negative, got -1

// Test: unknown presets, conflicting options and a missing model are named.
// RUN: not diffc-zoo unet2d --preset=imagenet 2>&1 | FileCheck %s --check-prefix=PRESET
// PRESET: diffc-zoo: error: unknown preset 'imagenet' (expected fmnist_small or cifar10_ddpm)
// RUN: not diffc-zoo unet2d --no-attention --attention-resolutions=7 2>&1 | FileCheck %s --check-prefix=CONFLICT
// CONFLICT: diffc-zoo: error: --no-attention and --attention-resolutions exclude each other
// RUN: not diffc-zoo 2>&1 | FileCheck %s --check-prefix=MODEL
// MODEL: diffc-zoo: error: expected a model: unet2d or classifier (see diffc-zoo --help)

// Test: --help lists the unet2d options.
// RUN: diffc-zoo unet2d --help | FileCheck %s --check-prefix=HELP
// HELP: --attention-resolutions
// HELP: --channel-mult
// HELP: --preset
