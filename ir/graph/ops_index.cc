// Operators that select or place elements by computed indices: topk,
// gather_nd, scatter_nd and scatter_elements. Indices may be int32 or int64
// and negative (counted from the end); an index out of range is an error.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_index.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"

namespace kiln::graph::ops {
namespace {

using Types = std::vector<const TensorType*>;
using Result = absl::StatusOr<std::vector<TensorType>>;
using Outputs = absl::StatusOr<std::vector<NDArray>>;

absl::Status ExpectIndices(const TensorType& t) {
  if (t.dtype != DType::kInt64 && t.dtype != DType::kInt32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "indices of type ", runtime::DTypeName(t.dtype), "; expected int32 or int64"));
  }
  return absl::OkStatus();
}

// Index value v along an axis of `extent`, made non-negative.
absl::StatusOr<int64_t> CheckedIndex(double v, int64_t extent) {
  const int64_t index = static_cast<int64_t>(v);
  if (index < -extent || index >= extent) {
    return absl::InvalidArgumentError(absl::StrCat("index ", index, " is out of range for an axis of size ",
                                                   extent, "; expected one in [", -extent, ", ",
                                                   extent - 1, "]"));
  }
  return index < 0 ? index + extent : index;
}

int64_t Product(const std::vector<int64_t>& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t d = begin; d < end; ++d) p *= shape[d];
  return p;
}

// ---- topk ----
OpDef TopK() {
  OpDef def;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto a = TopKAttrs::Read(n);
    if (!a.ok()) return a.status();
    auto axis = NormalizeAxis(a->axis, in[0]->shape.size());
    if (!axis.ok()) return axis.status();
    std::vector<int64_t> shape = in[0]->shape;
    if (a->k > shape[*axis]) {
      return absl::InvalidArgumentError(absl::StrCat("k = ", a->k, " exceeds axis ", *axis,
                                                     " of size ", shape[*axis]));
    }
    shape[*axis] = a->k;
    return std::vector<TensorType>{{in[0]->dtype, shape}, {DType::kInt64, shape}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = TopKAttrs::Read(n);
    if (!a.ok()) return a.status();
    const auto& shape = in[0].shape();
    auto axis = NormalizeAxis(a->axis, shape.size());
    if (!axis.ok()) return axis.status();
    std::vector<int64_t> out_shape = shape;
    out_shape[*axis] = a->k;
    auto values = Allocate({in[0].dtype(), out_shape});
    auto indices = Allocate({DType::kInt64, out_shape});
    if (!values.ok()) return values.status();
    if (!indices.ok()) return indices.status();
    const int64_t len = shape[*axis], inner = Product(shape, *axis + 1, shape.size());
    const int64_t outer = Product(shape, 0, *axis);
    std::vector<int64_t> order(len);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        auto value = [&](int64_t k) { return Load(in[0], (o * len + k) * inner + i); };
        std::iota(order.begin(), order.end(), 0);
        // A NaN ranks below every number for both largest and smallest (as
        // ONNX's reference sorts it: last); without this the comparison
        // would not be a strict weak order, which stable_sort needs.
        std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
          const double vx = value(x), vy = value(y);
          if (std::isnan(vx) || std::isnan(vy)) return !std::isnan(vx) && std::isnan(vy);
          return a->largest ? vx > vy : vx < vy;
        });
        for (int64_t k = 0; k < a->k; ++k) {
          const int64_t at = (o * a->k + k) * inner + i;
          Store(*values, at, value(order[k]));
          indices->data<int64_t>()[at] = order[k];
        }
      }
    }
    return std::vector<NDArray>{*values, *indices};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "topk", "the k largest or smallest elements along an axis", TopK());

// The flat offset, in units of the trailing slice, of the index tuple that
// starts at element `first` of `indices` into dims [begin, begin + count) of
// `shape`.
absl::StatusOr<int64_t> TupleOffset(const NDArray& indices, int64_t first,
                                    const std::vector<int64_t>& shape, size_t begin,
                                    size_t count) {
  int64_t offset = 0;
  for (size_t k = 0; k < count; ++k) {
    auto index = CheckedIndex(Load(indices, first + k), shape[begin + k]);
    if (!index.ok()) return index.status();
    offset = offset * shape[begin + k] + *index;
  }
  return offset;
}

// ---- gather_nd ----
OpDef GatherNd() {
  OpDef def;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 2, 2); !st.ok()) return st;
    if (auto st = ExpectIndices(*in[1]); !st.ok()) return st;
    auto a = GatherNdAttrs::Read(n);
    if (!a.ok()) return a.status();
    const auto& data = in[0]->shape;
    const auto& idx = in[1]->shape;
    const size_t b = static_cast<size_t>(a->batch_dims);
    if (idx.empty() || data.empty() || b >= std::min(idx.size(), data.size()) ||
        idx.back() < 1 || static_cast<size_t>(idx.back()) > data.size() - b ||
        !std::equal(data.begin(), data.begin() + b, idx.begin())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "indices ", runtime::ShapeToString(idx), " do not index data ",
          runtime::ShapeToString(data), " with batch_dims ", b,
          "; expected the same batch dimensions and tuples of 1 to rank - batch_dims"));
    }
    std::vector<int64_t> shape(idx.begin(), idx.end() - 1);
    shape.insert(shape.end(), data.begin() + b + idx.back(), data.end());
    return std::vector<TensorType>{{in[0]->dtype, shape}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = GatherNdAttrs::Read(n);
    if (!a.ok()) return a.status();
    const auto& data = in[0].shape();
    const auto& idx = in[1].shape();
    const size_t b = static_cast<size_t>(a->batch_dims), depth = static_cast<size_t>(idx.back());
    std::vector<int64_t> shape(idx.begin(), idx.end() - 1);
    shape.insert(shape.end(), data.begin() + b + depth, data.end());
    auto out = Allocate({in[0].dtype(), shape});
    if (!out.ok()) return out.status();
    const int64_t slice = Product(data, b + depth, data.size());
    const int64_t per_batch_tuples = Product(idx, b, idx.size() - 1);
    const int64_t per_batch_data = Product(data, b, data.size());
    const int64_t tuples = Product(idx, 0, idx.size() - 1);
    for (int64_t t = 0; t < tuples; ++t) {
      auto offset = TupleOffset(in[1], t * depth, data, b, depth);
      if (!offset.ok()) return offset.status();
      const int64_t src = (t / per_batch_tuples) * per_batch_data + *offset * slice;
      for (int64_t e = 0; e < slice; ++e) Store(*out, t * slice + e, Load(in[0], src + e));
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "gather_nd", "slices of data at index tuples", GatherNd());

// ---- scatter_nd ----
OpDef ScatterNd() {
  OpDef def;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 3, 3); !st.ok()) return st;
    if (auto st = ExpectIndices(*in[1]); !st.ok()) return st;
    if (auto a = ScatterAttrs::Read(n); !a.ok()) return a.status();
    const auto& data = in[0]->shape;
    const auto& idx = in[1]->shape;
    if (idx.empty() || idx.back() < 1 || static_cast<size_t>(idx.back()) > data.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "indices ", runtime::ShapeToString(idx), " for data ", runtime::ShapeToString(data),
          "; expected tuples of 1 to ", data.size(), " indices along the last axis"));
    }
    std::vector<int64_t> updates(idx.begin(), idx.end() - 1);
    updates.insert(updates.end(), data.begin() + idx.back(), data.end());
    if (in[2]->shape != updates || in[2]->dtype != in[0]->dtype) {
      return absl::InvalidArgumentError(absl::StrCat(
          "updates ", in[2]->ToString(), " for data ", in[0]->ToString(), " and indices ",
          runtime::ShapeToString(idx), "; expected ", runtime::DTypeName(in[0]->dtype),
          runtime::ShapeToString(updates)));
    }
    return std::vector<TensorType>{*in[0]};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = ScatterAttrs::Read(n);
    if (!a.ok()) return a.status();
    auto out = in[0].Clone();
    if (!out.ok()) return out.status();
    const auto& data = in[0].shape();
    const auto& idx = in[1].shape();
    const size_t depth = static_cast<size_t>(idx.back());
    const int64_t slice = Product(data, depth, data.size());
    const int64_t tuples = Product(idx, 0, idx.size() - 1);
    for (int64_t t = 0; t < tuples; ++t) {
      auto offset = TupleOffset(in[1], t * depth, data, 0, depth);
      if (!offset.ok()) return offset.status();
      for (int64_t e = 0; e < slice; ++e) {
        const int64_t dst = *offset * slice + e;
        Store(*out, dst, a->Combine(Load(*out, dst), Load(in[2], t * slice + e)));
      }
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "scatter_nd", "data with slices at index tuples updated",
              ScatterNd());

// ---- scatter_elements ----
OpDef ScatterElements() {
  OpDef def;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 3, 3); !st.ok()) return st;
    if (auto st = ExpectIndices(*in[1]); !st.ok()) return st;
    auto a = ScatterAttrs::Read(n);
    if (!a.ok()) return a.status();
    const auto& data = in[0]->shape;
    const auto& idx = in[1]->shape;
    auto axis = NormalizeAxis(a->axis, data.size());
    if (!axis.ok()) return axis.status();
    bool fits = idx.size() == data.size() && in[2]->shape == idx && in[2]->dtype == in[0]->dtype;
    for (size_t d = 0; fits && d < data.size(); ++d) fits = idx[d] <= data[d] || d == size_t(*axis);
    if (!fits) {
      return absl::InvalidArgumentError(absl::StrCat(
          "indices ", runtime::ShapeToString(idx), " and updates ", in[2]->ToString(),
          " for data ", in[0]->ToString(),
          "; expected both of one shape, of the data's rank and no larger outside the axis"));
    }
    return std::vector<TensorType>{*in[0]};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = ScatterAttrs::Read(n);
    if (!a.ok()) return a.status();
    auto out = in[0].Clone();
    if (!out.ok()) return out.status();
    const auto& data = in[0].shape();
    auto axis = NormalizeAxis(a->axis, data.size());
    if (!axis.ok()) return axis.status();
    const std::vector<int64_t> strides = Strides(data);
    absl::Status status;
    ForEachIndex(in[1].shape(), [&](int64_t i, const std::vector<int64_t>& at) {
      if (!status.ok()) return;
      auto index = CheckedIndex(Load(in[1], i), data[*axis]);
      if (!index.ok()) {
        status = index.status();
        return;
      }
      int64_t dst = 0;
      for (size_t d = 0; d < data.size(); ++d) {
        dst += (static_cast<int64_t>(d) == *axis ? *index : at[d]) * strides[d];
      }
      Store(*out, dst, a->Combine(Load(*out, dst), Load(in[2], i)));
    });
    if (!status.ok()) return status;
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "scatter_elements", "data with elements at indices along an axis "
              "updated", ScatterElements());

}  // namespace
}  // namespace kiln::graph::ops
