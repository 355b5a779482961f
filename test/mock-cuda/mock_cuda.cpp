//===- mock_cuda.cpp - A CPU stand-in for the NVIDIA driver library -------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Test-only: a shared library exporting the subset of the libcuda.so.1 API
// that the runtime binds (runtime/src/cuda/cuda_driver.cpp), so the runtime's
// CUDA path runs on machines without a GPU (DIFFC_LIBCUDA=<this library>).
// It declares the driver types itself and needs no CUDA headers.
//
// A CPU stand-in: device pointers ARE host pointers, copies are memcpy,
// async calls are synchronous, and kernels are no-ops unless a test
// registers a handler (diffc_mock_cuda_set_kernel). PTX modules are parsed
// for their .entry kernels and parameter sizes, so that launches can be
// logged and their arguments copied into captured graphs. Environment
// variables steer it (README.md): DIFFC_MOCK_CUDA_FAIL, _DEVICES, _CC,
// _MEMORY, _LOG, _LOG_PARAMS. One mutex guards all global state; kernel
// handlers run without it held. Handles are checked against the live ones,
// so a stale or foreign handle is an error (400), not a crash.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#define MOCK_API extern "C" __attribute__((visibility("default")))

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream, *CUevent, *CUgraph,
    *CUgraphExec;

extern "C" typedef void (*diffc_mock_kernel_fn)(void **params,
                                                const unsigned grid[3],
                                                const unsigned block[3]);

namespace {

enum : CUresult {
  kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2, kNoDevice = 100,
  kInvalidDevice = 101, kInvalidPtx = 218, kInvalidHandle = 400,
  kNotFound = 500, kIllegalAddress = 700, kLaunchFailed = 719, kUnknown = 999
};

struct ErrorInfo { CUresult code; const char *name, *text; };
const ErrorInfo kErrors[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "an illegal memory access was encountered"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {999, "CUDA_ERROR_UNKNOWN", "unknown error"}};

struct Kernel {
  std::string name;
  bool known = false;              // false: from a cubin, parameters unknown
  std::vector<size_t> paramSizes;  // bytes of each parameter, in order
};

struct Module {
  bool cubin = false;
  std::vector<std::unique_ptr<Kernel>> kernels;
  ~Module();
};

// One launch recorded in a graph; `params` owns a copy of each argument.
struct Launch {
  const Kernel *kernel;
  unsigned grid[3], block[3], smem;
  std::vector<std::vector<unsigned char>> params;
};

using Clock = std::chrono::steady_clock;
struct Graph { std::vector<Launch> launches; };
struct Stream { std::unique_ptr<Graph> capture; };  // set while capturing
struct Event { bool recorded = false; Clock::time_point time; };

struct State {
  std::mutex mu;
  std::map<CUdeviceptr, size_t> allocations;  // address -> requested bytes
  unsigned long long liveBytes = 0, launches = 0;
  std::map<std::string, diffc_mock_kernel_fn> handlers;
  std::set<const Kernel *> kernels;  // the functions of loaded modules
  std::set<void *> modules, streams, events, graphs, execs;  // live handles
  int primaryRetains = 0;
};

State &S() {
  static State *s = new State();  // never destroyed: usable during exit
  return *s;
}
using Lock = std::lock_guard<std::mutex>;

Module::~Module() {  // runs with the mutex held
  for (auto &k : kernels) S().kernels.erase(k.get());
}

char primaryContext;  // the one device's context; its address is the handle
thread_local CUcontext currentContext = nullptr;

// Writes a result through an out-pointer.
template <class T, class V> CUresult store(T *out, V value) {
  if (!out) return kInvalidValue;
  *out = value;
  return kSuccess;
}

template <class T> CUresult createHandle(std::set<void *> &live, void **out) {
  if (!out) return kInvalidValue;
  Lock lock(S().mu);
  live.insert(*out = new T());
  return kSuccess;
}

template <class T> CUresult destroyHandle(std::set<void *> &live, void *h) {
  Lock lock(S().mu);
  if (!live.erase(h)) return kInvalidHandle;
  delete static_cast<T *>(h);
  return kSuccess;
}

// The error that a call of `fn` is forced to return, else 0. The list
// DIFFC_MOCK_CUDA_FAIL has base names: cuMemAlloc fails cuMemAlloc_v2.
CUresult forcedFailure(std::string fn) {
  const char *list = std::getenv("DIFFC_MOCK_CUDA_FAIL");
  if (fn.size() > 3 && fn.compare(fn.size() - 3, 3, "_v2") == 0)
    fn.resize(fn.size() - 3);
  std::string all = std::string(",") + (list ? list : "") + ",";
  std::replace(all.begin(), all.end(), ' ', ',');
  if (all.find("," + fn + ",") == std::string::npos) return kSuccess;
  if (fn == "cuInit") return kNoDevice;
  if (fn == "cuMemAlloc" || fn == "cuMemAllocManaged") return kOutOfMemory;
  if (fn == "cuLaunchKernel") return kLaunchFailed;
  if (fn.rfind("cuModuleLoadData", 0) == 0) return kInvalidPtx;
  if (fn == "cuStreamSynchronize" || fn == "cuCtxSynchronize")
    return kIllegalAddress;
  return kUnknown;
}

// MOCK_FAIL() starts every driver function; MOCK_RETURN(e) is the whole
// body of the simple ones.
#define MOCK_FAIL()                                                            \
  do {                                                                         \
    if (CUresult forced = forcedFailure(__func__)) return forced;              \
  } while (0)
#define MOCK_RETURN(expr)                                                      \
  {                                                                            \
    MOCK_FAIL();                                                               \
    return expr;                                                               \
  }

bool validDevice(int d) {
  const char *v = std::getenv("DIFFC_MOCK_CUDA_DEVICES");
  return d >= 0 && d < (v && std::strcmp(v, "0") == 0 ? 0 : 1);
}

size_t totalMemory() {
  const char *v = std::getenv("DIFFC_MOCK_CUDA_MEMORY");
  return v && *v ? std::strtoull(v, nullptr, 0) : size_t(1) << 30;
}

// 256-byte aligned, zero-filled, counted against totalMemory().
CUresult allocate(CUdeviceptr *out, size_t bytes) {
  if (!out || bytes == 0) return kInvalidValue;
  Lock lock(S().mu);
  if (S().liveBytes + bytes > totalMemory()) return kOutOfMemory;
  size_t rounded = (bytes + 255) / 256 * 256;  // as aligned_alloc wants
  void *p = std::aligned_alloc(256, rounded);
  if (!p) return kOutOfMemory;
  std::memset(p, 0, rounded);
  *out = reinterpret_cast<uintptr_t>(p);
  S().allocations[*out] = bytes;
  S().liveBytes += bytes;
  return kSuccess;
}

void *ptr(CUdeviceptr d) { return reinterpret_cast<void *>(uintptr_t(d)); }

CUresult copy(void *dst, const void *src, size_t bytes) {
  if (bytes && (!dst || !src)) return kInvalidValue;
  if (bytes) std::memmove(dst, src, bytes);
  return kSuccess;
}

//===----------------------------------------------------------------------===//
// PTX parsing: the .entry kernels and the sizes of their parameters
//===----------------------------------------------------------------------===//

std::string stripComments(const char *p) {
  std::string out;
  while (*p) {
    if (p[0] == '/' && p[1] == '/') {
      p += std::strcspn(p, "\n");
    } else if (p[0] == '/' && p[1] == '*') {
      const char *end = std::strstr(p + 2, "*/");
      p = end ? end + 2 : p + std::strlen(p);
      out += ' ';
    } else {
      out += *p++;
    }
  }
  return out;
}

// `.param [.align A] .TYPE [.ptr ...] NAME[N]`: the size of the first token
// that is a type, times the array extent N of the name, if any.
size_t paramSize(const std::string &decl) {
  static const std::map<std::string, size_t> sizes = {
      {".u64", 8}, {".b64", 8}, {".s64", 8}, {".f64", 8}, {".u32", 4},
      {".b32", 4}, {".s32", 4}, {".f32", 4}, {".u16", 2}, {".b16", 2},
      {".s16", 2}, {".f16", 2}, {".bf16", 2}, {".u8", 1}, {".b8", 1},
      {".s8", 1}, {".pred", 1}};
  std::istringstream tokens(decl);
  std::string token;
  size_t size = 0;
  while (tokens >> token)
    if (!size && sizes.count(token)) size = sizes.at(token);
  size_t bracket = token.find('[');  // token is now the name
  if (bracket != std::string::npos)
    size *= std::strtoull(token.c_str() + bracket + 1, nullptr, 10);
  return size;
}

bool isIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         (c && std::strchr("_$.", c));
}

// Adds every `[.visible] .entry NAME ( .param ..., ... )` of the PTX text.
void parsePtx(const char *ptx, Module *module) {
  const std::string text = stripComments(ptx);
  for (size_t at = text.find(".entry"); at != std::string::npos;
       at = text.find(".entry", at + 6)) {
    if ((at > 0 && isIdentChar(text[at - 1])) || isIdentChar(text[at + 6]))
      continue;  // part of a longer word
    auto kernel = std::make_unique<Kernel>();
    kernel->known = true;
    size_t p = std::min(text.find_first_not_of(" \t\r\n", at + 6), text.size());
    while (p < text.size() && isIdentChar(text[p])) kernel->name += text[p++];
    p = text.find_first_not_of(" \t\r\n", p);
    if (p != std::string::npos && text[p] == '(') {
      std::stringstream list(text.substr(p + 1, text.find(')', p) - p - 1));
      for (std::string decl; std::getline(list, decl, ',');)
        if (decl.find(".param") != std::string::npos)
          kernel->paramSizes.push_back(paramSize(decl));
    }
    if (!kernel->name.empty()) module->kernels.push_back(std::move(kernel));
  }
}

//===----------------------------------------------------------------------===//
// Launches (one path for direct launches and graph replays), module loading
//===----------------------------------------------------------------------===//

// Appends one line to DIFFC_MOCK_CUDA_LOG; runs with the mutex held.
void logLaunch(const Kernel &k, const unsigned g[3], const unsigned b[3],
               unsigned smem, void **params) {
  const char *path = std::getenv("DIFFC_MOCK_CUDA_LOG");
  FILE *f = path && *path ? std::fopen(path, "a") : nullptr;
  if (!f) return;
  std::fprintf(f, "launch %s grid=%u,%u,%u block=%u,%u,%u smem=%u params=",
               k.name.c_str(), g[0], g[1], g[2], b[0], b[1], b[2], smem);
  if (k.known) std::fprintf(f, "%zu", k.paramSizes.size());
  else std::fputc('?', f);
  const char *values = std::getenv("DIFFC_MOCK_CUDA_LOG_PARAMS");
  bool withValues = k.known && params && values && !std::strcmp(values, "1");
  for (size_t i = 0; withValues && i < k.paramSizes.size(); ++i) {
    const auto *bytes = static_cast<const unsigned char *>(params[i]);
    long long i64;
    int i32;
    std::fprintf(f, " p%zu=", i);
    if (k.paramSizes[i] == 8 && std::memcpy(&i64, bytes, 8))
      std::fprintf(f, "%lld", i64);
    else if (k.paramSizes[i] == 4 && std::memcpy(&i32, bytes, 4))
      std::fprintf(f, "%d", i32);
    else  // other sizes: "hex:" and the bytes in memory order
      for (size_t j = 0; j < k.paramSizes[i]; ++j)
        std::fprintf(f, j ? "%02x" : "hex:%02x", bytes[j]);
  }
  std::fputc('\n', f);
  std::fclose(f);
}

CUresult runLaunch(const Kernel *k, const unsigned g[3], const unsigned b[3],
                   unsigned smem, void **params) {
  diffc_mock_kernel_fn handler = nullptr;
  {
    Lock lock(S().mu);
    if (!S().kernels.count(k)) return kInvalidHandle;  // module unloaded
    ++S().launches;
    logLaunch(*k, g, b, smem, params);
    auto it = S().handlers.find(k->name);
    if (it != S().handlers.end()) handler = it->second;
  }
  if (handler) handler(params, g, b);
  return kSuccess;
}

// Both module loaders; `errorLog` (of `logSize` bytes) gets the JIT error.
CUresult loadModule(CUmodule *out, const void *image, char *errorLog,
                    size_t logSize, const char *fn) {
  auto fail = [&](const char *why) {
    if (errorLog && logSize)
      std::snprintf(errorLog, logSize, "mock JIT error: %s", why);
    return kInvalidPtx;
  };
  if (forcedFailure(fn)) return fail("forced by DIFFC_MOCK_CUDA_FAIL");
  if (!out || !image) return kInvalidValue;
  auto module = std::make_unique<Module>();
  const char *text = static_cast<const char *>(image);
  module->cubin = std::strncmp(text, "\x7f" "ELF", 4) == 0;
  if (!module->cubin) {  // a cubin's functions are made on lookup
    parsePtx(text, module.get());
    if (module->kernels.empty()) return fail("no .entry in the PTX");
  }
  Lock lock(S().mu);
  for (auto &k : module->kernels) S().kernels.insert(k.get());
  S().modules.insert(*out = module.release());
  return kSuccess;
}

} // namespace

//===----------------------------------------------------------------------===//
// Driver, devices, contexts
//===----------------------------------------------------------------------===//

MOCK_API CUresult cuInit(unsigned) MOCK_RETURN(kSuccess)
MOCK_API CUresult cuDriverGetVersion(int *v) MOCK_RETURN(store(v, 13000))
MOCK_API CUresult cuCtxSynchronize() MOCK_RETURN(kSuccess)
MOCK_API CUresult cuCtxGetCurrent(CUcontext *ctx)
    MOCK_RETURN(store(ctx, currentContext))
MOCK_API CUresult cuDeviceGetCount(int *n)
    MOCK_RETURN(store(n, validDevice(0) ? 1 : 0))
MOCK_API CUresult cuDeviceGet(CUdevice *d, int ordinal)
    MOCK_RETURN(validDevice(ordinal) ? store(d, ordinal) : kInvalidDevice)
MOCK_API CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d)
    MOCK_RETURN(validDevice(d) ? store(bytes, totalMemory()) : kInvalidDevice)

// These two ignore DIFFC_MOCK_CUDA_FAIL: they describe the other failures.
MOCK_API CUresult cuGetErrorName(CUresult rc, const char **out) {
  for (const ErrorInfo &e : kErrors)
    if (e.code == rc) return store(out, e.name);
  store(out, nullptr);
  return kInvalidValue;
}

MOCK_API CUresult cuGetErrorString(CUresult rc, const char **out) {
  for (const ErrorInfo &e : kErrors)
    if (e.code == rc) return store(out, e.text);
  store(out, nullptr);
  return kInvalidValue;
}

MOCK_API CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
  MOCK_FAIL();
  if (!validDevice(d)) return kInvalidDevice;
  if (!name || len <= 0) return kInvalidValue;
  std::snprintf(name, size_t(len), "%s", "diffc mock GPU");
  return kSuccess;
}

// 75/76: compute capability major/minor (DIFFC_MOCK_CUDA_CC, default 13.0);
// 16: multiprocessors (4); any other attribute: 0.
MOCK_API CUresult cuDeviceGetAttribute(int *v, int attribute, CUdevice d) {
  MOCK_FAIL();
  if (!validDevice(d)) return kInvalidDevice;
  int major = 13, minor = 0;
  const char *cc = std::getenv("DIFFC_MOCK_CUDA_CC");
  if (cc && std::sscanf(cc, "%d.%d", &major, &minor) != 2) {
    major = 13;
    minor = 0;
  }
  // 89: CONCURRENT_MANAGED_ACCESS, 1 unless DIFFC_MOCK_CUDA_NO_CMA is set
  // (the Windows / WSL / Tegra case the runtime refuses).
  const bool noConcurrentManaged = std::getenv("DIFFC_MOCK_CUDA_NO_CMA");
  return store(v, attribute == 75   ? major
                  : attribute == 76 ? minor
                  : attribute == 16 ? 4
                  : attribute == 89 ? (noConcurrentManaged ? 0 : 1)
                                    : 0);
}

MOCK_API CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice d) {
  MOCK_FAIL();
  if (!validDevice(d)) return kInvalidDevice;
  if (!ctx) return kInvalidValue;
  Lock lock(S().mu);
  ++S().primaryRetains;
  return store(ctx, &primaryContext);
}

MOCK_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
  MOCK_FAIL();
  if (!validDevice(d)) return kInvalidDevice;
  Lock lock(S().mu);
  if (S().primaryRetains == 0) return kInvalidValue;
  --S().primaryRetains;
  return kSuccess;
}

MOCK_API CUresult cuCtxSetCurrent(CUcontext ctx) {
  MOCK_FAIL();
  if (ctx && ctx != &primaryContext) return kInvalidHandle;
  currentContext = ctx;
  return kSuccess;
}

//===----------------------------------------------------------------------===//
// Memory: host memory; copies and memset are synchronous, *Async ones too
//===----------------------------------------------------------------------===//

MOCK_API CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes)
    MOCK_RETURN(allocate(p, bytes))
MOCK_API CUresult cuMemAllocManaged(CUdeviceptr *p, size_t bytes, unsigned)
    MOCK_RETURN(allocate(p, bytes))
MOCK_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n)
    MOCK_RETURN(copy(ptr(dst), src, n))
MOCK_API CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n)
    MOCK_RETURN(copy(dst, ptr(src), n))
MOCK_API CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t n)
    MOCK_RETURN(copy(ptr(dst), ptr(src), n))
MOCK_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src,
                                       size_t n, CUstream)
    MOCK_RETURN(copy(ptr(dst), src, n))
MOCK_API CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n,
                                       CUstream)
    MOCK_RETURN(copy(dst, ptr(src), n))

MOCK_API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) {
  MOCK_FAIL();
  if (n && !dst) return kInvalidValue;
  if (n) std::memset(ptr(dst), v, n);
  return kSuccess;
}

MOCK_API CUresult cuMemFree_v2(CUdeviceptr p) {
  MOCK_FAIL();
  Lock lock(S().mu);
  auto it = S().allocations.find(p);
  if (it == S().allocations.end()) return kInvalidValue;
  S().liveBytes -= it->second;
  S().allocations.erase(it);
  std::free(ptr(p));
  return kSuccess;
}

MOCK_API CUresult cuMemGetInfo_v2(size_t *free, size_t *total) {
  MOCK_FAIL();
  Lock lock(S().mu);
  size_t all = totalMemory();
  store(total, all);
  return store(free, all > S().liveBytes ? all - S().liveBytes : 0);
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

MOCK_API CUresult cuModuleUnload(CUmodule m)
    MOCK_RETURN(destroyHandle<Module>(S().modules, m))
MOCK_API CUresult cuModuleGetGlobal_v2(CUdeviceptr *, size_t *, CUmodule,
                                       const char *) MOCK_RETURN(kNotFound)

MOCK_API CUresult cuModuleLoadData(CUmodule *m, const void *image) {
  return loadModule(m, image, nullptr, 0, __func__);
}

MOCK_API CUresult cuModuleLoadDataEx(CUmodule *m, const void *image,
                                     unsigned n, int *options, void **values) {
  char *log = nullptr;  // CU_JIT_ERROR_LOG_BUFFER (5) and its size (6)
  size_t size = 0;
  for (unsigned i = 0; options && values && i < n; ++i) {
    if (options[i] == 5) log = static_cast<char *>(values[i]);
    if (options[i] == 6) size = reinterpret_cast<uintptr_t>(values[i]);
  }
  return loadModule(m, image, log, size, __func__);
}

// A PTX module knows its kernels; a cubin module accepts any name.
MOCK_API CUresult cuModuleGetFunction(CUfunction *f, CUmodule m,
                                      const char *name) {
  MOCK_FAIL();
  if (!name) return kInvalidValue;
  Lock lock(S().mu);
  if (!S().modules.count(m)) return kInvalidHandle;
  Module *module = static_cast<Module *>(m);
  for (auto &k : module->kernels)
    if (k->name == name) return store(f, k.get());
  if (!module->cubin) return kNotFound;
  module->kernels.push_back(std::make_unique<Kernel>());
  module->kernels.back()->name = name;
  S().kernels.insert(module->kernels.back().get());
  return store(f, module->kernels.back().get());
}

// Runs the kernel (its handler, if any), or records it while `stream` is
// capturing. `extra` is not supported: the arguments come in `params`.
MOCK_API CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy,
                                 unsigned gz, unsigned bx, unsigned by,
                                 unsigned bz, unsigned smem, CUstream stream,
                                 void **params, void **) {
  MOCK_FAIL();
  const unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  if (!gx || !gy || !gz || !bx || !by || !bz || uint64_t(bx) * by * bz > 1024)
    return kInvalidValue;
  const Kernel *k = static_cast<const Kernel *>(f);
  {
    Lock lock(S().mu);
    if (!S().kernels.count(k)) return kInvalidHandle;
    if (k->known && !k->paramSizes.empty() && !params) return kInvalidValue;
    Stream *s = static_cast<Stream *>(stream);
    if (S().streams.count(s) && s->capture) {
      Launch l{k, {gx, gy, gz}, {bx, by, bz}, smem, {}};
      for (size_t i = 0; k->known && i < k->paramSizes.size(); ++i) {
        auto *bytes = static_cast<const unsigned char *>(params[i]);
        l.params.emplace_back(bytes, bytes + k->paramSizes[i]);
      }
      s->capture->launches.push_back(std::move(l));
      return kSuccess;
    }
  }
  return runLaunch(k, grid, block, smem, params);
}

//===----------------------------------------------------------------------===//
// Streams, graphs, events
//===----------------------------------------------------------------------===//

MOCK_API CUresult cuStreamCreate(CUstream *out, unsigned)
    MOCK_RETURN(createHandle<Stream>(S().streams, out))
MOCK_API CUresult cuStreamDestroy_v2(CUstream s)
    MOCK_RETURN(destroyHandle<Stream>(S().streams, s))
MOCK_API CUresult cuStreamSynchronize(CUstream) MOCK_RETURN(kSuccess)
MOCK_API CUresult cuGraphExecDestroy(CUgraphExec exec)
    MOCK_RETURN(destroyHandle<Graph>(S().execs, exec))
MOCK_API CUresult cuGraphDestroy(CUgraph graph)
    MOCK_RETURN(destroyHandle<Graph>(S().graphs, graph))
MOCK_API CUresult cuEventCreate(CUevent *out, unsigned)
    MOCK_RETURN(createHandle<Event>(S().events, out))
MOCK_API CUresult cuEventDestroy_v2(CUevent e)
    MOCK_RETURN(destroyHandle<Event>(S().events, e))

// Only streams from cuStreamCreate capture (not the null stream).
MOCK_API CUresult cuStreamBeginCapture_v2(CUstream stream, int) {
  MOCK_FAIL();
  Lock lock(S().mu);
  if (!S().streams.count(stream)) return kInvalidHandle;
  Stream *s = static_cast<Stream *>(stream);
  if (s->capture) return kInvalidValue;
  s->capture = std::make_unique<Graph>();
  return kSuccess;
}

MOCK_API CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  MOCK_FAIL();
  Lock lock(S().mu);
  if (!S().streams.count(stream)) return kInvalidHandle;
  Stream *s = static_cast<Stream *>(stream);
  if (!graph || !s->capture) return kInvalidValue;
  S().graphs.insert(*graph = s->capture.release());
  return kSuccess;
}

MOCK_API CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph graph,
                                              unsigned long long) {
  MOCK_FAIL();
  Lock lock(S().mu);
  if (!S().graphs.count(graph)) return kInvalidHandle;
  if (!exec) return kInvalidValue;
  // A copy of the graph: it may outlive the graph.
  S().execs.insert(*exec = new Graph(*static_cast<Graph *>(graph)));
  return kSuccess;
}

// Replays the recorded launches in order, through the launch path. Kernels
// of cubin modules (parameters unknown) replay with params = nullptr.
MOCK_API CUresult cuGraphLaunch(CUgraphExec exec, CUstream) {
  MOCK_FAIL();
  std::vector<Launch> launches;
  {
    Lock lock(S().mu);
    if (!S().execs.count(exec)) return kInvalidHandle;
    launches = static_cast<Graph *>(exec)->launches;
  }
  for (Launch &l : launches) {
    std::vector<void *> params;
    for (auto &bytes : l.params) params.push_back(bytes.data());
    if (CUresult rc = runLaunch(l.kernel, l.grid, l.block, l.smem,
                                params.empty() ? nullptr : params.data()))
      return rc;
  }
  return kSuccess;
}

MOCK_API CUresult cuEventRecord(CUevent e, CUstream) {
  MOCK_FAIL();
  Lock lock(S().mu);
  if (!S().events.count(e)) return kInvalidHandle;
  *static_cast<Event *>(e) = {true, Clock::now()};
  return kSuccess;
}

MOCK_API CUresult cuEventSynchronize(CUevent e) {
  MOCK_FAIL();
  Lock lock(S().mu);
  return S().events.count(e) ? kSuccess : kInvalidHandle;
}

// The wall time between the two cuEventRecord calls, in milliseconds.
MOCK_API CUresult cuEventElapsedTime_v2(float *ms, CUevent start, CUevent end) {
  MOCK_FAIL();
  Lock lock(S().mu);
  if (!S().events.count(start) || !S().events.count(end)) return kInvalidHandle;
  auto *a = static_cast<Event *>(start), *b = static_cast<Event *>(end);
  if (!a->recorded || !b->recorded) return kInvalidHandle;
  return store(ms, std::chrono::duration<float, std::milli>(b->time - a->time)
                       .count());
}

MOCK_API CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
  return cuEventElapsedTime_v2(ms, start, end);
}

//===----------------------------------------------------------------------===//
// Test hooks (tests dlopen this library and dlsym them)
//===----------------------------------------------------------------------===//

MOCK_API void diffc_mock_cuda_set_kernel(const char *name,
                                         diffc_mock_kernel_fn fn) {
  Lock lock(S().mu);
  if (name && fn) S().handlers[name] = fn;
  else if (name) S().handlers.erase(name);
}

MOCK_API unsigned long long diffc_mock_cuda_launch_count(void) {
  Lock lock(S().mu);
  return S().launches;
}

MOCK_API unsigned long long diffc_mock_cuda_live_bytes(void) {
  Lock lock(S().mu);
  return S().liveBytes;
}

// Forgets the kernel handlers and the launch count; allocations stay.
MOCK_API void diffc_mock_cuda_reset(void) {
  Lock lock(S().mu);
  S().handlers.clear();
  S().launches = 0;
}
