//===- c_api.cpp - The diffc runtime C API --------------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Thin C wrappers over the C++ API. Nothing here may let a C++ exception or
// a null dereference cross the boundary: arguments are checked first and
// allocations use nothrow.
//
//===----------------------------------------------------------------------===//

#include "diffc/runtime.h"

#include "diffc/artifact.h"

#include <atomic>
#include <new>
#include <string>

struct diffc_status_s {
  diffc_status_code_t code;
  std::string message;
};

struct diffc_module_s {
  std::atomic<int> references{1};
  std::unique_ptr<diffc::Artifact> artifact;
};

namespace {

/// A preallocated status for when allocating the real one fails.
diffc_status_s outOfMemory{DIFFC_STATUS_INTERNAL, "out of memory"};

diffc_status_t makeStatus(diffc_status_code_t code, std::string message) {
  diffc_status_t status = new (std::nothrow) diffc_status_s{code, {}};
  if (!status)
    return &outOfMemory;
  status->message = std::move(message);
  return status;
}

diffc_status_t invalid(const char *message) {
  return makeStatus(DIFFC_STATUS_INVALID_ARGUMENT, message);
}

} // namespace

extern "C" {

uint32_t diffc_api_version(void) { return DIFFC_API_VERSION; }

diffc_status_code_t diffc_status_code(diffc_status_t status) {
  return status ? status->code : DIFFC_STATUS_OK;
}

const char *diffc_status_message(diffc_status_t status) {
  return status ? status->message.c_str() : "OK";
}

void diffc_status_free(diffc_status_t status) {
  if (status != &outOfMemory)
    delete status;
}

diffc_status_t
diffc_module_load_options_initialize(uint32_t api_version,
                                     diffc_module_load_options_t *out_options) {
  if (!out_options)
    return invalid("diffc_module_load_options_initialize: out_options is NULL");
  if (api_version == 0 || api_version > DIFFC_API_VERSION)
    return makeStatus(DIFFC_STATUS_UNSUPPORTED_VERSION,
                      "diffc_module_load_options_initialize: API version " +
                          std::to_string(api_version) +
                          " is not supported; this library implements "
                          "version " +
                          std::to_string(DIFFC_API_VERSION));
  out_options->api_version = api_version;
  out_options->flags = 0;
  return nullptr;
}

diffc_status_t diffc_module_load(const char *path,
                                 const diffc_module_load_options_t *options,
                                 diffc_module_t **out_module) {
  if (!path || !out_module)
    return invalid("diffc_module_load: path or out_module is NULL");
  if (options) {
    if (options->api_version == 0 || options->api_version > DIFFC_API_VERSION)
      return makeStatus(DIFFC_STATUS_UNSUPPORTED_VERSION,
                        "diffc_module_load: options were initialized for API "
                        "version " +
                            std::to_string(options->api_version) +
                            "; this library implements version " +
                            std::to_string(DIFFC_API_VERSION));
    if (options->flags != 0)
      return invalid("diffc_module_load: options.flags must be 0");
  }
  std::string error;
  std::unique_ptr<diffc::Artifact> artifact =
      diffc::Artifact::load(path, &error);
  if (!artifact)
    return makeStatus(DIFFC_STATUS_INVALID_ARTIFACT, error);
  diffc_module_t *module = new (std::nothrow) diffc_module_s();
  if (!module)
    return &outOfMemory;
  module->artifact = std::move(artifact);
  *out_module = module;
  return nullptr;
}

void diffc_module_retain(diffc_module_t *module) {
  if (module)
    module->references.fetch_add(1, std::memory_order_relaxed);
}

void diffc_module_release(diffc_module_t *module) {
  if (module && module->references.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete module;
}

diffc_status_t diffc_module_entry_count(const diffc_module_t *module,
                                        size_t *out_count) {
  if (!module || !out_count)
    return invalid("diffc_module_entry_count: module or out_count is NULL");
  *out_count = module->artifact->entryPoints().size();
  return nullptr;
}

diffc_status_t diffc_module_entry_name(const diffc_module_t *module,
                                       size_t index, const char **out_name) {
  if (!module || !out_name)
    return invalid("diffc_module_entry_name: module or out_name is NULL");
  const auto &entries = module->artifact->entryPoints();
  if (index >= entries.size())
    return invalid(("diffc_module_entry_name: index " + std::to_string(index) +
                    " is out of range; the module has " +
                    std::to_string(entries.size()) + " entry points")
                       .c_str());
  *out_name = entries[index].name.c_str();
  return nullptr;
}

} // extern "C"
