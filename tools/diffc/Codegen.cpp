//===- Codegen.cpp - LLVM dialect to a loadable x86-64 code object --------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "Codegen.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
}

using namespace llvm;

std::string diffc::entrySymbol(StringRef name) {
  return ("diffc_entry_" + name).str();
}

/// Adds `void diffc_entry_<name>(void **args)`: loads each parameter of
/// `fn` from the pointer in args[i], calls it and stores the (possibly
/// aggregate) result through args[numParams]. Storing an LLVM struct writes
/// C struct layout, which is what the runtime reads.
static void addPackedWrapper(Module &m, Function &fn, const std::string &sym) {
  LLVMContext &ctx = m.getContext();
  auto *ptrTy = PointerType::getUnqual(ctx);
  auto *wrapperTy = FunctionType::get(Type::getVoidTy(ctx), {ptrTy}, false);
  Function *wrapper =
      Function::Create(wrapperTy, GlobalValue::ExternalLinkage, sym, m);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", wrapper));
  Value *args = wrapper->getArg(0);
  SmallVector<Value *> params;
  for (auto [i, param] : llvm::enumerate(fn.args())) {
    Value *slot = b.CreateConstGEP1_64(ptrTy, args, i);
    Value *ptr = b.CreateLoad(ptrTy, slot);
    params.push_back(b.CreateLoad(param.getType(), ptr));
  }
  Value *result = b.CreateCall(&fn, params);
  if (!fn.getReturnType()->isVoidTy()) {
    Value *slot = b.CreateConstGEP1_64(ptrTy, args, fn.arg_size());
    b.CreateStore(result, b.CreateLoad(ptrTy, slot));
  }
  b.CreateRetVoid();
}

/// Runs LLVM's O3 pipeline (loop vectorization included) for `tm`.
static void optimize(Module &m, TargetMachine &tm) {
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(OptimizationLevel::O3);
  mpm.run(m, mam);
}

/// Links `object` into a shared object with the system C compiler driver
/// (only at compile time: the runtime never needs a linker).
static bool linkSharedObject(ArrayRef<char> object, std::vector<char> &out,
                             std::string &error) {
  ErrorOr<std::string> cc = sys::findProgramByName("cc");
  if (!cc) {
    error = "no C compiler driver `cc` on PATH to link the code object "
            "(install gcc or clang)";
    return false;
  }
  SmallString<128> objPath, soPath;
  int objFd;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("diffc-code", "o", objFd, objPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  {
    raw_fd_ostream os(objFd, /*shouldClose=*/true);
    os.write(object.data(), object.size());
  }
  if (std::error_code ec = sys::fs::createTemporaryFile("diffc-code", "so",
                                                        soPath)) {
    sys::fs::remove(objPath);
    error = "cannot create a temporary file: " + ec.message();
    return false;
  }
  SmallVector<StringRef> argv = {*cc, "-shared", "-o",
                                 soPath, objPath, "-lm"};
  std::string message;
  int rc = sys::ExecuteAndWait(*cc, argv, std::nullopt, {}, 0, 0, &message);
  bool ok = rc == 0;
  if (ok) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> so = MemoryBuffer::getFile(soPath);
    ok = bool(so);
    if (ok)
      out.assign((*so)->getBufferStart(), (*so)->getBufferEnd());
    else
      error = "cannot read the linked shared object: " +
              so.getError().message();
  } else {
    error = "linking the code object with " + *cc + " failed (exit " +
            std::to_string(rc) + (message.empty() ? "" : ": " + message) + ")";
  }
  sys::fs::remove(objPath);
  sys::fs::remove(soPath);
  return ok;
}

bool diffc::compileToSharedObject(mlir::ModuleOp module,
                                  const std::vector<std::string> &entries,
                                  const CpuCodegenOptions &options,
                                  std::vector<char> &sharedObject,
                                  std::string &error) {
  mlir::registerBuiltinDialectTranslation(*module->getContext());
  mlir::registerLLVMDialectTranslation(*module->getContext());
  LLVMContext llvmContext;
  std::unique_ptr<Module> m =
      mlir::translateModuleToLLVMIR(module, llvmContext, "diffc");
  if (!m) {
    error = "translation of the LLVM dialect to LLVM IR failed";
    return false;
  }

  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  Triple triple("x86_64-unknown-linux-gnu");
  std::string lookupError;
  const Target *target = TargetRegistry::lookupTarget(triple, lookupError);
  if (!target) {
    error = "no x86-64 backend in this LLVM: " + lookupError;
    return false;
  }
  TargetOptions targetOptions;
  std::unique_ptr<TargetMachine> tm(target->createTargetMachine(
      triple, options.cpu, "", targetOptions, Reloc::PIC_, std::nullopt,
      CodeGenOptLevel::Aggressive));
  if (!tm) {
    error = "cannot create a target machine for CPU '" + options.cpu + "'";
    return false;
  }
  m->setTargetTriple(triple);
  m->setDataLayout(tm->createDataLayout());

  for (const std::string &name : entries) {
    Function *fn = m->getFunction(name);
    if (!fn) {
      error = "entry function '" + name + "' vanished during lowering";
      return false;
    }
    addPackedWrapper(*m, *fn, entrySymbol(name));
  }
  // Only the packed wrappers are the code object's interface. The model's
  // own functions become internal: exported, a function named like a libc
  // symbol (`step`, a legacy regexp function of glibc) would be interposed
  // by the process's definition and its calls would jump there.
  for (Function &fn : *m)
    if (!fn.isDeclaration() && !fn.getName().starts_with("diffc_entry_"))
      fn.setLinkage(GlobalValue::InternalLinkage);
  std::string verifyMessage;
  raw_string_ostream verifyStream(verifyMessage);
  if (verifyModule(*m, &verifyStream)) {
    error = "internal error: invalid LLVM IR: " + verifyMessage;
    return false;
  }
  optimize(*m, *tm);

  if (!options.llvmIrPath.empty()) {
    std::error_code ec;
    raw_fd_ostream os(options.llvmIrPath, ec);
    if (ec) {
      error = "cannot write " + options.llvmIrPath + ": " + ec.message();
      return false;
    }
    m->print(os, nullptr);
  }

  SmallVector<char> object;
  raw_svector_ostream objectStream(object);
  legacy::PassManager codegen;
  if (tm->addPassesToEmitFile(codegen, objectStream, nullptr,
                              CodeGenFileType::ObjectFile)) {
    error = "the x86-64 backend cannot emit object files";
    return false;
  }
  codegen.run(*m);
  return linkSharedObject(object, sharedObject, error);
}
