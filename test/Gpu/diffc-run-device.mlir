// diffc-run's devices and --device without a driver: the runtime dlopens
// libcuda.so.1, so the no-driver path is forced with DIFFC_LIBCUDA and runs
// on every machine.
// RUN: diffc compile %s -o %t.diffc
// RUN: env DIFFC_LIBCUDA=/nonexistent/libcuda.so.1 diffc-run devices | FileCheck %s --check-prefix=DEVICES
// RUN: env DIFFC_LIBCUDA=/nonexistent/libcuda.so.1 not diffc-run %t.diffc call f --device=cuda --arg f32:1 2>&1 | FileCheck %s --check-prefix=NODRIVER
// RUN: env DIFFC_LIBCUDA=/nonexistent/libcuda.so.1 not diffc-run %t.diffc sample --device cuda 2>&1 | FileCheck %s --check-prefix=NODRIVER
// RUN: not diffc-run %t.diffc call f --device=tpu 2>&1 | FileCheck %s --check-prefix=BADDEVICE
// RUN: not diffc-run devices --device=cpu 2>&1 | FileCheck %s --check-prefix=DEVOPTS
// --device=cpu and auto run on the CPU.
// RUN: diffc-run %t.diffc call f --device=cpu --arg f32:1.5 | FileCheck %s --check-prefix=CPU
// RUN: env DIFFC_LIBCUDA=/nonexistent/libcuda.so.1 diffc-run %t.diffc call f --device=auto --arg f32:1.5 | FileCheck %s --check-prefix=CPU

// DEVICES: cpu: x86_64
// DEVICES: cuda: none: no NVIDIA driver (/nonexistent/libcuda.so.1 not found)
// NODRIVER: diffc-run: error: --device=cuda: no NVIDIA driver (/nonexistent/libcuda.so.1 not found)
// BADDEVICE: diffc-run: error: unknown --device 'tpu' (expected auto, cpu or cuda)
// DEVOPTS: diffc-run: error: devices takes no options
// CPU: result 0: f32 = 3

func.func @f(%x: f32) -> f32 {
  %0 = arith.addf %x, %x : f32
  return %0 : f32
}
