// A compiled artifact as kiln_deploy and embedders meet it: what --verbose
// says it loads, the files it refuses to trust, and one loaded artifact run
// from several threads at once, each with its own executor.
#include <sys/stat.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "driver/run_model.h"
#include "driver/test_command.h"
#include "gtest/gtest.h"
#include "runtime/artifact.h"

namespace kiln::driver {
namespace {

const char kDeploy[] = "driver/kiln_deploy";

class ArtifactTrustTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string model = Tmp("resnet.onnx");
    artifact_ = Tmp("resnet.so");
    Result gen = Sh("frontend/generate_resnet50_v2 --image_size=32 --width=8 --classes=10 "
                    "--output=" + model);
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
    Result compile = Sh("driver/kiln compile " + model + " --target=\"llvm -mcpu=native\" "
                        "--output=" + artifact_);
    ASSERT_EQ(compile.exit_code, 0) << compile.output;
  }
  static std::string artifact_;
};
std::string ArtifactTrustTest::artifact_;

TEST_F(ArtifactTrustTest, VerboseSaysWhatItLoads) {
  Result r = Sh(std::string(kDeploy) + " " + artifact_ + " --verbose");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string& expected :
       {"loaded " + artifact_ + ": model resnet, artifact format version " +
            std::to_string(runtime::kArtifactFormatVersion),
        std::string("kernels need the CPU features: "), std::string("inputs: data float32[1, 3, 32, 32]"),
        std::string("outputs: ")}) {
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
  }
}

TEST_F(ArtifactTrustTest, WorldWritableOrNonRegularArtifactsAreRefused) {
  const std::string copy = Tmp("writable.so");
  ASSERT_EQ(Sh("cp " + artifact_ + " " + copy + " && chmod 666 " + copy).exit_code, 0);
  Result r = Sh(std::string(kDeploy) + " " + copy);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("is writable by every user"), std::string::npos) << r.output;
  ASSERT_EQ(chmod(copy.c_str(), 0644), 0);
  EXPECT_EQ(Sh(std::string(kDeploy) + " " + copy).exit_code, 0);

  const std::string fifo = Tmp("artifact.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  r = Sh(std::string(kDeploy) + " " + fifo);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("is not a regular file"), std::string::npos) << r.output;
}

// Real kernels, which share the runtime's thread pool: four threads run the
// same inputs through their own executors many times and must all get the
// single-threaded answer, bit for bit.
TEST_F(ArtifactTrustTest, SeveralThreadsRunOneLoadedArtifactIdentically) {
  auto artifact = runtime::LoadArtifact(artifact_);
  ASSERT_TRUE(artifact.ok()) << artifact.status();
  auto reference = runtime::CreateExecutor(*artifact);
  ASSERT_TRUE(reference.ok());
  ASSERT_TRUE(SetRandomInputs(**reference, 3).ok());
  ASSERT_TRUE((*reference)->Run().ok());
  auto expected = CollectOutputs(**reference);
  ASSERT_TRUE(expected.ok());

  constexpr int kThreads = 4, kRuns = 25;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto ex = runtime::CreateExecutor(*artifact);
      if (!ex.ok() || !SetRandomInputs(**ex, 3).ok()) {
        mismatches[t] = -1;
        return;
      }
      for (int run = 0; run < kRuns; ++run) {
        auto outputs = (*ex)->Run().ok() ? CollectOutputs(**ex) : absl::InternalError("run");
        if (!outputs.ok()) {
          mismatches[t] = -1;
          return;
        }
        for (size_t k = 0; k < outputs->size(); ++k) {
          const runtime::NDArray& got = (*outputs)[k].second;
          const runtime::NDArray& want = (*expected)[k].second;
          mismatches[t] +=
              got.NumBytes() != want.NumBytes() ||
              std::memcmp(got.raw_data(), want.raw_data(), got.NumBytes()) != 0;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace kiln::driver
