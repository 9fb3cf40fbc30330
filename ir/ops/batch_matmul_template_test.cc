#include "ir/ops/batch_matmul_template.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/testing/matmul_reference.h"
#include "ir/ops/testing/op_test_util.h"
#include "ir/printer.h"
#include "ir/tuning/schedule_context.h"
#include "ir/tuning/template_registry.h"
#include "targets/target_parser.h"

namespace kiln::ir::ops {
namespace {

MatmulWorkload Numpy(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                     DataType elem = DataType::Float32()) {
  auto w = NumpyMatmulWorkload(a, b);
  EXPECT_TRUE(w.ok()) << w.status();
  w->elem = elem;
  return *w;
}

targets::Target Avx2Target() { return *targets::ParseTarget("llvm -mattr=+avx,+avx2,+fma"); }

// CompileAndRun passes float vectors; a float64 buffer travels as the bytes
// of its doubles.
template <typename T>
std::vector<float> Carry(const std::vector<T>& v) {
  std::vector<float> out((v.size() * sizeof(T) + sizeof(float) - 1) / sizeof(float));
  std::memcpy(out.data(), v.data(), v.size() * sizeof(T));
  return out;
}

template <typename T>
std::vector<T> Uncarry(const std::vector<float>& v, size_t n) {
  std::vector<T> out(n);
  std::memcpy(out.data(), v.data(), n * sizeof(T));
  return out;
}

template <typename T>
std::vector<T> Random(int64_t n, uint32_t seed) {
  const std::vector<float> r = testing::RandomFloats(n, seed);
  return std::vector<T>(r.begin(), r.end());
}

// Every point of the task's space builds a kernel that computes the
// reference product. Returns the number of points run.
template <typename T>
int CheckEveryPoint(const MatmulWorkload& w, const targets::Target& target) {
  const std::vector<T> a = Random<T>(testing::MatmulASize(w), 3),
                       b = Random<T>(testing::MatmulBSize(w), 4);
  const std::vector<T> want = testing::ReferenceMatmul<T>(w, a, b, {});
  const double tolerance = sizeof(T) == 8 ? 1e-12 : 1e-5;
  auto task = MakeBatchMatmulTask(w, target);
  EXPECT_TRUE(task.ok()) << task.status();
  if (!task.ok()) return 0;
  for (int64_t i = 0; i < task->space.size(); ++i) {
    const tuning::Config config = task->space.At(i);
    const std::string what = absl::StrCat(tuning::DescribeTask(*task), " on ", target.ToString(),
                                          " with ", config.ToString());
    auto c = MatmulConfigFrom(config);
    EXPECT_TRUE(c.ok()) << what << ": " << c.status();
    if (!c.ok()) return 0;
    auto f = BuildMatmul(w, target, "matmul", *c);
    EXPECT_TRUE(f.ok()) << what << ": " << f.status();
    if (!f.ok()) return 0;
    std::vector<std::vector<float>> buffers = {Carry(a), Carry(b), Carry(std::vector<T>(want.size()))};
    auto run = testing::CompileAndRun(*f, target, buffers);
    EXPECT_TRUE(run.ok()) << what << ": " << run;
    const std::vector<T> got = Uncarry<T>(buffers.back(), want.size());
    for (size_t j = 0; j < want.size(); ++j) {
      if (!(std::fabs(double{got[j]} - want[j]) <= tolerance * (1 + std::fabs(double{want[j]})))) {
        ADD_FAILURE() << what << ": element " << j << " is " << got[j] << ", expected " << want[j];
        return 0;
      }
    }
  }
  return static_cast<int>(task->space.size());
}

TEST(BatchMatmulTemplateTest, EveryPointOfTheSpaceMatchesTheReference) {
  for (const targets::Target& target : testing::RunnableTargets()) {
    int points = 0;
    // Both operands broadcast, N two vectors and a tail (three vectors on AVX2).
    points += CheckEveryPoint<float>(Numpy({2, 1, 5, 3}, {1, 3, 3, 19}), target);
    // Odd M, K and N with one batch dimension.
    points += CheckEveryPoint<float>(Numpy({2, 3, 7}, {2, 7, 9}), target);
    // A's batch folds into rows (kernel rows 6), and a 1-D B (N = 1).
    points += CheckEveryPoint<float>(Numpy({3, 2, 5}, {5, 11}), target);
    points += CheckEveryPoint<float>(Numpy({2, 3, 7}, {7}), target);
    // A 1-D A (M = 1) by a batch of B.
    points += CheckEveryPoint<float>(Numpy({7}, {2, 7, 10}), target);
    // float64: half the lanes, so N = 9 spans three vectors on AVX2.
    points += CheckEveryPoint<double>(Numpy({2, 5, 3}, {2, 3, 9}, DataType::Float64()), target);
    points += CheckEveryPoint<double>(Numpy({3, 6}, {6}, DataType::Float64()), target);
    EXPECT_GT(points, 50) << target.ToString();
  }
  // The space of the first case on AVX2 (8 lanes, 16 registers): rows 1..5,
  // one to three vectors of columns (N = 19), both loop orders.
  auto task = MakeBatchMatmulTask(Numpy({2, 1, 5, 3}, {1, 3, 3, 19}), Avx2Target());
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->space.size(), 5 * 3 * 2) << task->space.ToString();
  // Rows reach what one vector leaves of the registers when M allows.
  task = MakeBatchMatmulTask(Numpy({1, 12, 40, 8}, {1, 12, 8, 40}), Avx2Target());
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->space.size(), 14 * 4 * 2) << task->space.ToString();
}

TEST(BatchMatmulTemplateTest, TheDefaultIsTheSpacesDefaultAndTodaysKernel) {
  auto tmpl = tuning::TemplateRegistry().Find(kBatchMatmulTemplate);
  ASSERT_TRUE(tmpl.ok()) << tmpl.status();
  for (const targets::Target& target : {Avx2Target(), testing::Avx512Target()}) {
    for (const MatmulWorkload& w :
         {Numpy({1, 12, 128, 64}, {1, 12, 64, 128}), Numpy({1, 12, 128, 128}, {1, 12, 128, 64}),
          Numpy({2, 1, 5, 3}, {1, 3, 3, 19}), Numpy({3, 13, 9}, {9, 21}), Numpy({7}, {7, 10}),
          Numpy({3, 4, 7}, {7}), Numpy({7}, {7}), Numpy({40, 3}, {3, 100}),
          Numpy({2, 5, 3}, {2, 3, 9}, DataType::Float64())}) {
      auto task = tuning::MakeTask(kBatchMatmulTemplate, BatchMatmulTaskArgs(w), target);
      ASSERT_TRUE(task.ok()) << task.status();
      auto config = tmpl->default_config(*task, target);
      ASSERT_TRUE(config.ok()) << config.status();
      auto chosen = tuning::ChooseSchedule(nullptr, kBatchMatmulTemplate, task->args, target);
      ASSERT_TRUE(chosen.ok()) << chosen.status();
      // (From another build of the task, so compared by value.)
      EXPECT_EQ(chosen->ToJson().Dump(), config->ToJson().Dump());
      auto decoded = MatmulConfigFrom(*config);
      auto want = DefaultMatmulConfig(w, target);
      ASSERT_TRUE(decoded.ok() && want.ok());
      EXPECT_EQ(decoded->rows, want->rows);
      EXPECT_EQ(decoded->vectors, want->vectors);
      EXPECT_EQ(decoded->b_panel_outer, want->b_panel_outer);
      // The default point builds the kernel BuildMatmul builds without one.
      auto with = BuildMatmul(w, target, "matmul", *decoded);
      auto without = BuildMatmul(w, target, "matmul");
      ASSERT_TRUE(with.ok() && without.ok());
      EXPECT_EQ(ToString(*with), ToString(*without)) << tuning::DescribeTask(*task);
    }
  }
  // The analytical choices on AVX2 (8 float32 lanes, 16 registers): two
  // vectors of columns when N exceeds one, rows as the registers leave
  // (16 - 2 - 1) / 2 = 6 or (16 - 1 - 1) / 1 = 14, B's panels outermost when
  // B is the larger matrix.
  struct Want {
    MatmulWorkload w;
    int64_t rows, vectors;
    bool b_panel_outer;
  };
  for (const Want& c : std::vector<Want>{
           {Numpy({1, 12, 128, 64}, {1, 12, 64, 128}), 6, 2, false},
           {Numpy({40, 3}, {3, 100}), 6, 2, true},
           {Numpy({100, 3}, {3, 40}), 6, 2, false},
           {Numpy({4, 3}, {3, 8}), 4, 1, true},
           {Numpy({3, 13, 9}, {9, 8}), 14, 1, false},  // 39 rows, folded
           {Numpy({4, 3}, {3, 8}, DataType::Float64()), 4, 2, true},
       }) {
    auto d = DefaultMatmulConfig(c.w, Avx2Target());
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->rows, c.rows);
    EXPECT_EQ(d->vectors, c.vectors);
    EXPECT_EQ(d->b_panel_outer, c.b_panel_outer);
  }
}

TEST(BatchMatmulTemplateTest, ArgsReadBackAndMalformedArgsAreErrors) {
  const MatmulWorkload w = Numpy({2, 1, 5, 3}, {3, 3, 19}, DataType::Float64());
  auto back = BatchMatmulWorkloadOfArgs(BatchMatmulTaskArgs(w));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->batch, w.batch);
  EXPECT_EQ(back->a_batch, w.a_batch);
  EXPECT_EQ(back->b_batch, w.b_batch);
  EXPECT_EQ(back->m, w.m);
  EXPECT_EQ(back->k, w.k);
  EXPECT_EQ(back->n, w.n);
  EXPECT_EQ(back->elem, DataType::Float64());
  EXPECT_EQ(BatchMatmulTaskArgs(w).Dump(), R"([[2,3],[2,1],[1,3],5,3,19,"float64"])");

  for (const char* text : {
           R"({})",
           R"([])",
           R"([[2],[2],[2],5,7,5])",                  // no element type
           R"([[2],[2],[2],5,7,5,"float16"])",
           R"([[2],[2],[2],5,7,5,32])",
           R"([[2],[2],[2],0,7,5,"float32"])",
           R"([[2],[2],[2],5,-7,5,"float32"])",
           R"([[2],[2],[2],5,7.5,5,"float32"])",
           R"([2,[2],[2],5,7,5,"float32"])",
           R"([[2],[0],[2],5,7,5,"float32"])",
           R"([[2],[2],[3],5,7,5,"float32"])",         // 3 does not broadcast to 2
           R"([[2],[2],[2,1],5,7,5,"float32"])",       // ranks differ
           R"([[2],[2],["2"],5,7,5,"float32"])",
           R"([[1048576,1048576],[1048576,1048576],[1,1],1048576,1048576,1,"float32"])",
           R"([[9223372036854775807],[1],[1],9223372036854775807,2,2,"float32"])",
       }) {
    auto args = tuning::ParseJson(text);
    ASSERT_TRUE(args.ok()) << text;
    auto parsed = BatchMatmulWorkloadOfArgs(*args);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_NE(parsed.status().message().find("batch_matmul.x86 args must be"), std::string::npos)
        << parsed.status();
    auto task = tuning::MakeTask(kBatchMatmulTemplate, *args, Avx2Target());
    EXPECT_EQ(task.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }

  // Gemm's options are no numpy matmul the args could carry.
  MatmulWorkload gemm = Numpy({4, 3}, {3, 8});
  gemm.trans_b = true;
  EXPECT_FALSE(MakeBatchMatmulTask(gemm, Avx2Target()).ok());
  MatmulWorkload uneven = Numpy({2, 4, 3}, {2, 3, 8});
  uneven.a_batch = {};  // right-aligned it broadcasts, but the args want equal ranks
  EXPECT_FALSE(MakeBatchMatmulTask(uneven, Avx2Target()).ok());

  // A stored schedule that is no point of the node's space is an error.
  const MatmulWorkload node = Numpy({2, 5, 3}, {2, 3, 9});
  EXPECT_FALSE(BatchMatmulScheduleOfNode(std::string("not json"), node, Avx2Target()).ok());
  EXPECT_FALSE(BatchMatmulScheduleOfNode(
                   std::string(R"({"index":0,"entity":[["tile_rows","ot",99]]})"), node,
                   Avx2Target())
                   .ok());
  auto none = BatchMatmulScheduleOfNode(std::nullopt, node, Avx2Target());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->rows, DefaultMatmulConfig(node, Avx2Target())->rows);
}

TEST(BatchMatmulTemplateTest, TheMatmulLoweringBuildsTheNodesSchedule) {
  const targets::Target target = Avx2Target();
  const std::vector<int64_t> a = {1, 2, 9, 4}, b = {1, 2, 4, 21};
  const MatmulWorkload w = Numpy(a, b);
  auto task = MakeBatchMatmulTask(w, target);
  ASSERT_TRUE(task.ok()) << task.status();
  const tuning::Config pick = task->space.At(task->space.size() - 1);
  auto lowering = FindLowering("matmul");
  ASSERT_TRUE(lowering.ok()) << lowering.status();
  const NodeShapes shapes{{a, b}, {{1, 2, 9, 21}}, {DataType::Float32(), DataType::Float32()},
                          {DataType::Float32()}};
  graph::Node node{"scores", "matmul", {0, 1}, {2}, {}};
  auto plain = lowering->lower(node, shapes, target, "matmul");
  node.attrs[tuning::kScheduleAttr] = pick.ToJson().Dump();
  auto scheduled = lowering->lower(node, shapes, target, "matmul");
  ASSERT_TRUE(plain.ok() && scheduled.ok());
  auto want = BuildMatmul(w, target, "matmul", *MatmulConfigFrom(pick));
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(ToString(*scheduled), ToString(*want));
  EXPECT_EQ(ToString(*plain), ToString(*BuildMatmul(w, target, "matmul")));
  EXPECT_NE(ToString(*plain), ToString(*scheduled));
  node.attrs[tuning::kScheduleAttr] = std::string(R"({"index":0,"entity":[]})");
  EXPECT_FALSE(lowering->lower(node, shapes, target, "matmul").ok());
}

TEST(BatchMatmulTemplateTest, TheHarnessBuildsAndFeedsCandidates) {
  const targets::Target target = Avx2Target();
  const MatmulWorkload w = Numpy({2, 1, 5, 3}, {1, 3, 3, 19});
  auto task = MakeBatchMatmulTask(w, target);
  ASSERT_TRUE(task.ok()) << task.status();
  auto tmpl = tuning::TemplateRegistry().Find(kBatchMatmulTemplate);
  ASSERT_TRUE(tmpl.ok());
  auto harness = tmpl->harness(*task);
  ASSERT_TRUE(harness.ok()) << harness.status();
  std::vector<float> first;
  for (int64_t i : {int64_t{0}, task->space.size() / 2, task->space.size() - 1}) {
    const tuning::Config config = task->space.At(i);
    auto f = harness->build(config);
    ASSERT_TRUE(f.ok()) << f.status();
    auto buffers = harness->make_buffers(config);
    ASSERT_TRUE(buffers.ok()) << buffers.status();
    ASSERT_EQ(buffers->size(), 3u);
    EXPECT_EQ((*buffers)[0].size(), 2u * 5 * 3);
    EXPECT_EQ((*buffers)[1].size(), 3u * 3 * 19);
    EXPECT_EQ((*buffers)[2].size(), 2u * 3 * 5 * 19);
    const std::vector<float> want = testing::ReferenceMatmul(w, (*buffers)[0], (*buffers)[1], {});
    ASSERT_TRUE(testing::CompileAndRun(*f, target, *buffers).ok());
    auto out = harness->canonical_output(config, buffers->back());
    ASSERT_TRUE(out.ok()) << out.status();
    testing::ExpectAllNear(*out, want, 1e-5f, config.ToString());
    // Every config is fed the same data.
    if (first.empty()) first = (*buffers)[0];
    EXPECT_EQ((*buffers)[0], first);
  }
  auto f64 = MakeBatchMatmulTask(Numpy({2, 5, 3}, {2, 3, 9}, DataType::Float64()), target);
  ASSERT_TRUE(f64.ok()) << f64.status();
  EXPECT_EQ(tmpl->harness(*f64).status().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace kiln::ir::ops
