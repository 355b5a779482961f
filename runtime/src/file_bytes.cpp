//===- file_bytes.cpp - read-only bytes of a mapped file ------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "file_bytes.h"

#include "atomic_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace diffc::detail;

FileBytes::~FileBytes() {
  if (mapped)
    ::munmap(const_cast<uint8_t *>(data), size);
  else
    std::free(const_cast<uint8_t *>(data));
}

bool FileBytes::map(const std::string &path, uint64_t minSize,
                    const char *kind, std::string *error) {
  auto failed = [&](const std::string &message) {
    return fail(error, path + ": " + message);
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return failed(std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return failed(std::string("cannot stat: ") + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return failed("not a regular file");
  }
  uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  if (fileSize < minSize) {
    ::close(fd);
    return failed("truncated: the file has " + std::to_string(fileSize) +
                  " bytes, " + kind + " has at least " +
                  std::to_string(minSize));
  }
  void *p = ::mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED)
    return failed(std::string("cannot map: ") + std::strerror(err));
  data = static_cast<const uint8_t *>(p);
  size = fileSize;
  mapped = true;
  return true;
}

bool FileBytes::copy(const std::string &name, const void *bytes, size_t n,
                     std::string *error) {
  // aligned_alloc needs a size that is a multiple of the alignment (and > 0).
  size_t rounded = ((n ? n : 1) + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, rounded);
  if (!p)
    return fail(error, name + ": out of memory copying " + std::to_string(n) +
                           " bytes");
  if (n)
    std::memcpy(p, bytes, n);
  data = static_cast<const uint8_t *>(p);
  size = n;
  mapped = false;
  return true;
}
