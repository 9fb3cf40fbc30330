#include "runtime/artifact.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

// The fake library's square8 squares a float[8] in place.
ExecutionPlan SquarePlan() {
  ExecutionPlan p;
  p.slots = {TensorSlot{"x", SlotKind::kInput, DType::kFloat32, {8}, 0},
             TensorSlot{"y", SlotKind::kOutput, DType::kFloat32, {8}, 0}};
  p.steps = {{PlanStep::Kind::kCopy, "", {0, 1}}, {PlanStep::Kind::kKernel, "square8", {1}}};
  p.inputs = {0};
  p.outputs = {1};
  return p;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class ArtifactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    path_ = std::string(std::getenv("TEST_TMPDIR")) + "/model" + std::to_string(counter++) + ".so";
    std::filesystem::copy_file("runtime/testdata/fake_kernels.so", path_);
    ASSERT_TRUE(AppendPlanToSharedObject(path_, SquarePlan()).ok());
  }
  std::string path_;
};

TEST_F(ArtifactTest, RoundTripRuns) {
  auto artifact = LoadArtifact(path_);
  ASSERT_TRUE(artifact.ok()) << artifact.status();
  auto ex = CreateExecutor(*artifact);
  ASSERT_TRUE(ex.ok()) << ex.status();
  auto x = NDArray::Empty({8}, DType::kFloat32);
  for (int i = 0; i < 8; ++i) x->data<float>()[i] = i - 3.0f;
  ASSERT_TRUE((*ex)->SetInput("x", *x).ok());
  ASSERT_TRUE((*ex)->Run().ok());
  auto y = (*ex)->GetOutput(0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(y->data<float>()[i], (i - 3.0f) * (i - 3.0f));
}

// Executors of one loaded artifact share its parameters and kernels but not
// their buffers, so threads may run one each at once.
TEST_F(ArtifactTest, SeveralThreadsRunOneArtifactWithAnExecutorEach) {
  auto artifact = LoadArtifact(path_);
  ASSERT_TRUE(artifact.ok()) << artifact.status();
  constexpr int kThreads = 4, kRuns = 500;
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto ex = CreateExecutor(*artifact);
      if (!ex.ok()) {
        wrong[t] = -1;
        return;
      }
      auto x = NDArray::Empty({8}, DType::kFloat32);
      for (int run = 0; run < kRuns; ++run) {
        for (int i = 0; i < 8; ++i) x->data<float>()[i] = static_cast<float>(t * 1000 + run + i);
        if (!(*ex)->SetInput(0, *x).ok() || !(*ex)->Run().ok()) {
          wrong[t] = -1;
          return;
        }
        auto y = (*ex)->GetOutput(0);
        for (int i = 0; i < 8; ++i) {
          const float v = static_cast<float>(t * 1000 + run + i);
          wrong[t] += y->data<float>()[i] != v * v;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST_F(ArtifactTest, WorldWritableAndNonRegularFilesAreRefused) {
  ASSERT_EQ(chmod(path_.c_str(), 0666), 0);
  auto writable = LoadArtifact(path_);
  ASSERT_FALSE(writable.ok());
  EXPECT_EQ(writable.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(writable.status().message().find("is writable by every user"), std::string::npos)
      << writable.status();
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  EXPECT_TRUE(LoadArtifact(path_).ok());

  const std::string fifo = path_ + ".fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  for (const std::string& path : {fifo, std::string(std::getenv("TEST_TMPDIR")),
                                  std::string("/dev/zero")}) {
    auto loaded = LoadArtifact(path);
    ASSERT_FALSE(loaded.ok()) << path;
    EXPECT_NE(loaded.status().message().find("is not a regular file"), std::string::npos)
        << loaded.status();
  }
}

TEST_F(ArtifactTest, TruncatedFilesAreRefused) {
  const std::string bytes = ReadFile(path_);
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 41, bytes.size() - 1}) {
    WriteFile(path_, bytes.substr(0, cut));
    auto artifact = LoadArtifact(path_);
    EXPECT_EQ(artifact.status().code(), absl::StatusCode::kInvalidArgument) << cut;
  }
}

TEST_F(ArtifactTest, AlteredBytesAreRefused) {
  std::string bytes = ReadFile(path_);
  for (size_t at : {size_t{100}, bytes.size() - 60}) {  // in the code, in the plan
    std::string altered = bytes;
    altered[at] ^= 0x20;
    WriteFile(path_, altered);
    auto artifact = LoadArtifact(path_);
    ASSERT_FALSE(artifact.ok());
    EXPECT_NE(artifact.status().message().find("checksum mismatch"), std::string::npos)
        << artifact.status();
  }
}

TEST_F(ArtifactTest, OtherFormatVersionsAreRefused) {
  std::string bytes = ReadFile(path_);
  bytes[bytes.size() - 32] = 99;  // the version field follows the 8-byte magic
  WriteFile(path_, bytes);
  auto artifact = LoadArtifact(path_);
  ASSERT_FALSE(artifact.ok());
  EXPECT_NE(artifact.status().message().find("format version 99"), std::string::npos)
      << artifact.status();
}

TEST(ArtifactLoadTest, PlainSharedObjectIsNotAnArtifact) {
  auto artifact = LoadArtifact("runtime/testdata/fake_kernels.so");
  ASSERT_FALSE(artifact.ok());
  EXPECT_NE(artifact.status().message().find("no kiln footer"), std::string::npos);
  EXPECT_EQ(LoadArtifact("/nonexistent/model.so").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kiln::runtime
