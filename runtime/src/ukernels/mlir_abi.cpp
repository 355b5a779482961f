//===- mlir_abi.cpp - Entry points called by generated code ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The functions that diffc-cpu-microkernels makes generated code call. They
// are declared there with `llvm.emit_c_interface`, so the generated code
// passes each memref as a pointer to MLIR's strided descriptor
//   { T *allocated; T *aligned; int64_t offset; int64_t sizes[N];
//     int64_t strides[N]; }
// and calls `_mlir_ciface_<name>`. The names and argument lists here are the
// contract with passes/Conversion/CpuMicrokernels.cpp; change both together.
//
// The generated shared object is dlopen'ed by a host (diffc-run, the tests)
// and resolves these symbols against it, so every host links this file and
// exports its symbols (CMake: diffc_add_kernel_host in runtime/).
//
//===----------------------------------------------------------------------===//

#include "ukernels.h"

#include <cstdint>
#include <cstring>

namespace {

template <int Rank> struct StridedMemRef {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

using diffc::ukernels::Output;

Output outputMode(int32_t mode) {
  switch (mode) {
  case 1:
    return Output::Accumulate;
  case 2:
    return Output::AddBias;
  default:
    return Output::Overwrite;
  }
}

/// The batch stride of an operand: 0 when its batch extent of 1 broadcasts.
int64_t batchStride(const StridedMemRef<3> &m) {
  return m.sizes[0] == 1 ? 0 : m.strides[0];
}

diffc::ukernels::TensorView view6(const StridedMemRef<6> &m) {
  diffc::ukernels::TensorView v;
  v.data = m.aligned + m.offset;
  for (int d = 0; d < 6; ++d) {
    v.sizes[d] = m.sizes[d];
    v.strides[d] = m.strides[d];
  }
  return v;
}

/// The convolution on three 6-D views, without a bias; the forward kernel
/// and the gradients' kernels take the same views.
diffc::ukernels::Convolution convolutionOf(StridedMemRef<6> *input,
                                           StridedMemRef<6> *weight,
                                           StridedMemRef<6> *output,
                                           const int64_t stride[3],
                                           const int64_t padding[3],
                                           const int64_t dilation[3],
                                           int32_t mode) {
  diffc::ukernels::Convolution conv;
  conv.input = view6(*input);
  conv.weight = view6(*weight);
  conv.output = view6(*output);
  for (int d = 0; d < 3; ++d) {
    conv.stride[d] = stride[d];
    conv.padding[d] = padding[d];
    conv.dilation[d] = dilation[d];
  }
  conv.mode = outputMode(mode);
  conv.bias = nullptr;
  conv.biasStride = 0;
  return conv;
}

} // namespace

extern "C" {

/// C[b] = A[b] B[b] (mode 0), C[b] += A[b] B[b] (mode 1) or
/// C[b] = A[b] B[b] + bias (mode 2, bias per column) for b < C's batch;
/// A [batch|1, M, K], B [batch|1, K, N], C [batch, M, N], bias [N] (any
/// extent when unused).
__attribute__((visibility("default"))) void
_mlir_ciface_diffc_ukernel_sgemm(StridedMemRef<3> *a, StridedMemRef<3> *b,
                                 StridedMemRef<3> *c, StridedMemRef<1> *bias,
                                 int32_t mode) {
  diffc::ukernels::BatchedGemm g;
  g.batch = c->sizes[0];
  g.a = {a->aligned + a->offset, a->sizes[1], a->sizes[2], a->strides[1],
         a->strides[2]};
  g.b = {b->aligned + b->offset, b->sizes[1], b->sizes[2], b->strides[1],
         b->strides[2]};
  g.c = {c->aligned + c->offset, c->sizes[1], c->sizes[2], c->strides[1],
         c->strides[2]};
  g.aBatchStride = batchStride(*a);
  g.bBatchStride = batchStride(*b);
  g.cBatchStride = c->strides[0];
  g.output = outputMode(mode);
  g.bias = bias->aligned + bias->offset;
  g.biasStride = bias->strides[0];
  diffc::ukernels::sgemm(g);
}

/// The grouped 3-D convolution of diffc::ukernels::Convolution on
/// input [N, G, C, D, H, W], weight [G, O, C, kD, kH, kW] and output
/// [N, G, O, oD, oH, oW]; stride, low padding and dilation per spatial dim;
/// mode as for the SGEMM with the bias [G*O] per output channel.
__attribute__((visibility("default"))) void _mlir_ciface_diffc_ukernel_conv(
    StridedMemRef<6> *input, StridedMemRef<6> *weight, StridedMemRef<6> *output,
    StridedMemRef<1> *bias, int64_t s0, int64_t s1, int64_t s2, int64_t p0,
    int64_t p1, int64_t p2, int64_t d0, int64_t d1, int64_t d2, int32_t mode) {
  const int64_t stride[3] = {s0, s1, s2}, padding[3] = {p0, p1, p2},
                dilation[3] = {d0, d1, d2};
  diffc::ukernels::Convolution conv = convolutionOf(
      input, weight, output, stride, padding, dilation, mode);
  conv.bias = bias->aligned + bias->offset;
  conv.biasStride = bias->strides[0];
  diffc::ukernels::convolution(conv);
}

/// The input gradient of a grouped 3-D convolution: input_grad
/// [N, G, C, D, H, W] (=, += with mode 0, 1) from output_grad
/// [N, G, O, oD, oH, oW] and weight [G, O, C, kD, kH, kW]; stride, low
/// padding and dilation of the forward convolution.
__attribute__((visibility("default"))) void
_mlir_ciface_diffc_ukernel_conv_backward_input(
    StridedMemRef<6> *outputGrad, StridedMemRef<6> *weight,
    StridedMemRef<6> *inputGrad, int64_t s0, int64_t s1, int64_t s2,
    int64_t p0, int64_t p1, int64_t p2, int64_t d0, int64_t d1, int64_t d2,
    int32_t mode) {
  const int64_t stride[3] = {s0, s1, s2}, padding[3] = {p0, p1, p2},
                dilation[3] = {d0, d1, d2};
  diffc::ukernels::convolutionBackwardInput(convolutionOf(
      inputGrad, weight, outputGrad, stride, padding, dilation, mode));
}

/// The weight gradient of a grouped 3-D convolution: weight_grad
/// [G, O, C, kD, kH, kW] (=, += with mode 0, 1) from input
/// [N, G, C, D, H, W] and output_grad [N, G, O, oD, oH, oW].
__attribute__((visibility("default"))) void
_mlir_ciface_diffc_ukernel_conv_backward_weight(
    StridedMemRef<6> *input, StridedMemRef<6> *outputGrad,
    StridedMemRef<6> *weightGrad, int64_t s0, int64_t s1, int64_t s2,
    int64_t p0, int64_t p1, int64_t p2, int64_t d0, int64_t d1, int64_t d2,
    int32_t mode) {
  const int64_t stride[3] = {s0, s1, s2}, padding[3] = {p0, p1, p2},
                dilation[3] = {d0, d1, d2};
  diffc::ukernels::convolutionBackwardWeight(convolutionOf(
      input, weightGrad, outputGrad, stride, padding, dilation, mode));
}

/// memref.copy between layouts that are not both contiguous: the MLIR
/// runtime-library function finalize-memref-to-llvm emits a call to
/// (mlir/ExecutionEngine/CRunnerUtils.h). Any element type; innermost
/// contiguous runs are copied with memcpy.
struct UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};

__attribute__((visibility("default"))) void
memrefCopy(int64_t elemSize, UnrankedMemRef *src, UnrankedMemRef *dst) {
  // The ranked descriptor: two pointers, the offset, then rank sizes and
  // rank strides, all 8 bytes wide.
  struct Descriptor {
    char *allocated;
    char *aligned;
    int64_t offset;
    int64_t shape[1];
  };
  const int64_t rank = src->rank;
  const auto *s = static_cast<const Descriptor *>(src->descriptor);
  const auto *d = static_cast<const Descriptor *>(dst->descriptor);
  const int64_t *sizes = s->shape;
  const int64_t *srcStrides = s->shape + rank, *dstStrides = d->shape + rank;
  const char *from = s->aligned + s->offset * elemSize;
  char *to = d->aligned + d->offset * elemSize;
  if (rank == 0) {
    std::memcpy(to, from, elemSize);
    return;
  }
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  // Innermost run copied at once when both sides are unit-strided there.
  const int64_t inner = sizes[rank - 1];
  const bool contiguousRows = srcStrides[rank - 1] == 1 && dstStrides[rank - 1] == 1;
  int64_t index[64] = {};
  if (rank > 64)
    return; // MLIR memrefs never get near this
  for (;;) {
    int64_t so = 0, dOff = 0;
    for (int64_t i = 0; i + 1 < rank; ++i) {
      so += index[i] * srcStrides[i];
      dOff += index[i] * dstStrides[i];
    }
    if (contiguousRows) {
      std::memcpy(to + dOff * elemSize, from + so * elemSize, inner * elemSize);
    } else {
      for (int64_t j = 0; j < inner; ++j)
        std::memcpy(to + (dOff + j * dstStrides[rank - 1]) * elemSize,
                    from + (so + j * srcStrides[rank - 1]) * elemSize, elemSize);
    }
    int64_t dim = rank - 2;
    while (dim >= 0 && ++index[dim] == sizes[dim])
      index[dim--] = 0;
    if (dim < 0)
      return;
  }
}

} // extern "C"
