// The gather_nd kernel against the graph's reference implementation: ranks
// 1 to 4, tuples of every length, batch_dims 0 to 2, negative indices,
// several element types and both index types; and indices outside the data,
// which the reference refuses and the kernel must read safely.
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

graph::Node GatherNdNode(int64_t batch_dims) {
  graph::Node node;
  node.op = "gather_nd";
  graph::GatherNdAttrs{batch_dims}.Write(node);
  return node;
}

// Indices of `shape` whose tuples (its last axis) address the data's axes
// after `batch_dims`: each in [-size, size) of its axis, negative ones among
// them.
graph::NDArray TupleIndices(const std::vector<int64_t>& data, const std::vector<int64_t>& shape,
                            int64_t batch_dims, DType type, uint32_t seed) {
  const int64_t depth = shape.back();
  graph::NDArray raw = testing::RandomArray(DType::kInt64, shape, seed, 0, 1 << 20);
  std::vector<double> values;
  for (int64_t i = 0; i < raw.NumElements(); ++i) {
    const int64_t size = data[batch_dims + i % depth];
    values.push_back(static_cast<double>(raw.data<int64_t>()[i] % (2 * size) - size));
  }
  return testing::ArrayOf(type, shape, values);
}

TEST(GatherNdTest, MatchesTheReferenceOnAwkwardShapes) {
  struct Case {
    std::vector<int64_t> data, indices;
    int64_t batch_dims;
  };
  const std::vector<Case> cases = {
      {{5}, {3, 1}, 0},              // rank 1
      {{3, 4}, {2}, 0},              // one tuple naming an element: a 0-D output
      {{3, 4}, {5, 2}, 0},           // elements
      {{3, 4, 5}, {2, 3, 1}, 0},     // slices of rank 2
      {{2, 3, 5, 7}, {4, 2}, 0},     // rank 4, slices of rank 2
      {{3, 4, 5}, {3, 2, 1}, 1},     // batch_dims 1
      {{2, 3, 5}, {2, 4, 2}, 1},     // batch_dims 1, elements
      {{2, 3, 4, 5}, {2, 3, 1}, 2},  // batch_dims 2
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    // Every runnable target on the first case, the first one on the others.
    std::vector<targets::Target> run_on = testing::RunnableTargets();
    if (&c != &cases[0]) run_on.resize(1);
    for (DType elem :
         {DType::kFloat32, DType::kInt64, DType::kFloat64, DType::kUInt8, DType::kFloat16}) {
      const DType index_type = seed % 2 ? DType::kInt64 : DType::kInt32;
      const std::vector<graph::NDArray> inputs = {
          testing::RandomArray(elem, c.data, seed, 0, 100, 4),
          TupleIndices(c.data, c.indices, c.batch_dims, index_type, seed + 1)};
      seed += 2;
      testing::ExpectKernelMatchesReference(
          GatherNdNode(c.batch_dims), inputs,
          absl::StrCat("gather_nd of ", runtime::DTypeName(elem), "[", absl::StrJoin(c.data, ", "),
                       "] by ", runtime::DTypeName(index_type), "[", absl::StrJoin(c.indices, ", "),
                       "], batch_dims ", c.batch_dims),
          run_on);
    }
  }
}

TEST(GatherNdTest, IndicesOutsideTheDataReadTheNearestEnd) {
  // The reference refuses them; the kernel clamps them into the axis.
  const graph::NDArray data = testing::ArrayOf(DType::kFloat32, {3, 2}, {1, 2, 3, 4, 5, 6});
  const graph::NDArray indices = testing::ArrayOf(DType::kInt64, {4, 1}, {3, -4, 100, -1});
  ASSERT_FALSE(graph::EvaluateNode(GatherNdNode(0), {data, indices}).ok());
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto got = testing::RunNodeKernel(GatherNdNode(0), {data, indices}, target);
    ASSERT_TRUE(got.ok()) << got.status();
    const std::vector<float> want = {5, 6, 1, 2, 5, 6, 5, 6};
    ASSERT_EQ((*got)[0].NumElements(), 8);
    for (int i = 0; i < 8; ++i) EXPECT_EQ((*got)[0].data<float>()[i], want[i]) << i;
  }
}

}  // namespace
}  // namespace kiln::ir::ops
