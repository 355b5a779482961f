//===- GpuCodegen.cpp - GPU kernels to PTX and cubins ---------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "GpuCodegen.h"

#include "passes/Gpu/Passes.h"
#include "passes/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>
#include <map>

using namespace llvm;

std::string diffc::cudaToolkitPath(const GpuCodegenOptions &options) {
  if (!options.cudaPath.empty())
    return options.cudaPath;
  const char *home = std::getenv("CUDA_HOME");
  return home && *home ? home : "/usr/local/cuda";
}

namespace {

/// Runs ptxas on `ptx` for `target`; the cubin's bytes, or false with the
/// first lines of ptxas's complaint.
bool assemble(const std::string &ptxas, const std::string &target,
              const std::string &ptx, std::vector<uint8_t> &cubin,
              std::string &info, std::string &error) {
  SmallString<128> ptxPath, cubinPath, logPath;
  int fd;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("diffc-" + target, "ptx", fd, ptxPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << ptx;
  }
  sys::fs::createTemporaryFile("diffc-" + target, "cubin", cubinPath);
  sys::fs::createTemporaryFile("diffc-" + target, "log", logPath);
  std::string arch = "-arch=" + target;
  SmallVector<StringRef> argv = {ptxas, arch, "-O3", "-v",
                                 "-o", cubinPath, ptxPath};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int rc = sys::ExecuteAndWait(ptxas, argv, std::nullopt, redirects, 0, 0,
                               &message);
  bool ok = rc == 0;
  if (auto text = MemoryBuffer::getFile(logPath))
    info = (*text)->getBuffer().str();
  if (ok) {
    auto bytes = MemoryBuffer::getFile(cubinPath);
    ok = bool(bytes);
    if (ok)
      cubin.assign((*bytes)->getBufferStart(), (*bytes)->getBufferEnd());
    else
      error = "cannot read the cubin ptxas wrote: " +
              bytes.getError().message();
  } else {
    std::string log;
    if (auto text = MemoryBuffer::getFile(logPath))
      log = (*text)->getBuffer().trim().str();
    for (char &c : log)
      if (c == '\n')
        c = ' ';
    if (log.size() > 600)
      log = log.substr(0, 600) + "...";
    error = "ptxas rejected the " + target + " kernels (exit " +
            std::to_string(rc) + (message.empty() ? "" : ", " + message) +
            ")" + (log.empty() ? "" : ": " + log);
  }
  sys::fs::remove(ptxPath);
  sys::fs::remove(cubinPath);
  sys::fs::remove(logPath);
  return ok;
}

/// The artifact's element type for a kernel parameter's (element) type;
/// index is 64-bit in the kernels (convert-gpu-to-nvvm index-bitwidth=64).
std::optional<diffc::ElementType> elementTypeOf(mlir::Type type) {
  if (type.isF32())
    return diffc::ElementType::f32;
  if (type.isF64())
    return diffc::ElementType::f64;
  if (type.isF16())
    return diffc::ElementType::f16;
  if (type.isBF16())
    return diffc::ElementType::bf16;
  if (type.isIndex() || type.isInteger(64))
    return diffc::ElementType::i64;
  if (type.isInteger(32))
    return diffc::ElementType::i32;
  if (type.isInteger(1))
    return diffc::ElementType::i1;
  return std::nullopt;
}

/// Each operand of `launch`: buffer or scalar, and whether it is an argument
/// or a returned result of the launching function or something its host
/// code computes.
mlir::LogicalResult kernelParams(mlir::gpu::LaunchFuncOp launch,
                                 std::vector<diffc::GpuKernelParam> &params) {
  auto func = launch->getParentOfType<mlir::func::FuncOp>();
  params.clear();
  // diffc-gpu-map-elementwise's grid is maxui(ceildivui(elements, block), 1).
  mlir::Value elements;
  if (auto max = launch.getGridSizeX().getDefiningOp<mlir::arith::MaxUIOp>())
    if (auto div = max.getLhs().getDefiningOp<mlir::arith::CeilDivUIOp>())
      elements = div.getLhs();
  for (mlir::Value v : launch.getKernelOperands()) {
    diffc::GpuKernelParam p;
    mlir::Type element = v.getType();
    if (auto memref = mlir::dyn_cast<mlir::MemRefType>(v.getType())) {
      p.isBuffer = true;
      p.rank = static_cast<int32_t>(memref.getRank());
      element = memref.getElementType();
    } else {
      p.isBuffer = false;
    }
    std::optional<diffc::ElementType> type = elementTypeOf(element);
    if (!type)
      return launch.emitError() << "kernel parameter of type " << v.getType()
                                << " has no artifact element type";
    p.elementType = *type;
    auto arg = mlir::dyn_cast<mlir::BlockArgument>(v);
    if (v == elements) {
      p.source = diffc::GpuKernelParam::Source::elements;
    } else if (func && arg && arg.getOwner() == &func.getBody().front()) {
      p.source = diffc::GpuKernelParam::Source::argument;
      p.index = static_cast<int32_t>(arg.getArgNumber());
    } else if (func) {
      func.walk([&](mlir::func::ReturnOp ret) {
        for (auto [r, operand] : llvm::enumerate(ret.getOperands()))
          if (operand == v && p.index < 0) {
            p.source = diffc::GpuKernelParam::Source::result;
            p.index = static_cast<int32_t>(r);
          }
      });
    }
    params.push_back(p);
  }
  return mlir::success();
}

/// Per-multiprocessor limits of a target (CUDA C Programming Guide,
/// "Compute capabilities" table).
struct SmLimits {
  int threads, blocks, registers, sharedBytes;
};
SmLimits limitsOf(StringRef target) {
  return StringSwitch<SmLimits>(target)
      .Case("sm_80", {2048, 32, 65536, 167936})
      .Case("sm_86", {1536, 16, 65536, 102400})
      .Case("sm_89", {1536, 24, 65536, 102400})
      .Case("sm_90", {2048, 32, 65536, 233472})
      .Case("sm_100", {2048, 32, 65536, 233472})
      .Case("sm_120", {1536, 32, 65536, 102400})
      .Default({2048, 32, 65536, 102400});
}

/// Resident warps over the most a multiprocessor of `target` holds, for a
/// block of `threads` threads using `registers` per thread and
/// `sharedBytes` of shared memory.
float occupancy(StringRef target, int64_t threads, uint32_t registers,
                uint32_t sharedBytes) {
  SmLimits sm = limitsOf(target);
  int64_t warps = (threads + 31) / 32;
  // Registers are allocated per warp in units of 256.
  int64_t perWarp = ((std::max<uint32_t>(registers, 1) * 32 + 255) / 256) * 256;
  int64_t blocks = std::min<int64_t>(sm.blocks, sm.threads / (warps * 32));
  blocks = std::min<int64_t>(blocks, sm.registers / (perWarp * warps));
  if (sharedBytes)
    // 1 KiB per block is reserved by the system on sm_80 and later.
    blocks = std::min<int64_t>(blocks, sm.sharedBytes / (sharedBytes + 1024));
  return static_cast<float>(std::max<int64_t>(blocks, 0) * warps) /
         static_cast<float>(sm.threads / 32);
}

/// Parses `ptxas -v` output: per kernel, registers, static shared memory
/// and spill bytes.
std::map<std::string, diffc::GpuKernelResources>
parsePtxasInfo(StringRef log, StringRef target) {
  std::map<std::string, diffc::GpuKernelResources> out;
  std::string current;
  auto numberBefore = [](StringRef line, StringRef word) -> uint32_t {
    size_t at = line.find(word);
    if (at == StringRef::npos)
      return 0;
    StringRef head = line.take_front(at).rtrim();
    size_t start = head.find_last_not_of("0123456789");
    unsigned value = 0;
    head.drop_front(start == StringRef::npos ? 0 : start + 1)
        .getAsInteger(10, value);
    return value;
  };
  SmallVector<StringRef> lines;
  log.split(lines, '\n');
  for (StringRef line : lines) {
    StringRef marker = "Compiling entry function '";
    if (size_t at = line.find(marker); at != StringRef::npos) {
      StringRef rest = line.drop_front(at + marker.size());
      current = rest.take_until([](char c) { return c == '\''; }).str();
      out[current].target = target.str();
      continue;
    }
    if (current.empty())
      continue;
    if (line.contains("spill stores"))
      out[current].spillBytes = numberBefore(line, " bytes spill stores") +
                                numberBefore(line, " bytes spill loads");
    if (line.contains("Used ") && line.contains(" registers")) {
      out[current].registers = numberBefore(line, " registers");
      out[current].sharedMemoryBytes = numberBefore(line, " bytes smem");
    }
  }
  return out;
}

/// The number of parameters of `.entry name(...)` in `ptx`, or -1.
int64_t ptxParamCount(StringRef ptx, StringRef name) {
  std::string head = (".entry " + name + "(").str();
  size_t at = ptx.find(head);
  if (at == StringRef::npos)
    return -1;
  size_t end = ptx.find(')', at);
  if (end == StringRef::npos)
    return -1;
  StringRef list = ptx.slice(at + head.size(), end);
  int64_t count = 0;
  for (size_t p = list.find(".param"); p != StringRef::npos;
       p = list.find(".param", p + 1))
    ++count;
  return count;
}

/// The host code passes one 64-bit slot per PTX parameter
/// (diffc-gpu-launch-to-calls): the kernel table's parameters must add up
/// to the PTX signature, or every launch of that kernel would be wrong.
bool checkParamSlots(StringRef ptx, const std::vector<diffc::GpuKernelRecord> &kernels,
                     std::string &error) {
  for (const diffc::GpuKernelRecord &k : kernels) {
    int64_t slots = 0;
    for (const diffc::GpuKernelParam &p : k.params)
      slots += p.isBuffer ? 3 + 2 * int64_t(p.rank) : 1;
    int64_t inPtx = ptxParamCount(ptx, k.name);
    if (inPtx != slots) {
      error = "internal error: kernel " + k.name + " takes " +
              std::to_string(inPtx) + " PTX parameters, its table entry " +
              "describes " + std::to_string(slots);
      return false;
    }
  }
  return true;
}

} // namespace

bool diffc::compileGpuKernels(mlir::ModuleOp module,
                              const GpuCodegenOptions &options,
                              std::vector<GpuKernelRecord> &kernels,
                              std::vector<GpuTargetCode> &code,
                              std::string &error) {
  const std::string toolkit = cudaToolkitPath(options);
  std::string ptxas = toolkit + "/bin/ptxas";
  if (!sys::fs::can_execute(ptxas)) {
    ErrorOr<std::string> found = sys::findProgramByName("ptxas");
    if (!found) {
      error = "no ptxas at " + ptxas + " or on PATH: GPU targets need the "
              "CUDA toolkit (set CUDA_HOME or --cuda-path)";
      return false;
    }
    ptxas = *found;
  }
  std::string libdevice = toolkit + "/nvvm/libdevice/libdevice.10.bc";
  if (!sys::fs::exists(libdevice)) {
    error = "no libdevice at " + libdevice +
            ": GPU targets need the CUDA toolkit's nvvm/libdevice";
    return false;
  }

  // The kernel table, from the launches before outlining replaces them (in
  // walk order, which outlining keeps).
  kernels.clear();
  module.walk([&](mlir::gpu::LaunchOp launch) {
    GpuKernelRecord record;
    if (auto f = launch->getParentOfType<mlir::func::FuncOp>())
      record.function = f.getSymName().str();
    if (auto info = launch->getAttrOfType<mlir::DictionaryAttr>(
            mlir::diffc::kGpuKernelAttrName)) {
      if (auto block = mlir::dyn_cast_or_null<mlir::DenseI64ArrayAttr>(
              info.get("block")))
        for (int d = 0; d < 3 && d < block.size(); ++d)
          record.block[d] = static_cast<uint32_t>(block[d]);
      if (auto elements =
              mlir::dyn_cast_or_null<mlir::IntegerAttr>(info.get("elements")))
        record.elements = elements.getInt();
    }
    kernels.push_back(record);
  });
  code.clear();
  if (kernels.empty())
    return true;

  mlir::PassManager pm(module.getContext());
  mlir::diffc::buildDiffcGpuToPtxPipeline(pm, options.targets, toolkit);
  if (failed(pm.run(module)))
    return false; // located diagnostics are out already

  size_t i = 0;
  bool countOk = true, paramsOk = true;
  module.walk([&](mlir::gpu::LaunchFuncOp launch) {
    if (i < kernels.size()) {
      kernels[i].name = launch.getKernelName().str();
      paramsOk &= succeeded(kernelParams(launch, kernels[i].params));
    } else {
      countOk = false;
    }
    ++i;
  });
  if (!paramsOk)
    return false; // located error out already
  if (!countOk || i != kernels.size()) {
    error = "internal error: " + std::to_string(kernels.size()) +
            " kernels mapped but " + std::to_string(i) + " launches outlined";
    return false;
  }

  std::map<std::string, std::string> ptxByTarget;
  module.walk([&](mlir::gpu::BinaryOp binary) {
    for (mlir::Attribute attr : binary.getObjects()) {
      auto object = mlir::dyn_cast<mlir::gpu::ObjectAttr>(attr);
      if (!object)
        continue;
      auto nvvm = mlir::dyn_cast<mlir::NVVM::NVVMTargetAttr>(object.getTarget());
      if (!nvvm)
        continue;
      ptxByTarget[nvvm.getChip().str()] = object.getObject().str();
    }
  });
  for (const std::string &target : options.targets) {
    auto it = ptxByTarget.find(target);
    if (it == ptxByTarget.end()) {
      error = "internal error: no PTX was emitted for " + target;
      return false;
    }
    if (code.empty() && !checkParamSlots(it->second, kernels, error))
      return false;
    GpuTargetCode out;
    out.target = target;
    out.ptx = it->second;
    std::string info;
    if (!assemble(ptxas, target, out.ptx, out.cubin, info, error))
      return false;
    std::map<std::string, GpuKernelResources> used =
        parsePtxasInfo(info, target);
    for (GpuKernelRecord &k : kernels) {
      auto found = used.find(k.name);
      if (found == used.end())
        continue; // an older ptxas that prints less: nothing recorded
      GpuKernelResources r = found->second;
      r.occupancy = occupancy(target, int64_t(k.block[0]) * k.block[1] *
                                          k.block[2],
                              r.registers, r.sharedMemoryBytes);
      k.resources.push_back(r);
    }
    code.push_back(std::move(out));
  }
  return true;
}
