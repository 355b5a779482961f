//===- CudaTest.cpp - The runtime's CUDA device ---------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Without a GPU: the no-driver path, the choice of code object for a compute
// capability and its messages. With a driver and a device (the GPU machine's
// scripts/gpu-check.sh runs this binary there): a PTX kernel JIT-compiled,
// launched and checked, the JIT error log, events, out-of-memory. The GPU
// tests skip with the reason when there is no driver or no device.
//
//===----------------------------------------------------------------------===//

#include "diffc/cuda.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

using namespace diffc;

namespace {

CodeObjectRef code(const std::string &target, CodeFormat format) {
  CodeObjectRef ref;
  ref.target = target;
  ref.format = format;
  return ref;
}

/// What the compiler writes for --target=sm_80,sm_86,sm_90,x86_64.
std::vector<CodeObjectRef> typicalArtifact() {
  return {code("x86_64", CodeFormat::elf_shared_object),
          code("sm_80", CodeFormat::cubin), code("sm_80", CodeFormat::ptx),
          code("sm_86", CodeFormat::cubin), code("sm_86", CodeFormat::ptx),
          code("sm_90", CodeFormat::cubin), code("sm_90", CodeFormat::ptx)};
}

const CodeObjectRef *pick(const std::vector<CodeObjectRef> &objects, int major,
                          int minor, bool *jit, std::string *error) {
  return cuda::selectGpuCode(objects, major, minor, "GPU X", "m.diffc", jit,
                             error);
}

} // namespace

TEST(CudaCodeSelection, ParsesSmTargets) {
  EXPECT_EQ(cuda::parseSmTarget("sm_80"), 80);
  EXPECT_EQ(cuda::parseSmTarget("sm_120"), 120);
  EXPECT_EQ(cuda::parseSmTarget("sm_9"), -1);
  EXPECT_EQ(cuda::parseSmTarget("sm_90a"), -1);
  EXPECT_EQ(cuda::parseSmTarget("x86_64"), -1);
  EXPECT_EQ(cuda::parseSmTarget("compute_90"), -1);
}

TEST(CudaCodeSelection, ExactCubinFirst) {
  auto objects = typicalArtifact();
  bool jit = true;
  std::string error;
  const CodeObjectRef *c = pick(objects, 9, 0, &jit, &error);
  ASSERT_NE(c, nullptr) << error;
  EXPECT_EQ(c->target, "sm_90");
  EXPECT_EQ(c->format, CodeFormat::cubin);
  EXPECT_FALSE(jit);
}

TEST(CudaCodeSelection, CubinOfAnEarlierMinorOfTheSameMajor) {
  auto objects = typicalArtifact();
  bool jit = true;
  std::string error;
  // sm_89 (Ada) runs sm_86 code, the newest cubin of major 8 not above it.
  const CodeObjectRef *c = pick(objects, 8, 9, &jit, &error);
  ASSERT_NE(c, nullptr) << error;
  EXPECT_EQ(c->target, "sm_86");
  EXPECT_EQ(c->format, CodeFormat::cubin);
  EXPECT_FALSE(jit);
}

TEST(CudaCodeSelection, NewerMajorTakesPtxThroughTheJit) {
  auto objects = typicalArtifact();
  bool jit = false;
  std::string error;
  // A Blackwell device (sm_100, sm_120) cannot run sm_90 cubins; the sm_90
  // PTX is the newest not above it.
  for (auto [major, minor] : {std::pair{10, 0}, std::pair{12, 0}}) {
    const CodeObjectRef *c = pick(objects, major, minor, &jit, &error);
    ASSERT_NE(c, nullptr) << error;
    EXPECT_EQ(c->target, "sm_90");
    EXPECT_EQ(c->format, CodeFormat::ptx);
    EXPECT_TRUE(jit);
  }
}

TEST(CudaCodeSelection, OlderDeviceIsRefusedWithTheTargets) {
  auto objects = typicalArtifact();
  bool jit = false;
  std::string error;
  EXPECT_EQ(pick(objects, 7, 5, &jit, &error), nullptr);
  EXPECT_EQ(error, "m.diffc has no code for GPU X (sm_75): its GPU targets "
                   "are sm_80 (cubin), sm_80 (ptx), sm_86 (cubin), sm_86 "
                   "(ptx), sm_90 (cubin), sm_90 (ptx); recompile with "
                   "--target=sm_75");
}

TEST(CudaCodeSelection, CpuOnlyArtifactIsRefused) {
  std::vector<CodeObjectRef> objects = {
      code("x86_64", CodeFormat::elf_shared_object)};
  bool jit = false;
  std::string error;
  EXPECT_EQ(pick(objects, 9, 0, &jit, &error), nullptr);
  EXPECT_EQ(error, "m.diffc has no code for GPU X (sm_90): it has no GPU code "
                   "objects; recompile with --target=sm_90");
}

TEST(CudaCodeSelection, CubinsOfOtherMajorsAreNotUsed) {
  std::vector<CodeObjectRef> objects = {code("sm_80", CodeFormat::cubin)};
  bool jit = false;
  std::string error;
  EXPECT_EQ(pick(objects, 9, 0, &jit, &error), nullptr);
  EXPECT_NE(error.find("its GPU targets are sm_80 (cubin)"), std::string::npos)
      << error;
}

TEST(CudaDriver, MissingLibraryIsAClearError) {
  const char *old = std::getenv("DIFFC_LIBCUDA");
  std::string saved = old ? old : "";
  setenv("DIFFC_LIBCUDA", "/nonexistent/libcuda.so.1", 1);
  std::string error;
  EXPECT_EQ(cuda::Driver::load(&error), nullptr);
  EXPECT_EQ(error, "no NVIDIA driver (/nonexistent/libcuda.so.1 not found)");
  if (old)
    setenv("DIFFC_LIBCUDA", saved.c_str(), 1);
  else
    unsetenv("DIFFC_LIBCUDA");
}

//===----------------------------------------------------------------------===//
// On a GPU
//===----------------------------------------------------------------------===//

namespace {

const char kVaddPtx[] =
    ".version 7.0\n"
    ".target sm_80\n"
    ".address_size 64\n"
    "\n"
    ".visible .entry diffc_test_vadd(\n"
    "\t.param .u64 pa,\n"
    "\t.param .u64 pb,\n"
    "\t.param .u64 pc,\n"
    "\t.param .u32 pn\n"
    ")\n"
    "{\n"
    "\t.reg .pred %p<2>;\n"
    "\t.reg .b32 %r<6>;\n"
    "\t.reg .f32 %f<4>;\n"
    "\t.reg .b64 %rd<11>;\n"
    "\tld.param.u64 %rd1, [pa];\n"
    "\tld.param.u64 %rd2, [pb];\n"
    "\tld.param.u64 %rd3, [pc];\n"
    "\tld.param.u32 %r1, [pn];\n"
    "\tmov.u32 %r2, %ctaid.x;\n"
    "\tmov.u32 %r3, %ntid.x;\n"
    "\tmov.u32 %r4, %tid.x;\n"
    "\tmad.lo.s32 %r5, %r2, %r3, %r4;\n"
    "\tsetp.ge.u32 %p1, %r5, %r1;\n"
    "\t@%p1 bra DONE;\n"
    "\tcvta.to.global.u64 %rd4, %rd1;\n"
    "\tcvta.to.global.u64 %rd5, %rd2;\n"
    "\tcvta.to.global.u64 %rd6, %rd3;\n"
    "\tmul.wide.u32 %rd7, %r5, 4;\n"
    "\tadd.s64 %rd8, %rd4, %rd7;\n"
    "\tadd.s64 %rd9, %rd5, %rd7;\n"
    "\tadd.s64 %rd10, %rd6, %rd7;\n"
    "\tld.global.f32 %f1, [%rd8];\n"
    "\tld.global.f32 %f2, [%rd9];\n"
    "\tadd.f32 %f3, %f1, %f2;\n"
    "\tst.global.f32 [%rd10], %f3;\n"
    "DONE:\n"
    "\tret;\n"
    "}\n"
    ;

/// Device 0's context, or null after GTEST_SKIP-worthy reason in *why.
std::unique_ptr<cuda::Context> gpuOrSkip(std::string *why) {
  std::shared_ptr<cuda::Driver> driver = cuda::Driver::load(why);
  if (!driver)
    return nullptr;
  return cuda::Context::create(driver, 0, why);
}

} // namespace

TEST(CudaDevice, JitLaunchAndCheck) {
  std::string why;
  auto ctx = gpuOrSkip(&why);
  if (!ctx)
    GTEST_SKIP() << "no GPU: " << why;
  auto module = cuda::Module::loadImage(*ctx, kVaddPtx, sizeof(kVaddPtx) - 1,
                                        /*isPtx=*/true, "vadd PTX", &why);
  ASSERT_NE(module, nullptr) << why;
  void *fn = module->function("diffc_test_vadd", &why);
  ASSERT_NE(fn, nullptr) << why;
  const uint32_t n = 100003; // not a multiple of the block
  std::vector<float> a(n), b(n), c(n, -12345.0f);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = dist(rng);
    b[i] = dist(rng);
  }
  auto da = cuda::Buffer::allocate(*ctx, n * 4, &why);
  auto db = cuda::Buffer::allocate(*ctx, n * 4, &why);
  auto dc = cuda::Buffer::allocate(*ctx, n * 4, &why);
  ASSERT_TRUE(da && db && dc) << why;
  ASSERT_TRUE(da->upload(a.data(), n * 4, &why)) << why;
  ASSERT_TRUE(db->upload(b.data(), n * 4, &why)) << why;
  ASSERT_TRUE(dc->upload(c.data(), n * 4, &why)) << why; // poison
  auto stream = cuda::Stream::create(*ctx, &why);
  auto start = cuda::Event::create(*ctx, &why);
  auto stop = cuda::Event::create(*ctx, &why);
  ASSERT_TRUE(stream && start && stop) << why;
  uint64_t pa = da->address(), pb = db->address(), pc = dc->address();
  uint32_t pn = n;
  void *params[] = {&pa, &pb, &pc, &pn};
  uint32_t grid[3] = {(n + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
  ASSERT_TRUE(start->record(*stream, &why)) << why;
  ASSERT_TRUE(cuda::launch(*ctx, fn, grid, block, 0, stream.get(), params,
                           &why))
      << why;
  ASSERT_TRUE(stop->record(*stream, &why)) << why;
  ASSERT_TRUE(stream->synchronize(&why)) << why;
  float ms = -1;
  ASSERT_TRUE(stop->elapsedSince(*start, &ms, &why)) << why;
  EXPECT_GE(ms, 0.0f);
  ASSERT_TRUE(dc->download(c.data(), n * 4, &why)) << why;
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(c[i], a[i] + b[i]) << "element " << i;
}

TEST(CudaDevice, JitErrorsCarryTheLog) {
  std::string why;
  auto ctx = gpuOrSkip(&why);
  if (!ctx)
    GTEST_SKIP() << "no GPU: " << why;
  const char bad[] = ".version 7.0\n.target sm_80\n.address_size 64\n"
                     ".visible .entry k() { bogus.instruction; ret; }\n";
  auto module = cuda::Module::loadImage(*ctx, bad, sizeof(bad) - 1, true,
                                        "bad PTX", &why);
  EXPECT_EQ(module, nullptr);
  EXPECT_NE(why.find("loading bad PTX on "), std::string::npos) << why;
  EXPECT_NE(why.find("JIT log"), std::string::npos) << why;
}

TEST(CudaDevice, OutOfMemoryNamesTheRequest) {
  std::string why;
  auto ctx = gpuOrSkip(&why);
  if (!ctx)
    GTEST_SKIP() << "no GPU: " << why;
  // 1 PiB: more than any device has; the driver refuses without touching
  // the GPU's memory.
  auto huge = cuda::Buffer::allocate(*ctx, size_t(1) << 50, &why);
  EXPECT_EQ(huge, nullptr);
  EXPECT_NE(why.find("out of GPU memory: 1125899906842624 bytes requested on "),
            std::string::npos)
      << why;
}
