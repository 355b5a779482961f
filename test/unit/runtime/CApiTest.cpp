//===- CApiTest.cpp - Tests for the runtime C API -------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "diffc/runtime.h"

#include "gtest/gtest.h"

#include <string>

using namespace diffc::test;

namespace {

TEST(CApiTest, LoadAndListEntryPoints) {
  TempDir dir;
  std::string path = dir.file("m.diffc");
  std::string error;
  ASSERT_TRUE(kernelArtifactWriter(false).write(path, &error)) << error;

  EXPECT_EQ(diffc_api_version(), uint32_t(DIFFC_API_VERSION));
  diffc_module_load_options_t options;
  ASSERT_EQ(diffc_module_load_options_initialize(DIFFC_API_VERSION, &options),
            nullptr);
  diffc_module_t *module = nullptr;
  ASSERT_EQ(diffc_module_load(path.c_str(), &options, &module), nullptr);
  size_t count = 0;
  ASSERT_EQ(diffc_module_entry_count(module, &count), nullptr);
  EXPECT_EQ(count, kernelEntryPoints().size());
  const char *name = nullptr;
  ASSERT_EQ(diffc_module_entry_name(module, 0, &name), nullptr);
  EXPECT_STREQ(name, "add_f32");

  diffc_status_t status = diffc_module_entry_name(module, count, &name);
  EXPECT_EQ(diffc_status_code(status), DIFFC_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(diffc_status_message(status)).find("out of range"),
            std::string::npos);
  diffc_status_free(status);

  // Reference counting: the module survives until the last release.
  diffc_module_retain(module);
  diffc_module_release(module);
  ASSERT_EQ(diffc_module_entry_name(module, 1, &name), nullptr);
  EXPECT_STREQ(name, "scale");
  diffc_module_release(module);

  // NULL options mean the defaults.
  ASSERT_EQ(diffc_module_load(path.c_str(), nullptr, &module), nullptr);
  diffc_module_release(module);
}

TEST(CApiTest, Errors) {
  diffc_module_t *module = nullptr;
  diffc_status_t status =
      diffc_module_load("/nonexistent/m.diffc", nullptr, &module);
  EXPECT_EQ(diffc_status_code(status), DIFFC_STATUS_INVALID_ARTIFACT);
  EXPECT_STREQ(diffc_status_message(status),
               "/nonexistent/m.diffc: cannot open: No such file or directory");
  EXPECT_EQ(module, nullptr);
  diffc_status_free(status);

  status = diffc_module_load(nullptr, nullptr, &module);
  EXPECT_EQ(diffc_status_code(status), DIFFC_STATUS_INVALID_ARGUMENT);
  diffc_status_free(status);

  diffc_module_load_options_t options;
  status = diffc_module_load_options_initialize(DIFFC_API_VERSION + 1,
                                                &options);
  EXPECT_EQ(diffc_status_code(status), DIFFC_STATUS_UNSUPPORTED_VERSION);
  diffc_status_free(status);

  EXPECT_EQ(diffc_status_code(nullptr), DIFFC_STATUS_OK);
  EXPECT_STREQ(diffc_status_message(nullptr), "OK");
  diffc_status_free(nullptr);
  diffc_module_release(nullptr);
  diffc_module_retain(nullptr);

  size_t count = 0;
  status = diffc_module_entry_count(nullptr, &count);
  EXPECT_EQ(diffc_status_code(status), DIFFC_STATUS_INVALID_ARGUMENT);
  diffc_status_free(status);
}

} // namespace
