// diffc-zoo classifier: the feature network of diffc-run eval's FID
// (frontends/Zoo/Classifier.cpp) has the twin's state-dict names and
// parameter count, round-trips, records its configuration as metadata, and
// refuses configurations it cannot build with one line.

// Test: the fmnist preset has 421,642 parameters in 8 tensors.
// RUN: diffc-zoo classifier --preset=fmnist | diffc-opt --diffc-model-summary -o /dev/null | FileCheck %s --check-prefix=SUMMARY
// SUMMARY:      diffc model summary: @classifier (dynamic extents as 1)
// SUMMARY-NEXT:   parameters  421,642 in 8 tensors

// Test: the structure, in the twin's order (classifier_torch.py).
// RUN: diffc-zoo classifier --preset=fmnist | diffc-opt | FileCheck %s
// CHECK:      module attributes {diffc.metadata = {classifier.config = "{\22activation\22:\22relu\22,\22channels\22:[32,64],\22feature_dim\22:128,\22in_channels\22:1,\22num_classes\22:10,\22sample_size\22:28}"}}
// CHECK-LABEL: func.func @classifier(
// CHECK-SAME:    %{{.*}}: tensor<?x1x28x28xf32>) -> (tensor<?x10xf32>, tensor<?x128xf32>)
// CHECK:         diffc.parameter "convs.0.weight" : tensor<32x1x3x3xf32>
// CHECK:         diffc.conv2d {{.*}} {padding = array<i64: 1, 1>} : {{.*}} -> tensor<?x32x28x28xf32>
// CHECK:         diffc.relu
// CHECK:         diffc.avg_pool2d {{.*}} -> tensor<?x32x14x14xf32>
// CHECK:         diffc.parameter "convs.1.weight" : tensor<64x32x3x3xf32>
// CHECK:         diffc.avg_pool2d {{.*}} -> tensor<?x64x7x7xf32>
// CHECK:         diffc.reshape {{.*}} -> tensor<?x3136xf32>
// CHECK:         diffc.parameter "fc.weight" : tensor<128x3136xf32>
// CHECK:         %[[FEATURES:.*]] = diffc.relu {{.*}} : tensor<?x128xf32>
// CHECK:         diffc.parameter "head.weight" : tensor<10x128xf32>
// CHECK:         %[[LOGITS:.*]] = diffc.linear %[[FEATURES]]
// CHECK:         return %[[LOGITS]], %[[FEATURES]]

// Test: options override the preset; silu everywhere.
// RUN: diffc-zoo classifier --channels=8 --sample-size=8 --feature-dim=16 --num-classes=3 --activation=silu --name=tiny | FileCheck %s --check-prefix=TINY --implicit-check-not=diffc.relu
// TINY-LABEL: func.func @tiny(
// TINY-SAME:    tensor<?x1x8x8xf32>) -> (tensor<?x3xf32>, tensor<?x16xf32>)
// TINY:         diffc.silu
// TINY:         diffc.reshape {{.*}} -> tensor<?x128xf32>

// Test: the twin has the same names and shapes, and --init-weights writes
// them all.
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc-zoo classifier --preset=fmnist --init-weights=%t/init.safetensors -o %t/c.mlir
// RUN: %python %diffc_src_root/frontends/python/classifier_torch.py --print-state-dict | FileCheck %s --check-prefix=TWIN
// TWIN:      convs.0.weight [32, 1, 3, 3]
// TWIN-NEXT: convs.0.bias [32]
// TWIN-NEXT: convs.1.weight [64, 32, 3, 3]
// TWIN-NEXT: convs.1.bias [64]
// TWIN-NEXT: fc.weight [128, 3136]
// TWIN-NEXT: fc.bias [128]
// TWIN-NEXT: head.weight [10, 128]
// TWIN-NEXT: head.bias [10]
// TWIN-NEXT: parameters: 421642
// RUN: %python -c "import json,struct; f=open('%t/init.safetensors','rb'); n=struct.unpack('<Q', f.read(8))[0]; h=json.loads(f.read(n)); print(sorted((k, v['shape']) for k, v in h.items() if k != '__metadata__'))" | FileCheck %s --check-prefix=INIT
// INIT: [('convs.0.bias', [32]), ('convs.0.weight', [32, 1, 3, 3]), ('convs.1.bias', [64]), ('convs.1.weight', [64, 32, 3, 3]), ('fc.bias', [128]), ('fc.weight', [128, 3136]), ('head.bias', [10]), ('head.weight', [10, 128])]

// Test: configurations that cannot be built.
// RUN: not diffc-zoo classifier --sample-size=30 2>&1 | FileCheck %s --check-prefix=SIZE
// SIZE: diffc-zoo: error: sample size 30 not divisible by 2^stages = 2^2 (every stage halves the resolution)
// RUN: not diffc-zoo classifier --activation=gelu 2>&1 | FileCheck %s --check-prefix=ACT
// ACT: diffc-zoo: error: unknown activation 'gelu' (expected relu or silu)
// RUN: not diffc-zoo classifier --feature-dim=0 2>&1 | FileCheck %s --check-prefix=DIM
// DIM: diffc-zoo: error: feature dim must be positive, got 0
// RUN: not diffc-zoo classifier --preset=cifar 2>&1 | FileCheck %s --check-prefix=PRESET
// PRESET: diffc-zoo: error: unknown preset 'cifar' (expected fmnist)
