// Small ONNX models built here, imported and run: the semantics of old and
// new versions of operators (opsets 1 to 21), the names of graph outputs
// through the compiled path, and the errors for what kiln refuses.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "codegen/graph_compiler.h"
#include "frontend/onnx_importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {
namespace {

using graph::NDArray;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// One graph of float32 tensors at one opset of the default domain.
class Model {
 public:
  explicit Model(int opset) {
    proto_.set_ir_version(7);
    proto_.add_opset_import()->set_version(opset);
  }

  void Input(const std::string& name, std::initializer_list<int64_t> shape) {
    auto* dims = AddTensorType(graph()->add_input(), name);
    for (int64_t d : shape) dims->add_dim()->set_dim_value(d);
  }
  // An input whose first dimension is the symbol `param`.
  void SymbolicInput(const std::string& name, const std::string& param,
                     std::initializer_list<int64_t> rest) {
    auto* dims = AddTensorType(graph()->add_input(), name);
    dims->add_dim()->set_dim_param(param);
    for (int64_t d : rest) dims->add_dim()->set_dim_value(d);
  }
  void Output(const std::string& name) { graph()->add_output()->set_name(name); }

  void Floats(const std::string& name, std::vector<int64_t> shape, std::vector<float> data) {
    onnx::TensorProto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) t->add_dims(d);
    for (float v : data) t->add_float_data(v);
  }
  void Ints(const std::string& name, std::vector<int64_t> data) {
    onnx::TensorProto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(data.size());
    for (int64_t v : data) t->add_int64_data(v);
  }

  onnx::NodeProto* Node(const std::string& op, std::initializer_list<std::string> inputs,
                        std::initializer_list<std::string> outputs) {
    onnx::NodeProto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(op);
    for (const auto& in : inputs) n->add_input(in);
    for (const auto& out : outputs) n->add_output(out);
    return n;
  }

  std::string Bytes() const { return proto_.SerializeAsString(); }

 private:
  onnx::GraphProto* graph() { return proto_.mutable_graph(); }
  static onnx::TensorShapeProto* AddTensorType(onnx::ValueInfoProto* info,
                                               const std::string& name) {
    info->set_name(name);
    auto* tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    return tensor->mutable_shape();
  }

  onnx::ModelProto proto_;
};

onnx::AttributeProto* Attr(onnx::NodeProto* n, const std::string& name,
                           onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}
void SetInt(onnx::NodeProto* n, const std::string& name, int64_t v) {
  Attr(n, name, onnx::AttributeProto::INT)->set_i(v);
}
void SetFloat(onnx::NodeProto* n, const std::string& name, float v) {
  Attr(n, name, onnx::AttributeProto::FLOAT)->set_f(v);
}
void SetString(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  Attr(n, name, onnx::AttributeProto::STRING)->set_s(v);
}
void SetInts(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = Attr(n, name, onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void SetFloats(onnx::NodeProto* n, const std::string& name, std::vector<float> v) {
  auto* a = Attr(n, name, onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}

NDArray Array(std::vector<int64_t> shape, std::vector<float> data) {
  NDArray a = *NDArray::Empty(shape, runtime::DType::kFloat32);
  for (size_t i = 0; i < data.size(); ++i) a.data<float>()[i] = data[i];
  return a;
}

std::vector<float> Values(const NDArray& a) {
  return std::vector<float>(a.data<float>(), a.data<float>() + a.NumElements());
}

using Inputs = absl::flat_hash_map<std::string, NDArray>;

// Output 0 of the model run by the reference interpreter, and compiled where
// kiln compiles all of its operators (unset otherwise).
struct Runs {
  NDArray reference;
  std::optional<NDArray> compiled;
};

absl::StatusOr<Runs> RunBoth(const Model& m, const Inputs& inputs) {
  auto g = ImportOnnxBytes(m.Bytes());
  if (!g.ok()) return g.status();
  auto want = graph::Evaluate(*g, inputs);
  if (!want.ok()) return want.status();
  Runs runs{(*want)[0], std::nullopt};
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = codegen::CompileGraph(*g, target);
  if (compiled.status().code() == absl::StatusCode::kUnimplemented) return runs;
  if (!compiled.ok()) return compiled.status();
  auto model = codegen::BuildJitModel(*compiled, target);
  if (!model.ok()) return model.status();
  for (const auto& [name, value] : inputs) {
    if (auto st = model->executor->SetInput(name, value); !st.ok()) return st;
  }
  if (auto st = model->executor->Run(); !st.ok()) return st;
  auto got = model->executor->GetOutput(0);
  if (!got.ok()) return got.status();
  runs.compiled = *got;
  return runs;
}

// Output 0 of the model run by the reference interpreter on input "x",
// after checking that the compiled model computes the same where kiln
// compiles its operators.
absl::StatusOr<NDArray> Evaluate(const Model& m, const NDArray& x) {
  auto runs = RunBoth(m, {{"x", x}});
  if (!runs.ok()) return runs.status();
  const NDArray& y = runs->reference;
  const std::optional<NDArray>& got = runs->compiled;
  if (got && (got->shape() != y.shape() || got->NumBytes() != y.NumBytes() ||
              std::memcmp(got->raw_data(), y.raw_data(), y.NumBytes()) != 0)) {
    return absl::InternalError("the compiled model disagrees with the reference interpreter");
  }
  return y;
}

// ---- opsets 1-6 ----

TEST(OnnxModelsTest, LegacyBroadcastAlignsBAtAxisOrWithTheLastAxes) {
  const NDArray x = Array({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  Model at_axis(6);
  at_axis.Input("x", {2, 3, 2});
  at_axis.Floats("b", {3}, {100, 200, 300});
  auto* add = at_axis.Node("Add", {"x", "b"}, {"y"});
  SetInt(add, "broadcast", 1);
  SetInt(add, "axis", 1);
  at_axis.Output("y");
  auto y = Evaluate(at_axis, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y),
              ElementsAre(100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311));

  Model suffix(6);
  suffix.Input("x", {2, 3, 2});
  suffix.Floats("b", {2}, {100, 200});
  SetInt(suffix.Node("Sub", {"x", "b"}, {"y"}), "broadcast", 1);
  suffix.Output("y");
  y = Evaluate(suffix, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y), ElementsAre(-100, -199, -98, -197, -96, -195, -94, -193, -92, -191,
                                      -90, -189));

  Model without(6);
  without.Input("x", {2, 3, 2});
  without.Floats("b", {2}, {100, 200});
  without.Node("Mul", {"x", "b"}, {"y"});
  without.Output("y");
  y = Evaluate(without, x);
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(y.status().message(), HasSubstr("broadcast is not 1"));
}

TEST(OnnxModelsTest, LegacyPReluSlopeHasOneValuePerChannel) {
  Model m(6);
  m.Input("x", {1, 2, 2});
  m.Floats("slope", {2}, {0.5, 0.25});
  m.Node("PRelu", {"x", "slope"}, {"y"});
  m.Output("y");
  auto y = Evaluate(m, Array({1, 2, 2}, {-4, 4, -8, 8}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y), ElementsAre(-2, 4, -2, 8));
}

// ONNX's default for is_test is 0 (training) before opset 7.
TEST(OnnxModelsTest, TrainingModeBeforeOpset7IsRefusedByName) {
  const NDArray x = Array({1, 2, 1, 1}, {1, 2});
  for (bool is_test : {false, true}) {
    Model dropout(6);
    dropout.Input("x", {1, 2, 1, 1});
    auto* n = dropout.Node("Dropout", {"x"}, {"y"});
    if (is_test) SetInt(n, "is_test", 1);
    dropout.Output("y");
    auto y = Evaluate(dropout, x);
    if (is_test) {
      ASSERT_TRUE(y.ok()) << y.status();
      EXPECT_THAT(Values(*y), ElementsAre(1, 2));
    } else {
      EXPECT_EQ(y.status().code(), absl::StatusCode::kUnimplemented);
      EXPECT_THAT(y.status().message(), HasSubstr("training-mode dropout (is_test=0"));
    }
  }
  for (const char* attrs : {"", "is_test", "is_test spatial=0"}) {
    Model bn(6);
    bn.Input("x", {1, 2, 1, 1});
    bn.Floats("scale", {2}, {1, 1});
    bn.Floats("bias", {2}, {0, 1});
    bn.Floats("mean", {2}, {0, 0});
    bn.Floats("var", {2}, {1, 1});
    auto* n = bn.Node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y"});
    SetInts(n, "consumed_inputs", {0, 0, 0, 1, 1});
    if (std::string(attrs) != "") SetInt(n, "is_test", 1);
    if (std::string(attrs) == "is_test spatial=0") SetInt(n, "spatial", 0);
    bn.Output("y");
    auto y = Evaluate(bn, x);
    if (std::string(attrs) == "") {
      EXPECT_THAT(y.status().message(), HasSubstr("training-mode batch normalization (is_test=0"));
    } else if (std::string(attrs) == "is_test") {
      ASSERT_TRUE(y.ok()) << y.status();
      EXPECT_NEAR(Values(*y)[1], 2 / std::sqrt(1 + 1e-5) + 1, 1e-5);
    } else {
      EXPECT_THAT(y.status().message(), HasSubstr("spatial=0"));
    }
  }
}

// The mask of a Dropout at inference keeps everything.
TEST(OnnxModelsTest, DropoutMaskIsAllOnesOfItsOpsetsType) {
  for (int opset : {7, 13}) {
    Model m(opset);
    m.Input("x", {2});
    m.Node("Dropout", {"x"}, {"y", "mask"});
    m.Output("mask");
    auto g = ImportOnnxBytes(m.Bytes());
    ASSERT_TRUE(g.ok()) << g.status();
    auto out = graph::Evaluate(*g, {{"x", Array({2}, {3, 4})}});
    ASSERT_TRUE(out.ok()) << out.status();
    const NDArray& mask = (*out)[0];
    if (opset == 7) {
      EXPECT_THAT(Values(mask), ElementsAre(1, 1));
    } else {
      ASSERT_EQ(mask.dtype(), runtime::DType::kBool);
      EXPECT_EQ(mask.data<uint8_t>()[0], 1);
      EXPECT_EQ(mask.data<uint8_t>()[1], 1);
    }
  }
}

TEST(OnnxModelsTest, CastBeforeOpset6NamesTheType) {
  Model m(5);
  m.Input("x", {2});
  SetString(m.Node("Cast", {"x"}, {"y"}), "to", "INT32");
  m.Output("y");
  auto y = Evaluate(m, Array({2}, {1.75, -2.5}));
  ASSERT_TRUE(y.ok()) << y.status();
  ASSERT_EQ(y->dtype(), runtime::DType::kInt32);
  EXPECT_EQ(y->data<int32_t>()[0], 1);
  EXPECT_EQ(y->data<int32_t>()[1], -2);
}

TEST(OnnxModelsTest, SplitOfOpset1TakesItsSizesFromAnInput) {
  Model m(1);
  m.Input("x", {3});
  m.Ints("sizes", {1, 2});
  m.Node("Split", {"x", "sizes"}, {"a", "b"});
  m.Output("b");
  auto b = Evaluate(m, Array({3}, {1, 2, 3}));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(Values(*b), ElementsAre(2, 3));
}

TEST(OnnxModelsTest, GemmBeforeOpset7BroadcastsCOnlyWhenAsked) {
  for (int broadcast : {0, 1}) {
    Model m(6);
    m.Input("x", {1, 2});
    m.Floats("w", {2, 2}, {1, 0, 0, 1});
    m.Floats("c", {2}, {10, 20});
    SetInt(m.Node("Gemm", {"x", "w", "c"}, {"y"}), "broadcast", broadcast);
    m.Output("y");
    auto y = Evaluate(m, Array({1, 2}, {1, 2}));
    if (broadcast) {
      ASSERT_TRUE(y.ok()) << y.status();
      EXPECT_THAT(Values(*y), ElementsAre(11, 22));
    } else {
      EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(y.status().message(), HasSubstr("broadcast is not 1"));
    }
  }
}

// ---- Upsample and Resize-10: coordinates out / scale ----

TEST(OnnxModelsTest, UpsampleAtEveryVersion) {
  const NDArray x = Array({1, 1, 2, 2}, {1, 2, 3, 4});
  const std::vector<float> nearest = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
  Model v1(1);
  v1.Input("x", {1, 1, 2, 2});
  auto* n = v1.Node("Upsample", {"x"}, {"y"});
  SetFloat(n, "height_scale", 2);
  SetFloat(n, "width_scale", 2);
  v1.Output("y");
  auto y = Evaluate(v1, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y), ElementsAreArray(nearest));

  Model v7(7);
  v7.Input("x", {1, 1, 2, 2});
  SetFloats(v7.Node("Upsample", {"x"}, {"y"}), "scales", {1, 1, 2, 2});
  v7.Output("y");
  y = Evaluate(v7, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y), ElementsAreArray(nearest));

  // Linear: source x / 2, clamped to the last pixel.
  Model v9(9);
  v9.Input("x", {1, 1, 2, 2});
  v9.Floats("scales", {4}, {1, 1, 1, 2});
  SetString(v9.Node("Upsample", {"x", "scales"}, {"y"}), "mode", "linear");
  v9.Output("y");
  y = Evaluate(v9, x);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y), ElementsAre(1, 1.5, 2, 2, 3, 3.5, 4, 4));

  Model shrink(7);
  shrink.Input("x", {1, 1, 2, 2});
  SetFloats(shrink.Node("Upsample", {"x"}, {"y"}), "scales", {1, 1, 0.5, 1});
  shrink.Output("y");
  EXPECT_THAT(Evaluate(shrink, x).status().message(), HasSubstr("scale 0.5 is below 1"));

  Model v10(10);
  v10.Input("x", {1, 1, 2, 2});
  v10.Floats("scales", {4}, {1, 1, 2, 2});
  v10.Node("Upsample", {"x", "scales"}, {"y"});
  v10.Output("y");
  y = Evaluate(v10, x);
  EXPECT_EQ(y.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(y.status().message(), HasSubstr("ONNX deprecated at opset 10"));
}

// Nearest picks the ceiling when shrinking, as ONNX Runtime does.
TEST(OnnxModelsTest, Resize10ShrinksWithTheCeiling) {
  Model m(10);
  m.Input("x", {1, 1, 1, 5});
  m.Floats("scales", {4}, {1, 1, 1, 0.6f});
  m.Node("Resize", {"x", "scales"}, {"y"});
  m.Output("y");
  auto y = Evaluate(m, Array({1, 1, 1, 5}, {0, 1, 2, 3, 4}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y), ElementsAre(0, 2, 4));
}

// ---- opsets 18-21 ----

TEST(OnnxModelsTest, Resize18ScalesOnlyTheGivenAxes) {
  Model m(18);
  m.Input("x", {1, 1, 1, 2});
  m.Floats("scales", {1}, {2});
  SetInts(m.Node("Resize", {"x", "", "scales"}, {"y"}), "axes", {-1});
  m.Output("y");
  auto y = Evaluate(m, Array({1, 1, 1, 2}, {1, 2}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(Values(*y), ElementsAre(1, 1, 2, 2));

  for (const char* refused : {"antialias", "keep_aspect_ratio_policy"}) {
    Model r(18);
    r.Input("x", {1, 1, 1, 2});
    r.Ints("sizes", {1, 1, 1, 4});
    auto* n = r.Node("Resize", {"x", "", "", "sizes"}, {"y"});
    if (std::string(refused) == "antialias") {
      SetInt(n, "antialias", 1);
    } else {
      SetString(n, "keep_aspect_ratio_policy", "not_larger");
    }
    r.Output("y");
    auto status = Evaluate(r, Array({1, 1, 1, 2}, {1, 2})).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
    EXPECT_THAT(status.message(), HasSubstr(refused));
  }
}

TEST(OnnxModelsTest, Pad18PadsOnlyTheGivenAxes) {
  Model m(18);
  m.Input("x", {1, 2});
  m.Ints("pads", {1, 2});
  m.Ints("axes", {1});
  m.Node("Pad", {"x", "pads", "", "axes"}, {"y"});
  m.Output("y");
  auto y = Evaluate(m, Array({1, 2}, {5, 6}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_THAT(y->shape(), ElementsAre(1, 5));
  EXPECT_THAT(Values(*y), ElementsAre(0, 5, 6, 0, 0));
}

// Reductions take their axes from an attribute before opset 18 and from an
// input since; noop_with_empty_axes then makes "no axes" the identity rather
// than a reduction over everything.
TEST(OnnxModelsTest, ReductionAxesFromAttributeOrInput) {
  const NDArray x = Array({2, 2}, {3, 4, -6, 8});
  struct Case {
    int opset;
    std::string op;
    std::vector<int64_t> axes;  // an attribute before 18, an input since
    bool axes_given;
    int64_t keepdims;
    int64_t noop;
    std::vector<int64_t> shape;
    std::vector<float> want;
  };
  const std::vector<Case> cases = {
      {11, "ReduceL1", {0}, true, 1, 0, {1, 2}, {9, 12}},
      {13, "ReduceL2", {-1}, true, 0, 0, {2}, {5, 10}},
      {13, "ReduceProd", {}, false, 1, 0, {1, 1}, {-576}},
      {18, "ReduceL2", {-1}, true, 0, 0, {2}, {5, 10}},
      {18, "ReduceSumSquare", {}, true, 1, 0, {1, 1}, {125}},
      {18, "ReduceProd", {}, false, 0, 0, {}, {-576}},
      {18, "ReduceProd", {}, false, 1, 1, {2, 2}, {3, 4, -6, 8}},
      {18, "ReduceLogSumExp", {}, true, 1, 1, {2, 2}, {3, 4, -6, 8}},
  };
  for (const Case& c : cases) {
    const std::string what = c.op + "-" + std::to_string(c.opset);
    Model m(c.opset);
    m.Input("x", {2, 2});
    onnx::NodeProto* n;
    if (c.opset < 18) {
      n = m.Node(c.op, {"x"}, {"y"});
      if (c.axes_given) SetInts(n, "axes", c.axes);
    } else if (c.axes_given) {
      m.Ints("axes", c.axes);
      n = m.Node(c.op, {"x", "axes"}, {"y"});
    } else {
      n = m.Node(c.op, {"x"}, {"y"});
    }
    SetInt(n, "keepdims", c.keepdims);
    if (c.noop) SetInt(n, "noop_with_empty_axes", 1);
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << what << ": " << y.status();
    EXPECT_EQ(y->shape(), c.shape) << what;
    EXPECT_THAT(Values(*y), ElementsAreArray(c.want)) << what;
  }
}

// Over an empty axis each reduction gives its identity: kiln computes it on
// the reference path and does not try to compile it.
TEST(OnnxModelsTest, ReductionsOverAnEmptyAxisGiveTheirIdentity) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<std::pair<std::string, float>> cases = {
      {"ReduceSum", 0},          {"ReduceProd", 1},  {"ReduceL1", 0},
      {"ReduceL2", 0},           {"ReduceSumSquare", 0}, {"ReduceLogSum", -inf},
      {"ReduceLogSumExp", -inf}, {"ReduceMin", inf},  {"ReduceMax", -inf},
  };
  for (const auto& [op, identity] : cases) {
    Model m(13);
    m.Input("x", {2, 0});
    auto* n = m.Node(op, {"x"}, {"y"});
    // ReduceSum takes its axes from an input since opset 13.
    if (op == "ReduceSum") {
      m.Ints("axes", {1});
      n->add_input("axes");
    } else {
      SetInts(n, "axes", {1});
    }
    SetInt(n, "keepdims", 0);
    m.Output("y");
    auto y = Evaluate(m, Array({2, 0}, {}));
    ASSERT_TRUE(y.ok()) << op << ": " << y.status();
    EXPECT_THAT(Values(*y), ElementsAre(identity, identity)) << op;
  }
}

TEST(OnnxModelsTest, ArgMaxAndArgMinPickTheFirstOrLastIndex) {
  const NDArray x = Array({2, 3}, {1, 5, 5, 7, 7, 0});
  struct Case {
    std::string op;
    int64_t axis, keepdims, last;
    std::vector<int64_t> shape, want;
  };
  const std::vector<Case> cases = {
      {"ArgMax", 1, 1, 0, {2, 1}, {1, 0}},     {"ArgMax", -1, 1, 1, {2, 1}, {2, 1}},
      {"ArgMin", -2, 0, 0, {3}, {0, 0, 1}},    {"ArgMin", 0, 1, 1, {1, 3}, {0, 0, 1}},
      {"ArgMax", 0, 0, 1, {3}, {1, 1, 0}},
  };
  for (const Case& c : cases) {
    const std::string what = c.op + " axis " + std::to_string(c.axis);
    Model m(13);
    m.Input("x", {2, 3});
    auto* n = m.Node(c.op, {"x"}, {"y"});
    SetInt(n, "axis", c.axis);
    SetInt(n, "keepdims", c.keepdims);
    SetInt(n, "select_last_index", c.last);
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << what << ": " << y.status();
    ASSERT_EQ(y->dtype(), runtime::DType::kInt64) << what;
    EXPECT_EQ(y->shape(), c.shape) << what;
    EXPECT_THAT(std::vector<int64_t>(y->data<int64_t>(), y->data<int64_t>() + y->NumElements()),
                ElementsAreArray(c.want))
        << what;
  }
  Model bad(13);
  bad.Input("x", {2, 3});
  SetInt(bad.Node("ArgMax", {"x"}, {"y"}), "axis", 2);
  bad.Output("y");
  auto status = Evaluate(bad, x).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("axis 2 is out of range for rank 2"));
}

std::vector<int64_t> Int64s(const NDArray& a) {
  return std::vector<int64_t>(a.data<int64_t>(), a.data<int64_t>() + a.NumElements());
}

// Size, ConstantOfShape and Range fold to constants at import.
TEST(OnnxModelsTest, SizeConstantOfShapeAndRangeFold) {
  const NDArray x = Array({2, 3}, {1, 2, 3, 4, 5, 6});
  {
    Model m(13);
    m.Input("x", {2, 3});
    m.Node("Size", {"x"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_TRUE(y->shape().empty());
    EXPECT_THAT(Int64s(*y), ElementsAre(6));
  }
  {
    Model m(20);
    m.Input("x", {2, 3});
    m.Ints("shape", {2, 1, 3});
    auto* value = Attr(m.Node("ConstantOfShape", {"shape"}, {"y"}), "value",
                       onnx::AttributeProto::TENSOR)
                      ->mutable_t();
    value->set_data_type(onnx::TensorProto::INT64);
    value->add_dims(1);
    value->add_int64_data(7);
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(y->shape(), ElementsAre(2, 1, 3));
    EXPECT_THAT(Int64s(*y), ElementsAre(7, 7, 7, 7, 7, 7));
  }
  {
    Model m(9);
    m.Input("x", {2, 3});
    m.Ints("shape", {3});
    m.Node("ConstantOfShape", {"shape"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_EQ(y->dtype(), runtime::DType::kFloat32);
    EXPECT_THAT(Values(*y), ElementsAre(0, 0, 0));
  }
  {
    Model m(11);
    m.Input("x", {2, 3});
    m.Floats("start", {}, {1});
    m.Floats("limit", {}, {5});
    m.Floats("delta", {}, {1.5});
    m.Node("Range", {"start", "limit", "delta"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(Values(*y), ElementsAre(1, 2.5, 4));
  }
  {
    Model m(11);
    m.Input("x", {2, 3});
    m.Ints("start", {10});
    m.Ints("limit", {4});
    m.Ints("delta", {-3});
    m.Node("Range", {"start", "limit", "delta"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(Int64s(*y), ElementsAre(10, 7));
  }
}

// Absurd sizes and steps are errors that say so, never allocations.
TEST(OnnxModelsTest, ConstantOfShapeAndRangeRefuseAbsurdRequests) {
  struct Case {
    std::vector<int64_t> shape, start, limit, delta;  // ConstantOfShape when shape is given
    std::string message;
  };
  const std::vector<Case> cases = {
      {{1 << 20, 1 << 20}, {}, {}, {}, "is too large"},
      {{2, -1}, {}, {}, {}, "negative dimension -1"},
      {{}, {0}, {int64_t{1} << 40}, {1}, "kiln folds constants of at most"},
      {{}, {0}, {5}, {0}, "delta is 0"},
  };
  for (const Case& c : cases) {
    Model m(11);
    m.Input("x", {1});
    if (!c.shape.empty()) {
      m.Ints("shape", c.shape);
      m.Node("ConstantOfShape", {"shape"}, {"y"});
    } else {
      m.Ints("start", c.start);
      m.Ints("limit", c.limit);
      m.Ints("delta", c.delta);
      m.Node("Range", {"start", "limit", "delta"}, {"y"});
    }
    m.Output("y");
    auto g = ImportOnnxBytes(m.Bytes());
    ASSERT_FALSE(g.ok()) << c.message;
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument) << g.status();
    EXPECT_THAT(g.status().message(), HasSubstr(c.message));
  }
}

TEST(OnnxModelsTest, TileAndExpand) {
  const NDArray x = Array({2, 1}, {1, 2});
  {
    Model m(13);
    m.Input("x", {2, 1});
    m.Ints("repeats", {2, 3});
    m.Node("Tile", {"x", "repeats"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(y->shape(), ElementsAre(4, 3));
    EXPECT_THAT(Values(*y), ElementsAre(1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2));
  }
  {
    // Tile-1: `tiles` copies along `axis`.
    Model m(1);
    m.Input("x", {2, 1});
    m.Ints("tiles", {2});
    m.Ints("axis", {0});
    m.Node("Tile", {"x", "tiles", "axis"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(y->shape(), ElementsAre(4, 1));
    EXPECT_THAT(Values(*y), ElementsAre(1, 2, 1, 2));
  }
  {
    // Expand to a higher rank, with a 1 in the target that keeps the input's 2.
    Model m(13);
    m.Input("x", {2, 1});
    m.Ints("shape", {2, 1, 3});
    m.Node("Expand", {"x", "shape"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(y->shape(), ElementsAre(2, 2, 3));
    EXPECT_THAT(Values(*y), ElementsAre(1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2));
  }
  for (const auto& [op, ints, message] : std::vector<std::tuple<std::string, std::vector<int64_t>,
                                                                 std::string>>{
           {"Tile", {1 << 20, 1 << 20}, "has more than 2^32 elements"},
           {"Expand", {2, int64_t{1} << 40}, "has more than 2^32 elements"},
           {"Expand", {3, 1}, "cannot broadcast dimension 2 to 3"},
           {"Tile", {2}, "1 repeats for an input of rank 2"},
           {"Tile", {2, -1}, "repeat -1"}}) {
    Model m(13);
    m.Input("x", {2, 1});
    m.Ints("k", ints);
    m.Node(op, {"x", "k"}, {"y"});
    m.Output("y");
    auto g = ImportOnnxBytes(m.Bytes());
    ASSERT_FALSE(g.ok()) << op << " " << message;
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument) << g.status();
    EXPECT_THAT(std::string(g.status().message()), HasSubstr(message));
  }
}

// [1, 8, 1, 2] with blocksize 2: DCR and CRD order the channel blocks
// differently; SpaceToDepth of [1, 1, 4, 4] gathers 2x2 pixels into channels.
TEST(OnnxModelsTest, DepthToSpaceModesAndSpaceToDepth) {
  std::vector<float> iota(16);
  for (int k = 0; k < 16; ++k) iota[k] = k;
  struct Case {
    std::string op, mode;
    std::vector<int64_t> in_shape, out_shape;
    std::vector<float> want;
  };
  const std::vector<Case> cases = {
      {"DepthToSpace", "DCR", {1, 8, 1, 2}, {1, 2, 2, 4},
       {0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15}},
      {"DepthToSpace", "CRD", {1, 8, 1, 2}, {1, 2, 2, 4},
       {0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15}},
      {"SpaceToDepth", "", {1, 1, 4, 4}, {1, 4, 2, 2},
       {0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15}},
  };
  for (const Case& c : cases) {
    Model m(13);
    m.Input("x", {c.in_shape[0], c.in_shape[1], c.in_shape[2], c.in_shape[3]});
    auto* n = m.Node(c.op, {"x"}, {"y"});
    SetInt(n, "blocksize", 2);
    if (!c.mode.empty()) SetString(n, "mode", c.mode);
    m.Output("y");
    auto y = Evaluate(m, Array(c.in_shape, iota));
    ASSERT_TRUE(y.ok()) << c.op << " " << c.mode << ": " << y.status();
    EXPECT_EQ(y->shape(), c.out_shape) << c.op << " " << c.mode;
    EXPECT_THAT(Values(*y), ElementsAreArray(c.want)) << c.op << " " << c.mode;
  }
  Model bad(13);
  bad.Input("x", {1, 6, 1, 1});
  SetInt(bad.Node("DepthToSpace", {"x"}, {"y"}), "blocksize", 2);
  bad.Output("y");
  auto g = ImportOnnxBytes(bad.Bytes());
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("6 channels do not divide"));
  // A blocksize whose square overflows is refused the same way.
  Model huge(13);
  huge.Input("x", {1, 6, 1, 1});
  SetInt(huge.Node("DepthToSpace", {"x"}, {"y"}), "blocksize", int64_t{1} << 32);
  huge.Output("y");
  g = ImportOnnxBytes(huge.Bytes());
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("6 channels do not divide"));
}

TEST(OnnxModelsTest, TriluWithAConstantK) {
  const NDArray x = Array({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  struct Case {
    int64_t upper;
    std::vector<int64_t> k;  // empty: no k input
    std::vector<float> want;
  };
  const std::vector<Case> cases = {
      {1, {}, {1, 2, 3, 0, 5, 6, 0, 0, 9}},
      {1, {1}, {0, 2, 3, 0, 0, 6, 0, 0, 0}},
      {0, {-1}, {0, 0, 0, 4, 0, 0, 7, 8, 0}},
      {0, {5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}},
  };
  for (const Case& c : cases) {
    Model m(14);
    m.Input("x", {3, 3});
    onnx::NodeProto* n;
    if (c.k.empty()) {
      n = m.Node("Trilu", {"x"}, {"y"});
    } else {
      m.Ints("k", c.k);
      n = m.Node("Trilu", {"x", "k"}, {"y"});
    }
    SetInt(n, "upper", c.upper);
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(Values(*y), ElementsAreArray(c.want)) << "upper " << c.upper;
  }
}

TEST(OnnxModelsTest, GatherElementsAlongAnAxis) {
  const NDArray x = Array({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  struct Case {
    int64_t axis;
    std::vector<int64_t> shape, indices;
    std::vector<float> want;
  };
  const std::vector<Case> cases = {
      {0, {2, 3}, {1, 2, 0, 2, 0, 0}, {4, 8, 3, 7, 2, 3}},
      {-1, {3, 2}, {0, 0, 1, -1, 2, 2}, {1, 1, 5, 6, 9, 9}},
  };
  for (const Case& c : cases) {
    Model m(13);
    m.Input("x", {3, 3});
    m.Ints("i", c.indices);
    // Ints makes a 1-D tensor; reshape it to the indices' shape.
    m.Ints("shape", c.shape);
    m.Node("Reshape", {"i", "shape"}, {"indices"});
    SetInt(m.Node("GatherElements", {"x", "indices"}, {"y"}), "axis", c.axis);
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << "axis " << c.axis << ": " << y.status();
    EXPECT_EQ(y->shape(), c.shape);
    EXPECT_THAT(Values(*y), ElementsAreArray(c.want)) << "axis " << c.axis;
  }
  Model bad(13);
  bad.Input("x", {3, 3});
  bad.Ints("indices", {3});
  bad.Ints("shape", {1, 1});
  bad.Node("Reshape", {"indices", "shape"}, {"i"});
  bad.Node("GatherElements", {"x", "i"}, {"y"});
  bad.Output("y");
  auto status = Evaluate(bad, x).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("index 3 on an axis of size 3"));
}

TEST(OnnxModelsTest, CumSumWithAConstantAxis) {
  const NDArray x = Array({2, 3}, {1, 2, 3, 4, 5, 6});
  struct Case {
    int64_t axis, exclusive, reverse;
    std::vector<float> want;
  };
  const std::vector<Case> cases = {
      {1, 0, 0, {1, 3, 6, 4, 9, 15}},  {1, 1, 0, {0, 1, 3, 0, 4, 9}},
      {1, 0, 1, {6, 5, 3, 15, 11, 6}}, {1, 1, 1, {5, 3, 0, 11, 6, 0}},
      {-2, 0, 0, {1, 2, 3, 5, 7, 9}},
  };
  for (const Case& c : cases) {
    Model m(14);
    m.Input("x", {2, 3});
    m.Ints("axis", {c.axis});
    auto* n = m.Node("CumSum", {"x", "axis"}, {"y"});
    SetInt(n, "exclusive", c.exclusive);
    SetInt(n, "reverse", c.reverse);
    m.Output("y");
    auto y = Evaluate(m, x);
    ASSERT_TRUE(y.ok()) << y.status();
    EXPECT_THAT(Values(*y), ElementsAreArray(c.want))
        << "axis " << c.axis << " exclusive " << c.exclusive << " reverse " << c.reverse;
  }
}

TEST(OnnxModelsTest, OpsetsOneToTwentyOneAreRead) {
  for (int opset : {1, 21}) {
    Model m(opset);
    m.Input("x", {2});
    m.Node("Relu", {"x"}, {"y"});
    m.Output("y");
    auto y = Evaluate(m, Array({2}, {-1, 1}));
    ASSERT_TRUE(y.ok()) << "opset " << opset << ": " << y.status();
    EXPECT_THAT(Values(*y), ElementsAre(0, 1));
  }
  Model m(22);
  m.Input("x", {2});
  m.Node("Relu", {"x"}, {"y"});
  m.Output("y");
  auto status = Evaluate(m, Array({2}, {-1, 1})).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(status.message(),
              HasSubstr("ONNX opset 22 is not supported; kiln reads opsets 1 to 21"));
}

// A node missing an input or output ONNX requires is an error, whatever
// its converter reads first.
TEST(OnnxModelsTest, NodesWithoutRequiredInputsOrOutputsAreErrors) {
  struct Case {
    const char* op;
    std::initializer_list<std::string> inputs, outputs;
  };
  for (const Case& bad : {Case{"Conv", {"x"}, {"y"}}, Case{"Flatten", {}, {"y"}},
                          Case{"Relu", {""}, {"y"}}, Case{"Identity", {"x"}, {}},
                          Case{"Upsample", {}, {"y"}}}) {
    Model m(9);
    m.Input("x", {1, 1, 2, 2});
    m.Node(bad.op, bad.inputs, bad.outputs);
    m.Output("x");
    auto g = ImportOnnxBytes(m.Bytes());
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument) << bad.op << g.status();
    EXPECT_THAT(g.status().message(), HasSubstr(bad.op));
  }
}

// ---- elementwise operators ----

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// [3, 37] values (a vector body and a tail per row): zeros of both signs,
// ties for rounding, tiny, large and non-finite values, then random ones in
// [lo, hi].
NDArray AwkwardValues(float lo, float hi, uint32_t seed) {
  std::vector<float> v = {0.0f, -0.0f, 0.5f,  -0.5f, 1.5f, 2.5f,  -2.5f,  3.5f,  1e-4f, -1e-4f,
                          1e-7f, 1.0f, -1.0f, 20.0f, -20.0f, 100.0f, -100.0f, kInf, -kInf, kNaN};
  const auto random = ir::ops::testing::RandomFloats(111 - v.size(), seed, lo, hi);
  v.insert(v.end(), random.begin(), random.end());
  return Array({3, 37}, v);
}

// `got` against the float value of `want` at each element: NaN where it is
// NaN, the same infinity, else within 1e-5 relative plus 1e-6.
void ExpectMatches(const NDArray& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.NumElements(), static_cast<int64_t>(want.size())) << what;
  for (size_t k = 0; k < want.size(); ++k) {
    const float w = static_cast<float>(want[k]), g = got.data<float>()[k];
    if (std::isnan(w)) {
      EXPECT_TRUE(std::isnan(g)) << what << " element " << k << ": " << g << ", want NaN";
    } else if (std::isinf(w)) {
      EXPECT_EQ(g, w) << what << " element " << k;
    } else {
      EXPECT_NEAR(g, w, 1e-5f * std::fabs(w) + 1e-6f) << what << " element " << k;
    }
  }
}

// Runs `m` on `inputs` by the reference interpreter and compiled (every
// operator here compiles) and checks both against `want`.
void ExpectBothMatch(const Model& m, const Inputs& inputs, const std::vector<double>& want,
                     const std::string& what) {
  auto runs = RunBoth(m, inputs);
  ASSERT_TRUE(runs.ok()) << what << ": " << runs.status();
  ExpectMatches(runs->reference, want, what + " (reference)");
  ASSERT_TRUE(runs->compiled.has_value()) << what << " was not compiled";
  ExpectMatches(*runs->compiled, want, what + " (compiled)");
}

std::vector<double> Map(const NDArray& x, const std::function<double(double)>& fn) {
  std::vector<double> out;
  for (int64_t k = 0; k < x.NumElements(); ++k) out.push_back(fn(x.data<float>()[k]));
  return out;
}

TEST(OnnxModelsTest, UnaryMathAndActivationsMatchTheirDefinitions) {
  using Setter = std::function<void(onnx::NodeProto*)>;
  struct Case {
    const char* op;
    int opset;
    std::function<double(double)> want;
    Setter attrs = nullptr;
    float lo = -4.0f, hi = 4.0f;  // the random values' range
  };
  const double selu_alpha = 1.67326319217681884765625, selu_gamma = 1.05070102214813232421875;
  auto elu = [](double alpha) {
    return [alpha](double x) { return x < 0 ? alpha * (std::exp(x) - 1) : x; };
  };
  auto softplus = [](double x) { return std::log(1 + std::exp(x)); };
  const Case cases[] = {
      {"Round", 11, [](double x) { return std::nearbyint(x); }},
      {"Sign", 13, [](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }},
      {"Sin", 7, [](double x) { return std::sin(x); }},
      {"Cos", 7, [](double x) { return std::cos(x); }},
      {"Tan", 7, [](double x) { return std::tan(x); }},
      {"Asin", 7, [](double x) { return std::asin(x); }, nullptr, -1.0f, 1.0f},
      {"Acos", 7, [](double x) { return std::acos(x); }, nullptr, -1.0f, 1.0f},
      {"Atan", 7, [](double x) { return std::atan(x); }},
      {"Sinh", 9, [](double x) { return std::sinh(x); }},
      {"Cosh", 9, [](double x) { return std::cosh(x); }},
      {"Asinh", 9, [](double x) { return std::asinh(x); }},
      {"Acosh", 9, [](double x) { return std::acosh(x); }, nullptr, 1.0f, 10.0f},
      {"Atanh", 9, [](double x) { return std::atanh(x); }, nullptr, -1.0f, 1.0f},
      {"Softplus", 1, softplus},
      {"Softsign", 1, [](double x) { return x / (1 + std::fabs(x)); }},
      {"Mish", 18, [&](double x) { return x * std::tanh(softplus(x)); }},
      {"Elu", 6, elu(1.0)},
      {"Elu", 6, elu(0.5), [](onnx::NodeProto* n) { SetFloat(n, "alpha", 0.5f); }},
      {"Celu", 12,
       [](double x) { return x >= 0 ? x : 2 * (std::exp(x / 2) - 1); },
       [](onnx::NodeProto* n) { SetFloat(n, "alpha", 2.0f); }},
      {"Selu", 6, [&](double x) { return selu_gamma * (x > 0 ? x : elu(selu_alpha)(x)); }},
      {"Selu", 6, [&](double x) { return 3 * (x > 0 ? x : elu(2)(x)); },
       [](onnx::NodeProto* n) {
         SetFloat(n, "alpha", 2.0f);
         SetFloat(n, "gamma", 3.0f);
       }},
      {"ThresholdedRelu", 10, [](double x) { return x > 1 ? x : 0.0; }},
      {"ThresholdedRelu", 10, [](double x) { return x > -0.5 ? x : 0.0; },
       [](onnx::NodeProto* n) { SetFloat(n, "alpha", -0.5f); }},
      {"Gelu", 20, [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"Gelu", 20,
       [](double x) {
         return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
       },
       [](onnx::NodeProto* n) { SetString(n, "approximate", "tanh"); }},
  };
  uint32_t seed = 0;
  for (const Case& c : cases) {
    Model m(c.opset);
    m.Input("x", {3, 37});
    onnx::NodeProto* node = m.Node(c.op, {"x"}, {"y"});
    if (c.attrs) c.attrs(node);
    m.Output("y");
    const NDArray x = AwkwardValues(c.lo, c.hi, ++seed);
    ExpectBothMatch(m, {{"x", x}}, Map(x, c.want), c.op);
  }
}

// The new operators fuse: a chain of them with a broadcast operand compiles
// to one kernel that agrees with the reference run step by step.
TEST(OnnxModelsTest, ChainsOfUnaryOperatorsFuseIntoOneKernel) {
  Model m(20);
  m.Input("x", {3, 37});
  m.Input("d", {37});
  m.Node("Softplus", {"x"}, {"a"});
  m.Node("Sin", {"a"}, {"b"});
  m.Node("Mul", {"b", "d"}, {"c"});
  m.Node("Elu", {"c"}, {"e"});
  m.Node("Gelu", {"e"}, {"f"});
  m.Node("Mish", {"f"}, {"g"});
  m.Node("Atan", {"g"}, {"y"});
  m.Output("y");
  auto g = ImportOnnxBytes(m.Bytes());
  ASSERT_TRUE(g.ok()) << g.status();
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = codegen::CompileGraph(*g, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(compiled->kernels.size(), 1u);
  ASSERT_EQ(compiled->optimized.nodes().size(), 1u);
  EXPECT_EQ(compiled->optimized.nodes()[0].op, "fused_elementwise");

  const NDArray x = AwkwardValues(-6, 6, 7);
  const NDArray d = Array({37}, ir::ops::testing::RandomFloats(37, 8, -3, 3));
  auto runs = RunBoth(m, {{"x", x}, {"d", d}});
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_TRUE(runs->compiled.has_value());
  const std::vector<float> want = Values(runs->reference);
  ExpectMatches(*runs->compiled, std::vector<double>(want.begin(), want.end()), "chain");
}

TEST(OnnxModelsTest, ModWithFmodTakesTheDividendsSignAndBroadcasts) {
  Model m(13);
  m.Input("x", {3, 37});
  m.Input("d", {37});
  SetInt(m.Node("Mod", {"x", "d"}, {"y"}), "fmod", 1);
  m.Output("y");
  const NDArray x = AwkwardValues(-10, 10, 1);
  std::vector<float> d = ir::ops::testing::RandomFloats(37, 2, 0.5f, 3.0f);
  for (size_t k = 0; k < d.size(); k += 2) d[k] = -d[k];
  d[1] = 0.0f;
  d[3] = kInf;
  std::vector<double> want;
  for (int64_t k = 0; k < x.NumElements(); ++k) {
    want.push_back(std::fmod(x.data<float>()[k], d[k % 37]));
  }
  ExpectBothMatch(m, {{"x", x}, {"d", Array({37}, d)}}, want, "Mod");

  Model floats_without_fmod(13);
  floats_without_fmod.Input("x", {2});
  floats_without_fmod.Node("Mod", {"x", "x"}, {"y"});
  floats_without_fmod.Output("y");
  auto g = ImportOnnxBytes(floats_without_fmod.Bytes());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("fmod=1"));
}

TEST(OnnxModelsTest, IntegerModTakesTheDivisorsSign) {
  Model m(13);
  m.Ints("a", {-7, 7, -7, 7, 6, -6});
  m.Ints("b", {3, -3, -3, 3, 3, 3});
  m.Node("Mod", {"a", "b"}, {"y"});
  m.Output("y");
  auto g = ImportOnnxBytes(m.Bytes());
  ASSERT_TRUE(g.ok()) << g.status();
  auto y = graph::Evaluate(*g, {});
  ASSERT_TRUE(y.ok()) << y.status();
  const int64_t* v = (*y)[0].data<int64_t>();
  EXPECT_THAT(std::vector<int64_t>(v, v + 6), ElementsAre(2, -2, -1, 1, 0, 0));
}

// Three operands of different shapes fold into a broadcasting chain.
TEST(OnnxModelsTest, VariadicMaxMinSumMeanTakeAnyNumberOfOperands) {
  // Without its NaN: compiled max and min return the other operand of a NaN
  // (LLVM's maxnum) where the reference returns NaN.
  NDArray x = AwkwardValues(-5, 5, 3);
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    if (std::isnan(x.data<float>()[i])) x.data<float>()[i] = 0.0f;
  }
  const std::vector<float> b = ir::ops::testing::RandomFloats(37, 4, -5, 5);
  const std::vector<float> c = {-1.0f, 0.0f, 2.0f};
  struct Case {
    const char* op;
    std::function<double(double, double, double)> want;
  };
  const Case cases[] = {
      {"Max", [](double p, double q, double r) { return std::max(std::max(p, q), r); }},
      {"Min", [](double p, double q, double r) { return std::min(std::min(p, q), r); }},
      {"Sum", [](double p, double q, double r) { return p + q + r; }},
      {"Mean", [](double p, double q, double r) { return (p + q + r) / 3; }},
  };
  for (const Case& k : cases) {
    Model m(13);
    m.Input("x", {3, 37});
    m.Floats("b", {37}, b);
    m.Floats("c", {3, 1}, c);
    m.Node(k.op, {"x", "b", "c"}, {"y"});
    m.Output("y");
    std::vector<double> want;
    for (int64_t i = 0; i < x.NumElements(); ++i) {
      want.push_back(k.want(x.data<float>()[i], b[i % 37], c[i / 37]));
    }
    ExpectBothMatch(m, {{"x", x}}, want, k.op);
  }
  Model one(13);
  one.Input("x", {3, 37});
  one.Node("Mean", {"x"}, {"y"});
  one.Output("y");
  ExpectBothMatch(one, {{"x", x}}, Map(x, [](double v) { return v; }), "Mean of one");
}

// Bounds computed at run time clip like constant ones; either may be absent.
TEST(OnnxModelsTest, ClipTakesBoundsComputedAtRunTime) {
  NDArray x = AwkwardValues(-3, 3, 5);
  x.data<float>()[19] = 0.0f;  // NaN: see VariadicMaxMinSumMean
  const NDArray lo = Array({}, {-1.5f}), hi = Array({}, {0.75f});
  struct Case {
    std::initializer_list<std::string> inputs;
    double lo, hi;
  };
  for (const Case& c : {Case{{"x", "lo", "hi"}, -1.5, 0.75}, Case{{"x", "", "hi"}, -kInf, 0.75},
                        Case{{"x", "lo"}, -1.5, kInf}}) {
    Model m(13);
    m.Input("x", {3, 37});
    m.Input("lo", {});
    m.Input("hi", {});
    m.Node("Clip", c.inputs, {"y"});
    m.Output("y");
    ExpectBothMatch(m, {{"x", x}, {"lo", lo}, {"hi", hi}},
                    Map(x, [&](double v) { return std::min(std::max(v, c.lo), c.hi); }),
                    "Clip");
  }
  Model wide(13);
  wide.Input("x", {3, 37});
  wide.Input("lo", {2});
  wide.Node("Clip", {"x", "lo"}, {"y"});
  wide.Output("y");
  auto g = ImportOnnxBytes(wide.Bytes());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("min has shape [2]; expected one value"));
}

std::vector<int> Bools(const NDArray& a) {
  return std::vector<int>(a.data<uint8_t>(), a.data<uint8_t>() + a.NumElements());
}

// The bools of both runs, after checking that the model compiled and both
// agree.
std::vector<int> BothBools(const absl::StatusOr<Runs>& runs) {
  EXPECT_TRUE(runs.ok()) << runs.status();
  if (!runs.ok()) return {};
  EXPECT_TRUE(runs->compiled.has_value()) << "not compiled";
  if (runs->compiled) EXPECT_EQ(Bools(*runs->compiled), Bools(runs->reference));
  return Bools(runs->reference);
}

// Comparisons and logic make and take bool tensors, one byte per element.
TEST(OnnxModelsTest, ComparisonsAndLogicRunByTheReferenceInterpreter) {
  const NDArray x = Array({6}, {-1.0f, 0.0f, 1.0f, kNaN, kInf, -0.0f});
  struct Case {
    const char* op;
    int opset;
    std::vector<int> want;
  };
  // Against the constant 0: less, greater; then logic over x < 0 and x > 0.
  const Case comparisons[] = {
      {"Less", 13, {1, 0, 0, 0, 0, 0}},         {"Greater", 13, {0, 0, 1, 0, 1, 0}},
      {"LessOrEqual", 16, {1, 1, 0, 0, 0, 1}},  {"GreaterOrEqual", 16, {0, 1, 1, 0, 1, 1}},
      {"Equal", 13, {0, 1, 0, 0, 0, 1}},
  };
  for (const Case& c : comparisons) {
    Model m(c.opset);
    m.Input("x", {6});
    m.Floats("zero", {1}, {0.0f});
    m.Node(c.op, {"x", "zero"}, {"y"});
    m.Output("y");
    EXPECT_THAT(BothBools(RunBoth(m, {{"x", x}})), ElementsAreArray(c.want)) << c.op;
  }
  const Case logic[] = {
      {"And", 7, {0, 0, 0, 0, 0, 0}}, {"Or", 7, {1, 0, 1, 0, 1, 0}},
      {"Xor", 7, {1, 0, 1, 0, 1, 0}}, {"Not", 7, {0, 1, 1, 1, 1, 1}},
  };
  for (const Case& c : logic) {
    Model m(c.opset);
    m.Input("x", {6});
    m.Floats("zero", {1}, {0.0f});
    m.Node("Less", {"x", "zero"}, {"negative"});
    m.Node("Greater", {"x", "zero"}, {"positive"});
    if (std::string(c.op) == "Not") {
      m.Node(c.op, {"negative"}, {"y"});
    } else {
      m.Node(c.op, {"negative", "positive"}, {"y"});
    }
    m.Output("y");
    EXPECT_THAT(BothBools(RunBoth(m, {{"x", x}})), ElementsAreArray(c.want)) << c.op;
  }
  Model is_nan(13);
  is_nan.Input("x", {6});
  is_nan.Node("IsNaN", {"x"}, {"y"});
  is_nan.Output("y");
  EXPECT_THAT(BothBools(RunBoth(is_nan, {{"x", x}})), ElementsAre(0, 0, 0, 1, 0, 0));

  const NDArray infinities = Array({5}, {-kInf, kInf, kNaN, 0.0f, -3.0f});
  struct Detect {
    int negative, positive;
    std::vector<int> want;
  };
  for (const Detect& d : {Detect{1, 1, {1, 1, 0, 0, 0}}, Detect{1, 0, {1, 0, 0, 0, 0}},
                          Detect{0, 1, {0, 1, 0, 0, 0}}}) {
    Model is_inf(13);
    is_inf.Input("x", {5});
    onnx::NodeProto* n = is_inf.Node("IsInf", {"x"}, {"y"});
    SetInt(n, "detect_negative", d.negative);
    SetInt(n, "detect_positive", d.positive);
    is_inf.Output("y");
    EXPECT_THAT(BothBools(RunBoth(is_inf, {{"x", infinities}})), ElementsAreArray(d.want));
  }
}

// Bool kernels over [3, 37] (vector bodies and tails) with broadcast
// operands, NaN and infinities: (x < d) xor !(x >= c) selects x or d.
TEST(OnnxModelsTest, BoolKernelsBroadcastAndFuse) {
  const NDArray x = AwkwardValues(-2, 2, 9);
  std::vector<float> d = ir::ops::testing::RandomFloats(37, 10, -2, 2);
  d[5] = kNaN;
  d[6] = kInf;
  const std::vector<float> c = {-1.0f, 0.0f, kNaN};
  Model m(16);
  m.Input("x", {3, 37});
  m.Input("d", {37});
  m.Floats("c", {3, 1}, c);
  m.Node("Less", {"x", "d"}, {"less"});
  m.Node("GreaterOrEqual", {"x", "c"}, {"ge"});
  m.Node("Not", {"ge"}, {"not_ge"});
  m.Node("Xor", {"less", "not_ge"}, {"cond"});
  m.Node("Where", {"cond", "x", "d"}, {"y"});
  m.Output("y");
  std::vector<double> want;
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    const float v = x.data<float>()[i], dv = d[i % 37], cv = c[i / 37];
    want.push_back((v < dv) != !(v >= cv) ? v : dv);
  }
  ExpectBothMatch(m, {{"x", x}, {"d", Array({37}, d)}}, want, "bool chain");

  Model bools(16);
  bools.Input("x", {3, 37});
  bools.Input("d", {37});
  bools.Node("Less", {"x", "d"}, {"less"});
  bools.Node("IsNaN", {"x"}, {"nan"});
  bools.Node("Or", {"less", "nan"}, {"y"});
  bools.Output("y");
  std::vector<int> want_bools;
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    const float v = x.data<float>()[i];
    want_bools.push_back(v < d[i % 37] || std::isnan(v));
  }
  EXPECT_THAT(BothBools(RunBoth(bools, {{"x", x}, {"d", Array({37}, d)}})),
              ElementsAreArray(want_bools));
}

// The condition [2, 1] and the operands [3] and [2, 3] broadcast together.
TEST(OnnxModelsTest, WhereBroadcastsItsThreeOperands) {
  Model m(16);
  m.Input("x", {2, 1});
  m.Floats("zero", {1}, {0.0f});
  m.Floats("a", {3}, {1, 2, 3});
  m.Floats("b", {2, 3}, {-1, -2, -3, -4, -5, -6});
  m.Node("Less", {"x", "zero"}, {"negative"});
  m.Node("Where", {"negative", "a", "b"}, {"y"});
  m.Output("y");
  auto runs = RunBoth(m, {{"x", Array({2, 1}, {-1.0f, 1.0f})}});
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_THAT(runs->reference.shape(), ElementsAre(2, 3));
  EXPECT_THAT(Values(runs->reference), ElementsAre(1, 2, 3, -4, -5, -6));
  ASSERT_TRUE(runs->compiled.has_value());
  EXPECT_THAT(Values(*runs->compiled), ElementsAre(1, 2, 3, -4, -5, -6));
}

// ---- symbolic dimensions ----

TEST(OnnxModelsTest, AnUnboundSymbolicDimensionIsNamedWithTheFlagThatBindsIt) {
  Model m(13);
  m.SymbolicInput("x", "batch", {3, 4});
  m.Node("Relu", {"x"}, {"y"});
  m.Output("y");
  auto g = ImportOnnxBytes(m.Bytes());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(),
            "input 'x' has a symbolic dimension 'batch' (axis 0); bind it with "
            "--input_shapes=\"x:[1,3,4]\"");
  g = ImportOnnxBytes(m.Bytes(), {{"x", {2, 3, 4}}});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->value(g->inputs()[0]).type.shape, (std::vector<int64_t>{2, 3, 4}));
}

// ---- graph outputs ----

// Outputs that are an input (Identity, Dropout, a ReduceSum without axes), a
// constant, or the same value as another output keep their own names and
// order when compiled.
TEST(OnnxModelsTest, GraphOutputsKeepTheirNamesAndOrderWhenCompiled) {
  Model m(13);
  m.Input("x", {3});
  m.Node("Relu", {"x"}, {"r"});
  m.Node("Identity", {"r"}, {"r_again"});
  m.Node("Identity", {"x"}, {"same"});
  m.Node("Dropout", {"x"}, {"dropped"});
  SetInt(m.Node("ReduceSum", {"x"}, {"kept"}), "noop_with_empty_axes", 1);
  m.Floats("c", {3}, {7, 8, 9});
  m.Node("Identity", {"c"}, {"constant"});
  const std::vector<std::string> names = {"r_again", "same", "r", "dropped", "kept", "constant"};
  for (const std::string& name : names) m.Output(name);
  auto g = ImportOnnxBytes(m.Bytes());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->output_names(), names);
  EXPECT_THAT(g->ToString(), HasSubstr("%x as 'same'"));

  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = codegen::CompileGraph(*g, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  auto model = codegen::BuildJitModel(*compiled, target);
  ASSERT_TRUE(model.ok()) << model.status();
  runtime::GraphExecutor& ex = *model->executor;
  ASSERT_TRUE(ex.SetInput("x", Array({3}, {-1, 2, -3})).ok());
  ASSERT_TRUE(ex.Run().ok());
  ASSERT_EQ(ex.num_outputs(), static_cast<int>(names.size()));
  const std::vector<std::vector<float>> want = {{0, 2, 0},   {-1, 2, -3}, {0, 2, 0},
                                                {-1, 2, -3}, {-1, 2, -3}, {7, 8, 9}};
  for (int k = 0; k < ex.num_outputs(); ++k) {
    EXPECT_EQ(ex.output(k).name, names[k]);
    auto by_name = ex.GetOutput(names[k]);
    ASSERT_TRUE(by_name.ok()) << by_name.status();
    EXPECT_THAT(Values(*by_name), ElementsAreArray(want[k])) << names[k];
  }
}

}  // namespace
}  // namespace kiln::frontend
