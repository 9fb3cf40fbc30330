#include "codegen/graph_compiler.h"

#include <cmath>
#include <cstdlib>
#include <functional>

#include "codegen/object_emitter.h"
#include "frontend/model_builder.h"
#include "frontend/onnx_importer.h"
#include "frontend/resnet50_v2_generator.h"
#include "gtest/gtest.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/post_ops.h"
#include "ir/ops/testing/op_test_util.h"
#include "passes/pipeline.h"
#include "runtime/artifact.h"

namespace kiln::codegen {
namespace {

using graph::NDArray;

double MaxAbs(const NDArray& a) {
  double m = 0;
  for (int64_t i = 0; i < a.NumElements(); ++i) m = std::max(m, std::fabs(double{a.data<float>()[i]}));
  return m;
}

double MaxDiff(const NDArray& a, const NDArray& b) {
  double m = 0;
  for (int64_t i = 0; i < a.NumElements(); ++i) {
    m = std::max(m, std::fabs(double{a.data<float>()[i]} - b.data<float>()[i]));
  }
  return m;
}

// `g` after the graph passes for `target`.
graph::Graph Optimized(graph::Graph g, const targets::Target& target) {
  passes::PipelineOptions options;
  options.target = &target;
  const absl::Status st = passes::OptimizeGraph(g, options);
  EXPECT_TRUE(st.ok()) << st;
  return g;
}

// The outputs of `g` compiled for `target` and run in-process on `inputs`.
std::vector<NDArray> CompileAndRun(const graph::Graph& g, const targets::Target& target,
                                   const absl::flat_hash_map<std::string, NDArray>& inputs) {
  auto compiled = CompileGraph(g, target);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  if (!compiled.ok()) return {};
  auto model = BuildJitModel(*compiled, target);
  EXPECT_TRUE(model.ok()) << model.status();
  if (!model.ok()) return {};
  for (const auto& [name, value] : inputs) {
    EXPECT_TRUE(model->executor->SetInput(name, value).ok()) << name;
  }
  EXPECT_TRUE(model->executor->Run().ok());
  std::vector<NDArray> outputs;
  for (size_t o = 0; o < g.outputs().size(); ++o) {
    auto got = model->executor->GetOutput(o);
    EXPECT_TRUE(got.ok()) << got.status();
    if (got.ok()) outputs.push_back(*got);
  }
  return outputs;
}

struct Model {
  graph::Graph graph;
  NDArray data, want;
};

// ResNet-50 v2 at 64x64: every layer kind of the real network, fast to check.
Model SmallResNet() {
  frontend::ResNetOptions options;
  options.image_size = 64;
  auto bytes = frontend::GenerateResNet50V2(options);
  EXPECT_TRUE(bytes.ok());
  auto g = frontend::ImportOnnxBytes(*bytes);
  EXPECT_TRUE(g.ok()) << g.status();
  auto data = NDArray::Empty({1, 3, 64, 64}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::sin(0.01 * i);
  auto want = graph::Evaluate(*g, {{"data", *data}});
  EXPECT_TRUE(want.ok()) << want.status();
  return {*std::move(g), *data, (*want)[0]};
}

TEST(GraphCompilerTest, ResNetMatchesTheReferenceInterpreterAndTheArtifactMatchesTheJit) {
  Model m = SmallResNet();
  for (const targets::Target& target : ir::ops::testing::RunnableTargets()) {
    auto compiled = CompileGraph(m.graph, target);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    // 53 convs with 23 distinct shapes at full size; fewer here, but the
    // 16 units must share kernels rather than get one each.
    EXPECT_LT(compiled->kernels.size(), 60u);
    EXPECT_LT(compiled->plan.arena_bytes, compiled->unplanned_bytes / 4);
    auto model = BuildJitModel(*compiled, target);
    ASSERT_TRUE(model.ok()) << model.status();
    ASSERT_TRUE(model->executor->SetInput("data", m.data).ok());
    ASSERT_TRUE(model->executor->Run().ok());
    auto got = model->executor->GetOutput("resnetv24_dense0_fwd");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->shape(), (std::vector<int64_t>{1, 1000}));
    EXPECT_LE(MaxDiff(*got, m.want), 1e-4 * MaxAbs(m.want)) << target.ToString();

    const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/resnet.so";
    ASSERT_TRUE(WriteArtifact(*compiled, target, path).ok());
    auto artifact = runtime::LoadArtifact(path);
    ASSERT_TRUE(artifact.ok()) << artifact.status();
    auto deployed = runtime::CreateExecutor(*artifact);
    ASSERT_TRUE(deployed.ok()) << deployed.status();
    ASSERT_TRUE((*deployed)->SetInput(0, m.data).ok());
    ASSERT_TRUE((*deployed)->Run().ok());
    EXPECT_EQ(MaxDiff(*(*deployed)->GetOutput(0), *got), 0.0);
  }
}

TEST(GraphCompilerTest, FullSizeResNetMatchesTheReferenceInterpreter) {
  // The real input size: 224x224, 8.18 GFLOP, all 23 conv workloads.
  auto bytes = frontend::GenerateResNet50V2({});
  ASSERT_TRUE(bytes.ok());
  auto g = frontend::ImportOnnxBytes(*bytes);
  ASSERT_TRUE(g.ok()) << g.status();
  auto data = NDArray::Empty({1, 3, 224, 224}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::sin(0.001 * i);
  auto want = graph::Evaluate(*g, {{"data", *data}});
  ASSERT_TRUE(want.ok()) << want.status();
  const targets::Target target = ir::ops::testing::RunnableTargets().back();
  auto compiled = CompileGraph(*g, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  auto model = BuildJitModel(*compiled, target);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(model->executor->SetInput("data", *data).ok());
  ASSERT_TRUE(model->executor->Run().ok());
  const NDArray got = *model->executor->GetOutput(0);
  EXPECT_LE(MaxDiff(got, (*want)[0]), 1e-4 * MaxAbs((*want)[0])) << target.ToString();
}

TEST(GraphCompilerTest, ResNetCompilesForAvx512) {
  // Runs only where the host has AVX-512; object code is checked everywhere.
  Model m = SmallResNet();
  const targets::Target target = ir::ops::testing::Avx512Target();
  auto compiled = CompileGraph(m.graph, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  auto object = EmitObject(compiled->kernels, target);
  ASSERT_TRUE(object.ok()) << object.status();
  EXPECT_GT(object->size(), 10000u);
}

TEST(GraphCompilerTest, NodesWithoutKernelsAreNamedInTheError) {
  graph::Graph g;
  const int x = g.AddInput("x", {runtime::DType::kInt64, {4, 3}});
  const int y = g.AddValue("y", {runtime::DType::kInt64, {4}});
  // Integer means round: the reference computes them, kernels do not.
  g.AddNode(graph::Node{"average", "reduce_mean", {x}, {y},
                        {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}});
  g.SetOutputs({y});
  auto compiled = CompileGraph(g, ir::ops::testing::RunnableTargets()[0]);
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(compiled.status().message().find(
                "node 'average' (reduce_mean): no compiled kernel for (int64) -> (int64)"),
            std::string::npos)
      << compiled.status();
}

// Each output slot takes the graph's name for that output, not its value's.
TEST(GraphCompilerTest, InputsThatAreOutputsAreCopiedUnderTheirOutputNames) {
  graph::Graph g;
  const int x = g.AddInput("x", {runtime::DType::kFloat32, {5}});
  const int y = g.AddValue("y", {runtime::DType::kFloat32, {5}});
  g.AddNode(graph::Node{"double", "add", {x, x}, {y}, {}});
  g.SetOutputs({y, x, y}, {"doubled", "same", "doubled_again"});
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = CompileGraph(g, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  auto model = BuildJitModel(*compiled, target);
  ASSERT_TRUE(model.ok()) << model.status();
  auto in = NDArray::Empty({5}, runtime::DType::kFloat32);
  for (int i = 0; i < 5; ++i) in->data<float>()[i] = i + 0.5f;
  ASSERT_TRUE(model->executor->SetInput("x", *in).ok());
  ASSERT_TRUE(model->executor->Run().ok());
  ASSERT_EQ(model->executor->num_outputs(), 3);
  EXPECT_EQ(model->executor->output(0).name, "doubled");
  EXPECT_EQ(model->executor->output(1).name, "same");
  EXPECT_EQ(model->executor->output(2).name, "doubled_again");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(model->executor->GetOutput(0)->data<float>()[i], 2 * (i + 0.5f));
    EXPECT_EQ(model->executor->GetOutput(1)->data<float>()[i], i + 0.5f);
    EXPECT_EQ(model->executor->GetOutput(2)->data<float>()[i], 2 * (i + 0.5f));
  }
}

// sin(step * i) at flat index i.
NDArray Sine(const std::vector<int64_t>& shape, double step) {
  auto a = NDArray::Empty(shape, runtime::DType::kFloat32);
  for (int64_t i = 0; i < a->NumElements(); ++i) a->data<float>()[i] = std::sin(step * i);
  return *a;
}

// The slot of `plan` named `name`.
const runtime::TensorSlot& SlotNamed(const runtime::ExecutionPlan& plan, const std::string& name) {
  for (const runtime::TensorSlot& t : plan.slots) {
    if (t.name == name) return t;
  }
  ADD_FAILURE() << "no slot " << name;
  return plan.slots[0];
}

// For each runnable target: plans `g` (one input, x), lets `check` look at
// the plan, then runs it on x = `in` and expects the reference's outputs.
void CheckPlanAndRun(const graph::Graph& g, const NDArray& in,
                     const std::function<void(const runtime::ExecutionPlan&)>& check) {
  auto want = graph::Evaluate(g, {{"x", in}});
  ASSERT_TRUE(want.ok()) << want.status();
  for (const targets::Target& target : ir::ops::testing::RunnableTargets()) {
    auto compiled = PlanGraph(g, target);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    check(compiled->plan);
    auto model = BuildJitModel(*compiled, target);
    ASSERT_TRUE(model.ok()) << model.status();
    ASSERT_TRUE(model->executor->SetInput("x", in).ok());
    ASSERT_TRUE(model->executor->Run().ok());
    for (size_t o = 0; o < want->size(); ++o) {
      auto got = model->executor->GetOutput(o);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(got->shape(), (*want)[o].shape());
      EXPECT_LE(MaxDiff(*got, (*want)[o]), 1e-6) << "output " << o << " on " << target.ToString();
    }
  }
}

// Reshapes of intermediates and constants are views of their bytes, no
// step; the storage of a view lives as long as the view is read, while other
// tensors come and go. Reshapes of inputs and into outputs stay copies.
TEST(GraphCompilerTest, ReshapesAreViewsExceptAtTheGraphsEdges) {
  using runtime::DType;
  graph::Graph g;
  const int x = g.AddInput("x", {DType::kFloat32, {4, 6}});
  auto table = NDArray::Empty({3, 8}, DType::kFloat32);
  for (int i = 0; i < 24; ++i) table->data<float>()[i] = 0.25f * i - 2;
  const int k = g.AddConstant("k", *table);
  auto value = [&](const char* name, std::vector<int64_t> shape) {
    return g.AddValue(name, {DType::kFloat32, std::move(shape)});
  };
  auto node = [&](const char* op, std::vector<int> in, int out,
                  absl::flat_hash_map<std::string, graph::AttrValue> attrs = {}) {
    g.AddNode(graph::Node{g.value(out).name, op, std::move(in), {out}, std::move(attrs)});
  };
  auto reshape = [&](int in, const char* name, std::vector<int64_t> shape) {
    const int out = value(name, shape);
    node("reshape", {in}, out, {{"shape", shape}});
    return out;
  };
  const int a = value("a", {4, 6});
  node("relu", {x}, a);
  const int flat = reshape(a, "flat", {24});
  const int wide = reshape(flat, "wide", {2, 12});  // a view of a view
  // Tensors computed while `flat` is held only through its views.
  const int e = value("e", {4, 6}), s = value("s", {4, 6});
  node("exp", {x}, e);
  node("sigmoid", {e}, s);
  const int joined = value("joined", {2, 12});
  node("add", {wide, reshape(s, "s_wide", {2, 12})}, joined);
  const int scaled = value("scaled", {24});
  node("mul", {flat, reshape(k, "k_flat", {24})}, scaled);
  const int x_flat = reshape(x, "x_flat", {24});
  const int shifted = value("shifted", {24});
  node("add", {x_flat, scaled}, shifted);
  g.SetOutputs({joined, shifted, reshape(a, "a_tall", {6, 4})});

  CheckPlanAndRun(g, Sine({4, 6}, 0.7), [](const runtime::ExecutionPlan& plan) {
    int copies = 0;
    for (const runtime::PlanStep& step : plan.steps) {
      copies += step.kind == runtime::PlanStep::Kind::kCopy;
    }
    EXPECT_EQ(copies, 2);  // x_flat, a_tall
    auto slot = [&](const std::string& name) { return SlotNamed(plan, name); };
    EXPECT_EQ(slot("flat").offset, slot("a").offset);
    EXPECT_EQ(slot("wide").offset, slot("a").offset);
    EXPECT_EQ(slot("k_flat").kind, runtime::SlotKind::kConstant);
    EXPECT_EQ(slot("k_flat").offset, slot("k").offset);
  });
}

// Slices that keep one contiguous run of their input (an LSTM step's gates
// of its [1, 4H] product; a row of a [T, N] matrix; rows of a row of a
// view) are views at that run's offset; others, and a slice that is a graph
// output, are kernels.
TEST(GraphCompilerTest, ContiguousSlicesAreViewsAtTheirOffsets) {
  using runtime::DType;
  graph::Graph g;
  const int x = g.AddInput("x", {DType::kFloat32, {5, 12}});
  auto value = [&](const char* name, std::vector<int64_t> shape) {
    return g.AddValue(name, {DType::kFloat32, std::move(shape)});
  };
  auto slice = [&](int in, const char* name, std::vector<int64_t> starts,
                   std::vector<int64_t> ends, std::vector<int64_t> steps) {
    std::vector<int64_t> shape;
    for (size_t d = 0; d < starts.size(); ++d) {
      shape.push_back((ends[d] - starts[d] + steps[d] - (steps[d] > 0 ? 1 : -1)) / steps[d]);
    }
    const int out = value(name, shape);
    graph::Node n{name, "slice", {in}, {out}, {}};
    graph::SliceAttrs{starts, ends, steps}.Write(n);
    g.AddNode(n);
    return out;
  };
  const int a = value("a", {5, 12});
  g.AddNode(graph::Node{"a", "tanh", {x}, {a}, {}});
  const int row = slice(a, "row", {3, 0}, {4, 12}, {1, 1});          // view, offset 36
  const int gate = slice(row, "gate", {0, 8}, {1, 12}, {1, 1});       // view of a view, 44
  const int rows = slice(a, "rows", {1, 0}, {3, 12}, {1, 1});         // view, offset 12
  const int cols = slice(a, "cols", {0, 2}, {5, 6}, {1, 1});          // a kernel
  const int tail = slice(a, "tail", {4, 1}, {5, 12}, {1, 2});         // a kernel (step 2)
  auto op = [&](const char* opname, std::vector<int> in, const char* name,
                std::vector<int64_t> shape) {
    const int out = value(name, shape);
    g.AddNode(graph::Node{name, opname, std::move(in), {out}, {}});
    return out;
  };
  g.SetOutputs({op("exp", {gate}, "gate_exp", {1, 4}), op("neg", {rows}, "rows_neg", {2, 12}),
                op("abs", {cols}, "cols_abs", {5, 4}), op("relu", {tail}, "tail_relu", {1, 6}),
                slice(a, "out_row", {2, 0}, {3, 12}, {1, 1})});

  CheckPlanAndRun(g, Sine({5, 12}, 0.3), [](const runtime::ExecutionPlan& plan) {
    auto slot = [&](const std::string& name) { return SlotNamed(plan, name); };
    EXPECT_EQ(slot("row").offset, slot("a").offset + 36 * 4);
    EXPECT_EQ(slot("gate").offset, slot("a").offset + 44 * 4);
    EXPECT_EQ(slot("rows").offset, slot("a").offset + 12 * 4);
    EXPECT_EQ(plan.steps.size(), 8u);  // tanh, cols, tail, out_row and the four consumers
  });
}

// Elementwise consumers of a convolution's output run in its store when
// nothing else reads that output (direct, Winograd and depthwise kernels,
// with scalar and full-shape operands), and the model still matches the
// reference, on channels and sizes no vector divides.
TEST(GraphCompilerTest, ElementwiseConsumersRunInTheConvolutionsStore) {
  frontend::ModelBuilder b("post_ops", 13, 5);
  b.AddInput("x", {1, 5, 26, 23});
  b.AddInput("shift", {1, 24, 13, 12});
  const std::string raw = b.Conv("x", "conv0", frontend::ConvSpec(5, 24, {3, 3}).Pad(1).Bias());
  // SiLU of a conv whose raw output is also a graph output: not fused.
  const std::string silu = b.Apply("Mul", {raw, b.Apply("Sigmoid", {raw}, "sig")}, "silu");
  // GELU after a 3x3 stride-1 conv large enough for Winograd.
  const std::string wino = b.Conv(silu, "conv1", frontend::ConvSpec(24, 24, {3, 3}).Pad(1));
  const std::string gelu = b.Gelu(wino, "gelu");
  // A scalar and a full-shape operand after a depthwise conv.
  const std::string dw =
      b.Conv(gelu, "dw", frontend::ConvSpec(24, 24, {3, 3}).Pad(1).Stride(2).Group(24).Bias());
  const std::string scaled = b.Apply("Mul", {dw, b.Scalar("half", 0.5f)}, "scaled");
  b.Apply("Add", {scaled, "shift"}, "y");
  b.AddOutput("y", {1, 24, 13, 12});
  b.AddOutput(raw, {1, 24, 26, 23});
  auto bytes = b.Serialize();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto g = frontend::ImportOnnxBytes(*bytes);
  ASSERT_TRUE(g.ok()) << g.status();
  auto x = NDArray::Empty({1, 5, 26, 23}, runtime::DType::kFloat32);
  auto shift = NDArray::Empty({1, 24, 13, 12}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < x->NumElements(); ++i) x->data<float>()[i] = std::sin(0.37 * i);
  for (int64_t i = 0; i < shift->NumElements(); ++i) shift->data<float>()[i] = std::cos(0.11 * i);
  const absl::flat_hash_map<std::string, NDArray> inputs = {{"x", *x}, {"shift", *shift}};
  auto want = graph::Evaluate(*g, inputs);
  ASSERT_TRUE(want.ok()) << want.status();
  for (const targets::Target& target : ir::ops::testing::RunnableTargets()) {
    const graph::Graph optimized = Optimized(*g, target);
    int fused = 0, winograd = 0, elementwise = 0;
    for (const graph::Node& n : optimized.nodes()) {
      fused += graph::HasPostOps(n);
      winograd += n.op == "conv2d_winograd_nchwc" && graph::HasPostOps(n);
      elementwise += n.op == "fused_elementwise";
    }
    EXPECT_EQ(fused, 2) << optimized.ToString();
    EXPECT_EQ(winograd, 1) << optimized.ToString();
    EXPECT_EQ(elementwise, 1) << optimized.ToString();  // the SiLU
    auto reference = graph::Evaluate(optimized, inputs);
    ASSERT_TRUE(reference.ok()) << reference.status();

    const std::vector<NDArray> got = CompileAndRun(*g, target, inputs);
    ASSERT_EQ(got.size(), 2u);
    for (int o = 0; o < 2; ++o) {
      ASSERT_EQ(got[o].shape(), (*want)[o].shape());
      EXPECT_LE(MaxDiff((*reference)[o], (*want)[o]), 1e-5 * MaxAbs((*want)[o])) << o;
      EXPECT_LE(MaxDiff(got[o], (*want)[o]), 1e-4 * MaxAbs((*want)[o]))
          << "output " << o << " on " << target.ToString();
    }
  }
}

// A transformer's feed-forward block: each MatMul's bias add, GELU and
// residual add run in the dense kernel's store, through the reshapes from
// [1, M, N] to the kernel's [M, N] and back; GELU's chain, whose input its
// division and its product both read, first fuses with the bias add.
TEST(GraphCompilerTest, ElementwiseConsumersRunInTheDenseStoreThroughReshapes) {
  frontend::ModelBuilder b("feed_forward", 13, 9);
  b.AddInput("x", {1, 6, 20});
  const std::string hidden = b.Gelu(b.Linear("x", "up", 20, 36), "gelu");
  const std::string down = b.Linear(hidden, "down", 36, 20);
  b.Apply("Add", {down, "x"}, "y");
  b.AddOutput("y", {1, 6, 20});
  auto bytes = b.Serialize();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto g = frontend::ImportOnnxBytes(*bytes);
  ASSERT_TRUE(g.ok()) << g.status();
  auto x = NDArray::Empty({1, 6, 20}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < x->NumElements(); ++i) x->data<float>()[i] = std::sin(0.61 * i);
  const absl::flat_hash_map<std::string, NDArray> inputs = {{"x", *x}};
  auto want = graph::Evaluate(*g, inputs);
  ASSERT_TRUE(want.ok()) << want.status();
  for (const targets::Target& target : ir::ops::testing::RunnableTargets()) {
    const graph::Graph optimized = Optimized(*g, target);
    int fused = 0, elementwise = 0;
    for (const graph::Node& n : optimized.nodes()) {
      fused += n.op == "dense" && graph::HasPostOps(n);
      elementwise += n.op != "dense" && n.op != "reshape";
    }
    EXPECT_EQ(fused, 2) << optimized.ToString();
    EXPECT_EQ(elementwise, 0) << optimized.ToString();
    auto reference = graph::Evaluate(optimized, inputs);
    ASSERT_TRUE(reference.ok()) << reference.status();
    EXPECT_LE(MaxDiff((*reference)[0], (*want)[0]), 1e-5 * MaxAbs((*want)[0]));
    const std::vector<NDArray> got = CompileAndRun(*g, target, inputs);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].shape(), (*want)[0].shape());
    EXPECT_LE(MaxDiff(got[0], (*want)[0]), 1e-4 * MaxAbs((*want)[0])) << target.ToString();
  }
}

// A node whose outputs hold no element needs no kernel: the model compiles,
// runs, and gives the empty outputs alongside the others.
TEST(GraphCompilerTest, NodesWithOnlyEmptyOutputsRunNothing) {
  graph::Graph g;
  const int x = g.AddInput("x", {runtime::DType::kFloat32, {3, 4}});
  const int none = g.AddValue("none", {runtime::DType::kFloat32, {0, 4}});
  const int doubled = g.AddValue("doubled", {runtime::DType::kFloat32, {3, 4}});
  g.AddNode(graph::Node{"past_the_end", "slice", {x}, {none},
                        {{"starts", std::vector<int64_t>{3, 0}},
                         {"ends", std::vector<int64_t>{3, 4}},
                         {"steps", std::vector<int64_t>{1, 1}}}});
  g.AddNode(graph::Node{"double", "add", {x, x}, {doubled}, {}});
  g.SetOutputs({none, doubled});
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = CompileGraph(g, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(compiled->plan.steps.size(), 1u);
  auto model = BuildJitModel(*compiled, target);
  ASSERT_TRUE(model.ok()) << model.status();
  auto in = NDArray::Empty({3, 4}, runtime::DType::kFloat32);
  for (int i = 0; i < 12; ++i) in->data<float>()[i] = i;
  ASSERT_TRUE(model->executor->SetInput("x", *in).ok());
  ASSERT_TRUE(model->executor->Run().ok());
  auto empty = model->executor->GetOutput(0);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->shape(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(model->executor->GetOutput(1)->data<float>()[11], 22.0f);
}

// A model whose run-time values are int64 and float64 throughout: token ids
// gathered from a float64 table, scaled and summed per row, the running
// total cast to int64 and offset, its argmax, and the ids compared and
// selected with where, fused where the passes fuse. Every kernel compiles
// and the outputs are the reference interpreter's.
TEST(GraphCompilerTest, Int64AndFloat64PathsCompileAndMatchTheReference) {
  using runtime::DType;
  graph::Graph g;
  const int ids = g.AddInput("ids", {DType::kInt64, {3, 5}});
  const int scale = g.AddInput("scale", {DType::kFloat64, {7}});
  auto table = NDArray::Empty({11, 7}, DType::kFloat64);
  for (int64_t i = 0; i < table->NumElements(); ++i) {
    table->data<double>()[i] = std::sin(0.37 * i) * 1e3 + 1e-9 * i;
  }
  auto offset = NDArray::Empty({1}, DType::kInt64);
  offset->data<int64_t>()[0] = int64_t{1} << 40;  // beyond float32's integers
  auto three = NDArray::Empty({}, DType::kInt64);
  three->data<int64_t>()[0] = 3;
  const int weights = g.AddConstant("table", *table);
  const int bias = g.AddConstant("offset", *offset);
  const int threshold = g.AddConstant("threshold", *three);
  auto value = [&](const char* name, DType t, std::vector<int64_t> shape) {
    return g.AddValue(name, {t, std::move(shape)});
  };
  const int rows = value("rows", DType::kFloat64, {3, 5, 7});
  const int scaled = value("scaled", DType::kFloat64, {3, 5, 7});
  const int sums = value("sums", DType::kFloat64, {3, 5});
  const int whole = value("whole", DType::kInt64, {3, 5});
  const int shifted = value("shifted", DType::kInt64, {3, 5});
  const int best = value("best", DType::kInt64, {3});
  const int big = value("big", DType::kBool, {3, 5});
  const int picked = value("picked", DType::kInt64, {3, 5});
  g.AddNode(graph::Node{"lookup", "gather", {weights, ids}, {rows}, {{"axis", int64_t{0}}}});
  g.AddNode(graph::Node{"scale", "mul", {rows, scale}, {scaled}, {}});
  g.AddNode(graph::Node{"sum", "reduce_sum", {scaled}, {sums},
                        {{"axes", std::vector<int64_t>{2}}, {"keepdims", int64_t{0}}}});
  g.AddNode(graph::Node{"whole", "cast", {sums}, {whole}, {{"to", std::string("int64")}}});
  g.AddNode(graph::Node{"shift", "add", {whole, bias}, {shifted}, {}});
  g.AddNode(graph::Node{"best", "argmax", {shifted}, {best},
                        {{"axis", int64_t{1}}, {"keepdims", int64_t{0}}}});
  g.AddNode(graph::Node{"big", "greater", {ids, threshold}, {big}, {}});
  g.AddNode(graph::Node{"pick", "where", {big, ids, shifted}, {picked}, {}});
  g.SetOutputs({shifted, best, picked});

  auto id_values = NDArray::Empty({3, 5}, DType::kInt64);
  for (int64_t i = 0; i < 15; ++i) id_values->data<int64_t>()[i] = (i * 7) % 11 - (i % 4 == 0 ? 11 : 0);
  auto scale_values = NDArray::Empty({7}, DType::kFloat64);
  for (int64_t i = 0; i < 7; ++i) scale_values->data<double>()[i] = 0.5 + 0.25 * i;
  auto want = graph::Evaluate(g, {{"ids", *id_values}, {"scale", *scale_values}});
  ASSERT_TRUE(want.ok()) << want.status();
  for (const targets::Target& target : ir::ops::testing::RunnableTargets()) {
    auto compiled = CompileGraph(g, target);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    EXPECT_GE(compiled->kernels.size(), 4u);
    auto model = BuildJitModel(*compiled, target);
    ASSERT_TRUE(model.ok()) << model.status();
    ASSERT_TRUE(model->executor->SetInput("ids", *id_values).ok());
    ASSERT_TRUE(model->executor->SetInput("scale", *scale_values).ok());
    ASSERT_TRUE(model->executor->Run().ok());
    for (int o = 0; o < 3; ++o) {
      auto got = model->executor->GetOutput(o);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(got->dtype(), DType::kInt64);
      ASSERT_EQ(got->shape(), (*want)[o].shape());
      for (int64_t i = 0; i < got->NumElements(); ++i) {
        EXPECT_EQ(got->data<int64_t>()[i], (*want)[o].data<int64_t>()[i])
            << "output " << o << " element " << i << " on " << target.ToString();
      }
    }
  }
}

}  // namespace
}  // namespace kiln::codegen
