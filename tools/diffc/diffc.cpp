//===- diffc.cpp - the diffc compiler driver ------------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// `diffc COMMAND ...`. Running compiled artifacts is diffc-run's job, which
// links no MLIR or LLVM.
//
//===----------------------------------------------------------------------===//

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

int diffcCompileMain(int argc, char **argv);

static void usage(llvm::raw_ostream &os) {
  os << "usage: diffc COMMAND [options]\n\n"
        "commands:\n"
        "  compile MODEL.mlir -o MODEL.diffc   compile a diffc program ahead "
        "of time\n\n"
        "`diffc COMMAND --help` lists a command's options. Run artifacts "
        "with diffc-run.\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (argc < 2 || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    usage(argc < 2 ? llvm::errs() : llvm::outs());
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "compile"))
    return diffcCompileMain(argc - 1, argv + 1);
  llvm::errs() << "diffc: error: unknown command '" << argv[1] << "'\n";
  usage(llvm::errs());
  return 2;
}
