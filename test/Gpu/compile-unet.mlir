// A whole zoo U-Net with its DDIM sampler compiles for every GPU target
// (a cubin assembled by ptxas plus PTX each) beside x86-64, and the same GPU
// kernels, run as host loops, compute the twin's forward pass.
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --attention-resolutions=14 --attention-head-dim=32 -o %t/unet.mlir
// RUN: diffc compile %t/unet.mlir --sampler=ddim --target=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120,x86_64 -o %t/unet.diffc
// RUN: diffc-run %t/unet.diffc inspect | FileCheck %s
// RUN: diffc compile %t/unet.mlir --gpu-host-loops -o %t/host.diffc
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --attention-resolutions=14 --attention-head-dim=32 --write-case %t/case --batch 2 --seed 4
// RUN: diffc-run %t/host.diffc call unet --weights %t/case/weights.safetensors --arg %t/case/sample.npy --arg %t/case/timestep.npy --out %t/case/got.npy
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --compare %t/case/expected.npy %t/case/got.npy | FileCheck %s --check-prefix=HOST

// CHECK-DAG: "target": "sm_80", "format": "cubin"
// CHECK-DAG: "target": "sm_80", "format": "ptx"
// CHECK-DAG: "target": "sm_86", "format": "cubin"
// CHECK-DAG: "target": "sm_89", "format": "cubin"
// CHECK-DAG: "target": "sm_90", "format": "cubin"
// CHECK-DAG: "target": "sm_100", "format": "cubin"
// CHECK-DAG: "target": "sm_120", "format": "cubin"
// CHECK-DAG: "target": "sm_120", "format": "ptx"
// HOST: ok: max rel error
