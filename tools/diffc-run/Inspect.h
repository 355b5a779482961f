//===- Inspect.h - diffc-run inspect: an artifact as JSON -------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_RUN_INSPECT_H
#define DIFFC_TOOLS_DIFFC_RUN_INSPECT_H

#include "diffc/artifact.h"

#include <string>

namespace diffc {

/// The artifact's metadata as JSON: schema version, producer, entry points
/// with their signatures, code objects, weights (no blob contents),
/// parameters and metadata (an object of strings). The layout is stable and
/// line-oriented (one value per line) so lit tests can FileCheck it.
std::string inspectJson(const Artifact &artifact);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_RUN_INSPECT_H
