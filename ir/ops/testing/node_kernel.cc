#include "ir/ops/testing/node_kernel.h"

#include <cmath>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "codegen/jit.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::ir::ops::testing {
namespace {

// An array's bytes with kGuard bytes of a known pattern on either side
// (64, so that the array keeps NDArray's alignment).
class Guarded {
 public:
  static constexpr int64_t kGuard = 64;
  static constexpr uint8_t kPattern = 0xA5;

  explicit Guarded(const graph::TensorType& type) : type_(type) {
    int64_t n = 1;
    for (int64_t d : type.shape) n *= d;
    bytes_ = n * runtime::DTypeBytes(type.dtype);
    storage_ = *graph::NDArray::Empty({bytes_ + 2 * kGuard}, runtime::DType::kUInt8);
    std::memset(storage_.raw_data(), kPattern, bytes_ + 2 * kGuard);
  }

  void* data() const { return storage_.data<uint8_t>() + kGuard; }
  graph::NDArray View() const { return graph::NDArray::View(data(), type_.shape, type_.dtype); }

  // Whether both guards still hold the pattern.
  bool Intact() const {
    const uint8_t* p = storage_.data<uint8_t>();
    for (int64_t i = 0; i < kGuard; ++i) {
      if (p[i] != kPattern || p[kGuard + bytes_ + i] != kPattern) return false;
    }
    return true;
  }

 private:
  graph::TensorType type_;
  int64_t bytes_ = 0;
  graph::NDArray storage_;
};

}  // namespace

graph::NDArray ArrayOf(runtime::DType t, const std::vector<int64_t>& shape,
                       const std::vector<double>& values) {
  graph::NDArray a = *graph::NDArray::Empty(shape, t);
  for (int64_t i = 0; i < a.NumElements(); ++i) {
    graph::ops::Store(a, i, values[i % values.size()]);
  }
  return a;
}

graph::NDArray RandomArray(runtime::DType t, const std::vector<int64_t>& shape, uint32_t seed,
                           int64_t lo, int64_t hi, double scale) {
  graph::NDArray a = *graph::NDArray::Empty(shape, t);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int64_t i = 0; i < a.NumElements(); ++i) graph::ops::Store(a, i, dist(rng) / scale);
  return a;
}

absl::StatusOr<std::vector<graph::NDArray>> RunNodeKernel(const graph::Node& node,
                                                          const std::vector<graph::NDArray>& inputs,
                                                          const targets::Target& target) {
  auto def = graph::OpRegistry().Find(node.op);
  if (!def.ok()) return def.status();
  std::vector<graph::TensorType> in_types;
  for (const graph::NDArray& a : inputs) in_types.push_back({a.dtype(), a.shape()});
  std::vector<const graph::TensorType*> in_ptrs;
  for (const graph::TensorType& t : in_types) in_ptrs.push_back(&t);
  auto out_types = def->infer(node, in_ptrs);
  if (!out_types.ok()) return out_types.status();

  NodeShapes shapes;
  for (const graph::TensorType& t : in_types) {
    shapes.in.push_back(t.shape);
    shapes.in_types.push_back(DataTypeOf(t.dtype));
  }
  for (const graph::TensorType& t : *out_types) {
    shapes.out.push_back(t.shape);
    shapes.out_types.push_back(DataTypeOf(t.dtype));
  }
  auto lowering = FindLowering(node.op);
  if (!lowering.ok()) return lowering.status();
  if (!lowering->types(shapes)) {
    return absl::UnimplementedError(absl::StrCat(node.op, " has no kernel for these types"));
  }
  auto f = lowering->lower(node, shapes, target, "kernel");
  if (!f.ok()) return f.status();
  auto module = codegen::JitModule::Compile({*f}, target);
  if (!module.ok()) return module.status();
  auto kernel = (*module)->Lookup(f->name);
  if (!kernel.ok()) return kernel.status();

  // Inputs, then outputs (zeros), each between guards.
  std::vector<Guarded> buffers;
  buffers.reserve(inputs.size() + out_types->size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    buffers.emplace_back(in_types[k]);
    std::memcpy(buffers.back().data(), inputs[k].raw_data(), inputs[k].NumBytes());
  }
  for (const graph::TensorType& t : *out_types) {
    buffers.emplace_back(t);
    graph::NDArray view = buffers.back().View();
    std::memset(view.raw_data(), 0, view.NumBytes());
  }
  std::vector<void*> args;
  for (const Guarded& b : buffers) args.push_back(b.data());
  if (int32_t rc = (*kernel)(args.data()); rc != 0) {
    return absl::InternalError(absl::StrCat(node.op, " kernel returned ", rc));
  }
  for (size_t k = 0; k < buffers.size(); ++k) {
    if (!buffers[k].Intact()) {
      return absl::InternalError(absl::StrCat(node.op, " kernel wrote outside buffer ", k));
    }
    if (k < inputs.size() &&
        std::memcmp(buffers[k].data(), inputs[k].raw_data(), inputs[k].NumBytes()) != 0) {
      return absl::InternalError(absl::StrCat(node.op, " kernel changed input ", k));
    }
  }
  std::vector<graph::NDArray> outputs;
  for (size_t o = 0; o < out_types->size(); ++o) {
    auto copy = buffers[inputs.size() + o].View().Clone();
    if (!copy.ok()) return copy.status();
    outputs.push_back(*std::move(copy));
  }
  return outputs;
}

void ExpectKernelMatchesReference(const graph::Node& node,
                                  const std::vector<graph::NDArray>& inputs,
                                  const std::string& what, std::vector<targets::Target> targets) {
  auto want = graph::EvaluateNode(node, inputs);
  ASSERT_TRUE(want.ok()) << what << ": the reference fails: " << want.status();
  if (targets.empty()) targets = RunnableTargets();
  for (const targets::Target& target : targets) {
    auto got = RunNodeKernel(node, inputs, target);
    ASSERT_TRUE(got.ok()) << what << " on " << target.ToString() << ": " << got.status();
    ASSERT_EQ(got->size(), want->size()) << what;
    for (size_t o = 0; o < want->size(); ++o) {
      const graph::NDArray &g = (*got)[o], &w = (*want)[o];
      ASSERT_EQ(g.dtype(), w.dtype()) << what << " output " << o;
      ASSERT_EQ(g.shape(), w.shape()) << what << " output " << o;
      for (int64_t i = 0; i < w.NumElements(); ++i) {
        const double gv = runtime::ElementAsDouble(g.raw_data(), g.dtype(), i);
        const double wv = runtime::ElementAsDouble(w.raw_data(), w.dtype(), i);
        ASSERT_TRUE(gv == wv || (std::isnan(gv) && std::isnan(wv)))
            << what << " on " << target.ToString() << ": output " << o << " element " << i << " is "
            << gv << ", expected " << wv;
      }
    }
  }
}

}  // namespace kiln::ir::ops::testing
