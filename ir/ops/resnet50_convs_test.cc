#include "ir/ops/resnet50_convs.h"

#include "gtest/gtest.h"

namespace kiln::ir::ops {
namespace {

TEST(ResNet50ConvsTest, MatchesTheModelZooTopology) {
  int convs = 0;
  double flop = 0;
  for (const CountedConv& c : ResNet50V2Convs()) {
    ASSERT_TRUE(ValidateConv2d(c.workload).ok()) << c.workload.ToString();
    convs += c.count;
    flop += c.count * c.workload.flop();
  }
  EXPECT_EQ(ResNet50V2Convs().size(), 23u);
  EXPECT_EQ(convs, 53);
  // 8.18 GFLOP for the whole network, of which the dense layer is 4 MFLOP.
  EXPECT_NEAR((flop + 2.0 * 2048 * 1000) * 1e-9, 8.18, 0.02);
}

}  // namespace
}  // namespace kiln::ir::ops
