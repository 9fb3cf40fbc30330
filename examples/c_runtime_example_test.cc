// The C interface: the C example program gives kiln_deploy's outputs, one
// loaded model runs on several threads at once with a run state each, and
// bad calls return codes with kiln's messages.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "driver/test_command.h"
#include "gtest/gtest.h"
#include "runtime/kiln_runtime.h"
#include "runtime/npy_format.h"

namespace kiln {
namespace {

using driver::ReadFile;
using driver::Result;
using driver::Sh;
using driver::Tmp;

class CRuntimeTest : public ::testing::Test {
 protected:
  // A small ResNet-50 v2 (32x32, width 8), compiled once.
  static void SetUpTestSuite() {
    const std::string onnx = Tmp("resnet.onnx");
    artifact_ = Tmp("resnet.so");
    Result gen = Sh("frontend/generate_resnet50_v2 --image_size=32 --width=8 --classes=10 "
                    "--output=" + onnx);
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
    Result compile = Sh("driver/kiln compile " + onnx + " --target=\"llvm -mcpu=native\" "
                        "--output=" + artifact_);
    ASSERT_EQ(compile.exit_code, 0) << compile.output;
    auto data = runtime::NDArray::Empty({1, 3, 32, 32}, runtime::DType::kFloat32);
    ASSERT_TRUE(data.ok());
    for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::cos(0.05 * i);
    data_ = *data;
  }
  static std::string artifact_;
  static runtime::NDArray data_;
};
std::string CRuntimeTest::artifact_;
runtime::NDArray CRuntimeTest::data_;

TEST_F(CRuntimeTest, CExampleGivesKilnDeploysOutputs) {
  const std::string npz = Tmp("in.npz"), raw = Tmp("in.bin"), want = Tmp("want.npz");
  ASSERT_TRUE(runtime::WriteNpzFile(npz, {{"data", data_}}).ok());
  {
    FILE* f = std::fopen(raw.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(data_.raw_data(), 1, data_.NumBytes(), f), data_.NumBytes());
    std::fclose(f);
  }
  Result deploy = Sh("driver/kiln_deploy " + artifact_ + " --inputs=" + npz +
                     " --outputs=" + want);
  ASSERT_EQ(deploy.exit_code, 0) << deploy.output;
  const std::string prefix = Tmp("c_out_");
  Result c = Sh("examples/c_runtime_example " + artifact_ + " " + prefix + " " + raw);
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("input 0: data float32[1, 3, 32, 32]"), std::string::npos) << c.output;
  auto expected = runtime::ReadNpzFile(want);
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_EQ(expected->size(), 1u);
  const runtime::NDArray& e = (*expected)[0].second;
  EXPECT_EQ(ReadFile(prefix + "0.bin"),
            std::string(static_cast<const char*>(e.raw_data()), e.NumBytes()));
}

TEST_F(CRuntimeTest, OneModelRunsOnSeveralThreadsWithARunStateEach) {
  KilnModel* model = nullptr;
  ASSERT_EQ(KilnModelLoad(artifact_.c_str(), &model), KILN_OK) << KilnLastError();
  ASSERT_EQ(KilnModelNumInputs(model), 1);
  ASSERT_EQ(KilnModelNumOutputs(model), 1);
  KilnTensorInfo out;
  ASSERT_EQ(KilnModelOutputInfo(model, 0, &out), KILN_OK);
  EXPECT_EQ(out.dtype, KILN_FLOAT32);
  EXPECT_EQ(out.ndim, 2);
  int32_t index = -1;
  ASSERT_EQ(KilnModelInputIndex(model, "data", &index), KILN_OK);
  EXPECT_EQ(index, 0);

  // Each thread its own input (a scaled image), so that a run state shared
  // by mistake would show as another thread's output.
  constexpr int kThreads = 4, kRuns = 5;
  const auto input = [&](int t) {
    std::vector<float> x(data_.NumElements());
    for (size_t i = 0; i < x.size(); ++i) x[i] = data_.data<float>()[i] * (1 + t);
    return x;
  };
  std::vector<std::vector<float>> want(kThreads, std::vector<float>(out.nbytes / 4));
  KilnRun* run = nullptr;
  ASSERT_EQ(KilnRunCreate(model, &run), KILN_OK);
  for (int t = 0; t < kThreads; ++t) {
    const std::vector<float> x = input(t);
    ASSERT_EQ(KilnRunSetInput(run, 0, x.data(), x.size() * 4), KILN_OK) << KilnLastError();
    ASSERT_EQ(KilnRunBindOutput(run, 0, want[t].data(), out.nbytes), KILN_OK);
    ASSERT_EQ(KilnRunRun(run), KILN_OK) << KilnLastError();
  }
  KilnRunFree(run);

  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      KilnRun* mine = nullptr;
      if (KilnRunCreate(model, &mine) != KILN_OK) {
        mismatches[t] = -1;
        return;
      }
      const std::vector<float> x = input(t);
      for (int r = 0; r < kRuns; ++r) {
        const void* got = nullptr;
        if (KilnRunSetInput(mine, 0, x.data(), x.size() * 4) != KILN_OK ||
            KilnRunRun(mine) != KILN_OK || KilnRunGetOutput(mine, 0, &got) != KILN_OK ||
            std::memcmp(got, want[t].data(), out.nbytes) != 0) {
          ++mismatches[t];
        }
      }
      KilnRunFree(mine);
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  KilnModelFree(model);
}

TEST_F(CRuntimeTest, BadCallsReturnCodesAndMessages) {
  KilnModel* model = nullptr;
  const std::string junk = Tmp("junk.so");
  {
    FILE* f = std::fopen(junk.c_str(), "wb");
    std::fputs("not a model", f);
    std::fclose(f);
  }
  EXPECT_EQ(KilnModelLoad(junk.c_str(), &model), KILN_INVALID_ARGUMENT);
  EXPECT_NE(std::string(KilnLastError()).find("is not a usable kiln artifact"), std::string::npos)
      << KilnLastError();
  EXPECT_EQ(model, nullptr);

  ASSERT_EQ(KilnModelLoad(artifact_.c_str(), &model), KILN_OK);
  KilnTensorInfo info;
  EXPECT_EQ(KilnModelInputInfo(model, 3, &info), KILN_OUT_OF_RANGE);
  EXPECT_NE(std::string(KilnLastError()).find("the model has 1 input(s)"), std::string::npos);
  int32_t index;
  EXPECT_EQ(KilnModelInputIndex(model, "image", &index), KILN_NOT_FOUND);
  EXPECT_NE(std::string(KilnLastError()).find("its inputs are: data"), std::string::npos);
  KilnRun* run = nullptr;
  ASSERT_EQ(KilnRunCreate(model, &run), KILN_OK);
  float small[4] = {0};
  EXPECT_EQ(KilnRunSetInput(run, 0, small, sizeof(small)), KILN_INVALID_ARGUMENT);
  EXPECT_NE(std::string(KilnLastError()).find("float32[1, 3, 32, 32]) has 12288 bytes"),
            std::string::npos)
      << KilnLastError();
  EXPECT_EQ(KilnRunSetInput(nullptr, 0, small, sizeof(small)), KILN_INVALID_ARGUMENT);
  KilnRunFree(run);
  KilnModelFree(model);
}

}  // namespace
}  // namespace kiln
