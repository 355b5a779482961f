// The showcase program in examples/ parses, verifies, round-trips (text and
// generic form), survives canonicalize + cse, and summarizes as expected.
// RUN: diffc-opt %diffc_src_root/examples/cfg_ddim_sampler.mlir | diffc-opt | FileCheck %diffc_src_root/examples/cfg_ddim_sampler.mlir
// RUN: diffc-opt %diffc_src_root/examples/cfg_ddim_sampler.mlir --mlir-print-op-generic | diffc-opt | FileCheck %diffc_src_root/examples/cfg_ddim_sampler.mlir
// RUN: diffc-opt %diffc_src_root/examples/cfg_ddim_sampler.mlir --canonicalize --cse --diffc-model-summary -o /dev/null | FileCheck %s

// CHECK-LABEL: diffc model summary: @denoiser
// CHECK-NEXT:    parameters
// CHECK-LABEL: diffc model summary: @sample
// CHECK:         diffc.sampler_loop    1
