//===- cuda_driver.cpp - The CUDA driver API through dlopen ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The driver API subset the runtime uses, declared here rather than taken
// from cuda.h so that building the runtime needs no CUDA toolkit. The types
// are the driver's ABI (opaque pointers, int results, 64-bit device
// pointers), stable since CUDA 4; the _v2 symbols are the ones cuda.h maps
// the plain names to.
//
//===----------------------------------------------------------------------===//

#include "diffc/cuda.h"

#include <dlfcn.h>

#include <type_traits>

namespace diffc {
namespace cuda {

namespace {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;
using CUgraph = void *;
using CUgraphExec = void *;

constexpr CUresult kSuccess = 0;
constexpr CUresult kOutOfMemory = 2;
constexpr int kAttrMultiprocessors = 16;
constexpr int kAttrMajor = 75;
constexpr int kAttrMinor = 76;
constexpr int kAttrConcurrentManagedAccess = 89;
constexpr int kJitInfoLogBuffer = 3;
constexpr int kJitInfoLogBufferSize = 4;
constexpr int kJitErrorLogBuffer = 5;
constexpr int kJitErrorLogBufferSize = 6;
constexpr unsigned kStreamNonBlocking = 1;
constexpr unsigned kEventDefault = 0;
constexpr unsigned kMemAttachGlobal = 1;
constexpr int kStreamCaptureModeRelaxed = 2;

} // namespace

struct Driver::Api {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuMemGetInfo)(size_t *, size_t *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  // CUDA graphs (optional: without them every call launches from the host).
  CUresult (*cuStreamBeginCapture)(CUstream, int);
  CUresult (*cuStreamEndCapture)(CUstream, CUgraph *);
  CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *, CUgraph,
                                          unsigned long long);
  CUresult (*cuGraphLaunch)(CUgraphExec, CUstream);
  CUresult (*cuGraphExecDestroy)(CUgraphExec);
  CUresult (*cuGraphDestroy)(CUgraph);
};

Driver::Driver() : api_(new Api()) {}

Driver::~Driver() {
  // The driver stays loaded: contexts of other Driver objects may live on,
  // and unloading libcuda at exit is known to race with its own threads.
}

std::string Driver::describe(const char *call, int result) const {
  const char *name = nullptr, *text = nullptr;
  if (api_->cuGetErrorName)
    api_->cuGetErrorName(result, &name);
  if (api_->cuGetErrorString)
    api_->cuGetErrorString(result, &text);
  std::string out = std::string(call) + " failed: ";
  out += name ? name : "CUDA error " + std::to_string(result);
  if (text)
    out += std::string(" (") + text + ")";
  return out;
}

std::shared_ptr<Driver> Driver::load(std::string *error) {
  const std::string library = driverLibraryName();
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    *error = "no NVIDIA driver (" + library + " not found)";
    return nullptr;
  }
  std::shared_ptr<Driver> driver(new Driver());
  driver->handle_ = handle;
  Api &api = *driver->api_;
  std::string missing;
  auto bind = [&](auto &slot, const char *name, const char *fallback) {
    void *symbol = dlsym(handle, name);
    if (!symbol && fallback)
      symbol = dlsym(handle, fallback);
    if (!symbol)
      missing += (missing.empty() ? "" : ", ") + std::string(name);
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
  };
  bind(api.cuInit, "cuInit", nullptr);
  bind(api.cuDriverGetVersion, "cuDriverGetVersion", nullptr);
  bind(api.cuGetErrorName, "cuGetErrorName", nullptr);
  bind(api.cuGetErrorString, "cuGetErrorString", nullptr);
  bind(api.cuDeviceGetCount, "cuDeviceGetCount", nullptr);
  bind(api.cuDeviceGet, "cuDeviceGet", nullptr);
  bind(api.cuDeviceGetName, "cuDeviceGetName", nullptr);
  bind(api.cuDeviceGetAttribute, "cuDeviceGetAttribute", nullptr);
  bind(api.cuDeviceTotalMem, "cuDeviceTotalMem_v2", nullptr);
  bind(api.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", nullptr);
  bind(api.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2",
       "cuDevicePrimaryCtxRelease");
  bind(api.cuCtxSetCurrent, "cuCtxSetCurrent", nullptr);
  bind(api.cuCtxSynchronize, "cuCtxSynchronize", nullptr);
  bind(api.cuMemGetInfo, "cuMemGetInfo_v2", nullptr);
  bind(api.cuMemAlloc, "cuMemAlloc_v2", nullptr);
  bind(api.cuMemAllocManaged, "cuMemAllocManaged", nullptr);
  bind(api.cuMemFree, "cuMemFree_v2", nullptr);
  bind(api.cuMemcpyHtoD, "cuMemcpyHtoD_v2", nullptr);
  bind(api.cuMemcpyDtoH, "cuMemcpyDtoH_v2", nullptr);
  bind(api.cuModuleLoadData, "cuModuleLoadData", nullptr);
  bind(api.cuModuleLoadDataEx, "cuModuleLoadDataEx", nullptr);
  bind(api.cuModuleUnload, "cuModuleUnload", nullptr);
  bind(api.cuModuleGetFunction, "cuModuleGetFunction", nullptr);
  bind(api.cuLaunchKernel, "cuLaunchKernel", nullptr);
  bind(api.cuStreamCreate, "cuStreamCreate", nullptr);
  bind(api.cuStreamDestroy, "cuStreamDestroy_v2", nullptr);
  bind(api.cuStreamSynchronize, "cuStreamSynchronize", nullptr);
  bind(api.cuEventCreate, "cuEventCreate", nullptr);
  bind(api.cuEventDestroy, "cuEventDestroy_v2", nullptr);
  bind(api.cuEventRecord, "cuEventRecord", nullptr);
  bind(api.cuEventSynchronize, "cuEventSynchronize", nullptr);
  bind(api.cuEventElapsedTime, "cuEventElapsedTime_v2", "cuEventElapsedTime");
  if (!missing.empty()) {
    *error = library + " lacks " + missing +
             ": the NVIDIA driver is too old for diffc";
    return nullptr;
  }
  std::string noGraphs;
  std::swap(missing, noGraphs);
  bind(api.cuStreamBeginCapture, "cuStreamBeginCapture_v2", nullptr);
  bind(api.cuStreamEndCapture, "cuStreamEndCapture", nullptr);
  bind(api.cuGraphInstantiateWithFlags, "cuGraphInstantiateWithFlags", nullptr);
  bind(api.cuGraphLaunch, "cuGraphLaunch", nullptr);
  bind(api.cuGraphExecDestroy, "cuGraphExecDestroy", nullptr);
  bind(api.cuGraphDestroy, "cuGraphDestroy", nullptr);
  driver->hasGraphs_ = missing.empty();
  CUresult rc = api.cuInit(0);
  if (rc != kSuccess) {
    *error = driver->describe("cuInit", rc);
    return nullptr;
  }
  api.cuDriverGetVersion(&driver->version_);
  return driver;
}

bool Driver::devices(std::vector<DeviceInfo> *out, std::string *error) const {
  out->clear();
  int count = 0;
  CUresult rc = api_->cuDeviceGetCount(&count);
  if (rc != kSuccess) {
    *error = describe("cuDeviceGetCount", rc);
    return false;
  }
  for (int i = 0; i < count; ++i) {
    CUdevice device;
    DeviceInfo info;
    info.ordinal = i;
    int concurrent = 0;
    char name[256] = {};
    size_t memory = 0;
    if ((rc = api_->cuDeviceGet(&device, i)) != kSuccess ||
        (rc = api_->cuDeviceGetName(name, sizeof(name) - 1, device)) !=
            kSuccess ||
        (rc = api_->cuDeviceGetAttribute(&info.major, kAttrMajor, device)) !=
            kSuccess ||
        (rc = api_->cuDeviceGetAttribute(&info.minor, kAttrMinor, device)) !=
            kSuccess ||
        (rc = api_->cuDeviceGetAttribute(&info.multiprocessors,
                                         kAttrMultiprocessors, device)) !=
            kSuccess ||
        (rc = api_->cuDeviceTotalMem(&memory, device)) != kSuccess ||
        (rc = api_->cuDeviceGetAttribute(&concurrent,
                                         kAttrConcurrentManagedAccess,
                                         device)) != kSuccess) {
      *error = describe("querying CUDA device", rc) + " (device " +
               std::to_string(i) + ")";
      return false;
    }
    info.name = name;
    info.totalMemory = memory;
    info.concurrentManagedAccess = concurrent != 0;
    out->push_back(std::move(info));
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Context
//===----------------------------------------------------------------------===//

std::unique_ptr<Context> Context::create(std::shared_ptr<Driver> driver,
                                         int ordinal, std::string *error) {
  std::vector<DeviceInfo> devices;
  if (!driver->devices(&devices, error))
    return nullptr;
  if (ordinal < 0 || ordinal >= static_cast<int>(devices.size())) {
    *error = devices.empty()
                 ? "the NVIDIA driver found no CUDA device"
                 : "no CUDA device " + std::to_string(ordinal) + " (the driver "
                   "found " + std::to_string(devices.size()) + ")";
    return nullptr;
  }
  const Driver::Api &api = driver->api();
  std::unique_ptr<Context> context(new Context());
  context->device_ = devices[ordinal];
  CUresult rc = api.cuDeviceGet(&context->cuDevice_, ordinal);
  CUcontext handle = nullptr;
  if (rc == kSuccess)
    rc = api.cuDevicePrimaryCtxRetain(&handle, context->cuDevice_);
  if (rc != kSuccess) {
    *error = driver->describe("cuDevicePrimaryCtxRetain", rc) + " on " +
             context->device_.name;
    return nullptr;
  }
  context->context_ = handle;
  context->driver_ = std::move(driver);
  rc = api.cuCtxSetCurrent(handle);
  if (rc != kSuccess) {
    *error = context->driver_->describe("cuCtxSetCurrent", rc);
    return nullptr; // the destructor releases the primary context
  }
  return context;
}

Context::~Context() {
  if (context_)
    driver_->api().cuDevicePrimaryCtxRelease(cuDevice_);
}

bool Context::makeCurrent(std::string *error) const {
  CUresult rc = driver_->api().cuCtxSetCurrent(context_);
  if (rc != kSuccess) {
    *error = driver_->describe("cuCtxSetCurrent", rc);
    return false;
  }
  return true;
}

bool Context::synchronize(std::string *error) const {
  CUresult rc = driver_->api().cuCtxSynchronize();
  if (rc != kSuccess) {
    *error = driver_->describe("cuCtxSynchronize", rc);
    return false;
  }
  return true;
}

bool Context::memoryInfo(uint64_t *free, uint64_t *total,
                         std::string *error) const {
  size_t f = 0, t = 0;
  CUresult rc = driver_->api().cuMemGetInfo(&f, &t);
  if (rc != kSuccess) {
    *error = driver_->describe("cuMemGetInfo", rc);
    return false;
  }
  *free = f;
  *total = t;
  return true;
}

//===----------------------------------------------------------------------===//
// Buffer
//===----------------------------------------------------------------------===//

/// "out of GPU memory: N bytes requested on <device>, M of T bytes free".
static std::string outOfMemory(const Context &context, size_t bytes) {
  uint64_t free = 0, total = 0;
  std::string ignored;
  context.memoryInfo(&free, &total, &ignored);
  return "out of GPU memory: " + std::to_string(bytes) +
         " bytes requested on " + context.device().name + ", " +
         std::to_string(free) + " of " + std::to_string(total) +
         " bytes free";
}

void *allocateManaged(const Context &context, size_t bytes,
                      std::string *error) {
  const Driver &driver = context.driver();
  CUdeviceptr address = 0;
  CUresult rc = driver.api().cuMemAllocManaged(&address, bytes ? bytes : 1,
                                               kMemAttachGlobal);
  if (rc == kOutOfMemory) {
    *error = outOfMemory(context, bytes);
    return nullptr;
  }
  if (rc != kSuccess) {
    *error = driver.describe("cuMemAllocManaged", rc);
    return nullptr;
  }
  return reinterpret_cast<void *>(static_cast<uintptr_t>(address));
}

void freeManaged(const Context &context, void *memory) {
  if (memory)
    context.driver().api().cuMemFree(
        static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(memory)));
}

std::unique_ptr<Buffer> Buffer::allocate(const Context &context, size_t bytes,
                                         std::string *error) {
  const Driver &driver = context.driver();
  CUdeviceptr address = 0;
  CUresult rc = driver.api().cuMemAlloc(&address, bytes ? bytes : 1);
  if (rc == kOutOfMemory) {
    *error = outOfMemory(context, bytes);
    return nullptr;
  }
  if (rc != kSuccess) {
    *error = driver.describe("cuMemAlloc", rc);
    return nullptr;
  }
  std::unique_ptr<Buffer> buffer(new Buffer());
  buffer->context_ = &context;
  buffer->address_ = address;
  buffer->size_ = bytes;
  return buffer;
}

Buffer::~Buffer() {
  if (address_)
    context_->driver().api().cuMemFree(address_);
}

bool Buffer::upload(const void *host, size_t bytes, std::string *error) {
  if (bytes > size_) {
    *error = "upload of " + std::to_string(bytes) + " bytes into a buffer of " +
             std::to_string(size_);
    return false;
  }
  CUresult rc = context_->driver().api().cuMemcpyHtoD(address_, host, bytes);
  if (rc != kSuccess) {
    *error = context_->driver().describe("cuMemcpyHtoD", rc);
    return false;
  }
  return true;
}

bool Buffer::download(void *host, size_t bytes, std::string *error) const {
  if (bytes > size_) {
    *error = "download of " + std::to_string(bytes) +
             " bytes from a buffer of " + std::to_string(size_);
    return false;
  }
  CUresult rc = context_->driver().api().cuMemcpyDtoH(host, address_, bytes);
  if (rc != kSuccess) {
    *error = context_->driver().describe("cuMemcpyDtoH", rc);
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Stream, Event
//===----------------------------------------------------------------------===//

std::unique_ptr<Stream> Stream::create(const Context &context,
                                       std::string *error) {
  CUstream handle = nullptr;
  CUresult rc =
      context.driver().api().cuStreamCreate(&handle, kStreamNonBlocking);
  if (rc != kSuccess) {
    *error = context.driver().describe("cuStreamCreate", rc);
    return nullptr;
  }
  std::unique_ptr<Stream> stream(new Stream());
  stream->context_ = &context;
  stream->stream_ = handle;
  return stream;
}

Stream::~Stream() {
  if (stream_)
    context_->driver().api().cuStreamDestroy(stream_);
}

bool Stream::synchronize(std::string *error) const {
  CUresult rc = context_->driver().api().cuStreamSynchronize(stream_);
  if (rc != kSuccess) {
    *error = context_->driver().describe("cuStreamSynchronize", rc);
    return false;
  }
  return true;
}

std::unique_ptr<Event> Event::create(const Context &context,
                                     std::string *error) {
  CUevent handle = nullptr;
  CUresult rc = context.driver().api().cuEventCreate(&handle, kEventDefault);
  if (rc != kSuccess) {
    *error = context.driver().describe("cuEventCreate", rc);
    return nullptr;
  }
  std::unique_ptr<Event> event(new Event());
  event->context_ = &context;
  event->event_ = handle;
  return event;
}

Event::~Event() {
  if (event_)
    context_->driver().api().cuEventDestroy(event_);
}

bool Event::record(const Stream &stream, std::string *error) {
  CUresult rc = context_->driver().api().cuEventRecord(event_, stream.handle());
  if (rc != kSuccess) {
    *error = context_->driver().describe("cuEventRecord", rc);
    return false;
  }
  return true;
}

bool Event::synchronize(std::string *error) const {
  CUresult rc = context_->driver().api().cuEventSynchronize(event_);
  if (rc != kSuccess) {
    *error = context_->driver().describe("cuEventSynchronize", rc);
    return false;
  }
  return true;
}

bool Event::elapsedSince(const Event &start, float *ms,
                         std::string *error) const {
  CUresult rc =
      context_->driver().api().cuEventElapsedTime(ms, start.event_, event_);
  if (rc != kSuccess) {
    *error = context_->driver().describe("cuEventElapsedTime", rc);
    return false;
  }
  return true;
}

bool Stream::beginCapture(std::string *error) {
  const Driver &driver = context_->driver();
  if (!driver.hasGraphs()) {
    *error = "this NVIDIA driver has no CUDA graph functions";
    return false;
  }
  CUresult rc =
      driver.api().cuStreamBeginCapture(stream_, kStreamCaptureModeRelaxed);
  if (rc != kSuccess) {
    *error = driver.describe("cuStreamBeginCapture", rc);
    return false;
  }
  return true;
}

std::unique_ptr<Graph> Stream::endCapture(std::string *error) {
  const Driver &driver = context_->driver();
  CUgraph graph = nullptr;
  CUresult rc = driver.api().cuStreamEndCapture(stream_, &graph);
  if (rc != kSuccess || !graph) {
    *error = driver.describe("cuStreamEndCapture", rc);
    if (graph)
      driver.api().cuGraphDestroy(graph);
    return nullptr;
  }
  CUgraphExec exec = nullptr;
  rc = driver.api().cuGraphInstantiateWithFlags(&exec, graph, 0);
  driver.api().cuGraphDestroy(graph);
  if (rc != kSuccess) {
    *error = driver.describe("cuGraphInstantiateWithFlags", rc);
    return nullptr;
  }
  std::unique_ptr<Graph> out(new Graph());
  out->context_ = context_;
  out->exec_ = exec;
  return out;
}

Graph::~Graph() {
  if (exec_)
    context_->driver().api().cuGraphExecDestroy(exec_);
}

bool Graph::launch(const Stream &stream, std::string *error) const {
  CUresult rc = context_->driver().api().cuGraphLaunch(exec_, stream.handle());
  if (rc != kSuccess) {
    *error = context_->driver().describe("cuGraphLaunch", rc);
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Module, launches
//===----------------------------------------------------------------------===//

std::unique_ptr<Module> Module::loadImage(const Context &context,
                                          const void *image, size_t size,
                                          bool isPtx, const std::string &what,
                                          std::string *error) {
  const Driver &driver = context.driver();
  CUmodule handle = nullptr;
  CUresult rc;
  std::string log;
  if (isPtx) {
    // The driver wants NUL-terminated PTX text; the artifact stores bytes.
    std::string text(static_cast<const char *>(image), size);
    std::vector<char> errors(16384, 0), infos(4096, 0);
    int options[] = {kJitErrorLogBuffer, kJitErrorLogBufferSize,
                     kJitInfoLogBuffer, kJitInfoLogBufferSize};
    void *values[] = {errors.data(),
                      reinterpret_cast<void *>(uintptr_t(errors.size() - 1)),
                      infos.data(),
                      reinterpret_cast<void *>(uintptr_t(infos.size() - 1))};
    rc = driver.api().cuModuleLoadDataEx(&handle, text.c_str(), 4, options,
                                         values);
    log = errors.data();
  } else {
    rc = driver.api().cuModuleLoadData(&handle, image);
  }
  if (rc != kSuccess) {
    *error = "loading " + what + " on " + context.device().name + " (" +
             context.device().target() + "): " +
             driver.describe(isPtx ? "cuModuleLoadDataEx (PTX JIT)"
                                   : "cuModuleLoadData",
                             rc);
    if (!log.empty()) {
      for (char &c : log)
        if (c == '\n')
          c = ' ';
      *error += "; JIT log: " + log;
    }
    return nullptr;
  }
  std::unique_ptr<Module> module(new Module());
  module->context_ = &context;
  module->module_ = handle;
  return module;
}

std::unique_ptr<Module> Module::load(const Context &context,
                                     const CodeObjectRef &code,
                                     std::string *error) {
  if (code.format != CodeFormat::cubin && code.format != CodeFormat::ptx) {
    *error = "code object for " + code.target + " is " +
             codeFormatName(code.format) + ", not cubin or ptx";
    return nullptr;
  }
  return loadImage(context, code.data, code.size,
                   code.format == CodeFormat::ptx,
                   "the " + code.target + " " + codeFormatName(code.format),
                   error);
}

Module::~Module() {
  if (module_)
    context_->driver().api().cuModuleUnload(module_);
}

void *Module::function(const std::string &name, std::string *error) const {
  CUfunction function = nullptr;
  CUresult rc = context_->driver().api().cuModuleGetFunction(
      &function, module_, name.c_str());
  if (rc != kSuccess) {
    *error = "no kernel '" + name + "' in the loaded module: " +
             context_->driver().describe("cuModuleGetFunction", rc);
    return nullptr;
  }
  return function;
}

bool launch(const Context &context, void *function, const uint32_t grid[3],
            const uint32_t block[3], uint32_t sharedMemoryBytes,
            const Stream *stream, void **params, std::string *error) {
  CUresult rc = context.driver().api().cuLaunchKernel(
      function, grid[0], grid[1], grid[2], block[0], block[1], block[2],
      sharedMemoryBytes, stream ? stream->handle() : nullptr, params, nullptr);
  if (rc != kSuccess) {
    *error = context.driver().describe("cuLaunchKernel", rc);
    return false;
  }
  return true;
}

} // namespace cuda
} // namespace diffc
