// RUN: diffc-opt %s --split-input-file --diffc-gpu-map-block-reductions | FileCheck %s

// Test: GroupNorm-like statistics (a dynamic batch x 8 groups, 3136 terms
// each, two outputs) get one 256-thread block per output point: strided
// partial folds from the identity, a tree in workgroup memory with a
// barrier after every step (8 steps), and thread 0 folding the total into
// the output's initial value.
// CHECK-LABEL: func.func @stats
// CHECK:         %[[POINTS:.*]] = arith.muli %{{.*}}, %c8 : index
// CHECK:         %[[GRID:.*]] = arith.maxui %[[POINTS]], %{{.*}} : index
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, {{.*}} workgroup(%[[S0:.*]] : memref<256xf32, #gpu.address_space<workgroup>>, %[[S1:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[LIVE:.*]] = arith.cmpi ult, %[[BX]], %[[POINTS]]
// CHECK:           %[[COUNT:.*]] = arith.select %[[LIVE]]
// CHECK:           %[[ZERO:.*]] = arith.constant -0.000000e+00 : f32
// CHECK:           %[[P:.*]]:2 = scf.for %[[K:.*]] = %[[TX]] to %[[COUNT]] step %c256 iter_args(%[[A0:.*]] = %[[ZERO]], %[[A1:.*]] = %{{.*}})
// CHECK:             memref.load %{{.*}}[%{{.*}}, %{{.*}}, %[[K]]]
// CHECK:           memref.store %[[P]]#0, %[[S0]][%[[TX]]]
// CHECK:           memref.store %[[P]]#1, %[[S1]][%[[TX]]]
// CHECK-NEXT:      gpu.barrier
// CHECK:           arith.cmpi ult, %[[TX]], %c128
// CHECK-COUNT-8:   gpu.barrier
// CHECK:           %[[FIRST:.*]] = arith.cmpi eq, %[[TX]]
// CHECK:           %[[STORE:.*]] = arith.andi %[[FIRST]]
// CHECK:           scf.if %[[STORE]] {
// CHECK:             %[[INIT:.*]] = memref.load %arg1
// CHECK:             %[[TOTAL:.*]] = memref.load %[[S0]]
// CHECK:             %[[OUT:.*]] = arith.addf %[[INIT]], %[[TOTAL]]
// CHECK:             memref.store %[[OUT]], %arg1
// CHECK:           gpu.terminator
// CHECK:         } {diffc.gpu_kernel = {block = array<i64: 256, 1, 1>, elements = -1 : i64}}
// CHECK-NOT:     linalg.generic
#in = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @stats(%x: memref<?x8x3136xf32>, %s: memref<?x8xf32>, %q: memref<?x8xf32>) {
  linalg.generic {indexing_maps = [#in, #out, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<?x8x3136xf32>) outs(%s, %q : memref<?x8xf32>, memref<?x8xf32>) {
  ^bb0(%a: f32, %acc: f32, %acc2: f32):
    %sq = arith.mulf %a, %a : f32
    %0 = arith.addf %acc, %a : f32
    %1 = arith.addf %sq, %acc2 : f32
    linalg.yield %0, %1 : f32, f32
  }
  return
}

// -----

// Test: a maximum starts from -inf.
// CHECK-LABEL: func.func @max_all
// CHECK:         gpu.launch
// CHECK:           arith.constant 0xFF800000 : f32
// CHECK:           arith.maximumf
#all = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
func.func @max_all(%x: memref<?xf32>, %m: memref<f32>) {
  linalg.generic {indexing_maps = [#all, #scalar], iterator_types = ["reduction"]}
      ins(%x : memref<?xf32>) outs(%m : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %0 = arith.maximumf %acc, %a : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// Test: left to diffc-gpu-map-reductions: many output points (a
// convolution-like product), few terms, or a fold this pass cannot reorder.
// CHECK-LABEL: func.func @left
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-3: linalg.generic
#mk = affine_map<(d0, d1, d2) -> (d0, d2)>
#kn = affine_map<(d0, d1, d2) -> (d2, d1)>
#mn = affine_map<(d0, d1, d2) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, d1)>
#rowout = affine_map<(d0, d1) -> (d0)>
func.func @left(%a: memref<128x2048xf32>, %b: memref<2048x64xf32>, %c: memref<128x64xf32>,
                %x: memref<16x40xf32>, %r: memref<16xf32>, %y: memref<16x5000xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<128x2048xf32>, memref<2048x64xf32>) outs(%c : memref<128x64xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#row, #rowout], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x40xf32>) outs(%r : memref<16xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %s = arith.addf %acc, %u : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#row, #rowout], iterator_types = ["parallel", "reduction"]}
      ins(%y : memref<16x5000xf32>) outs(%r : memref<16xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %s = arith.subf %acc, %u : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Test: a plain row reduction with many rows (softmax's row sum: 4096 rows
// of 256) gets a warp of 32 threads per row; a contraction of the same size
// stays one thread per output (left for diffc-gpu-map-reductions).
// CHECK-LABEL: func.func @rows
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c32, {{.*}} workgroup(%{{.*}} : memref<32xf32, #gpu.address_space<workgroup>>)
// CHECK-COUNT-6:   gpu.barrier
// CHECK:         } {diffc.gpu_kernel = {block = array<i64: 32, 1, 1>, elements = -1 : i64}}
// CHECK:         linalg.generic
// CHECK-NOT:     gpu.launch
#r2 = affine_map<(d0, d1) -> (d0, d1)>
#r1 = affine_map<(d0, d1) -> (d0)>
#c1 = affine_map<(d0, d1) -> (d1)>
func.func @rows(%x: memref<4096x256xf32>, %s: memref<4096xf32>, %v: memref<256xf32>) {
  linalg.generic {indexing_maps = [#r2, #r1], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4096x256xf32>) outs(%s : memref<4096xf32>) {
  ^bb0(%u: f32, %acc: f32):
    %e = math.exp %u : f32
    %t = arith.addf %acc, %e : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#r2, #c1, #r1], iterator_types = ["parallel", "reduction"]}
      ins(%x, %v : memref<4096x256xf32>, memref<256xf32>) outs(%s : memref<4096xf32>) {
  ^bb0(%u: f32, %w: f32, %acc: f32):
    %p = arith.mulf %u, %w : f32
    %t = arith.addf %acc, %p : f32
    linalg.yield %t : f32
  }
  return
}
