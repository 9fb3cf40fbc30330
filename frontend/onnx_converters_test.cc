// What the linked converter files register: the op types kiln converts, at
// which opsets, and whether their version ranges agree with ONNX's own
// operator history.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "frontend/onnx_converter_registry.h"
#include "frontend/onnx_importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onnx/defs/schema.h"

namespace kiln::frontend {
namespace {

// The newest opset of the default domain the linked ONNX library knows.
int NewestKnownOpset() {
  const auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  return ranges.at(onnx::ONNX_DOMAIN).second;
}

TEST(OnnxConvertersTest, RegistrationsAreConsistent) {
  EXPECT_TRUE(OnnxConverters().status().ok()) << OnnxConverters().status();
}

// A converter file missing from the build (or dropped by the linker without
// alwayslink) shows up here.
TEST(OnnxConvertersTest, EveryOperatorIsRegistered) {
  std::set<std::string> ops;
  for (const OnnxConverterRegistration* r : OnnxConverters().List()) ops.insert(r->op_type);
  EXPECT_THAT(ops, ::testing::UnorderedElementsAre(
                       "Abs", "Acos", "Acosh", "Add", "And", "ArgMax", "ArgMin", "Asin", "Asinh",
                       "Atan", "Atanh", "AveragePool", "BatchNormalization", "BitShift",
                       "BlackmanWindow", "Cast", "CastLike", "Ceil", "Celu", "Clip", "Compress", "Concat",
                       "Constant", "ConstantOfShape",
                       "Conv", "ConvInteger", "ConvTranspose", "Cos", "Cosh", "CumSum", "DepthToSpace",
                       "DequantizeLinear", "Det", "Div", "Dropout", "DynamicQuantizeLinear", "Einsum", "Elu", "Equal", "Erf", "Exp", "Expand", "EyeLike",
                       "Flatten", "Floor", "Gather", "GatherElements", "GatherND", "Gelu", "Gemm",
                       "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool", "Greater",
                       "GreaterOrEqual", "GridSample", "GroupNormalization", "GRU",
                       "HammingWindow", "HannWindow", "Hardmax", "HardSigmoid", "HardSwish",
                       "Identity", "If", "InstanceNormalization", "IsInf", "IsNaN",
                       "LayerNormalization", "LeakyRelu", "Less", "LessOrEqual", "Log",
                       "LogSoftmax", "Loop", "LpNormalization", "LRN", "LSTM", "MatMul", "MatMulInteger", "Max",
                       "MaxPool", "MaxUnpool", "Mean", "MelWeightMatrix", "MeanVarianceNormalization", "Min", "Mish",
                       "Mod", "Mul", "Neg", "NegativeLogLikelihoodLoss", "NonMaxSuppression", "NonZero", "Not", "OneHot", "Or",
                       "Pad", "Pow", "PRelu", "QLinearConv", "QLinearMatMul", "QuantizeLinear", "Range", "Reciprocal", "ReduceL1", "ReduceL2",
                       "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin",
                       "ReduceProd", "ReduceSum", "ReduceSumSquare", "Relu", "Reshape", "Resize",
                       "ReverseSequence", "RNN", "RoiAlign", "Round", "Scan", "Scatter", "ScatterElements", "ScatterND", "Selu",
                       "Shape", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Size", "Slice",
                       "Softmax", "SoftmaxCrossEntropyLoss", "Softplus", "Softsign",
                       "SpaceToDepth", "Split", "Sqrt", "Squeeze", "Sub", "Sum", "Tan", "Tanh", "TfIdfVectorizer",
                       "ThresholdedRelu", "Tile", "TopK", "Transpose", "Trilu", "Unique", "Unsqueeze",
                       "Upsample", "Where", "Xor"));
}

// Every imported opset where ONNX defines an op (and has not deprecated it)
// has a converter; a deprecated version has none. Past the newest opset the
// linked ONNX library knows, the op's newest known version stands in.
TEST(OnnxConvertersTest, EveryImportedOpsetWhereOnnxDefinesTheOpHasAConverter) {
  const int newest_known = NewestKnownOpset();
  std::set<std::string> ops;
  for (const OnnxConverterRegistration* r : OnnxConverters().List()) ops.insert(r->op_type);
  for (const std::string& op : ops) {
    for (int opset = kFirstOpset; opset <= kLastOpset; ++opset) {
      const onnx::OpSchema* schema =
          onnx::OpSchemaRegistry::Schema(op, std::min(opset, newest_known));
      const OnnxConverterRegistration* converter = OnnxConverters().Find(op, opset);
      if (schema != nullptr && schema->Deprecated()) {
        EXPECT_EQ(converter, nullptr) << op << " is deprecated at opset " << opset;
      } else if (schema != nullptr) {
        EXPECT_NE(converter, nullptr) << op << " at opset " << opset;
      }
    }
  }
}

// A converter range starts where ONNX changed the operator, never in the
// middle of one of its versions (checked up to the newest opset the linked
// ONNX library knows; a first range may start at 1 before the op existed).
TEST(OnnxConvertersTest, RangesStartAtOnnxOperatorVersions) {
  const int newest_known = NewestKnownOpset();
  for (const OnnxConverterRegistration* r : OnnxConverters().List()) {
    if (r->since_version == 1 || r->since_version > newest_known) continue;
    const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(r->op_type, r->since_version);
    ASSERT_NE(schema, nullptr) << r->op_type << " does not exist at opset " << r->since_version;
    EXPECT_EQ(schema->SinceVersion(), r->since_version)
        << r->op_type << " " << r->RangeString() << " starts inside ONNX's " << r->op_type << "-"
        << schema->SinceVersion();
  }
}

}  // namespace
}  // namespace kiln::frontend
