// Static-shape GPU kernels for scripts/gpu-check.sh: the GPU runs their
// cubins directly (CuPy, the kernel ABI of docs/gpu.md) and compares with
// the x86-64 code of the same artifact and with PyTorch.

!t = tensor<64x4x64x64xf32>

func.func @bias_silu_residual(%x: !t, %b: tensor<4x1x1xf32>, %r: !t) -> !t {
  %0 = diffc.add %x, %b : (!t, tensor<4x1x1xf32>) -> !t
  %1 = diffc.silu %0 : !t
  %2 = diffc.add %1, %r : (!t, !t) -> !t
  return %2 : !t
}

func.func @ddim_step(%eps: !t, %x: !t, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: !t) -> !t {
  %0 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta, %z prediction epsilon : (!t, !t, tensor<1000xf32>, i64, i64, f32, !t) -> !t
  return %0 : !t
}

// A matrix product: diffc-gpu-map-reductions' baseline kernel (one thread
// per output running the K loop), beside cuBLAS through PyTorch.
func.func @matmul(%a: tensor<1024x512xf32>, %b: tensor<512x256xf32>) -> tensor<1024x256xf32> {
  %0 = diffc.matmul %a, %b : (tensor<1024x512xf32>, tensor<512x256xf32>) -> tensor<1024x256xf32>
  return %0 : tensor<1024x256xf32>
}
