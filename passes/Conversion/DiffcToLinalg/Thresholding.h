//===- Thresholding.h - dynamic thresholding of x0 predictions --*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_THRESHOLDING_H
#define DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_THRESHOLDING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir::diffc {

/// The per-sample scale s of diffusers' _threshold_sample (Imagen's dynamic
/// thresholding) for `x0` ([N, ...], f32 or f64): the `ratio` quantile of
/// |x0| over each sample (torch.quantile, linear interpolation), clamped to
/// [1, maxValue]. Returns a [N] tensor of x0's element type. x0 is then
/// clamp(x0, -s, s) / s.
Value dynamicThresholdScale(OpBuilder &b, Location loc, Value x0,
                            double ratio, double maxValue);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_THRESHOLDING_H
