/*===- runtime.h - The diffc runtime C API -------------------------*- C -*-===//
 *
 * Part of the diffc project, under the Apache License v2.0.
 * SPDX-License-Identifier: Apache-2.0
 *
 *===----------------------------------------------------------------------===//
 *
 * The stable C surface of the diffc runtime, for bindings and for programs
 * that are not C++ (STYLE.md convention 14). It is deliberately small and
 * grows only by addition:
 *
 *   - objects are opaque handles, reference counted with _retain/_release;
 *   - every call returns a diffc_status_t: NULL means success, anything else
 *     is an error object that the caller reads with diffc_status_code() and
 *     diffc_status_message() and frees with diffc_status_free();
 *   - results come back through out_ parameters, written only on success;
 *   - option structs carry the API version they were written against and are
 *     filled with defaults by *_options_initialize(DIFFC_API_VERSION, &opts).
 *
 * Example:
 *
 *   diffc_module_load_options_t options;
 *   diffc_module_load_options_initialize(DIFFC_API_VERSION, &options);
 *   diffc_module_t *module = NULL;
 *   diffc_status_t status = diffc_module_load("model.diffc", &options,
 *                                             &module);
 *   if (status) {
 *     fprintf(stderr, "%s\n", diffc_status_message(status));
 *     diffc_status_free(status);
 *     return 1;
 *   }
 *   size_t count = 0;
 *   diffc_module_entry_count(module, &count);
 *   diffc_module_release(module);
 *
 * The C++ API (diffc/artifact.h, diffc/session.h) is what diffc's own tools
 * use; calling entry points from C comes with a later API version.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DIFFC_RUNTIME_H
#define DIFFC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this header's API; pass it to *_options_initialize. */
#define DIFFC_API_VERSION 1

/** Returns the DIFFC_API_VERSION the library was built with. */
uint32_t diffc_api_version(void);

/*===----------------------------------------------------------------------===
 * Status
 *===----------------------------------------------------------------------===*/

/** Category of an error. */
typedef enum diffc_status_code_e {
  DIFFC_STATUS_OK = 0,
  /** A null pointer, an out-of-range index or bad options. */
  DIFFC_STATUS_INVALID_ARGUMENT = 1,
  /** The caller's DIFFC_API_VERSION is newer than the library's. */
  DIFFC_STATUS_UNSUPPORTED_VERSION = 2,
  /** The artifact could not be read, or failed verification. */
  DIFFC_STATUS_INVALID_ARTIFACT = 3,
  /** Anything else (out of memory, an internal error). */
  DIFFC_STATUS_INTERNAL = 4,
} diffc_status_code_t;

/** An error; NULL means success. Owned by the caller. */
typedef struct diffc_status_s *diffc_status_t;

/** The category of `status`; DIFFC_STATUS_OK for NULL. */
diffc_status_code_t diffc_status_code(diffc_status_t status);

/** One line describing the error ("model.diffc: truncated: ..."); "OK" for
 * NULL. Valid until the status is freed. */
const char *diffc_status_message(diffc_status_t status);

/** Frees an error; NULL is allowed. */
void diffc_status_free(diffc_status_t status);

/*===----------------------------------------------------------------------===
 * Module: a verified artifact
 *===----------------------------------------------------------------------===*/

/** A loaded and verified .diffc artifact. Loading checks the file; it does
 * not load native code, so it works for artifacts built for other machines
 * (inspection, tooling). */
typedef struct diffc_module_s diffc_module_t;

/** Options of diffc_module_load. */
typedef struct diffc_module_load_options_t {
  /** The DIFFC_API_VERSION the caller was compiled against. */
  uint32_t api_version;
  /** Reserved, must be 0. */
  uint32_t flags;
} diffc_module_load_options_t;

/** Fills *out_options with defaults for `api_version` (DIFFC_API_VERSION). */
diffc_status_t
diffc_module_load_options_initialize(uint32_t api_version,
                                     diffc_module_load_options_t *out_options);

/** Loads and verifies the artifact at `path`. `options` may be NULL for the
 * defaults. On success *out_module holds one reference. */
diffc_status_t diffc_module_load(const char *path,
                                 const diffc_module_load_options_t *options,
                                 diffc_module_t **out_module);

/** Adds a reference; NULL is allowed. */
void diffc_module_retain(diffc_module_t *module);

/** Drops a reference, freeing the module with the last; NULL is allowed. */
void diffc_module_release(diffc_module_t *module);

/** The number of entry points of `module`. */
diffc_status_t diffc_module_entry_count(const diffc_module_t *module,
                                        size_t *out_count);

/** The name of entry point `index` (0-based, below the count). The string
 * lives as long as the module. */
diffc_status_t diffc_module_entry_name(const diffc_module_t *module,
                                       size_t index, const char **out_name);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DIFFC_RUNTIME_H */
