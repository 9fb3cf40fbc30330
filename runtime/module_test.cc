#include "runtime/module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
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
  Dl_info libm;
  ASSERT_NE(dladdr(reinterpret_cast<void*>(static_cast<double (*)(double)>(&std::cos)), &libm),
            0);
  EXPECT_THAT(Module::Load(libm.dli_fname).status().message(),
              HasSubstr("not a kiln kernel library"));
}

// Restores the working directory a test changed.
class ScopedChdir {
 public:
  explicit ScopedChdir(const std::filesystem::path& dir)
      : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedChdir() { std::filesystem::current_path(previous_); }

 private:
  const std::filesystem::path previous_;
};

TEST(ModuleTest, ABareFileNameIsTheFileInTheCurrentDirectory) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "bare_name";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(TestData("fake_kernels.so"), dir / "two.so",
                             std::filesystem::copy_options::overwrite_existing);
  ScopedChdir chdir(dir);
  auto module = Module::Load("two.so");
  ASSERT_TRUE(module.ok()) << module.status();
  EXPECT_TRUE((*module)->GetFunction("square8").ok());
  // Not a library of that name on the search path, which dlopen would take.
  EXPECT_THAT(Module::Load("libm.so.6").status().message(), HasSubstr("cannot load kernels"));
}

}  // namespace
}  // namespace kiln::runtime
