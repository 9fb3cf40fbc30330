// The grid_sample kernel against the graph's reference implementation, for
// every mode, padding and corner alignment, on odd sizes, a single-pixel
// axis and grid points well outside the image.
#include "ir/ops/grid_sample.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::ir::ops {
namespace {

using Attrs = graph::GridSampleAttrs;

graph::NDArray Array(std::vector<int64_t> shape, const std::vector<float>& data) {
  graph::NDArray a = *graph::NDArray::Empty(shape, runtime::DType::kFloat32);
  std::copy(data.begin(), data.end(), a.data<float>());
  return a;
}

TEST(GridSampleTest, MatchesTheReferenceForEveryModeAndPadding) {
  struct Shape {
    std::vector<int64_t> x, grid;
  };
  const std::vector<Shape> shapes = {{{2, 3, 5, 7}, {2, 3, 9, 2}}, {{1, 2, 1, 4}, {1, 1, 17, 2}}};
  uint32_t seed = 1;
  for (const Shape& shape : shapes) {
    int64_t x_count = 1, grid_count = 1;
    for (int64_t d : shape.x) x_count *= d;
    for (int64_t d : shape.grid) grid_count *= d;
    const std::vector<float> x = testing::RandomFloats(x_count, seed++);
    // Mostly inside [-1, 1], some points up to 2.5 image widths away.
    const std::vector<float> grid = testing::RandomFloats(grid_count, seed++, -2.5f, 2.5f);
    for (auto mode : {Attrs::Mode::kLinear, Attrs::Mode::kNearest, Attrs::Mode::kCubic}) {
      for (auto padding :
           {Attrs::Padding::kZeros, Attrs::Padding::kBorder, Attrs::Padding::kReflection}) {
        for (bool align : {false, true}) {
          Attrs attrs;
          attrs.mode = mode;
          attrs.padding = padding;
          attrs.align_corners = align;
          graph::Node node;
          node.op = "grid_sample";
          attrs.Write(node);
          auto want = graph::EvaluateNode(node, {Array(shape.x, x), Array(shape.grid, grid)});
          ASSERT_TRUE(want.ok()) << want.status();
          const graph::NDArray& w = (*want)[0];
          const std::string what = std::get<std::string>(node.attrs["mode"]) + " " +
                                   std::get<std::string>(node.attrs["padding_mode"]) +
                                   (align ? " aligned" : "");
          // Every target on the first shape, the first target on the others.
          std::vector<targets::Target> targets = testing::RunnableTargets();
          if (&shape != &shapes[0]) targets.resize(1);
          for (const targets::Target& target : targets) {
            auto f = BuildGridSample(shape.x, shape.grid, attrs, target, "grid_sample");
            ASSERT_TRUE(f.ok()) << f.status();
            std::vector<std::vector<float>> buffers = {
                x, grid, std::vector<float>(w.NumElements())};
            ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok()) << what;
            testing::ExpectAllNear(buffers[2],
                                   std::vector<float>(w.data<float>(),
                                                      w.data<float>() + w.NumElements()),
                                   1e-4f, what);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace kiln::ir::ops
