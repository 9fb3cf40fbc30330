#include "passes/graph_test_util.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::passes::testing {

graph::NDArray RandomArray(const std::vector<int64_t>& shape, uint32_t seed) {
  auto a = graph::NDArray::Empty(shape, runtime::DType::kFloat32);
  const std::vector<float> v = ir::ops::testing::RandomFloats(a->NumElements(), seed);
  std::copy(v.begin(), v.end(), a->data<float>());
  return *a;
}

void ExpectSameArray(const graph::NDArray& got, const graph::NDArray& want, float tolerance,
                     const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ir::ops::testing::ExpectAllNear(
      std::vector<float>(got.data<float>(), got.data<float>() + got.NumElements()),
      std::vector<float>(want.data<float>(), want.data<float>() + want.NumElements()), tolerance,
      what);
}

}  // namespace kiln::passes::testing
