#include "ir/graph/attrs_nn.h"

#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace kiln::graph {
namespace {

TEST(Conv2dAttrsTest, DefaultsWhenAbsent) {
  auto a = Conv2dAttrs::Read(Node{"c", "conv", {}, {}, {}});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->strides, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(a->dilations, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(a->pads, (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(a->group, 1);
  EXPECT_TRUE(a->symmetric_pads());
}

TEST(Conv2dAttrsTest, WriteThenReadKeepsEverything) {
  Conv2dAttrs a;
  a.strides = {2, 1};
  a.dilations = {1, 3};
  a.pads = {1, 2, 0, 2};
  a.group = 4;
  Node n{"c", "conv", {}, {}, {}};
  a.Write(n);
  auto b = Conv2dAttrs::Read(n);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->strides, a.strides);
  EXPECT_EQ(b->dilations, a.dilations);
  EXPECT_EQ(b->pads, a.pads);
  EXPECT_EQ(b->group, 4);
  EXPECT_FALSE(b->symmetric_pads());
  // (224 + 1 + 0 - 1 * 6 - 1) / 2 + 1 and (224 + 4 - 3 * 6 - 1) / 1 + 1
  EXPECT_EQ(b->OutHeight(224, 7), 110);
  EXPECT_EQ(b->OutWidth(224, 7), 210);
}

TEST(Conv2dAttrsTest, MalformedAttributesNameTheNode) {
  Node n{"stem", "conv", {}, {}, {}};
  n.attrs["strides"] = std::vector<int64_t>{2};
  auto a = Conv2dAttrs::Read(n);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("stem"), std::string::npos) << a.status();
  EXPECT_NE(a.status().message().find("expected 2"), std::string::npos) << a.status();
  n.attrs["strides"] = std::vector<int64_t>{0, 1};
  EXPECT_FALSE(Conv2dAttrs::Read(n).ok());
  n.attrs.erase("strides");
  n.attrs["group"] = int64_t{0};
  EXPECT_FALSE(Conv2dAttrs::Read(n).ok());
}

TEST(Pool2dAttrsTest, CeilModeDropsAWindowStartingInThePadding) {
  Node n{"p", "max_pool", {}, {}, {}};
  n.attrs["kernel_shape"] = std::vector<int64_t>{3, 1};
  n.attrs["strides"] = std::vector<int64_t>{2, 2};
  n.attrs["pads"] = std::vector<int64_t>{1, 0, 1, 1};
  n.attrs["ceil_mode"] = int64_t{1};
  auto a = Pool2dAttrs::Read(n);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->ceil_mode);
  EXPECT_FALSE(a->count_include_pad);
  EXPECT_EQ(a->OutHeight(6), 4);  // the partial window at the end counts
  EXPECT_EQ(a->OutWidth(5), 3);   // one starting in the end padding does not
}

TEST(Pool2dAttrsTest, OnlyTwoDimensionalWindows) {
  Node n{"p", "avg_pool", {}, {}, {}};
  EXPECT_FALSE(Pool2dAttrs::Read(n).ok());  // kernel_shape is required
  n.attrs["kernel_shape"] = std::vector<int64_t>{3};
  EXPECT_EQ(Pool2dAttrs::Read(n).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(ConvTransposeAttrsTest, OutputSize) {
  Node n{"d", "conv_transpose", {}, {}, {}};
  n.attrs["strides"] = std::vector<int64_t>{2, 3};
  n.attrs["pads"] = std::vector<int64_t>{1, 0, 1, 0};
  n.attrs["output_padding"] = std::vector<int64_t>{1, 0};
  auto a = ConvTransposeAttrs::Read(n);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->OutHeight(4, 3), 3 * 2 + 3 + 1 - 2);
  EXPECT_EQ(a->OutWidth(5, 4), 4 * 3 + 4);
}

TEST(ConvEpilogueAttrsTest, NoneReluOrAClampRoundTrip) {
  Node n{"c", "conv2d_nchwc", {}, {}, {}};
  for (const auto& [lo, hi, name] : std::vector<std::tuple<float, float, std::string>>{
           {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(),
            "none"},
           {0.0f, std::numeric_limits<float>::infinity(), "relu"},
           {0.0f, 6.0f, "clip"},
           {-1.5f, 2.0f, "clip"}}) {
    ConvEpilogueAttrs written;
    written.lo = lo;
    written.hi = hi;
    written.Write(n);
    EXPECT_EQ(*n.String("activation"), name);
    auto a = ConvEpilogueAttrs::Read(n);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_TRUE(*a == written) << name;
    EXPECT_EQ(a->Apply(-3.0), std::max<double>(lo, std::min<double>(-3.0, hi)));
  }
  n.attrs["clip_min"] = 7.0;  // above clip_max: no value fits
  EXPECT_FALSE(ConvEpilogueAttrs::Read(n).ok());
  n.attrs["activation"] = std::string("gelu");
  EXPECT_FALSE(ConvEpilogueAttrs::Read(n).ok());
}

TEST(SoftmaxAttrsTest, AxisIsNormalized) {
  auto a = SoftmaxAttrs::Read(Node{"s", "softmax", {}, {}, {}});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a->Axis(3), 2);
  EXPECT_FALSE((SoftmaxAttrs{5, false}.Axis(3).ok()));
}

}  // namespace
}  // namespace kiln::graph
