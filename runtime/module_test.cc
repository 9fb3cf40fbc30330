#include "runtime/module.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

using ::testing::HasSubstr;

std::string TestData(const std::string& name) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/kiln/runtime/testdata/" + name;
}

TEST(ModuleTest, LoadsAndRunsKernelsThroughTheRuntimeHooks) {
  auto module = Module::Load(TestData("fake_kernels.so"));
  ASSERT_TRUE(module.ok()) << module.status();
  EXPECT_EQ((*module)->required_features(), "sse2");
  auto kernel = (*module)->GetFunction("square8");
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  float x[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  void* args[] = {x};
  ASSERT_EQ((*kernel)(args), 0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(x[i], i * i);
  EXPECT_THAT((*module)->GetFunction("cube8").status().message(), HasSubstr("no kernel 'cube8'"));
}

TEST(ModuleTest, RefusesCodeForFeaturesTheHostLacks) {
  auto module = Module::Load(TestData("fake_kernels_future_cpu.so"));
  ASSERT_FALSE(module.ok());
  EXPECT_THAT(module.status().message(), HasSubstr("amx-tile"));
}

TEST(ModuleTest, MissingAndForeignFilesAreClearErrors) {
  EXPECT_THAT(Module::Load("/nonexistent/kernels.so").status().message(),
              HasSubstr("cannot load kernels"));
  const std::string text = ::testing::TempDir() + "/not_elf.so";
  std::ofstream(text) << "hello";
  EXPECT_THAT(Module::Load(text).status().message(), HasSubstr("cannot load kernels"));
  // A real shared library that is not a kiln module.
  EXPECT_THAT(Module::Load("libm.so.6").status().message(),
              HasSubstr("not a kiln kernel library"));
}

}  // namespace
}  // namespace kiln::runtime
