//===- code_loader.cpp - Loading native code objects ----------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The shared object is handed to dlopen through a memfd
// ("/proc/self/fd/N"), so loading an artifact writes nothing to disk. Where
// memfds are unavailable or not executable (or DIFFC_NO_MEMFD is set), it
// falls back to a temporary file in $TMPDIR that is unlinked as soon as
// dlopen has mapped it.
//
// glibc recognizes an already loaded library by the path string it was opened
// with. Two artifacts loaded through the same fd number would therefore share
// one library, so the memfd stays open while its library is loaded, keeping
// the number (and so the path) unique among live libraries.
//
//===----------------------------------------------------------------------===//

#include "code_loader.h"

#include "atomic_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U // Linux 6.3+: ask for an executable memfd explicitly
#endif

namespace diffc {
namespace detail {

namespace {

bool writeAll(int fd, const uint8_t *data, uint64_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    data += n;
    size -= static_cast<uint64_t>(n);
  }
  return true;
}

std::string dlerrorText() {
  const char *text = ::dlerror();
  return text ? text : "unknown dlopen error";
}

/// dlopen through a memfd. Returns the handle and leaves the fd open in *fd.
void *openFromMemfd(const CodeObjectRef &code, int *fd, std::string *path,
                    std::string *why) {
  // Systems with vm.memfd_noexec may refuse executable memfds unless asked
  // for with MFD_EXEC; older kernels reject that flag with EINVAL.
  *fd = ::memfd_create("diffc-code", MFD_CLOEXEC | MFD_EXEC);
  if (*fd < 0 && errno == EINVAL)
    *fd = ::memfd_create("diffc-code", MFD_CLOEXEC);
  if (*fd < 0) {
    *why = std::string("memfd_create: ") + std::strerror(errno);
    return nullptr;
  }
  if (!writeAll(*fd, code.data, code.size)) {
    *why = std::string("writing the memfd: ") + std::strerror(errno);
    ::close(*fd);
    *fd = -1;
    return nullptr;
  }
  *path = "/proc/self/fd/" + std::to_string(*fd);
  void *handle = ::dlopen(path->c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    *why = dlerrorText();
    ::close(*fd);
    *fd = -1;
  }
  return handle;
}

/// dlopen through a temporary file, unlinked right after dlopen.
void *openFromTempFile(const CodeObjectRef &code, std::string *why) {
  const char *tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") +
                     "/diffc-code-XXXXXX.so";
  int fd = ::mkstemps(&path[0], 3);
  if (fd < 0) {
    *why = "creating " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  bool written = writeAll(fd, code.data, code.size);
  int err = errno;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    *why = "writing " + path + ": " + std::strerror(err);
    return nullptr;
  }
  void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    *why = dlerrorText();
  ::unlink(path.c_str());
  return handle;
}

/// What dl_iterate_phdr reports about the bytes [begin, end) of a library.
struct SegmentQuery {
  const struct link_map *library = nullptr;
  uintptr_t begin = 0, end = 0;
  bool found = false;     // the library was found
  bool writable = false;  // inside a PT_LOAD segment with PF_W
  bool relro = false;     // overlaps PT_GNU_RELRO (read-only after loading)
};

int querySegments(struct dl_phdr_info *info, size_t, void *data) {
  SegmentQuery &q = *static_cast<SegmentQuery *>(data);
  if (info->dlpi_addr != q.library->l_addr || !info->dlpi_name ||
      !q.library->l_name || std::strcmp(info->dlpi_name, q.library->l_name))
    return 0;
  q.found = true;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    const uintptr_t stop = start + ph.p_memsz;
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W) && q.begin >= start &&
        q.end <= stop)
      q.writable = true;
    if (ph.p_type == PT_GNU_RELRO && q.begin < stop && start < q.end)
      q.relro = true;
  }
  return 1;
}

/// The storage of a parameter's symbol, checked as code_loader.h says; on
/// failure returns null and sets *why to the end of a sentence that starts
/// with "symbol 'x' ".
void *resolveParameter(void *handle, const std::string &symbol, uint64_t size,
                       std::string *why) {
  ::dlerror();
  void *address = ::dlsym(handle, symbol.c_str());
  if (!address) {
    *why = "is not defined in the " + std::string(hostTarget()) +
           " code object";
    return nullptr;
  }
  // dlsym also searches the libraries the code object depends on: a
  // parameter called "stdout" must not resolve to libc's.
  struct link_map *library = nullptr, *definer = nullptr;
  Dl_info info{};
  if (::dlinfo(handle, RTLD_DI_LINKMAP, &library) != 0 || !library ||
      !::dladdr1(address, &info, reinterpret_cast<void **>(&definer),
                 RTLD_DL_LINKMAP) ||
      definer != library) {
    *why = "is not defined by the " + std::string(hostTarget()) +
           " code object itself" +
           (info.dli_fname ? std::string(" but by ") + info.dli_fname : "");
    return nullptr;
  }
  ElfW(Sym) *entry = nullptr;
  if (!::dladdr1(address, &info, reinterpret_cast<void **>(&entry),
                 RTLD_DL_SYMENT) ||
      !entry || info.dli_saddr != address) {
    *why = "has no symbol table entry to check";
    return nullptr;
  }
  // ELF32_ST_TYPE and ELF64_ST_TYPE are the same: the low four bits.
  const unsigned type = ELF64_ST_TYPE(entry->st_info);
  if (type != STT_OBJECT && type != STT_COMMON) {
    *why = type == STT_FUNC ? "is a function, not a data object"
                            : "is not a data object (ELF symbol type " +
                                  std::to_string(type) + ")";
    return nullptr;
  }
  if (entry->st_size != size) {
    *why = "has " + std::to_string(entry->st_size) +
           " bytes in the code object, the parameter needs " +
           std::to_string(size);
    return nullptr;
  }
  if (size == 0)
    return address;
  SegmentQuery query;
  query.library = library;
  query.begin = reinterpret_cast<uintptr_t>(address);
  query.end = query.begin + size;
  ::dl_iterate_phdr(querySegments, &query);
  if (!query.found || !query.writable || query.relro) {
    *why = "is not writable (read-only data or RELRO; parameters must be "
           "uninitialized writable globals)";
    return nullptr;
  }
  return address;
}

} // namespace

std::unique_ptr<LoadedCode> LoadedCode::load(const Artifact &artifact,
                                             std::string *error,
                                             CodeFormat format) {
  auto failed = [&](const std::string &message) {
    fail(error, artifact.name() + ": " + message);
    return nullptr;
  };
  const std::string target = hostTarget();
  if (target.empty())
    return failed("no code for this machine: diffc has no CPU target for "
                  "this architecture");

  const CodeObjectRef *code = nullptr;
  std::string available; // targets are from the file: escaped below
  for (const CodeObjectRef &candidate : artifact.codeObjects()) {
    if (candidate.target == target &&
        candidate.format == format) {
      code = &candidate;
      break;
    }
    available +=
        (available.empty() ? "" : ", ") + escapeForMessage(candidate.target);
    if (candidate.target == target)
      available += " (" + codeFormatName(candidate.format) + ")";
  }
  if (!code && format == CodeFormat::cuda_host_shared_object)
    return failed("no host code for GPUs (" + target + " " +
                  codeFormatName(format) + "); the artifact has: " +
                  available + "; recompile with a GPU target, e.g. "
                  "--target=sm_90,x86_64");
  if (!code)
    return failed("no code for this machine (" + target + "); the artifact " +
                  (available.empty() ? "has no code objects"
                                     : "has: " + available));
  if (code->size == 0)
    return failed("the " + target + " code object is empty");

  std::unique_ptr<LoadedCode> loaded(new LoadedCode());
  std::string memfdError = "memfd disabled by DIFFC_NO_MEMFD", tempError;
  // DIFFC_NO_MEMFD forces the temporary-file path, for tests and for
  // debugging on systems where memfd loading misbehaves.
  const char *noMemfd = std::getenv("DIFFC_NO_MEMFD");
  if (!noMemfd || !*noMemfd || std::strcmp(noMemfd, "0") == 0)
    loaded->handle_ =
        openFromMemfd(*code, &loaded->fd_, &loaded->openedAs_, &memfdError);
  if (!loaded->handle_)
    loaded->handle_ = openFromTempFile(*code, &tempError);
  if (!loaded->handle_)
    return failed("cannot load the " + target + " code object: " +
                  memfdError + (tempError.empty() ? "" : "; " + tempError));

  const std::vector<EntryPointSignature> &entries = artifact.entryPoints();
  for (size_t i = 0; i < entries.size(); ++i) {
    void *symbol = ::dlsym(loaded->handle_, entries[i].symbol.c_str());
    if (!symbol)
      return failed("entry point " + std::to_string(i) + " (\"" +
                    escapeForMessage(entries[i].name) + "\"): symbol '" +
                    escapeForMessage(entries[i].symbol) +
                    "' is not defined in the " + target + " code object");
    loaded->functions_.push_back(reinterpret_cast<EntryFunction>(symbol));
  }

  const std::vector<ParameterSignature> &parameters = artifact.parameters();
  for (size_t i = 0; i < parameters.size(); ++i) {
    std::string why;
    // Verified artifacts have parameter sizes that fit.
    const uint64_t size =
        *byteSize(parameters[i].elementType, parameters[i].shape);
    void *storage =
        resolveParameter(loaded->handle_, parameters[i].symbol, size, &why);
    if (!storage)
      return failed("parameter " + std::to_string(i) + " (\"" +
                    escapeForMessage(parameters[i].name) + "\"): symbol '" +
                    escapeForMessage(parameters[i].symbol) + "' " + why);
    loaded->parameters_.push_back(storage);
  }
  return loaded;
}

LoadedCode::~LoadedCode() {
  if (handle_)
    ::dlclose(handle_);
  if (fd_ < 0)
    return;
  // If the library stays loaded after dlclose (it may mark itself
  // RTLD_NODELETE, or hold thread-local storage in use), its path must stay
  // unique: keep the fd, and so the number, for the life of the process.
  if (void *still = ::dlopen(openedAs_.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    ::dlclose(still);
    return;
  }
  ::close(fd_);
}

} // namespace detail
} // namespace diffc
