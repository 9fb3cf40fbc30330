#include "passes/pipeline.h"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "frontend/onnx_importer.h"
#include "frontend/resnet50_v2_generator.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/post_ops.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "ir/tuning/json.h"
#include "ir/tuning/schedule_context.h"
#include "targets/target_parser.h"

namespace kiln::passes {
namespace {

int Count(const graph::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node.op == op;
  return n;
}

// Max |a - b| relative to max |b| over the first outputs.
double RelativeDiff(const graph::NDArray& a, const graph::NDArray& b) {
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < b.NumElements(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double{b.data<float>()[i]}));
    max_diff = std::max(max_diff, std::fabs(double{a.data<float>()[i]} - b.data<float>()[i]));
  }
  return max_diff / max_abs;
}

struct SmallResNet {
  graph::Graph graph;
  graph::NDArray data;
  graph::NDArray logits;  // the imported graph's output, by the reference
};

SmallResNet MakeSmallResNet() {
  frontend::ResNetOptions small;
  small.image_size = 64;
  auto bytes = frontend::GenerateResNet50V2(small);
  EXPECT_TRUE(bytes.ok());
  auto g = frontend::ImportOnnxBytes(*bytes);
  EXPECT_TRUE(g.ok()) << g.status();
  auto data = graph::NDArray::Empty({1, 3, 64, 64}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::cos(0.003 * i);
  auto before = graph::Evaluate(*g, {{"data", *data}});
  EXPECT_TRUE(before.ok()) << before.status();
  return {*std::move(g), *data, (*before)[0]};
}

TEST(PipelineTest, ResNetKeepsItsOutputThroughTheTargetIndependentPasses) {
  SmallResNet net = MakeSmallResNet();
  graph::Graph& g = net.graph;
  const int bn_before = Count(g, "batch_norm");

  std::vector<std::string> passes;
  PipelineOptions options;
  options.dump = [&](const std::string& pass, const graph::Graph&) { passes.push_back(pass); };
  ASSERT_TRUE(OptimizeGraph(g, options).ok());
  EXPECT_EQ(passes, (std::vector<std::string>{"fold_batch_norm", "decompose_batch_norm",
                                              "eliminate_dead_code", "infer_types",
                                              "sink_reshapes", "fuse_layer_norm",
                                              "split_padded_taps", "eliminate_dead_code"}));
  // The stem's and each unit's two inner BatchNorms follow a conv: 1 + 2 * 16;
  // the other 17 become a multiply and an add.
  // (And one normalizes the input image.)
  EXPECT_EQ(bn_before, 51);
  EXPECT_EQ(Count(g, "batch_norm"), 0);
  EXPECT_EQ(Count(g, "mul"), 18);

  auto after = graph::Evaluate(g, {{"data", net.data}});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_LE(RelativeDiff((*after)[0], net.logits), 1e-4);
}

// Compiles every convolution with the schedule `choose` gives its bare
// workload, read with the input block the task fixes (the producer's). The
// config comes from a space of exactly those knob values, since the pass
// reads a config by knob name: schedules the real space would not offer
// (Winograd on a tiny layer) still exercise the pass.
class ConvSchedules : public tuning::ScheduleContext {
 public:
  using Chooser = std::function<ir::ops::Conv2dNCHWcConfig(const ir::ops::Conv2dWorkload&)>;
  explicit ConvSchedules(Chooser choose) : choose_(std::move(choose)) {}

  tuning::Config Query(const tuning::TuningTask& task, const tuning::Config& fallback) override {
    if (task.name != ir::ops::kConv2dNCHWcTemplate) return fallback;
    auto workload = ir::ops::Conv2dNCHWcWorkloadOfArgs(task.args);
    EXPECT_TRUE(workload.ok() && workload->fixed) << task.args.Dump();
    ir::ops::Conv2dNCHWcConfig c = choose_(workload->workload);
    tuning::ConfigSpace space;
    for (const auto& [knob, value] :
         std::vector<std::pair<std::string, int64_t>>{{"tile_ic", workload->fixed->ic_bn},
                                                      {"tile_oc", c.oc_bn},
                                                      {"tile_ow", c.tile_ow},
                                                      {"unroll_kw", c.unroll_kw},
                                                      {"oc_group", c.oc_group},
                                                      {"winograd", c.winograd_tile},
                                                      {"segment", c.segment}}) {
      EXPECT_TRUE(space.DefineIntChoice(knob, {value}).ok());
    }
    return space.At(0);
  }

 private:
  Chooser choose_;
};

// Blocks that differ between layers exercise layout transforms in front of
// elementwise operators and input blocks that follow the producer.
ir::ops::Conv2dNCHWcConfig AlternatingBlocks(const ir::ops::Conv2dWorkload& w) {
  ir::ops::Conv2dNCHWcConfig c;
  c.ic_bn = w.in_channels % 8 == 0 ? 8 : w.in_channels;
  c.oc_bn = w.out_channels % 16 == 0 && w.in_channels % 2 == 0 ? 16 : 8;
  c.tile_ow = w.out_width() % 8 == 0 ? 8 : 2;
  c.oc_group = w.height >= 28 || (w.kernel_h == 3 && w.stride_h == 1 && w.height == 16) ? 4 : 1;
  c.unroll_kw = w.kernel_w == 3;
  // Both Winograd tiles where they apply (3x3, stride 1).
  if (w.kernel_h == 3 && w.stride_h == 1) c.winograd_tile = w.height >= 8 ? 4 : 2;
  return c;
}

TEST(PipelineTest, ResNetKeepsItsOutputThroughLayoutAndFusion) {
  SmallResNet net = MakeSmallResNet();
  graph::Graph& g = net.graph;
  std::vector<std::string> passes;
  PipelineOptions options;
  const targets::Target target = *targets::ParseTarget("llvm");
  options.target = &target;
  ConvSchedules schedules(AlternatingBlocks);
  options.schedules = &schedules;
  options.dump = [&](const std::string& pass, const graph::Graph& after) {
    passes.push_back(pass);
    if (pass != "convert_dense" && pass != "convert_to_nchwc" && pass != "fuse_elementwise") {
      return;
    }
    auto out = graph::Evaluate(after, {{"data", net.data}});
    ASSERT_TRUE(out.ok()) << pass << ": " << out.status();
    EXPECT_LE(RelativeDiff((*out)[0], net.logits), 1e-4) << pass;
  };
  ASSERT_TRUE(OptimizeGraph(g, options).ok());
  EXPECT_EQ(passes.back(), "eliminate_dead_code");
  EXPECT_EQ(Count(g, "conv"), 0);
  EXPECT_EQ(Count(g, "conv2d_nchwc"), 40);
  EXPECT_EQ(Count(g, "conv2d_winograd_nchwc"), 13);  // the 3x3s of stride 1
  EXPECT_EQ(Count(g, "dense"), 1);
  // Every bias, ReLU and residual add went into a convolution, and so did
  // the pre-activation scale/shift/ReLU chains that alone read a unit's
  // sum (before each stage's first unit, whose shortcut is a convolution of
  // the activated sum, and before the pooling): 4 of 17. What is left are
  // the input's scale/shift and 13 of those chains, one kernel each.
  EXPECT_EQ(Count(g, "relu"), 0);
  EXPECT_EQ(Count(g, "add"), 0);
  EXPECT_EQ(Count(g, "fused_elementwise"), 14);
  int residuals = 0, post_ops = 0, grouped = 0, unrolled = 0, wide = 0;
  for (const auto& n : g.nodes()) {
    if (n.op != "conv2d_nchwc" && n.op != "conv2d_winograd_nchwc") continue;
    residuals += n.inputs.size() > 3 && n.inputs[3] >= 0;
    post_ops += graph::HasPostOps(n);
    // The chooser's whole schedule reaches the node, not only its blocks.
    auto stored = tuning::ParseJson(*n.String(tuning::kScheduleAttr));
    ASSERT_TRUE(stored.ok()) << stored.status();
    const auto knob = [&](const std::string& name) -> int64_t {
      for (const tuning::Json& entry : stored->Find("entity")->as_array()) {
        const tuning::Json& value = entry.as_array()[2];
        if (entry.as_array()[0].as_string() != name) continue;
        return value.is_bool() ? value.as_bool() : value.as_int();
      }
      return -1;
    };
    grouped += knob("oc_group") == 4;
    if (n.op != "conv2d_nchwc") continue;
    unrolled += knob("unroll_kw") == 1;
    wide += knob("tile_ow") == 8;
  }
  EXPECT_EQ(residuals, 16);
  EXPECT_EQ(post_ops, 4);
  // The stem (64x64 input) and stage 1's three Winograd 3x3s (16x16).
  EXPECT_EQ(grouped, 4);
  EXPECT_EQ(unrolled, 3);  // the 3x3s of stride 2
  EXPECT_GT(wide, 0);
  EXPECT_LT(wide, 53);
  EXPECT_EQ(g.value(g.outputs()[0]).name, "resnetv24_dense0_fwd");
}

TEST(PipelineTest, DefaultBlocksNeedNoTransformsBetweenConvolutions) {
  SmallResNet net = MakeSmallResNet();
  PipelineOptions options;
  const targets::Target target = *targets::ParseTarget("llvm");
  options.target = &target;
  ConvSchedules schedules([](const ir::ops::Conv2dWorkload& w) {
    ir::ops::Conv2dNCHWcConfig c;
    c.oc_bn = 16;
    c.tile_ow = 4;
    return c;
  });
  options.schedules = &schedules;
  ASSERT_TRUE(OptimizeGraph(net.graph, options).ok());
  // Out to plain NCHW before flatten only: the first conv reads the
  // normalized image's 3 channels as NCHW1c, the same bytes.
  EXPECT_EQ(Count(net.graph, "layout_transform"), 1) << net.graph.ToString();
  int64_t image_as_blocks = 0;
  for (const auto& n : net.graph.nodes()) {
    if (n.op != "reshape") continue;
    image_as_blocks += net.graph.value(n.outputs[0]).type.shape ==
                       std::vector<int64_t>{1, 3, 64, 64, 1};
  }
  EXPECT_EQ(image_as_blocks, 1) << net.graph.ToString();
}

// KILN_DUMP_GRAPH=0 is off (any set value used to switch it on).
TEST(PipelineTest, DumpsTheGraphOnlyForATrueValue) {
  for (const char* value : {"0", "1"}) {
    graph::Graph g;
    const int x = g.AddInput("x", {runtime::DType::kFloat32, {2}});
    const int y = g.AddValue("y", {runtime::DType::kFloat32, {2}});
    g.AddNode(graph::Node{"act", "relu", {x}, {y}, {}});
    g.SetOutputs({y});
    setenv("KILN_DUMP_GRAPH", value, 1);
    ::testing::internal::CaptureStderr();
    ASSERT_TRUE(OptimizeGraph(g).ok());
    const std::string dump = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(dump.find("---- graph after") != std::string::npos, std::string(value) == "1")
        << value << ": " << dump;
  }
  unsetenv("KILN_DUMP_GRAPH");
}

}  // namespace
}  // namespace kiln::passes
