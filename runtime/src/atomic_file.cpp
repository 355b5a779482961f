//===- atomic_file.cpp - All-or-nothing file writes -----------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace diffc {
namespace detail {

namespace {

std::string errnoText(int err) { return std::strerror(err); }

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}

bool writeAll(int fd, const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// Creates a fresh temporary file next to `path`. mkstemp is not used because
/// it creates files with mode 0600; open(O_EXCL, 0666) lets the umask decide,
/// as for any other file the user creates.
int createTemporary(const std::string &path, std::string *tempPath) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    *tempPath = path + ".tmp." + std::to_string(::getpid()) + "." +
                std::to_string(counter.fetch_add(1));
    int fd = ::open(tempPath->c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST)
      return fd;
  }
  errno = EEXIST;
  return -1;
}

} // namespace

bool writeFileAtomically(const std::string &path,
                         const std::vector<ByteRange> &pieces,
                         std::string *error) {
  std::string tempPath;
  int fd = createTemporary(path, &tempPath);
  if (fd < 0)
    return fail(error, path + ": cannot create a temporary file in '" +
                           directoryOf(path) + "': " + errnoText(errno));

  auto abandon = [&](const char *what) {
    int err = errno;
    if (fd >= 0)
      ::close(fd);
    ::unlink(tempPath.c_str());
    return fail(error, path + ": " + what + ": " + errnoText(err));
  };
  for (const ByteRange &piece : pieces)
    if (piece.second && !writeAll(fd, piece.first, piece.second))
      return abandon("write failed");
  if (::fsync(fd) != 0)
    return abandon("fsync failed");
  int closeResult = ::close(fd);
  fd = -1;
  if (closeResult != 0)
    return abandon("close failed");
  if (::rename(tempPath.c_str(), path.c_str()) != 0)
    return abandon("cannot rename the temporary file into place");

  // Make the rename itself durable. Failing here is not an error: the file is
  // complete and in place, only its directory entry may not be on disk yet.
  int dirFd = ::open(directoryOf(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
  return true;
}

bool readWholeFile(const std::string &path, std::vector<uint8_t> *out,
                   std::string *error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(error, path + ": cannot open: " + errnoText(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return fail(error, path + ": cannot stat: " + errnoText(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(error, path + ": not a regular file");
  }
  out->clear();
  out->reserve(static_cast<size_t>(st.st_size));
  uint8_t buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int err = errno;
      ::close(fd);
      return fail(error, path + ": read failed: " + errnoText(err));
    }
    if (n == 0)
      break;
    out->insert(out->end(), buffer, buffer + n);
  }
  ::close(fd);
  return true;
}

} // namespace detail
} // namespace diffc
