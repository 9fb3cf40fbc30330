#include "ir/graph/attrs_data_movement.h"

#include "gtest/gtest.h"
#include "ir/graph/attrs_reduce.h"

namespace kiln::graph {
namespace {

TEST(TransposeAttrsTest, AbsentPermReversesTheAxes) {
  auto a = TransposeAttrs::Read(Node{"t", "transpose", {}, {}, {}});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a->Perm(3), (std::vector<int64_t>{2, 1, 0}));
  EXPECT_FALSE((TransposeAttrs{{0, 0, 1}}.Perm(3).ok()));
  EXPECT_FALSE((TransposeAttrs{{1, 0}}.Perm(3).ok()));
}

TEST(PadAttrsTest, ModesAndUnknownMode) {
  Node n{"p", "pad", {}, {}, {}};
  n.attrs["pads"] = std::vector<int64_t>{1, 2, 3, 4};
  n.attrs["mode"] = std::string("reflect");
  auto a = PadAttrs::Read(n);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->mode, PadAttrs::Mode::kReflect);
  EXPECT_EQ(a->value, 0.0);
  n.attrs["mode"] = std::string("wrap");
  EXPECT_EQ(PadAttrs::Read(n).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(LayoutTransformAttrsTest, BlocksAreRequired) {
  Node n{"l", "layout_transform", {}, {}, {}};
  EXPECT_FALSE(LayoutTransformAttrs::Read(n).ok());
  LayoutTransformAttrs{0, 16}.Write(n);
  auto a = LayoutTransformAttrs::Read(n);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->src_block, 0);
  EXPECT_EQ(a->dst_block, 16);
}

TEST(DepthToSpaceAttrsTest, TwoPositiveBlockSizes) {
  Node n{"d", "depth_to_space", {}, {}, {}};
  EXPECT_FALSE(DepthToSpaceAttrs::Read(n).ok());
  DepthToSpaceAttrs{2, 3}.Write(n);
  auto a = DepthToSpaceAttrs::Read(n);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->rows, 2);
  EXPECT_EQ(a->columns, 3);
  for (const std::vector<int64_t>& bad : {std::vector<int64_t>{2}, {2, 0}, {-1, 2}, {1, 2, 3}}) {
    n.attrs["blocks"] = bad;
    EXPECT_FALSE(DepthToSpaceAttrs::Read(n).ok());
  }
}

TEST(ReduceAttrsTest, SpatialReductions) {
  ReduceAttrs global{{2, 3}, true};
  EXPECT_TRUE(global.KeepsSpatialAxesOnly());
  EXPECT_EQ(*global.Reduced(4), (std::vector<bool>{false, false, true, true}));
  EXPECT_FALSE((ReduceAttrs{{2, 3}, false}.KeepsSpatialAxesOnly()));
  EXPECT_FALSE((ReduceAttrs{{1}, true}.KeepsSpatialAxesOnly()));
  EXPECT_FALSE((ReduceAttrs{{}, true}.KeepsSpatialAxesOnly()));
  EXPECT_EQ(*ReduceAttrs{}.Reduced(2), (std::vector<bool>{true, true}));
  EXPECT_FALSE((ReduceAttrs{{4}, true}.Reduced(4).ok()));
}

TEST(ArgReduceAttrsTest, DefaultsAndRoundTrip) {
  Node n{"a", "argmax", {}, {}, {}};
  auto defaults = ArgReduceAttrs::Read(n);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->axis, 0);
  EXPECT_TRUE(defaults->keepdims);
  EXPECT_FALSE(defaults->select_last_index);
  ArgReduceAttrs{-2, false, true}.Write(n);
  auto back = ArgReduceAttrs::Read(n);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->axis, -2);
  EXPECT_FALSE(back->keepdims);
  EXPECT_TRUE(back->select_last_index);
}

}  // namespace
}  // namespace kiln::graph
