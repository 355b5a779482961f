//===- DiffcOps.td - all diffc ops -------------------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_OPS_TD
#define DIFFC_OPS_TD

include "DiffcNetworkOps.td"
include "DiffcSamplerOps.td"
include "DiffcTrainingOps.td"
include "DiffcAutodiffOps.td"

#endif // DIFFC_OPS_TD
