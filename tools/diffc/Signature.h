//===- Signature.h - entry-point signatures of a diffc module ---*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The public functions of the input module become the artifact's entry
// points; their tensor-level types are recorded before lowering erases them.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_SIGNATURE_H
#define DIFFC_TOOLS_DIFFC_SIGNATURE_H

#include "diffc/artifact.h"

#include "mlir/IR/BuiltinOps.h"

#include <vector>

namespace diffc {

/// The signature of `type` when it can cross the artifact boundary.
std::optional<ValueSignature> signatureOf(mlir::Type type);

/// Collects the signature of every public function with a body. Emits an
/// error at the function's location and returns failure for a type the
/// runtime cannot pass (only ranked tensors of f32/f64/f16/bf16/i32/i64/i1
/// and i64, index and f32 scalars cross the boundary).
mlir::LogicalResult
collectEntryPoints(mlir::ModuleOp module,
                   std::vector<EntryPointSignature> &entries);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_SIGNATURE_H
