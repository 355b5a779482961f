//===- LaunchToCalls.cpp - gpu.launch_func to the runtime's launch ABI ----===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The host code of a GPU artifact is compiled to x86-64 like the CPU code;
// its kernel launches become calls of the runtime (runtime/src/cuda/
// gpu_abi.cpp), which picked and loaded the code object for the device it
// found. Each launch writes its parameters into 64-bit slots laid out as the
// PTX kernel takes them (convert-gpu-to-nvvm's expanded memref descriptors),
// so the runtime passes the driver one pointer per slot and needs no
// knowledge of the kernel's signature.
//
//===----------------------------------------------------------------------===//

#include "passes/Gpu/HostAbi.h"
#include "passes/Gpu/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_GPULAUNCHTOCALLSPASS
#include "passes/Gpu/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

/// The number of 64-bit slots `value` takes as a kernel parameter.
int64_t slotCount(Value value) {
  if (auto memref = dyn_cast<MemRefType>(value.getType()))
    return 3 + 2 * memref.getRank();
  return 1;
}

/// Emits the slots of one kernel operand. False (with an error at `launch`)
/// for a type the slots cannot hold.
LogicalResult emitSlots(OpBuilder &b, Location loc, Operation *launch,
                        Value value, func::FuncOp globalFn,
                        SmallVectorImpl<Value> &slots) {
  Type i64 = b.getI64Type();
  auto toI64 = [&](Value index) {
    return arith::IndexCastUIOp::create(b, loc, i64, index).getResult();
  };
  if (auto memref = dyn_cast<MemRefType>(value.getType())) {
    Value base;
    Value root = diffc::rootBuffer(value);
    if (auto global = root.getDefiningOp<memref::GetGlobalOp>()) {
      // Kernels read the device copy; the host keeps reading its own.
      auto type = cast<MemRefType>(global.getType());
      if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
        return launch->emitError()
               << "a global of type " << type
               << " cannot be passed to a GPU kernel (static shapes only)";
      int64_t bytes = type.getNumElements() *
                      ((type.getElementTypeBitWidth() + 7) / 8);
      Value host = toI64(
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, root));
      Value size = arith::ConstantIntOp::create(b, loc, i64, bytes);
      base = func::CallOp::create(b, loc, globalFn, ValueRange{host, size})
                 .getResult(0);
    } else {
      base = toI64(
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, value));
    }
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, value);
    slots.push_back(base); // allocated pointer: the kernels never read it
    slots.push_back(base);
    slots.push_back(toI64(meta.getOffset()));
    for (Value size : meta.getSizes())
      slots.push_back(toI64(size));
    for (Value stride : meta.getStrides())
      slots.push_back(toI64(stride));
    return success();
  }
  Type type = value.getType();
  if (type.isIndex()) {
    slots.push_back(toI64(value));
    return success();
  }
  if (auto floatType = dyn_cast<FloatType>(type)) {
    unsigned width = floatType.getWidth();
    if (width != 16 && width != 32 && width != 64)
      return launch->emitError() << "kernel parameter of type " << type
                                 << " is not supported";
    value = arith::BitcastOp::create(b, loc, b.getIntegerType(width), value);
    type = value.getType();
  }
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType || intType.getWidth() > 64)
    return launch->emitError()
           << "kernel parameter of type " << type << " is not supported";
  // Little-endian: the slot's first bytes hold the narrower value.
  if (intType.getWidth() < 64)
    value = arith::ExtUIOp::create(b, loc, i64, value);
  slots.push_back(value);
  return success();
}

struct GpuLaunchToCallsPass
    : public diffc::impl::GpuLaunchToCallsPassBase<GpuLaunchToCallsPass> {
  using GpuLaunchToCallsPassBase::GpuLaunchToCallsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Type i64 = IntegerType::get(ctx, 64);
    SmallVector<gpu::LaunchFuncOp> launches;
    module.walk([&](gpu::LaunchFuncOp l) { launches.push_back(l); });

    if (!launches.empty()) {
      func::FuncOp launchFn = diffc::declareRuntimeFunction(
          module, diffc::kGpuLaunchFn,
          FunctionType::get(ctx, SmallVector<Type>(10, i64), {}));
      func::FuncOp globalFn = diffc::declareRuntimeFunction(
          module, diffc::kGpuGlobalFn,
          FunctionType::get(ctx, {i64, i64}, {i64}));

      // Kernel ids: the table's rows, one per launch in walk order (as
      // GpuCodegen.cpp builds the table).
      llvm::DenseMap<Operation *, int64_t> ids;
      // One slot buffer per function, as large as its largest launch.
      llvm::DenseMap<Operation *, int64_t> slotsPerFunction;
      for (gpu::LaunchFuncOp launch : launches) {
        ids.try_emplace(launch, static_cast<int64_t>(ids.size()));
        if (!launch.getAsyncDependencies().empty() || launch.getAsyncToken() ||
            launch.getAsyncObject() || launch.hasClusterSize()) {
          launch.emitError("asynchronous or clustered gpu.launch_func is not "
                           "supported by the runtime's launch ABI");
          return signalPassFailure();
        }
        auto func = launch->getParentOfType<func::FuncOp>();
        if (!func) {
          launch.emitError("gpu.launch_func outside a func.func");
          return signalPassFailure();
        }
        int64_t count = 0;
        for (Value v : launch.getKernelOperands())
          count += slotCount(v);
        int64_t &most = slotsPerFunction[func];
        most = std::max(most, std::max<int64_t>(count, 1));
      }
      llvm::DenseMap<Operation *, Value> slotBuffers;
      for (auto [func, count] : slotsPerFunction) {
        auto f = cast<func::FuncOp>(func);
        OpBuilder b = OpBuilder::atBlockBegin(&f.getBody().front());
        slotBuffers[func] = memref::AllocaOp::create(
            b, f.getLoc(), MemRefType::get({count}, i64));
      }

      for (gpu::LaunchFuncOp launch : launches) {
        OpBuilder b(launch);
        Location loc = launch.getLoc();
        auto func = launch->getParentOfType<func::FuncOp>();
        SmallVector<Value> slots;
        for (Value v : launch.getKernelOperands())
          if (failed(emitSlots(b, loc, launch, v, globalFn, slots)))
            return signalPassFailure();
        Value buffer = slotBuffers[func];
        for (auto [k, slot] : llvm::enumerate(slots)) {
          Value at = arith::ConstantIndexOp::create(b, loc, k);
          memref::StoreOp::create(b, loc, slot, buffer, ValueRange{at});
        }
        auto toI64 = [&](Value index) -> Value {
          return arith::IndexCastUIOp::create(b, loc, i64, index);
        };
        Value smem = launch.getDynamicSharedMemorySize()
                         ? Value(arith::ExtUIOp::create(
                               b, loc, i64, launch.getDynamicSharedMemorySize()))
                         : Value(arith::ConstantIntOp::create(b, loc, i64, 0));
        gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
        gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
        SmallVector<Value> args = {
            arith::ConstantIntOp::create(b, loc, i64, ids[launch]),
            toI64(grid.x),  toI64(grid.y),  toI64(grid.z),
            toI64(block.x), toI64(block.y), toI64(block.z),
            smem,
            toI64(memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer)),
            arith::ConstantIntOp::create(b, loc, i64,
                                         static_cast<int64_t>(slots.size()))};
        func::CallOp::create(b, loc, launchFn, args);
        launch.erase();
      }
    }

    // The device code lives in the artifact's code objects, not here.
    for (Operation &op : llvm::make_early_inc_range(*module.getBody()))
      if (isa<gpu::GPUModuleOp, gpu::BinaryOp>(op))
        op.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }
};

} // namespace
