#include "runtime/graph_executor.h"

#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

// args: a[4], b[4], out[4]
int32_t AddKernel(void* const* args) {
  const float* a = static_cast<const float*>(args[0]);
  const float* b = static_cast<const float*>(args[1]);
  float* out = static_cast<float*>(args[2]);
  for (int i = 0; i < 4; ++i) out[i] = a[i] + b[i];
  return 0;
}
int32_t FailingKernel(void* const*) { return 7; }

TensorSlot Slot(std::string name, SlotKind kind, int64_t offset = 0) {
  return TensorSlot{std::move(name), kind, DType::kFloat32, {4}, offset};
}

// y = 2 (x + w) + w through two arena intermediates, and a copy of y.
ExecutionPlan AddPlan() {
  ExecutionPlan p;
  p.slots = {Slot("x", SlotKind::kInput), Slot("w", SlotKind::kConstant, 0),
             Slot("t1", SlotKind::kIntermediate, 0), Slot("t2", SlotKind::kIntermediate, 64),
             Slot("y", SlotKind::kOutput), Slot("y_copy", SlotKind::kOutput)};
  p.steps = {{PlanStep::Kind::kKernel, "add", {0, 1, 2}},
             {PlanStep::Kind::kKernel, "add", {2, 2, 3}},
             {PlanStep::Kind::kKernel, "add", {3, 1, 4}},
             {PlanStep::Kind::kCopy, "", {4, 5}}};
  p.inputs = {0};
  p.outputs = {4, 5};
  p.arena_bytes = 128;
  const float w[4] = {1, 2, 3, 4};
  p.constants.assign(reinterpret_cast<const char*>(w), sizeof(w));
  return p;
}

KernelResolver Resolver() {
  return [](const std::string& name) -> absl::StatusOr<KernelFunction> {
    if (name == "add") return AddKernel;
    if (name == "fail") return FailingKernel;
    return absl::NotFoundError("no such kernel");
  };
}

TEST(GraphExecutorTest, RunsStepsAndCopies) {
  auto ex = GraphExecutor::Create(AddPlan(), Resolver());
  ASSERT_TRUE(ex.ok()) << ex.status();
  auto x = NDArray::Empty({4}, DType::kFloat32);
  for (int i = 0; i < 4; ++i) x->data<float>()[i] = 10.0f * i;
  ASSERT_TRUE((*ex)->SetInput("x", *x).ok());
  ASSERT_TRUE((*ex)->Run().ok());
  auto y = (*ex)->GetOutput("y");
  auto y_copy = (*ex)->GetOutput(1);
  ASSERT_TRUE(y.ok() && y_copy.ok());
  const float w[4] = {1, 2, 3, 4};
  for (int i = 0; i < 4; ++i) {
    EXPECT_FLOAT_EQ(y->data<float>()[i], 2 * (10.0f * i + w[i]) + w[i]);
    EXPECT_FLOAT_EQ(y_copy->data<float>()[i], y->data<float>()[i]);
  }
  EXPECT_EQ((*ex)->arena_bytes(), 128);
}

// A plan read from a file may claim any size: more than this machine has is
// refused before anything is allocated.
TEST(GraphExecutorTest, PlansLargerThanTheMachineAreRefused) {
  ExecutionPlan huge_output = AddPlan();
  huge_output.slots[5].shape = {int64_t{1} << 40};
  huge_output.steps.pop_back();
  auto ex = GraphExecutor::Create(huge_output, Resolver());
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().code(), absl::StatusCode::kResourceExhausted) << ex.status();
  ExecutionPlan huge_arena = AddPlan();
  huge_arena.arena_bytes = int64_t{1} << 60;
  EXPECT_EQ(GraphExecutor::Create(huge_arena, Resolver()).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(GraphExecutorTest, WrongInputsAreClearErrors) {
  auto ex = GraphExecutor::Create(AddPlan(), Resolver());
  ASSERT_TRUE(ex.ok());
  auto small = NDArray::Empty({3}, DType::kFloat32);
  auto ints = NDArray::Empty({4}, DType::kInt32);
  absl::Status st = (*ex)->SetInput("x", *small);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("expects float32[4], got float32[3]"), std::string::npos) << st;
  EXPECT_FALSE((*ex)->SetInput("x", *ints).ok());
  st = (*ex)->SetInput("data", *small);
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(st.message().find("its inputs are: x"), std::string::npos) << st;
  EXPECT_FALSE((*ex)->SetInput(3, *small).ok());
  EXPECT_FALSE((*ex)->GetOutput(2).ok());
  EXPECT_FALSE((*ex)->GetOutput("z").ok());
}

TEST(GraphExecutorTest, MissingKernelAndFailingKernel) {
  ExecutionPlan p = AddPlan();
  p.steps[1].kernel = "nope";
  auto ex = GraphExecutor::Create(p, Resolver());
  EXPECT_EQ(ex.status().code(), absl::StatusCode::kNotFound);
  p.steps[1].kernel = "fail";
  auto failing = GraphExecutor::Create(p, Resolver());
  ASSERT_TRUE(failing.ok());
  absl::Status st = (*failing)->Run();
  EXPECT_NE(st.message().find("kernel fail (step 1) failed with code 7"), std::string::npos) << st;
}

TEST(ExecutionPlanTest, RoundTripAndEveryTruncationIsAnError) {
  const ExecutionPlan p = AddPlan();
  const std::string bytes = SerializePlan(p);
  auto back = ParsePlan(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(SerializePlan(*back), bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(ParsePlan(bytes.substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
  EXPECT_FALSE(ParsePlan(bytes + "x").ok());
}

// Every dtype's code survives a round trip; a code of no dtype, as a
// damaged or hostile file may hold, is refused with a message.
TEST(ExecutionPlanTest, DTypeCodesAreCheckedWhenParsed) {
  ExecutionPlan p = AddPlan();
  const std::string plain = SerializePlan(p);
  p.slots[0].dtype = DType::kBFloat16;
  std::string bytes = SerializePlan(p);
  ASSERT_EQ(bytes.size(), plain.size());
  size_t at = 0;
  while (at < bytes.size() && bytes[at] == plain[at]) ++at;
  ASSERT_LT(at, bytes.size());
  for (uint8_t code = 0; IsDTypeCode(code); ++code) {
    bytes[at] = static_cast<char>(code);
    auto back = ParsePlan(bytes);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->slots[0].dtype, static_cast<DType>(code));
  }
  for (int code : {static_cast<int>(kLastDType) + 1, 255}) {
    bytes[at] = static_cast<char>(code);
    auto back = ParsePlan(bytes);
    EXPECT_FALSE(back.ok());
    EXPECT_NE(back.status().message().find("unknown kind or dtype"), std::string::npos)
        << back.status();
  }
}

TEST(ExecutionPlanTest, ValidateRejectsOutOfRangeSlots) {
  ExecutionPlan p = AddPlan();
  p.slots[3].offset = 120;  // 16 bytes at 120 do not fit the 128-byte arena
  EXPECT_FALSE(p.Validate().ok());
  p = AddPlan();
  p.steps[0].args[2] = 9;
  EXPECT_FALSE(p.Validate().ok());
  p = AddPlan();
  p.slots[1].shape = {5};  // 20 bytes of constants, 16 stored
  EXPECT_FALSE(p.Validate().ok());
}

}  // namespace
}  // namespace kiln::runtime
