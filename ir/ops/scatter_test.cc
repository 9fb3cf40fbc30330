// The scatter_elements and scatter_nd kernels against the graph's reference
// implementations: ranks 1 to 4, negative and duplicate indices (which
// combine in order) under every reduction, NaN under max and min, several
// element types and both index types; and indices outside the data, which
// the reference refuses and the kernels must skip without writing outside
// the output.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "ir/graph/attrs_index.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/node_kernel.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::ir::ops {
namespace {

using runtime::DType;
using Reduction = graph::ScatterAttrs::Reduction;

constexpr Reduction kReductions[] = {Reduction::kNone, Reduction::kAdd, Reduction::kMul,
                                     Reduction::kMax, Reduction::kMin};
constexpr const char* kReductionNames[] = {"none", "add", "mul", "max", "min"};

graph::Node ScatterNode(const std::string& op, Reduction reduction, int64_t axis = 0) {
  graph::Node node;
  node.op = op;
  graph::ScatterAttrs attrs;
  attrs.reduction = reduction;
  attrs.axis = axis;
  attrs.Write(node);
  return node;
}

// Indices in [-size, size) of an axis, each of `count` values of it (so
// that most repeat), negative ones among them. `size_of(i)` is the size of
// the axis element i indexes.
template <typename SizeOf>
graph::NDArray FewIndices(const std::vector<int64_t>& shape, SizeOf size_of, DType type,
                          uint32_t seed, int64_t count = 3) {
  graph::NDArray raw = testing::RandomArray(DType::kInt64, shape, seed, 0, 1 << 20);
  std::vector<double> values;
  for (int64_t i = 0; i < raw.NumElements(); ++i) {
    const int64_t size = size_of(i), pick = raw.data<int64_t>()[i] % count;
    // Half the picks from the end: the same elements as negative indices.
    const int64_t index = pick % size;
    values.push_back(static_cast<double>(pick % 2 ? index - size : index));
  }
  return testing::ArrayOf(type, shape, values);
}

// Values that suit `t`: small integers, halves for floats; with a NaN
// among them for floats when `nan` (max and min keep the element then).
graph::NDArray Values(DType t, const std::vector<int64_t>& shape, uint32_t seed, bool nan) {
  const bool is_float = t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16;
  graph::NDArray a = testing::RandomArray(t, shape, seed, -4, 9, is_float ? 2 : 1);
  if (nan && is_float && a.NumElements() > 1) {
    graph::NDArray with_nan = testing::ArrayOf(DType::kFloat64, {1}, {0.0 / 0.0});
    // One NaN, at a seeded position.
    std::vector<double> values;
    for (int64_t i = 0; i < a.NumElements(); ++i) {
      values.push_back(runtime::ElementAsDouble(a.raw_data(), t, i));
    }
    values[seed % values.size()] = with_nan.data<double>()[0];
    a = testing::ArrayOf(t, shape, values);
  }
  return a;
}

std::string Describe(const std::string& op, Reduction r, DType elem, DType index_type,
                     const std::vector<int64_t>& data, const std::vector<int64_t>& indices) {
  return absl::StrCat(op, " ", kReductionNames[static_cast<int>(r)], " into ",
                      runtime::DTypeName(elem), "[", absl::StrJoin(data, ", "), "] by ",
                      runtime::DTypeName(index_type), "[", absl::StrJoin(indices, ", "), "]");
}

TEST(ScatterTest, ScatterElementsMatchesTheReferenceForEveryReduction) {
  struct Case {
    std::vector<int64_t> data, indices;
    int64_t axis;
  };
  const std::vector<Case> cases = {
      {{7}, {9}, 0},                     // rank 1, more updates than elements
      {{3, 5}, {3, 4}, 1},               // shorter than the data off the axis
      {{4, 3}, {5, 2}, 0},               // longer along the axis
      {{3, 4, 5}, {3, 2, 5}, -2},        // a negative axis
      {{2, 3, 4, 5}, {2, 2, 3, 5}, -1},  // rank 4
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    // Every runnable target on the first case, the first one on the others.
    std::vector<targets::Target> run_on = testing::RunnableTargets();
    if (&c != &cases[0]) run_on.resize(1);
    const int64_t rank = c.data.size();
    const int64_t axis_size = c.data[c.axis < 0 ? c.axis + rank : c.axis];
    for (Reduction r : kReductions) {
      // Every reduction on float32 and int64 for every shape, the other
      // types on the first two.
      std::vector<DType> types = {DType::kFloat32, DType::kInt64};
      if (&c - cases.data() < 2) {
        types.insert(types.end(), {DType::kFloat64, DType::kInt32, DType::kUInt8, DType::kInt8,
                                   DType::kFloat16, DType::kBool});
      }
      for (DType elem : types) {
        const DType index_type = seed % 2 ? DType::kInt64 : DType::kInt32;
        const std::vector<graph::NDArray> inputs = {
            Values(elem, c.data, seed, true),
            FewIndices(
                c.indices, [&](int64_t) { return axis_size; }, index_type, seed + 1),
            Values(elem, c.indices, seed + 2, true)};
        seed += 3;
        testing::ExpectKernelMatchesReference(
            ScatterNode("scatter_elements", r, c.axis), inputs,
            Describe("scatter_elements", r, elem, index_type, c.data, c.indices) +
                absl::StrCat(" along axis ", c.axis),
            run_on);
      }
    }
  }
}

TEST(ScatterTest, ScatterNdMatchesTheReferenceForEveryReduction) {
  struct Case {
    std::vector<int64_t> data, indices;
  };
  const std::vector<Case> cases = {
      {{7}, {5, 1}},           // rank 1, elements
      {{4, 5}, {6, 2}},        // elements of a matrix
      {{4, 5}, {3, 1}},        // rows
      {{3, 4, 5}, {2, 3, 1}},  // matrices, tuples in a [2, 3] grid
      {{3, 4, 5}, {3}},        // one tuple naming one element: 0-D updates
      {{2, 3, 4, 5}, {4, 2}},  // rank 4, slices of rank 2
  };
  uint32_t seed = 100;
  for (const Case& c : cases) {
    // Every runnable target on the first case, the first one on the others.
    std::vector<targets::Target> run_on = testing::RunnableTargets();
    if (&c != &cases[0]) run_on.resize(1);
    const int64_t depth = c.indices.back();
    std::vector<int64_t> updates(c.indices.begin(), c.indices.end() - 1);
    updates.insert(updates.end(), c.data.begin() + depth, c.data.end());
    for (Reduction r : kReductions) {
      std::vector<DType> types = {DType::kFloat32, DType::kInt64};
      if (&c - cases.data() < 2) {
        types.insert(types.end(), {DType::kFloat64, DType::kUInt16, DType::kInt8, DType::kFloat16,
                                   DType::kBool});
      }
      for (DType elem : types) {
        const DType index_type = seed % 2 ? DType::kInt64 : DType::kInt32;
        const std::vector<graph::NDArray> inputs = {
            Values(elem, c.data, seed, true),
            FewIndices(
                c.indices, [&](int64_t i) { return c.data[i % depth]; }, index_type, seed + 1),
            Values(elem, updates, seed + 2, true)};
        seed += 3;
        testing::ExpectKernelMatchesReference(
            ScatterNode("scatter_nd", r), inputs,
            Describe("scatter_nd", r, elem, index_type, c.data, c.indices), run_on);
      }
    }
  }
}

// Runs a scatter whose indices the reference refuses (some outside the
// data); the kernel skips those updates and writes nowhere else.
void ExpectSkipped(const graph::Node& node, const std::vector<graph::NDArray>& inputs,
                   const std::vector<float>& want) {
  ASSERT_FALSE(graph::EvaluateNode(node, inputs).ok());
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto got = testing::RunNodeKernel(node, inputs, target);
    ASSERT_TRUE(got.ok()) << got.status();
    const graph::NDArray& out = (*got)[0];
    ASSERT_EQ(out.NumElements(), static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(out.data<float>()[i], want[i]) << node.op << " element " << i;
    }
  }
}

TEST(ScatterTest, IndicesOutsideTheDataSkipTheirUpdates) {
  const graph::NDArray data = testing::ArrayOf(DType::kFloat32, {4}, {1, 2, 3, 4});
  for (Reduction r : {Reduction::kNone, Reduction::kAdd}) {
    const float second = r == Reduction::kNone ? 30 : 32;
    ExpectSkipped(ScatterNode("scatter_elements", r),
                  {data, testing::ArrayOf(DType::kInt64, {5}, {4, -5, 1, 1000000, -1000000}),
                   testing::ArrayOf(DType::kFloat32, {5}, {10, 20, 30, 40, 50})},
                  {1, second, 3, 4});
  }
  // Rows of a [3, 2] matrix: 3 and -4 are outside, -1 is the last row; a
  // tuple with one index outside skips its whole slice.
  ExpectSkipped(ScatterNode("scatter_nd", Reduction::kNone),
                {testing::ArrayOf(DType::kFloat32, {3, 2}, {1, 2, 3, 4, 5, 6}),
                 testing::ArrayOf(DType::kInt32, {3, 1}, {3, -4, -1}),
                 testing::ArrayOf(DType::kFloat32, {3, 2}, {10, 20, 30, 40, 50, 60})},
                {1, 2, 3, 4, 50, 60});
  ExpectSkipped(ScatterNode("scatter_nd", Reduction::kMul),
                {testing::ArrayOf(DType::kFloat32, {3, 2}, {1, 2, 3, 4, 5, 6}),
                 testing::ArrayOf(DType::kInt64, {2, 2}, {0, 1, 1, 2}),
                 testing::ArrayOf(DType::kFloat32, {2}, {10, 20})},
                {1, 20, 3, 4, 5, 6});
}

}  // namespace
}  // namespace kiln::ir::ops
