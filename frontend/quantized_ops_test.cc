// The quantized ONNX operators, checked against integer loops written from
// the ONNX specification, through the reference interpreter and compiled:
// reductions long enough to need several exact pieces, per-row, per-column
// and per-channel zero points and scales, padding, strides and groups.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "frontend/testing/both_paths.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {
namespace {

using graph::NDArray;
using runtime::DType;

struct Operand {
  std::string name;
  NDArray value;
  bool constant = false;  // an initializer rather than a graph input
};

onnx::TensorProto::DataType OnnxType(DType t) {
  switch (t) {
    case DType::kUInt8: return onnx::TensorProto::UINT8;
    case DType::kInt8: return onnx::TensorProto::INT8;
    case DType::kInt32: return onnx::TensorProto::INT32;
    default: return onnx::TensorProto::FLOAT;
  }
}

template <typename T>
NDArray Array(std::vector<int64_t> shape, const std::vector<T>& values, DType t) {
  NDArray a = *NDArray::Empty(std::move(shape), t);
  EXPECT_EQ(a.NumElements(), static_cast<int64_t>(values.size()));
  std::copy(values.begin(), values.end(), a.data<T>());
  return a;
}

template <typename T>
std::vector<T> RandomInts(int64_t n, int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

// A one-node model: `op` over `operands`, outputs of the given types.
std::string OneNodeModel(const std::string& op, const std::vector<Operand>& operands,
                         const std::vector<std::pair<std::string, DType>>& outputs,
                         const std::vector<std::pair<std::string, int64_t>>& int_attrs = {},
                         const std::vector<std::pair<std::string, std::vector<int64_t>>>&
                             ints_attrs = {}) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name(op);
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  for (const Operand& o : operands) {
    n->add_input(o.name);
    if (o.constant) {
      onnx::TensorProto* t = g->add_initializer();
      t->set_name(o.name);
      t->set_data_type(OnnxType(o.value.dtype()));
      for (int64_t d : o.value.shape()) t->add_dims(d);
      t->set_raw_data(o.value.raw_data(), o.value.NumBytes());
      continue;
    }
    onnx::ValueInfoProto* in = g->add_input();
    in->set_name(o.name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(OnnxType(o.value.dtype()));
    for (int64_t d : o.value.shape()) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  for (const auto& [name, type] : outputs) {
    n->add_output(name);
    onnx::ValueInfoProto* out = g->add_output();
    out->set_name(name);
    out->mutable_type()->mutable_tensor_type()->set_elem_type(OnnxType(type));
  }
  for (const auto& [name, v] : int_attrs) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  for (const auto& [name, v] : ints_attrs) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  return model.SerializeAsString();
}

// The model's outputs from the reference interpreter, after checking that
// the compiled model gives the same bytes.
std::vector<NDArray> RunBoth(const std::string& bytes, const std::vector<Operand>& operands) {
  absl::flat_hash_map<std::string, NDArray> feeds;
  for (const Operand& o : operands) {
    if (!o.constant) feeds.emplace(o.name, o.value);
  }
  auto both = testing::RunBothPaths(bytes, feeds);
  EXPECT_TRUE(both.ok()) << both.status();
  if (!both.ok()) return {};
  testing::ExpectSameResults(*both, 0.0f);
  return both->reference;
}

template <typename T>
std::vector<T> Values(const NDArray& a) {
  return std::vector<T>(a.data<T>(), a.data<T>() + a.NumElements());
}

// Round half to even, as ONNX's quantization does.
float RoundHalfEven(float x) { return std::nearbyint(x); }

TEST(QuantizedOpsTest, MatMulIntegerIsExactOverLongRowsWithPerRowAndPerColumnZeroPoints) {
  // K = 600 products per output: three exact pieces.
  const int64_t batch = 2, m = 3, k = 600, n = 5;
  const auto a = RandomInts<uint8_t>(batch * m * k, 0, 255, 1);
  const auto b = RandomInts<int8_t>(k * n, -128, 127, 2);
  const std::vector<uint8_t> a_zero = {0, 200, 255};
  const std::vector<int8_t> b_zero = {-128, 0, 127, 5, -3};
  const std::vector<Operand> operands = {
      {"a", Array<uint8_t>({batch, m, k}, a, DType::kUInt8)},
      {"b", Array<int8_t>({k, n}, b, DType::kInt8), true},
      {"a_zero", Array<uint8_t>({m}, a_zero, DType::kUInt8), true},
      {"b_zero", Array<int8_t>({n}, b_zero, DType::kInt8), true}};
  const auto got = RunBoth(OneNodeModel("MatMulInteger", operands, {{"y", DType::kInt32}}),
                           operands);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].shape(), (std::vector<int64_t>{batch, m, n}));
  const auto y = Values<int32_t>(got[0]);
  for (int64_t p = 0; p < batch; ++p) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        int64_t sum = 0;
        for (int64_t q = 0; q < k; ++q) {
          sum += (int64_t{a[(p * m + i) * k + q]} - a_zero[i]) * (int64_t{b[q * n + j]} - b_zero[j]);
        }
        ASSERT_EQ(y[(p * m + i) * n + j], sum) << "at " << p << ", " << i << ", " << j;
      }
    }
  }
}

struct ConvCase {
  int64_t batch, channels, height, width, out_channels, kernel, stride, pad, group;
};

// ConvInteger from the specification: (x - x_zero) * (w - w_zero[oc]) summed
// over the window, padding contributing nothing.
std::vector<int64_t> ConvIntegerReference(const ConvCase& cc, const std::vector<uint8_t>& x,
                                          uint8_t x_zero, const std::vector<int8_t>& w,
                                          const std::vector<int8_t>& w_zero, int64_t* oh_out,
                                          int64_t* ow_out) {
  const int64_t oh = (cc.height + 2 * cc.pad - cc.kernel) / cc.stride + 1;
  const int64_t ow = (cc.width + 2 * cc.pad - cc.kernel) / cc.stride + 1;
  const int64_t cg = cc.channels / cc.group, og = cc.out_channels / cc.group;
  *oh_out = oh;
  *ow_out = ow;
  std::vector<int64_t> y(cc.batch * cc.out_channels * oh * ow);
  for (int64_t b = 0; b < cc.batch; ++b) {
    for (int64_t o = 0; o < cc.out_channels; ++o) {
      const int64_t g = o / og;
      for (int64_t r = 0; r < oh; ++r) {
        for (int64_t s = 0; s < ow; ++s) {
          int64_t sum = 0;
          for (int64_t ci = 0; ci < cg; ++ci) {
            const int64_t c = g * cg + ci;
            for (int64_t kh = 0; kh < cc.kernel; ++kh) {
              for (int64_t kw = 0; kw < cc.kernel; ++kw) {
                const int64_t h = r * cc.stride - cc.pad + kh, v = s * cc.stride - cc.pad + kw;
                if (h < 0 || h >= cc.height || v < 0 || v >= cc.width) continue;
                const int64_t xv = x[((b * cc.channels + c) * cc.height + h) * cc.width + v];
                const int64_t wv = w[((o * cg + ci) * cc.kernel + kh) * cc.kernel + kw];
                sum += (xv - x_zero) * (wv - w_zero[o]);
              }
            }
          }
          y[((b * cc.out_channels + o) * oh + r) * ow + s] = sum;
        }
      }
    }
  }
  return y;
}

TEST(QuantizedOpsTest, ConvIntegerIsExactWithManyChannelsGroupsAndPadding) {
  const std::vector<ConvCase> cases = {
      {1, 40, 7, 6, 3, 3, 2, 1, 1},  // 360 products per output: two pieces
      {2, 6, 5, 5, 4, 3, 1, 1, 2},   // grouped, one piece per group
      {1, 5, 4, 3, 5, 1, 1, 0, 5},   // depthwise 1x1
  };
  uint32_t seed = 10;
  for (const ConvCase& cc : cases) {
    SCOPED_TRACE(::testing::Message() << cc.channels << " channels, group " << cc.group);
    const int64_t cg = cc.channels / cc.group;
    const auto x = RandomInts<uint8_t>(cc.batch * cc.channels * cc.height * cc.width, 0, 255,
                                       seed++);
    const auto w = RandomInts<int8_t>(cc.out_channels * cg * cc.kernel * cc.kernel, -128, 127,
                                      seed++);
    const auto w_zero = RandomInts<int8_t>(cc.out_channels, -20, 20, seed++);
    const uint8_t x_zero = 131;
    const std::vector<Operand> operands = {
        {"x", Array<uint8_t>({cc.batch, cc.channels, cc.height, cc.width}, x, DType::kUInt8)},
        {"w", Array<int8_t>({cc.out_channels, cg, cc.kernel, cc.kernel}, w, DType::kInt8), true},
        {"x_zero", Array<uint8_t>({}, {x_zero}, DType::kUInt8), true},
        {"w_zero", Array<int8_t>({cc.out_channels}, w_zero, DType::kInt8), true}};
    const auto got = RunBoth(
        OneNodeModel("ConvInteger", operands, {{"y", DType::kInt32}}, {{"group", cc.group}},
                     {{"strides", {cc.stride, cc.stride}},
                      {"pads", {cc.pad, cc.pad, cc.pad, cc.pad}}}),
        operands);
    ASSERT_EQ(got.size(), 1u);
    int64_t oh = 0, ow = 0;
    const auto want = ConvIntegerReference(cc, x, x_zero, w, w_zero, &oh, &ow);
    ASSERT_EQ(got[0].shape(), (std::vector<int64_t>{cc.batch, cc.out_channels, oh, ow}));
    const auto y = Values<int32_t>(got[0]);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(y[i], want[i]) << "at " << i;
  }
}

TEST(QuantizedOpsTest, QLinearConvRequantizesWithBiasAndPerChannelScales) {
  const ConvCase cc = {1, 4, 5, 4, 3, 3, 1, 1, 1};
  const auto x = RandomInts<uint8_t>(cc.channels * cc.height * cc.width, 0, 255, 30);
  const auto w = RandomInts<int8_t>(cc.out_channels * cc.channels * 9, -128, 127, 31);
  const std::vector<int8_t> w_zero = {0, 0, 0};
  const std::vector<float> w_scale = {0.002f, 0.0035f, 0.001f};
  const std::vector<int32_t> bias = {-1000, 250, 70000};
  const float x_scale = 0.05f, y_scale = 0.7f;
  const uint8_t x_zero = 128, y_zero = 100;
  const std::vector<Operand> operands = {
      {"x", Array<uint8_t>({1, cc.channels, cc.height, cc.width}, x, DType::kUInt8)},
      {"x_scale", Array<float>({}, {x_scale}, DType::kFloat32), true},
      {"x_zero", Array<uint8_t>({}, {x_zero}, DType::kUInt8), true},
      {"w", Array<int8_t>({cc.out_channels, cc.channels, 3, 3}, w, DType::kInt8), true},
      {"w_scale", Array<float>({cc.out_channels}, w_scale, DType::kFloat32), true},
      {"w_zero", Array<int8_t>({cc.out_channels}, w_zero, DType::kInt8), true},
      {"y_scale", Array<float>({}, {y_scale}, DType::kFloat32), true},
      {"y_zero", Array<uint8_t>({}, {y_zero}, DType::kUInt8), true},
      {"bias", Array<int32_t>({cc.out_channels}, bias, DType::kInt32), true}};
  const auto got = RunBoth(OneNodeModel("QLinearConv", operands, {{"y", DType::kUInt8}}, {},
                                        {{"pads", {1, 1, 1, 1}}}),
                           operands);
  ASSERT_EQ(got.size(), 1u);
  int64_t oh = 0, ow = 0;
  const auto acc = ConvIntegerReference(cc, x, x_zero, w, w_zero, &oh, &ow);
  const auto y = Values<uint8_t>(got[0]);
  ASSERT_EQ(y.size(), acc.size());
  int saturated = 0;
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t o = i / (oh * ow);
    const float multiplier = x_scale * w_scale[o] / y_scale;
    const float q = RoundHalfEven(static_cast<float>(acc[i] + bias[o]) * multiplier) + y_zero;
    const float want = std::clamp(q, 0.0f, 255.0f);
    saturated += want == 0.0f || want == 255.0f;
    ASSERT_EQ(y[i], static_cast<uint8_t>(want)) << "at " << i;
  }
  EXPECT_LT(saturated, static_cast<int>(acc.size()));  // the data exercises rounding, not only clamps
}

TEST(QuantizedOpsTest, QLinearMatMulRequantizesPerRowAndPerColumn) {
  const int64_t m = 3, k = 300, n = 4;
  const auto a = RandomInts<int8_t>(m * k, -128, 127, 40);
  const auto b = RandomInts<uint8_t>(k * n, 0, 255, 41);
  const std::vector<float> a_scale = {0.01f, 0.02f, 0.005f}, b_scale = {0.01f, 0.03f, 0.02f, 0.1f};
  const std::vector<int8_t> a_zero = {1, -2, 0};
  const std::vector<uint8_t> b_zero = {128, 127, 0, 255};
  const float y_scale = 2.5f;
  const int8_t y_zero = -7;
  const std::vector<Operand> operands = {
      {"a", Array<int8_t>({m, k}, a, DType::kInt8)},
      {"a_scale", Array<float>({m}, a_scale, DType::kFloat32), true},
      {"a_zero", Array<int8_t>({m}, a_zero, DType::kInt8), true},
      {"b", Array<uint8_t>({k, n}, b, DType::kUInt8), true},
      {"b_scale", Array<float>({n}, b_scale, DType::kFloat32), true},
      {"b_zero", Array<uint8_t>({n}, b_zero, DType::kUInt8), true},
      {"y_scale", Array<float>({}, {y_scale}, DType::kFloat32), true},
      {"y_zero", Array<int8_t>({}, {y_zero}, DType::kInt8), true}};
  const auto got = RunBoth(OneNodeModel("QLinearMatMul", operands, {{"y", DType::kInt8}}),
                           operands);
  ASSERT_EQ(got.size(), 1u);
  const auto y = Values<int8_t>(got[0]);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t acc = 0;
      for (int64_t q = 0; q < k; ++q) {
        acc += (int64_t{a[i * k + q]} - a_zero[i]) * (int64_t{b[q * n + j]} - b_zero[j]);
      }
      const float multiplier = a_scale[i] * b_scale[j] / y_scale;
      const float want =
          std::clamp(RoundHalfEven(static_cast<float>(acc) * multiplier) + y_zero, -128.0f, 127.0f);
      ASSERT_EQ(y[i * n + j], static_cast<int8_t>(want)) << "at " << i << ", " << j;
    }
  }
}

TEST(QuantizedOpsTest, QuantizeAndDequantizePerAxisRoundHalfToEvenAndSaturate) {
  // Axis 1 of [2, 3, 2]; values hitting .5 exactly and both ends of int8.
  const std::vector<float> x = {0.5f, 1.5f, 2.5f,  -2.5f, 1000.f, -1000.f,
                                0.0f, 0.25f, -0.75f, 3.0f, 7.5f,  -7.5f};
  const std::vector<float> scale = {1.0f, 0.5f, 2.5f};
  const std::vector<int8_t> zero = {0, -1, 3};
  const std::vector<Operand> operands = {
      {"x", Array<float>({2, 3, 2}, x, DType::kFloat32)},
      {"scale", Array<float>({3}, scale, DType::kFloat32), true},
      {"zero", Array<int8_t>({3}, zero, DType::kInt8), true}};
  const auto q = RunBoth(OneNodeModel("QuantizeLinear", operands, {{"y", DType::kInt8}}),
                         operands);
  ASSERT_EQ(q.size(), 1u);
  const auto y = Values<int8_t>(q[0]);
  std::vector<int8_t> want(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t c = (i / 2) % 3;
    want[i] = static_cast<int8_t>(
        std::clamp(RoundHalfEven(x[i] / scale[c]) + zero[c], -128.0f, 127.0f));
  }
  EXPECT_EQ(y, want);
  EXPECT_EQ(y[0], 0);  // 0.5 rounds to 0, 1.5 to 2, 2.5 to 2
  EXPECT_EQ(y[1], 2);

  const std::vector<Operand> back = {{"q", q[0]},
                                     {"scale", operands[1].value, true},
                                     {"zero", operands[2].value, true}};
  const auto d = RunBoth(OneNodeModel("DequantizeLinear", back, {{"x", DType::kFloat32}}), back);
  ASSERT_EQ(d.size(), 1u);
  const auto real = Values<float>(d[0]);
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t c = (i / 2) % 3;
    EXPECT_EQ(real[i], (static_cast<float>(y[i]) - zero[c]) * scale[c]) << "at " << i;
  }
}

TEST(QuantizedOpsTest, DynamicQuantizeLinearWidensTheRangeToHoldZero) {
  for (const std::vector<float>& x : {std::vector<float>{0.5f, 2.0f, 3.25f, 1.0f, 0.0f},
                                      std::vector<float>{-4.0f, -1.5f, -0.25f, -3.0f, -2.0f},
                                      std::vector<float>{-1.0f, 7.5f, 0.1f, -0.3f, 2.2f}}) {
    const std::vector<Operand> operands = {{"x", Array<float>({5}, x, DType::kFloat32)}};
    const auto got = RunBoth(
        OneNodeModel("DynamicQuantizeLinear", operands,
                     {{"y", DType::kUInt8}, {"y_scale", DType::kFloat32}, {"y_zero", DType::kUInt8}}),
        operands);
    ASSERT_EQ(got.size(), 3u);
    const float lo = std::min(0.0f, *std::min_element(x.begin(), x.end()));
    const float hi = std::max(0.0f, *std::max_element(x.begin(), x.end()));
    const float scale = (hi - lo) / 255.0f;
    const float zero = std::clamp(RoundHalfEven(-lo / scale), 0.0f, 255.0f);
    EXPECT_EQ(got[1].data<float>()[0], scale);
    EXPECT_EQ(got[2].data<uint8_t>()[0], static_cast<uint8_t>(zero));
    const auto y = Values<uint8_t>(got[0]);
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(y[i], static_cast<uint8_t>(
                          std::clamp(RoundHalfEven(x[i] / scale) + zero, 0.0f, 255.0f)));
    }
  }
}

}  // namespace
}  // namespace kiln::frontend
