#include "driver/compile_model.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::driver {
namespace {

using ::testing::HasSubstr;

TEST(ParseInputShapesTest, SeveralInputsWithAnySeparator) {
  const frontend::InputShapes want = {{"a", {4, 8}}, {"b", {8, 16}}};
  for (const char* spec : {"a:[4,8] b:[8,16]", "a:[4,8],b:[8,16]", "a:[4, 8] b:[8, 16]",
                           "a:[4,8];b:[8,16]", " a:[ 4 ,8 ] ,  b: [8,16] ", "a:[4,8], b:[8,16]"}) {
    auto shapes = ParseInputShapes(spec);
    ASSERT_TRUE(shapes.ok()) << spec << ": " << shapes.status();
    EXPECT_EQ(*shapes, want) << spec;
  }
}

TEST(ParseInputShapesTest, NamesMayContainColonsAndShapesMayBeScalars) {
  auto shapes = ParseInputShapes("input:0:[1,3] s:[]");
  ASSERT_TRUE(shapes.ok()) << shapes.status();
  EXPECT_EQ(shapes->at("input:0"), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(shapes->at("s").empty());
  EXPECT_TRUE(ParseInputShapes("").ok());
}

TEST(ParseInputShapesTest, MalformedEntriesAreNamed) {
  EXPECT_THAT(ParseInputShapes("a:[4,8] b").status().message(),
              HasSubstr("input shape 'b' has no [dimensions]"));
  EXPECT_THAT(ParseInputShapes("a:[4,x]").status().message(),
              HasSubstr("'a:[4,x]' has the dimension 'x'"));
  EXPECT_THAT(ParseInputShapes("a:[4,0]").status().message(), HasSubstr("'0', not a positive"));
  EXPECT_THAT(ParseInputShapes("a:[4,8").status().message(), HasSubstr("no closing ]"));
  EXPECT_THAT(ParseInputShapes("[4,8]").status().message(),
              HasSubstr("does not start with a name"));
  EXPECT_THAT(ParseInputShapes("a b:[4]").status().message(),
              HasSubstr("does not start with a name"));
  EXPECT_THAT(ParseInputShapes("a:[1]b:[2]").status().message(),
              HasSubstr("'b:[2]' follows a shape without a separator"));
  EXPECT_THAT(ParseInputShapes("a:[1] a:[2]").status().message(),
              HasSubstr("input 'a' has two shapes"));
}

}  // namespace
}  // namespace kiln::driver
