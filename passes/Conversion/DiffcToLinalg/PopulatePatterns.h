//===- PopulatePatterns.h - diffc-to-linalg pattern sets --------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// One populate function per topic file; DiffcToLinalg.cpp only wires them to
// the pass.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_POPULATEPATTERNS_H
#define DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_POPULATEPATTERNS_H

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <vector>

namespace mlir::diffc {

/// Unary and broadcasting binary elementwise ops (Elementwise.cpp).
void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns);

/// Sampler steps, add_noise and guidance combines (SamplerSteps.cpp).
void populateSamplerToLinalgPatterns(RewritePatternSet &patterns);

/// linear, matmul, conv2d and conv3d to linalg's named contraction and
/// convolution ops (Contraction.cpp).
void populateContractionToLinalgPatterns(RewritePatternSet &patterns);

/// conv2d_backward_input and conv2d_backward_weight, the gradients of
/// conv2d, as linalg.generic contractions (ConvBackward.cpp).
void populateConvBackwardToLinalgPatterns(RewritePatternSet &patterns);

/// Multi-head attention with a stable softmax (Attention.cpp).
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);

/// Noise schedules, timesteps and Philox noise (Schedules.cpp).
void populateScheduleToLinalgPatterns(RewritePatternSet &patterns);

/// diffc.sampler_loop to scf.for (SamplerLoop.cpp).
void populateSamplerLoopToSCFPatterns(RewritePatternSet &patterns);

/// group_norm and layer_norm (Normalization.cpp).
void populateNormalizationToLinalgPatterns(RewritePatternSet &patterns);

/// softmax, reduce and the losses (Reductions.cpp).
void populateReductionToLinalgPatterns(RewritePatternSet &patterns);

/// concat, slice, reshape, transpose, upsample_nearest and avg_pool2d
/// (DataMovement.cpp).
void populateDataMovementToLinalgPatterns(RewritePatternSet &patterns);

/// timestep_embedding, embedding and vector_quantize (Embeddings.cpp).
void populateEmbeddingToLinalgPatterns(RewritePatternSet &patterns);

/// adam_update and ema_update (Training.cpp).
void populateTrainingToLinalgPatterns(RewritePatternSet &patterns);

/// The beta table of a diffusers noise schedule, in double precision
/// (Schedules.cpp; exposed for the runtime-independent reference tests).
std::vector<double> computeBetas(BetaSchedule kind, int64_t n, double start,
                                 double end, bool rescaleZeroSnr);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_CONVERSION_DIFFCTOLINALG_POPULATEPATTERNS_H
