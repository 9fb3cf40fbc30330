// Operators whose output shape depends on input values: Compress, NonZero,
// Unique, and ReverseSequence (whose sequence lengths decide which elements
// move). kiln plans memory at compile time, so the values that decide the
// shape must be known then: constants, or graph inputs bound with
// --input_values (ImportContext::RequiredConstant, checked on every run).
// NonZero and Unique fold to constants; Compress and ReverseSequence become
// gathers with constant indices, so the data they move may change per run.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"
#include "frontend/memory_budget.h"

namespace kiln::frontend {
namespace {

// The values of a constant as doubles, for the types whose order and
// truth kiln reads here.
absl::StatusOr<std::vector<double>> NumericValues(ImportContext& c, const graph::NDArray& a) {
  std::vector<double> v(a.NumElements());
  for (int64_t i = 0; i < a.NumElements(); ++i) {
    switch (a.dtype()) {
      case runtime::DType::kFloat32: v[i] = a.data<float>()[i]; break;
      case runtime::DType::kInt32: v[i] = a.data<int32_t>()[i]; break;
      case runtime::DType::kInt64: v[i] = static_cast<double>(a.data<int64_t>()[i]); break;
      case runtime::DType::kBool:
      case runtime::DType::kUInt8: v[i] = a.data<uint8_t>()[i]; break;
      default: return c.Unsupported(absl::StrCat(runtime::DTypeName(a.dtype()), " values"));
    }
  }
  return v;
}

absl::StatusOr<graph::NDArray> Int64Array(std::vector<int64_t> shape,
                                          const std::vector<int64_t>& values) {
  KILN_ASSIGN(a, graph::NDArray::Empty(std::move(shape), runtime::DType::kInt64));
  std::copy(values.begin(), values.end(), a.data<int64_t>());
  return a;
}

absl::StatusOr<int64_t> NormalizedAxis(ImportContext& c, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return c.Invalid(absl::StrCat("axis ", axis, " of a rank-", rank, " input"));
  }
  return axis < 0 ? axis + rank : axis;
}

// The positions i < len(condition) where condition[i] is true, along `axis`
// (or of the flattened input without one).
absl::Status Compress(ImportContext& c) {
  KILN_ASSIGN(x, c.Input(0));
  KILN_ASSIGN(condition, c.RequiredConstant(1, "a condition"));
  KILN_ASSIGN(truth, NumericValues(c, condition));
  const std::vector<int64_t>& shape = c.InputType(0).shape;
  int64_t data = x, axis = 0, length = 1;
  if (c.Attr("axis")) {
    KILN_ASSIGN(given, c.AttrInt("axis", std::nullopt));
    KILN_ASSIGN(normalized, NormalizedAxis(c, given, shape.size()));
    axis = normalized;
    length = shape[axis];
  } else {
    for (int64_t d : shape) length *= d;
    KILN_ASSIGN(flat, c.EmitStep("reshape", {x}, {{"shape", std::vector<int64_t>{length}}}));
    data = flat;
  }
  if (static_cast<int64_t>(truth.size()) > length) {
    return c.Invalid(absl::StrCat("a condition of ", truth.size(), " values for ", length,
                                  " positions"));
  }
  std::vector<int64_t> kept;
  for (int64_t i = 0; i < static_cast<int64_t>(truth.size()); ++i) {
    if (truth[i] != 0) kept.push_back(i);
  }
  if (kept.empty()) return c.Unsupported("a condition that keeps nothing (an empty result)");
  GraphSteps s(c);
  const int indices = s.Int64Constant({static_cast<int64_t>(kept.size())}, kept);
  return s.Bind(s.Op("gather", {static_cast<int>(data), indices}, {{"axis", axis}}));
}

// The coordinates of the non-zero elements, one row per axis.
absl::Status NonZero(ImportContext& c) {
  KILN_ASSIGN(input, c.RequiredConstant(0, "the input"));
  KILN_ASSIGN(values, NumericValues(c, input));
  const std::vector<int64_t>& shape = input.shape();
  const int64_t rank = shape.size();
  std::vector<int64_t> hits;
  for (int64_t i = 0; i < static_cast<int64_t>(values.size()); ++i) {
    if (values[i] != 0) hits.push_back(i);
  }
  const int64_t count = hits.size();
  std::vector<int64_t> coords(rank * count);
  for (int64_t k = 0; k < count; ++k) {
    int64_t rest = hits[k];
    for (int64_t d = rank - 1; d >= 0; --d) {
      coords[d * count + k] = rest % shape[d];
      rest /= shape[d];
    }
  }
  if (count == 0) return c.Unsupported("an input with no non-zero element (an empty result)");
  KILN_ASSIGN(out, Int64Array({rank, count}, coords));
  c.EmitConstant(std::move(out));
  return absl::OkStatus();
}

// Unique slices along `axis` (or elements of the flattened input), sorted
// or in order of first occurrence, with where each first occurs, which
// unique slice each input slice is, and how often each occurs.
absl::Status Unique(ImportContext& c) {
  KILN_ASSIGN(input, c.RequiredConstant(0, "the input"));
  KILN_ASSIGN(values, NumericValues(c, input));
  KILN_ASSIGN(sorted, c.AttrInt("sorted", 1));
  std::vector<int64_t> shape = input.shape();
  int64_t axis = 0;
  if (c.Attr("axis")) {
    KILN_ASSIGN(given, c.AttrInt("axis", std::nullopt));
    KILN_ASSIGN(normalized, NormalizedAxis(c, given, shape.size()));
    axis = normalized;
  } else {
    shape = {input.NumElements()};
  }
  if (shape[axis] == 0) return c.Unsupported("an empty input (an empty result)");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[axis];
  auto element = [&](int64_t slice, int64_t o, int64_t i) {
    return (o * n + slice) * inner + i;
  };
  // -1 / 0 / 1 comparing slices a and b element by element, row-major.
  auto compare = [&](int64_t a, int64_t b) {
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const double va = values[element(a, o, i)], vb = values[element(b, o, i)];
        if (va != vb) return va < vb ? -1 : 1;
      }
    }
    return 0;
  };
  std::vector<int64_t> firsts;  // first occurrence of each unique slice
  std::vector<int64_t> inverse(n), counts;
  for (int64_t s = 0; s < n; ++s) {
    size_t u = 0;
    while (u < firsts.size() && compare(firsts[u], s) != 0) ++u;
    if (u == firsts.size()) {
      firsts.push_back(s);
      counts.push_back(0);
    }
    inverse[s] = u;
    ++counts[u];
  }
  std::vector<int64_t> order(firsts.size());
  std::iota(order.begin(), order.end(), 0);
  if (sorted != 0) {
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return compare(firsts[a], firsts[b]) < 0; });
  }
  std::vector<int64_t> rank_of(order.size());
  for (size_t r = 0; r < order.size(); ++r) rank_of[order[r]] = r;
  const int64_t u = order.size();
  std::vector<int64_t> y_shape = shape;
  y_shape[axis] = u;
  KILN_ASSIGN(y, graph::NDArray::Empty(y_shape, input.dtype()));
  const int64_t bytes = runtime::DTypeBytes(input.dtype());
  const auto* from = static_cast<const char*>(input.raw_data());
  auto* to = static_cast<char*>(y.raw_data());
  for (int64_t r = 0; r < u; ++r) {
    for (int64_t o = 0; o < outer; ++o) {
      std::memcpy(to + ((o * u + r) * inner) * bytes,
                  from + element(firsts[order[r]], o, 0) * bytes, inner * bytes);
    }
  }
  std::vector<int64_t> first_index(u), count_out(u), inverse_out(n);
  for (int64_t r = 0; r < u; ++r) {
    first_index[r] = firsts[order[r]];
    count_out[r] = counts[order[r]];
  }
  for (int64_t s = 0; s < n; ++s) inverse_out[s] = rank_of[inverse[s]];
  c.EmitConstant(std::move(y), 0);
  const std::vector<int64_t>* extra[] = {&first_index, &inverse_out, &count_out};
  for (int k = 1; k < 4; ++k) {
    if (k >= c.node().output_size() || c.node().output(k).empty()) continue;
    KILN_ASSIGN(out, Int64Array({static_cast<int64_t>(extra[k - 1]->size())}, *extra[k - 1]));
    c.EmitConstant(std::move(out), k);
  }
  return absl::OkStatus();
}

// Reverses the first sequence_lens[b] elements along time_axis of each
// batch entry b: a gather_elements with constant indices.
absl::Status ReverseSequence(ImportContext& c) {
  KILN_ASSIGN(x, c.Input(0));
  KILN_ASSIGN(lengths, c.RequiredConstant(1, "sequence_lens"));
  KILN_ASSIGN(lens, NumericValues(c, lengths));
  KILN_ASSIGN(time_axis, c.AttrInt("time_axis", 0));
  KILN_ASSIGN(batch_axis, c.AttrInt("batch_axis", 1));
  const std::vector<int64_t>& shape = c.InputType(0).shape;
  if (shape.size() < 2 || (time_axis != 0 && time_axis != 1) ||
      (batch_axis != 0 && batch_axis != 1) || time_axis == batch_axis) {
    return c.Invalid(absl::StrCat("time_axis ", time_axis, " and batch_axis ", batch_axis,
                                  " of a rank-", shape.size(), " input; expected 0 and 1"));
  }
  if (static_cast<int64_t>(lens.size()) != shape[batch_axis]) {
    return c.Invalid(absl::StrCat(lens.size(), " sequence lengths for a batch of ",
                                  shape[batch_axis]));
  }
  for (double l : lens) {
    if (!(l >= 0 && l <= shape[time_axis])) {
      return c.Invalid(absl::StrCat("sequence length ", l, " outside [0, ",
                                    shape[time_axis], "]"));
    }
  }
  // The indices take twice the bytes of float32 data.
  KILN_ASSIGN(total_bytes, CheckTensorBytes("ReverseSequence's indices", shape,
                                            runtime::DType::kInt64, c.memory_budget()));
  const int64_t total = total_bytes / 8;
  if (total == 0) return c.Unsupported("an empty input");
  const int64_t inner = total / (shape[0] * shape[1]);
  std::vector<int64_t> indices(total);
  for (int64_t i = 0; i < total; ++i) {
    const int64_t a0 = i / (shape[1] * inner), a1 = (i / inner) % shape[1];
    const int64_t t = time_axis == 0 ? a0 : a1, b = batch_axis == 0 ? a0 : a1;
    const int64_t len = static_cast<int64_t>(lens[b]);
    indices[i] = t < len ? len - 1 - t : t;
  }
  GraphSteps s(c);
  return s.Bind(s.Op("gather_elements", {x, s.Int64Constant(shape, indices)},
                     {{"axis", time_axis}}));
}

KILN_REGISTER_ONNX_CONVERTER(Compress, 9, kLatestOpset, Compress);
KILN_REGISTER_ONNX_CONVERTER(NonZero, 9, kLatestOpset, NonZero);
KILN_REGISTER_ONNX_CONVERTER(Unique, 11, kLatestOpset, Unique);
KILN_REGISTER_ONNX_CONVERTER(ReverseSequence, 10, kLatestOpset, ReverseSequence);

}  // namespace
}  // namespace kiln::frontend
