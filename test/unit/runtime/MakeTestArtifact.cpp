//===- MakeTestArtifact.cpp - Write the test-kernel artifact --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// diffc-make-test-artifact [--no-weights] [--metadata KEY=VALUE]... OUT.diffc
//
// Writes the artifact of TestKernels.c (see TestArtifacts.h) for the
// end-to-end tests of diffc-run, which run without the compiler. With
// --no-weights the artifact declares its parameters but embeds no values, so
// they must come from a weights file. Each --metadata adds a metadata entry
// (e.g. a "scheduler_config" as the compiler records it).
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char **argv) {
  bool withWeights = true;
  std::vector<std::pair<std::string, std::string>> metadata;
  const char *out = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-weights") == 0) {
      withWeights = false;
    } else if (std::strcmp(argv[i], "--metadata") == 0 && i + 1 < argc &&
               std::strchr(argv[i + 1], '=')) {
      std::string entry = argv[++i];
      size_t eq = entry.find('=');
      metadata.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    } else if (!out && argv[i][0] != '-') {
      out = argv[i];
    } else {
      out = nullptr;
      break;
    }
  }
  if (!out) {
    std::fprintf(stderr, "usage: diffc-make-test-artifact [--no-weights] "
                         "[--metadata KEY=VALUE]... OUT.diffc\n");
    return 2;
  }
  diffc::ArtifactWriter writer = diffc::test::kernelArtifactWriter(
      /*withCode=*/true, /*alt=*/false, withWeights);
  for (auto &[key, value] : metadata)
    writer.addMetadata(key, value);
  std::string error;
  if (!writer.write(out, &error)) {
    std::fprintf(stderr, "diffc-make-test-artifact: error: %s\n",
                 error.c_str());
    return 1;
  }
  return 0;
}
