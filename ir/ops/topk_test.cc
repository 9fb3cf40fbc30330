// The topk kernel against the graph's reference implementation: ranks 1 to
// 4, the axis first, inside and last (negative too), k = 1, k in between
// and k = the axis size, largest and smallest, many ties (the lower index
// first), NaN (below every number) and several element types; and a case
// worked by hand.
#include <cmath>
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

graph::Node TopKNode(int64_t k, int64_t axis, bool largest) {
  graph::Node node;
  node.op = "topk";
  graph::TopKAttrs attrs;
  attrs.k = k;
  attrs.axis = axis;
  attrs.largest = largest;
  attrs.Write(node);
  return node;
}

bool IsFloat(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16;
}

// Values from a small range, so that most rows have ties; NaNs among them
// for float types when `nans`.
graph::NDArray TiedValues(DType t, const std::vector<int64_t>& shape, uint32_t seed, bool nans) {
  graph::NDArray a = testing::RandomArray(t, shape, seed, -3, 4, IsFloat(t) ? 2 : 1);
  if (!nans || !IsFloat(t)) return a;
  std::vector<double> values;
  for (int64_t i = 0; i < a.NumElements(); ++i) {
    values.push_back(i % 5 == seed % 5 ? std::nan("")
                                       : runtime::ElementAsDouble(a.raw_data(), t, i));
  }
  return testing::ArrayOf(t, shape, values);
}

TEST(TopKTest, MatchesTheReferenceOnAwkwardShapes) {
  struct Case {
    std::vector<int64_t> shape;
    int64_t axis;
  };
  const std::vector<Case> cases = {
      {{7}, 0},           // rank 1
      {{3, 5}, 1},        // the last axis
      {{5, 3}, 0},        // the first axis: rows strided in memory
      {{2, 6, 3}, -2},    // an inner axis, negative
      {{2, 3, 5, 3}, 2},  // rank 4
      {{1, 9, 1}, -1},    // an axis of size 1
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    // Every runnable target on the first case, the first one on the others.
    std::vector<targets::Target> run_on = testing::RunnableTargets();
    if (&c != &cases[0]) run_on.resize(1);
    const int64_t rank = c.shape.size();
    const int64_t n = c.shape[c.axis < 0 ? c.axis + rank : c.axis];
    std::vector<int64_t> ks = {1, (n + 1) / 2, n};
    for (int64_t k : ks) {
      for (bool largest : {true, false}) {
        // float32 and int64 everywhere, the other types on the first shapes
        // for one k.
        std::vector<DType> types = {DType::kFloat32, DType::kInt64};
        if (&c - cases.data() < 2 && k == ks[1]) {
          types.insert(types.end(), {DType::kFloat64, DType::kInt32, DType::kUInt8, DType::kInt8,
                                     DType::kFloat16, DType::kBool});
        }
        for (DType elem : types) {
          for (bool nans : {false, true}) {
            if (nans && !IsFloat(elem)) continue;
            testing::ExpectKernelMatchesReference(
                TopKNode(k, c.axis, largest), {TiedValues(elem, c.shape, seed++, nans)},
                absl::StrCat("topk k = ", k, " ", largest ? "largest" : "smallest", " along ",
                             c.axis, " of ", runtime::DTypeName(elem), "[",
                             absl::StrJoin(c.shape, ", "), "]", nans ? " with NaN" : ""),
                run_on);
          }
        }
      }
    }
  }
}

TEST(TopKTest, TiesKeepTheLowerIndexFirstAndNaNRanksLast) {
  const graph::NDArray x = testing::ArrayOf(DType::kFloat32, {7}, {3, 1, std::nan(""), 3, 2, 3, 1});
  struct Want {
    int64_t k;
    bool largest;
    std::vector<float> values;
    std::vector<int64_t> indices;
  };
  const float nan = std::nanf("");
  const std::vector<Want> wants = {
      {4, true, {3, 3, 3, 2}, {0, 3, 5, 4}},
      {7, true, {3, 3, 3, 2, 1, 1, nan}, {0, 3, 5, 4, 1, 6, 2}},
      {3, false, {1, 1, 2}, {1, 6, 4}},
      {7, false, {1, 1, 2, 3, 3, 3, nan}, {1, 6, 4, 0, 3, 5, 2}},
  };
  for (const Want& w : wants) {
    const graph::Node node = TopKNode(w.k, 0, w.largest);
    for (const targets::Target& target : testing::RunnableTargets()) {
      auto got = testing::RunNodeKernel(node, {x}, target);
      ASSERT_TRUE(got.ok()) << got.status();
      for (int64_t i = 0; i < w.k; ++i) {
        const float v = (*got)[0].data<float>()[i];
        EXPECT_TRUE(v == w.values[i] || (std::isnan(v) && std::isnan(w.values[i])))
            << "k = " << w.k << (w.largest ? " largest" : " smallest") << ": value " << i << " is "
            << v;
        EXPECT_EQ((*got)[1].data<int64_t>()[i], w.indices[i])
            << "k = " << w.k << (w.largest ? " largest" : " smallest") << ": index " << i;
      }
    }
    // The reference agrees.
    testing::ExpectKernelMatchesReference(node, {x}, "the worked case");
  }
}

}  // namespace
}  // namespace kiln::ir::ops
