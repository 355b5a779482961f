//===- GpuExecutionTest.cpp - Sessions on a CUDA device, without a GPU ----===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Session with device "cuda" on the mock driver (test/mock-cuda), running
// the hand-written GPU host code of TestGpuHost.c: the launch ABI's
// parameter slots, the device copy of a parameter and its refresh after
// rebinding, the copy of inputs into device-visible memory and of results
// back, the reuse of blocks between calls, and the errors. The kernel is a
// C++ twin registered with the mock (it decodes the slots the way the
// kernel table describes them); the generated kernels' own numerics are
// tested as host loops (test/Gpu/host-loops.mlir) and on a GPU
// (scripts/gpu-check.sh).
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include "cuda/gpu_executor.h"
#include "diffc/safetensors.h"
#include "diffc/session.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <random>

using namespace diffc;
using namespace diffc::test;

/// Runs of TestGpuHost.c's host code (it calls this; exported from the test
/// binary like the runtime's own ABI).
static int gpuHostRuns = 0;
extern "C" __attribute__((visibility("default"))) void
diffc_test_gpu_host_ran() {
  ++gpuHostRuns;
}

namespace {

using KernelFn = void (*)(void **, const unsigned[3], const unsigned[3]);
using SetKernelFn = void (*)(const char *, KernelFn);
using CountFn = unsigned long long (*)();

/// The C++ twin of axpb_kernel: y[i] = a * x[i] + bias[0], slots as in
/// TestGpuHost.c (elements, x, bias, a, y).
void axpbKernel(void **params, const unsigned grid[3], const unsigned block[3]) {
  auto slot = [&](int i) { return *static_cast<int64_t *>(params[i]); };
  int64_t n = slot(0);
  const float *x = reinterpret_cast<const float *>(slot(2)) + slot(3);
  int64_t xStride = slot(5);
  const float *bias = reinterpret_cast<const float *>(slot(7)) + slot(8);
  float a;
  std::memcpy(&a, params[11], 4);
  float *y = reinterpret_cast<float *>(slot(13)) + slot(14);
  for (int64_t t = 0; t < int64_t(grid[0]) * block[0]; ++t)
    if (t < n)
      y[t * slot(16)] = a * x[t * xStride] + bias[0];
}

const char kPtx[] =
    ".version 7.0\n.target sm_80\n.address_size 64\n"
    ".visible .entry axpb_kernel(\n"
    "  .param .u64 p0, .param .u64 p1, .param .u64 p2, .param .u64 p3,\n"
    "  .param .u64 p4, .param .u64 p5, .param .u64 p6, .param .u64 p7,\n"
    "  .param .u64 p8, .param .u64 p9, .param .u64 p10, .param .f32 p11,\n"
    "  .param .u64 p12, .param .u64 p13, .param .u64 p14, .param .u64 p15,\n"
    "  .param .u64 p16\n) { ret; }\n";

class GpuExecutionTest : public ::testing::Test {
protected:
  void SetUp() override {
    const char *old = std::getenv("DIFFC_LIBCUDA");
    hadOld_ = old != nullptr;
    if (old)
      old_ = old;
    setenv("DIFFC_LIBCUDA", DIFFC_MOCK_CUDA_PATH, 1);
    mock_ = dlopen(DIFFC_MOCK_CUDA_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(mock_, nullptr) << dlerror();
    setKernel_ = reinterpret_cast<SetKernelFn>(
        dlsym(mock_, "diffc_mock_cuda_set_kernel"));
    launches_ = reinterpret_cast<CountFn>(
        dlsym(mock_, "diffc_mock_cuda_launch_count"));
    liveBytes_ = reinterpret_cast<CountFn>(
        dlsym(mock_, "diffc_mock_cuda_live_bytes"));
    ASSERT_TRUE(setKernel_ && launches_ && liveBytes_);
    setKernel_("axpb_kernel", &axpbKernel);
  }
  void TearDown() override {
    if (setKernel_)
      setKernel_("axpb_kernel", nullptr);
    if (mock_)
      dlclose(mock_);
    if (hadOld_)
      setenv("DIFFC_LIBCUDA", old_.c_str(), 1);
    else
      unsetenv("DIFFC_LIBCUDA");
  }

  /// An artifact with TestGpuHost's host code, its PTX and kernel table.
  std::string writeArtifact(bool withGpuHost = true) {
    ArtifactWriter writer;
    writer.setProducer("GpuExecutionTest");
    using V = ValueSignature;
    EntryPointSignature entry;
    entry.name = "axpb";
    entry.symbol = "diffc_entry_axpb";
    entry.inputs = {V::tensor(ElementType::f32, {-1}, "x"),
                    V::scalar(ValueKind::f32, "a")};
    entry.outputs = {V::tensor(ElementType::f32, {-1}, "y"),
                     V::scalar(ValueKind::f32, "y0")};
    writer.addEntryPoint(entry);
    EntryPointSignature async = entry;
    async.name = "axpb_async";
    async.symbol = "diffc_entry_axpb_async";
    async.outputs.pop_back();
    writer.addEntryPoint(async);
    ParameterSignature bias;
    bias.name = "bias";
    bias.symbol = "diffc_param_0";
    bias.shape = {1};
    writer.addParameter(bias);
    const float b = 0.25f;
    writer.addWeight("bias", ElementType::f32, {1},
                     std::vector<uint8_t>(reinterpret_cast<const uint8_t *>(&b),
                                          reinterpret_cast<const uint8_t *>(&b) + 4));
    if (withGpuHost)
      writer.addCodeObject("x86_64", CodeFormat::cuda_host_shared_object,
                           readFile(DIFFC_TEST_GPU_HOST_PATH));
    writer.addCodeObject("sm_80", CodeFormat::ptx,
                         std::vector<uint8_t>(kPtx, kPtx + sizeof(kPtx) - 1));
    GpuKernelInfo kernel;
    kernel.name = "axpb_kernel";
    kernel.function = "axpb";
    kernel.block[0] = 256;
    using P = GpuKernelParam;
    auto param = [](bool buffer, int rank, ElementType type, P::Source source,
                    int index) {
      P p;
      p.isBuffer = buffer;
      p.rank = rank;
      p.elementType = type;
      p.source = source;
      p.index = index;
      return p;
    };
    kernel.params = {
        param(false, 0, ElementType::i64, P::Source::elements, -1),
        param(true, 1, ElementType::f32, P::Source::argument, 0),
        param(true, 1, ElementType::f32, P::Source::host_value, -1),
        param(false, 0, ElementType::f32, P::Source::argument, 1),
        param(true, 1, ElementType::f32, P::Source::result, 0)};
    writer.addGpuKernel(kernel);
    std::string path = dir_.file("axpb.diffc"), error;
    EXPECT_TRUE(writer.write(path, &error)) << error;
    return path;
  }

  /// Binds the parameter "bias" to `value` from a weights file.
  bool rebindBias(Session &session, float value, std::string *error) {
    std::string path = dir_.file("bias.safetensors");
    writeFile(path, safetensorsImage(
                        R"({"bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                        std::vector<uint8_t>(
                            reinterpret_cast<const uint8_t *>(&value),
                            reinterpret_cast<const uint8_t *>(&value) + 4)));
    auto file = SafetensorsFile::load(path, error);
    return file && session.bindWeights({file.get()}, error);
  }

  static SessionOptions onGpu() {
    SessionOptions options;
    options.device = "cuda";
    return options;
  }

  TempDir dir_;
  void *mock_ = nullptr;
  SetKernelFn setKernel_ = nullptr;
  CountFn launches_ = nullptr, liveBytes_ = nullptr;
  bool hadOld_ = false;
  std::string old_;
};

/// Calls axpb (or axpb_async) and checks y = a * x + bias against a double
/// reference.
void expectAxpb(const Session &session, const std::vector<float> &x, float a,
                double bias, const char *entry = "axpb") {
  std::vector<Arg> out;
  std::string error;
  const bool async = std::string(entry) == "axpb_async";
  ASSERT_TRUE(session.call(
      entry,
      {Arg::ofTensor(Tensor::fromVector(ElementType::f32,
                                        {int64_t(x.size())}, x)),
       Arg::ofF32(a)},
      &out, &error))
      << error;
  ASSERT_EQ(out.size(), async ? 1u : 2u);
  const Tensor &y = out[0].tensor;
  ASSERT_EQ(y.shape(), std::vector<int64_t>{int64_t(x.size())});
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y.dataAs<float>()[i], double(a) * x[i] + bias, 1e-6) << i;
  if (!async)
    EXPECT_EQ(out[1].floatValue, y.dataAs<float>()[0]);
}

std::vector<float> randomValues(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(n);
  for (float &f : v)
    f = normal(rng);
  return v;
}

TEST_F(GpuExecutionTest, RunsTheHostCodeAndTheKernel) {
  std::string error;
  auto session = Session::open(writeArtifact(), onGpu(), &error);
  ASSERT_TRUE(session) << error;
  EXPECT_EQ(session->deviceDescription(),
            "loaded the sm_80 ptx (JIT-compiled) with 1 kernel(s) on diffc "
            "mock GPU (sm_130)");
  const unsigned long long before = launches_();
  // 1000 elements: four blocks, the last partly idle.
  expectAxpb(*session, randomValues(1000, 1), 1.5f, 0.25);
  EXPECT_EQ(launches_() - before, 1u);
}

TEST_F(GpuExecutionTest, RepeatedCallsAreRecordedAsAGraphAndReplayed) {
  std::string error;
  auto session = Session::open(writeArtifact(), onGpu(), &error);
  ASSERT_TRUE(session) << error;
  // The first call runs the host code, the second records it as a graph
  // (and runs the graph for its own results), later ones replay it, with
  // their own inputs copied into the recorded input block.
  const int before = gpuHostRuns;
  for (unsigned seed = 10; seed < 15; ++seed)
    expectAxpb(*session, randomValues(777, seed), 1.5f, 0.25, "axpb_async");
  EXPECT_EQ(gpuHostRuns - before, 2);
  // Other scalars or shapes are other calls: run, record, replay again.
  expectAxpb(*session, randomValues(777, 20), -3.0f, 0.25, "axpb_async");
  expectAxpb(*session, randomValues(300, 21), 1.5f, 0.25, "axpb_async");
  EXPECT_EQ(gpuHostRuns - before, 4);
  // A recording reads the device copies of the weights it was recorded
  // with: rebinding drops the recordings.
  ASSERT_TRUE(rebindBias(*session, 2.0f, &error)) << error;
  for (unsigned seed = 50; seed < 53; ++seed)
    expectAxpb(*session, randomValues(777, seed), 1.5f, 2.0, "axpb_async");
  EXPECT_EQ(gpuHostRuns - before, 6);
}

TEST_F(GpuExecutionTest, HostCodeThatWaitsForTheGpuIsNeverRecorded) {
  std::string error;
  auto session = Session::open(writeArtifact(), onGpu(), &error);
  ASSERT_TRUE(session) << error;
  // axpb reads y[0] on the host after waiting: a recording could not serve
  // that read, so every call runs the host code.
  const int before = gpuHostRuns;
  for (unsigned seed = 30; seed < 34; ++seed)
    expectAxpb(*session, randomValues(100, seed), 0.5f, 0.25);
  EXPECT_EQ(gpuHostRuns - before, 4);
}

TEST_F(GpuExecutionTest, GraphsCanBeTurnedOff) {
  setenv("DIFFC_CUDA_GRAPHS", "0", 1);
  std::string error;
  auto session = Session::open(writeArtifact(), onGpu(), &error);
  unsetenv("DIFFC_CUDA_GRAPHS");
  ASSERT_TRUE(session) << error;
  const int before = gpuHostRuns;
  for (unsigned seed = 40; seed < 44; ++seed)
    expectAxpb(*session, randomValues(100, seed), 0.5f, 0.25, "axpb_async");
  EXPECT_EQ(gpuHostRuns - before, 4);
}

TEST_F(GpuExecutionTest, ReusesBlocksAndTheParameterCopyBetweenCalls) {
  std::string error;
  auto session = Session::open(writeArtifact(), onGpu(), &error);
  ASSERT_TRUE(session) << error;
  const std::vector<float> x = randomValues(4096, 2);
  expectAxpb(*session, x, -0.5f, 0.25);
  const unsigned long long live = liveBytes_();
  for (int i = 0; i < 3; ++i)
    expectAxpb(*session, x, 2.0f, 0.25);
  // Inputs, results and the bias copy come from the same blocks again.
  EXPECT_EQ(liveBytes_(), live);
}

TEST_F(GpuExecutionTest, RebindingRefreshesTheDeviceCopyOfParameters) {
  std::string error;
  auto session = Session::open(writeArtifact(), onGpu(), &error);
  ASSERT_TRUE(session) << error;
  expectAxpb(*session, randomValues(10, 3), 1.0f, 0.25);
  ASSERT_TRUE(rebindBias(*session, 2.0f, &error)) << error;
  expectAxpb(*session, randomValues(10, 4), 1.0f, 2.0);
}

TEST_F(GpuExecutionTest, ErrorsNameWhatIsMissing) {
  std::string error;
  EXPECT_FALSE(Session::open(writeArtifact(/*withGpuHost=*/false), onGpu(),
                             &error));
  EXPECT_NE(error.find("no host code for GPUs (x86_64 "
                       "cuda_host_shared_object)"),
            std::string::npos)
      << error;
  SessionOptions bad;
  bad.device = "tpu";
  EXPECT_FALSE(Session::open(writeArtifact(), bad, &error));
  EXPECT_EQ(error, "Session::create: unknown device 'tpu' (cpu or cuda)");
  setenv("DIFFC_MOCK_CUDA_NO_CMA", "1", 1);
  EXPECT_FALSE(Session::open(writeArtifact(), onGpu(), &error));
  unsetenv("DIFFC_MOCK_CUDA_NO_CMA");
  EXPECT_EQ(error, "--device=cuda: diffc mock GPU (sm_130) cannot share "
                   "managed memory with the host while kernels run "
                   "(CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS is 0, as "
                   "on Windows, WSL and some Tegra boards); diffc's GPU path "
                   "needs a Linux machine with a discrete GPU");
  setenv("DIFFC_LIBCUDA", "/nonexistent/libcuda.so.1", 1);
  EXPECT_FALSE(Session::open(writeArtifact(), onGpu(), &error));
  EXPECT_EQ(error,
            "--device=cuda: no NVIDIA driver (/nonexistent/libcuda.so.1 not "
            "found)");
}

TEST_F(GpuExecutionTest, AFailedLaunchFailsTheCallWithoutResults) {
  std::string error;
  auto session = Session::open(writeArtifact(), onGpu(), &error);
  ASSERT_TRUE(session) << error;
  setKernel_("axpb_kernel", nullptr);
  setenv("DIFFC_MOCK_CUDA_FAIL", "cuLaunchKernel", 1);
  std::vector<Arg> out;
  bool ok = session->call(
      "axpb",
      {Arg::ofTensor(Tensor::fromVector(ElementType::f32, {3},
                                        std::vector<float>{1, 2, 3})),
       Arg::ofF32(1)},
      &out, &error);
  unsetenv("DIFFC_MOCK_CUDA_FAIL");
  EXPECT_FALSE(ok);
  EXPECT_TRUE(out.empty());
  EXPECT_NE(error.find("entry point \"axpb\": kernel axpb_kernel: "
                       "cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED"),
            std::string::npos)
      << error;
  // The error was the call's: the next call runs again.
  setKernel_("axpb_kernel", &axpbKernel);
  expectAxpb(*session, {1, 2, 3}, 1.0f, 0.25);
}

TEST_F(GpuExecutionTest, BlocksFreedWhileKernelsRunWaitForTheNextWait) {
  // The host code may write a block it gets at once (deallocation
  // bookkeeping needs no wait), so a block freed after a launch that may
  // still use it is not handed out again before the stream is waited for.
  std::string error;
  auto artifact = Artifact::load(writeArtifact(), &error);
  ASSERT_TRUE(artifact) << error;
  auto gpu = detail::GpuExecutor::create(*artifact, 0, &error);
  ASSERT_TRUE(gpu) << error;
  setKernel_("axpb_kernel", nullptr); // the launch itself does nothing here
  gpu->begin();
  void *a = gpu->allocate(1000);
  int64_t slots[17] = {};
  const int64_t grid[3] = {1, 1, 1}, block[3] = {256, 1, 1};
  gpu->launch(0, grid, block, 0, slots, 17);
  gpu->release(a);
  void *b = gpu->allocate(1000);
  EXPECT_NE(b, a) << "reused while the launch may be pending";
  gpu->sync();
  void *c = gpu->allocate(1000);
  EXPECT_EQ(c, a) << "the wait made it free";
  gpu->release(b);
  gpu->release(c);
  // Without launched work a freed block is free at once.
  void *d = gpu->allocate(1000);
  gpu->release(d);
  EXPECT_EQ(gpu->allocate(1000), d);
  EXPECT_TRUE(gpu->end(&error)) << error;
}

} // namespace
