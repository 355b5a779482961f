//===- Registration.cpp - attach every gradient rule ----------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/Gradients/GradientBuilder.h"

using namespace mlir;
using namespace mlir::diffc;

void mlir::diffc::registerGradientModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, DiffcDialect *) {
    registerElementwiseGradients(ctx);
    registerReductionGradients(ctx);
    registerDataMovementGradients(ctx);
    registerContractionGradients(ctx);
    registerNormalizationGradients(ctx);
    registerAttentionGradients(ctx);
  });
}
