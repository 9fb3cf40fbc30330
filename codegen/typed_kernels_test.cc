// Kernels on every element type, checked against the graph references (the
// oracle) on awkward shapes, and against values written out by hand where
// the semantics are the point: unsigned wrap, signed division toward zero,
// integer Mod's sign, division by zero, saturating float-to-integer casts
// and NaN, half-float rounding.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "absl/strings/str_cat.h"
#include "codegen/graph_compiler.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::codegen {
namespace {

using graph::NDArray;
using runtime::DType;

constexpr DType kAllTypes[] = {DType::kBool,   DType::kInt8,    DType::kInt16,    DType::kInt32,
                               DType::kInt64,  DType::kUInt8,   DType::kUInt16,   DType::kUInt32,
                               DType::kUInt64, DType::kFloat16, DType::kBFloat16, DType::kFloat32,
                               DType::kFloat64};
constexpr DType kIntegerTypes[] = {DType::kInt8,  DType::kInt16,  DType::kInt32,  DType::kInt64,
                                   DType::kUInt8, DType::kUInt16, DType::kUInt32, DType::kUInt64};

// Element i of `a` set from a double as the references store it.
void Set(NDArray& a, int64_t i, double v) {
  switch (a.dtype()) {
    case DType::kFloat32:
      a.data<float>()[i] = static_cast<float>(v);
      return;
    case DType::kFloat64:
      a.data<double>()[i] = v;
      return;
    case DType::kFloat16:
      a.data<uint16_t>()[i] = runtime::FloatToHalf(static_cast<float>(v));
      return;
    case DType::kBFloat16:
      a.data<uint16_t>()[i] = runtime::FloatToBFloat16(static_cast<float>(v));
      return;
    case DType::kBool:
      a.data<uint8_t>()[i] = v != 0;
      return;
    case DType::kInt8:
      a.data<int8_t>()[i] = static_cast<int8_t>(v);
      return;
    case DType::kInt16:
      a.data<int16_t>()[i] = static_cast<int16_t>(v);
      return;
    case DType::kInt32:
      a.data<int32_t>()[i] = static_cast<int32_t>(v);
      return;
    case DType::kInt64:
      a.data<int64_t>()[i] = static_cast<int64_t>(v);
      return;
    case DType::kUInt8:
      a.data<uint8_t>()[i] = static_cast<uint8_t>(static_cast<int64_t>(v));
      return;
    case DType::kUInt16:
      a.data<uint16_t>()[i] = static_cast<uint16_t>(static_cast<int64_t>(v));
      return;
    case DType::kUInt32:
      a.data<uint32_t>()[i] = static_cast<uint32_t>(static_cast<int64_t>(v));
      return;
    case DType::kUInt64:
      a.data<uint64_t>()[i] = static_cast<uint64_t>(static_cast<int64_t>(v));
      return;
  }
}

double Get(const NDArray& a, int64_t i) {
  return runtime::ElementAsDouble(a.raw_data(), a.dtype(), i);
}

NDArray Make(DType t, std::vector<int64_t> shape, const std::vector<double>& values) {
  NDArray a = *NDArray::Empty(shape, t);
  for (int64_t i = 0; i < a.NumElements(); ++i) Set(a, i, values[i % values.size()]);
  return a;
}

// Seeded values that suit type t: small integers (both signs for signed
// types, zeros among them) or floats with a fraction.
NDArray Random(DType t, std::vector<int64_t> shape, uint32_t seed, bool zeros = true) {
  NDArray a = *NDArray::Empty(shape, t);
  std::mt19937 rng(seed);
  const bool is_signed = !runtime::IsUnsignedDType(t);
  std::uniform_int_distribution<int> small(is_signed ? -60 : 0, 120);
  for (int64_t i = 0; i < a.NumElements(); ++i) {
    double v = small(rng);
    if (!zeros && v == 0) v = 3;
    if (runtime::IsFloatDType(t)) v = v / 8.0;
    Set(a, i, v);
  }
  return a;
}

// Bitwise equality for integers, bools and half floats; for float32 and
// float64 equality up to `tolerance` relative (NaN matches NaN).
void ExpectSame(const NDArray& got, const NDArray& want, double tolerance,
                const std::string& what) {
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const bool exact = !(got.dtype() == DType::kFloat32 || got.dtype() == DType::kFloat64);
  for (int64_t i = 0; i < want.NumElements(); ++i) {
    const double g = Get(got, i), w = Get(want, i);
    if (exact) {
      const int64_t bytes = runtime::DTypeBytes(got.dtype());
      ASSERT_EQ(std::memcmp(static_cast<const char*>(got.raw_data()) + i * bytes,
                            static_cast<const char*>(want.raw_data()) + i * bytes, bytes),
                0)
          << what << ": element " << i << " is " << g << ", expected " << w;
    } else if (g != w && !(std::isnan(g) && std::isnan(w))) {
      ASSERT_LE(std::fabs(g - w), tolerance * (1 + std::fabs(w)))
          << what << ": element " << i << " is " << g << ", expected " << w;
    }
  }
}

// One `op` node over inputs of the given values; its outputs from the
// reference and from the compiled graph (on every runnable target), which
// must agree. Returns the compiled outputs of the first target.
std::vector<NDArray> RunBoth(const std::string& op, const std::vector<NDArray>& inputs,
                             absl::flat_hash_map<std::string, graph::AttrValue> attrs = {},
                             double tolerance = 1e-6) {
  graph::Graph g;
  std::vector<int> ins;
  std::vector<const graph::TensorType*> types;
  absl::flat_hash_map<std::string, NDArray> named;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::string name = absl::StrCat("in", k);
    ins.push_back(g.AddInput(name, {inputs[k].dtype(), inputs[k].shape()}));
    named[name] = inputs[k];
  }
  for (int in : ins) types.push_back(&g.value(in).type);
  graph::Node node{"n", op, ins, {}, attrs};
  auto def = graph::OpRegistry().Find(op);
  EXPECT_TRUE(def.ok()) << op;
  if (!def.ok()) return {};
  auto out_types = def->infer(node, types);
  EXPECT_TRUE(out_types.ok()) << op << ": " << out_types.status();
  if (!out_types.ok()) return {};
  for (size_t o = 0; o < out_types->size(); ++o) {
    node.outputs.push_back(g.AddValue(absl::StrCat("out", o), (*out_types)[o]));
  }
  g.AddNode(node);
  g.SetOutputs(node.outputs);
  auto want = graph::Evaluate(g, named);
  EXPECT_TRUE(want.ok()) << op << ": " << want.status();
  if (!want.ok()) return {};
  std::vector<NDArray> first;
  std::string what = op;
  for (const NDArray& in : inputs) absl::StrAppend(&what, " ", runtime::DTypeName(in.dtype()));
  for (const targets::Target& target : ir::ops::testing::RunnableTargets()) {
    auto compiled = CompileGraph(g, target);
    EXPECT_TRUE(compiled.ok()) << what << ": " << compiled.status();
    if (!compiled.ok()) return {};
    auto model = BuildJitModel(*compiled, target);
    EXPECT_TRUE(model.ok()) << what << ": " << model.status();
    if (!model.ok()) return {};
    for (size_t k = 0; k < inputs.size(); ++k) {
      EXPECT_TRUE(model->executor->SetInput(static_cast<int>(k), inputs[k]).ok());
    }
    auto run = model->executor->Run();
    EXPECT_TRUE(run.ok()) << what << ": " << run;
    for (size_t o = 0; o < want->size(); ++o) {
      auto got = model->executor->GetOutput(static_cast<int>(o));
      EXPECT_TRUE(got.ok());
      if (!got.ok()) return {};
      ExpectSame(*got, (*want)[o], tolerance, absl::StrCat(what, " on ", target.ToString()));
      if (first.size() <= o) first.push_back(*got->Clone());
    }
  }
  return first;
}

TEST(TypedKernelsTest, ArithmeticOnEveryIntegerTypeAndFloat64MatchesTheReference) {
  // Broadcast shapes with a vector tail; divisors may be zero.
  for (DType t : kIntegerTypes) {
    for (const char* op : {"add", "sub", "mul", "div", "max", "min"}) {
      RunBoth(op, {Random(t, {3, 1, 19}, 1), Random(t, {5, 1}, 2)});
    }
    for (int fmod : {0, 1}) {
      RunBoth("mod", {Random(t, {4, 13}, 3), Random(t, {13}, 4)},
              {{"fmod", static_cast<int64_t>(fmod)}});
    }
    for (const char* op : {"less", "greater", "equal", "less_equal", "greater_equal"}) {
      RunBoth(op, {Random(t, {2, 17}, 5), Random(t, {17}, 6)});
    }
    RunBoth("abs", {Random(t, {37}, 7)});
    RunBoth("relu", {Random(t, {37}, 8)});
    RunBoth("sign", {Random(t, {37}, 9)});
    RunBoth("clip", {Random(t, {37}, 10)}, {{"min", -5.0}, {"max", 40.0}});
    if (!runtime::IsUnsignedDType(t)) RunBoth("neg", {Random(t, {37}, 11)});
    RunBoth("where",
            {Random(DType::kBool, {3, 1}, 12), Random(t, {3, 19}, 13), Random(t, {19}, 14)});
  }
  for (const char* op : {"add", "sub", "mul", "div", "max", "min", "pow"}) {
    RunBoth(op,
            {Random(DType::kFloat64, {3, 1, 19}, 15, false),
             Random(DType::kFloat64, {5, 1}, 16, false)},
            {}, 1e-12);
  }
  for (const char* op : {"exp", "tanh", "sigmoid", "erf", "sqrt", "abs", "floor", "round", "sin",
                         "atan", "neg", "sign", "relu"}) {
    RunBoth(op, {Random(DType::kFloat64, {2, 21}, 17)}, {}, 1e-12);
  }
  RunBoth("mod", {Random(DType::kFloat64, {23}, 18), Random(DType::kFloat64, {23}, 19, false)},
          {{"fmod", int64_t{0}}}, 1e-12);
}

TEST(TypedKernelsTest, IntegerSemanticsAreCsAndNumpys) {
  // uint8 wraps.
  auto add = RunBoth(
      "add", {Make(DType::kUInt8, {3}, {200, 255, 3}), Make(DType::kUInt8, {3}, {100, 1, 5})});
  ASSERT_EQ(add.size(), 1u);
  EXPECT_EQ(add[0].data<uint8_t>()[0], 44);
  EXPECT_EQ(add[0].data<uint8_t>()[1], 0);
  auto sub = RunBoth("sub", {Make(DType::kUInt8, {1}, {3}), Make(DType::kUInt8, {1}, {5})});
  EXPECT_EQ(sub[0].data<uint8_t>()[0], 254);
  // Signed division rounds toward zero; by zero it is 0; MIN / -1 wraps.
  auto div = RunBoth("div", {Make(DType::kInt32, {5}, {-7, 7, -7, 5, -2147483648.0}),
                             Make(DType::kInt32, {5}, {2, -2, -2, 0, -1})});
  const int32_t want_div[] = {-3, -3, 3, 0, INT32_MIN};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(div[0].data<int32_t>()[i], want_div[i]) << i;
  // Unsigned division and comparison see the bits as unsigned.
  auto udiv =
      RunBoth("div", {Make(DType::kUInt32, {1}, {4294967295.0}), Make(DType::kUInt32, {1}, {2})});
  EXPECT_EQ(udiv[0].data<uint32_t>()[0], 2147483647u);
  auto less = RunBoth("less", {Make(DType::kUInt64, {1}, {1}), Make(DType::kUInt64, {1}, {-1})});
  EXPECT_EQ(less[0].data<uint8_t>()[0], 1);
  // Mod: the divisor's sign (fmod=0), the dividend's (fmod=1); by zero 0.
  const std::vector<double> a = {-7, 7, -7, 7, 5}, b = {2, -2, -2, 2, 0};
  auto floor_mod = RunBoth("mod", {Make(DType::kInt64, {5}, a), Make(DType::kInt64, {5}, b)},
                           {{"fmod", int64_t{0}}});
  auto trunc_mod = RunBoth("mod", {Make(DType::kInt64, {5}, a), Make(DType::kInt64, {5}, b)},
                           {{"fmod", int64_t{1}}});
  const int64_t want_floor[] = {1, -1, -1, 1, 0}, want_trunc[] = {-1, 1, -1, 1, 0};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(floor_mod[0].data<int64_t>()[i], want_floor[i]) << i;
    EXPECT_EQ(trunc_mod[0].data<int64_t>()[i], want_trunc[i]) << i;
  }
  // abs of the minimum wraps to itself, as in C and NumPy.
  auto abs = RunBoth("abs", {Make(DType::kInt8, {2}, {-128, -5})});
  EXPECT_EQ(abs[0].data<int8_t>()[0], -128);
  EXPECT_EQ(abs[0].data<int8_t>()[1], 5);
  // A clip bound outside the type saturates instead of wrapping.
  auto clip =
      RunBoth("clip", {Make(DType::kUInt8, {2}, {0, 250})}, {{"min", -1.0}, {"max", 300.0}});
  EXPECT_EQ(clip[0].data<uint8_t>()[0], 0);
  EXPECT_EQ(clip[0].data<uint8_t>()[1], 250);
}

// Unsigned shifts; by the width or more they give 0.
TEST(TypedKernelsTest, BitShiftsOnEveryUnsignedType) {
  for (DType t : {DType::kUInt8, DType::kUInt16, DType::kUInt32, DType::kUInt64}) {
    const NDArray x = Make(t, {3, 19}, {1, 255, 7, 0, 65535, 4294967295.0, 12345});
    const NDArray by = Make(t, {19}, {0, 1, 3, 7, 8, 15, 16, 31, 32, 63, 64, 200});
    for (const char* direction : {"LEFT", "RIGHT"}) {
      RunBoth("bit_shift", {x, by}, {{"direction", std::string(direction)}});
    }
  }
  auto left = RunBoth("bit_shift",
                      {Make(DType::kUInt8, {3}, {255, 1, 3}), Make(DType::kUInt8, {3}, {1, 8, 2})},
                      {{"direction", std::string("LEFT")}});
  EXPECT_EQ(left[0].data<uint8_t>()[0], 254);
  EXPECT_EQ(left[0].data<uint8_t>()[1], 0);
  EXPECT_EQ(left[0].data<uint8_t>()[2], 12);
  auto right = RunBoth("bit_shift",
                       {Make(DType::kUInt64, {2}, {-1, 16}), Make(DType::kUInt64, {2}, {63, 64})},
                       {{"direction", std::string("RIGHT")}});
  EXPECT_EQ(right[0].data<uint64_t>()[0], 1u);
  EXPECT_EQ(right[0].data<uint64_t>()[1], 0u);
}

TEST(TypedKernelsTest, CastBetweenEveryPairOfTypes) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = INFINITY;
  // Fractions of both signs, values out of every integer range, NaN, infinities, -0.
  const std::vector<double> values = {0,    1,    -1,   2.5,   -2.5,  127.9, -128.7, 300,
                                      -300, 7e4,  -7e4, 5e9,   -5e9,  1e20,  -1e20,  nan,
                                      inf,  -inf, -0.0, 0.125, 65519, 65521, 3.0e38, 1e-8};
  for (DType from : kAllTypes) {
    const NDArray x = Make(from, {static_cast<int64_t>(values.size()) + 5}, values);
    for (DType to : kAllTypes) {
      RunBoth("cast", {x}, {{"to", std::string(runtime::DTypeName(to))}}, 0);
    }
  }
  // Floats to integers truncate toward zero and saturate; NaN is 0.
  auto to_int = RunBoth("cast", {Make(DType::kFloat32, {6}, {-3.7, 3.7, nan, 1e10, -1e10, inf})},
                        {{"to", std::string("int32")}});
  const int32_t want_int[] = {-3, 3, 0, INT32_MAX, INT32_MIN, INT32_MAX};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(to_int[0].data<int32_t>()[i], want_int[i]) << i;
  auto to_u8 = RunBoth("cast", {Make(DType::kFloat64, {3}, {-5, 300, 255.9})},
                       {{"to", std::string("uint8")}});
  EXPECT_EQ(to_u8[0].data<uint8_t>()[0], 0);
  EXPECT_EQ(to_u8[0].data<uint8_t>()[1], 255);
  EXPECT_EQ(to_u8[0].data<uint8_t>()[2], 255);
  // To bool: != 0, so NaN is true.
  auto to_bool =
      RunBoth("cast", {Make(DType::kFloat32, {3}, {0, -0.0, nan})}, {{"to", std::string("bool")}});
  EXPECT_EQ(to_bool[0].data<uint8_t>()[0], 0);
  EXPECT_EQ(to_bool[0].data<uint8_t>()[1], 0);
  EXPECT_EQ(to_bool[0].data<uint8_t>()[2], 1);
  // Integers to narrower integers wrap; signed to unsigned keeps the bits.
  auto narrow =
      RunBoth("cast", {Make(DType::kInt32, {2}, {300, -1})}, {{"to", std::string("uint8")}});
  EXPECT_EQ(narrow[0].data<uint8_t>()[0], 44);
  EXPECT_EQ(narrow[0].data<uint8_t>()[1], 255);
  // float16 rounds to nearest even: 1 + 2^-11 is a tie.
  auto half = RunBoth("cast", {Make(DType::kFloat32, {2}, {1.0 + std::ldexp(1.0, -11), 65520})},
                      {{"to", std::string("float16")}});
  EXPECT_EQ(half[0].data<uint16_t>()[0], 0x3c00);
  EXPECT_EQ(half[0].data<uint16_t>()[1], 0x7c00);
}

TEST(TypedKernelsTest, IsNanAndIsInfOnFloat64) {
  const NDArray x = Make(DType::kFloat64, {9}, {0, NAN, INFINITY, -INFINITY, 1e308, -1, NAN});
  RunBoth("is_nan", {x});
  RunBoth("is_inf", {x});
  RunBoth("is_inf", {x}, {{"detect_negative", int64_t{0}}});
}

// Data movement copies elements of any size; awkward shapes leave vector
// tails.
TEST(TypedKernelsTest, DataMovementOnEveryElementSize) {
  for (DType t : {DType::kBool, DType::kInt8, DType::kUInt16, DType::kFloat16, DType::kInt32,
                  DType::kFloat64, DType::kUInt64, DType::kBFloat16}) {
    const NDArray x = Random(t, {3, 5, 7}, 20);
    RunBoth("transpose", {x}, {{"perm", std::vector<int64_t>{2, 0, 1}}});
    RunBoth("concat", {x, Random(t, {3, 2, 7}, 21)}, {{"axis", int64_t{1}}});
    RunBoth("slice", {x},
            {{"starts", std::vector<int64_t>{1, 0, 1}},
             {"steps", std::vector<int64_t>{1, 2, 3}},
             {"ends", std::vector<int64_t>{3, 5, 7}}});
    RunBoth("tile", {x}, {{"repeats", std::vector<int64_t>{1, 2, 3}}});
    RunBoth("pad", {x}, {{"pads", std::vector<int64_t>{0, 1, 2, 1, 0, 3}}, {"value", 1.0}});
    RunBoth("trilu", {x}, {{"upper", int64_t{1}}, {"k", int64_t{1}}});
    RunBoth("split", {x}, {{"axis", int64_t{2}}, {"split", std::vector<int64_t>{2, 5}}});
    for (DType index : {DType::kInt64, DType::kInt32}) {
      RunBoth("gather", {x, Make(index, {2, 2}, {4, -1, 0, 2})}, {{"axis", int64_t{1}}});
      RunBoth("gather_elements", {x, Make(index, {3, 2, 7}, {4, -1, 0, 2, 3})},
              {{"axis", int64_t{1}}});
    }
  }
}

TEST(TypedKernelsTest, ReductionsArgReductionsAndCumSumOnIntegersAndFloat64) {
  for (DType t : {DType::kInt32, DType::kInt64, DType::kUInt8, DType::kFloat64}) {
    const NDArray x = Random(t, {4, 9, 5}, 30);
    for (const char* op : {"reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_l1",
                           "reduce_sum_square"}) {
      RunBoth(op, {x}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}, 1e-12);
      RunBoth(op, {x}, {{"axes", std::vector<int64_t>{0, 2}}, {"keepdims", int64_t{1}}}, 1e-12);
    }
    for (const char* op : {"argmax", "argmin"}) {
      for (int64_t last : {0, 1}) {
        // Few distinct values: ties, which select_last_index decides.
        const NDArray ties = Make(t, {4, 9, 5}, {1, 3, 3, 0, 2, 3, 1});
        RunBoth(op, {ties},
                {{"axis", int64_t{1}}, {"keepdims", int64_t{1}}, {"select_last_index", last}});
        RunBoth(op, {x},
                {{"axis", int64_t{-1}}, {"keepdims", int64_t{0}}, {"select_last_index", last}});
      }
    }
    for (int64_t exclusive : {0, 1}) {
      RunBoth("cumsum", {x},
              {{"axis", int64_t{1}}, {"exclusive", exclusive}, {"reverse", int64_t{1} - exclusive}},
              1e-12);
    }
  }
  RunBoth("reduce_mean", {Random(DType::kFloat64, {6, 7}, 31)},
          {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{1}}}, 1e-12);
  RunBoth("reduce_log_sum_exp", {Random(DType::kFloat64, {6, 7}, 32)},
          {{"axes", std::vector<int64_t>{0}}, {"keepdims", int64_t{0}}}, 1e-12);
  // An all -inf row has no element equal to the reduction's finite identity.
  RunBoth("argmax", {Make(DType::kFloat32, {2, 3}, {-INFINITY})}, {{"axis", int64_t{1}}});
}

}  // namespace
}  // namespace kiln::codegen
