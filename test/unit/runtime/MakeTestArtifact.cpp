//===- MakeTestArtifact.cpp - Write the test-kernel artifact --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// diffc-make-test-artifact [--no-weights] OUT.diffc
//
// Writes the artifact of TestKernels.c (see TestArtifacts.h) for the
// end-to-end tests of diffc-run, which run without the compiler. With
// --no-weights the artifact declares its parameters but embeds no values, so
// they must come from a weights file.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include <cstdio>
#include <cstring>

int main(int argc, char **argv) {
  bool withWeights = true;
  if (argc == 3 && std::strcmp(argv[1], "--no-weights") == 0) {
    withWeights = false;
    ++argv;
    --argc;
  }
  if (argc != 2) {
    std::fprintf(stderr,
                 "usage: diffc-make-test-artifact [--no-weights] OUT.diffc\n");
    return 2;
  }
  std::string error;
  if (!diffc::test::kernelArtifactWriter(/*withCode=*/true, /*alt=*/false,
                                         withWeights)
           .write(argv[1], &error)) {
    std::fprintf(stderr, "diffc-make-test-artifact: error: %s\n",
                 error.c_str());
    return 1;
  }
  return 0;
}
