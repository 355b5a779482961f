//===- DiffcBase.td - diffc dialect definition -------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The diffc dialect and the pieces every op shares: the op base class and the
// tensor type constraints.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_BASE_TD
#define DIFFC_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Diffc_Dialect : Dialect {
  let name = "diffc";
  let cppNamespace = "::mlir::diffc";
  let summary = "Diffusion models and their samplers, training steps and inversion loops";
  let description = [{
    One dialect for the networks (U-Nets, autoencoders, classifiers,
    discriminators) and the programs around them (noise schedules, sampler
    steps and loops, guidance, optimizer updates). Network ops work on ranked
    tensors in PyTorch's NCHW layout so that weights keep their PyTorch
    state-dict shapes. Sampler ops follow the semantics of diffusers'
    DDPMScheduler, DDIMScheduler and DDIMInverseScheduler.
  }];
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

/// Floating-point element types diffc computes in: f32 first, f16/bf16 as a
/// compile option, f64 for references.
def Diffc_Float : AnyTypeOf<[F16, BF16, F32, F64], "floating-point">;
def Diffc_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Diffc_IndexTensor : RankedTensorOf<[I32, I64]>;
/// A rank-0 floating-point tensor: a run-time scalar such as a guidance
/// weight or a learning rate.
def Diffc_FloatScalarTensor : 0DTensorOf<[F16, BF16, F32, F64]>;
def Diffc_Vector : 1DTensorOf<[F32, F64]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class Diffc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Diffc_Dialect, mnemonic, traits>;

#endif // DIFFC_BASE_TD
