//===- MakeTestArtifact.cpp - Write the test-kernel artifact --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// diffc-make-test-artifact OUT.diffc
//
// Writes the artifact of TestKernels.c (see TestArtifacts.h) for the
// end-to-end tests of diffc-run, which run without the compiler.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: diffc-make-test-artifact OUT.diffc\n");
    return 2;
  }
  std::string error;
  if (!diffc::test::kernelArtifactWriter().write(argv[1], &error)) {
    std::fprintf(stderr, "diffc-make-test-artifact: error: %s\n",
                 error.c_str());
    return 1;
  }
  return 0;
}
