// Data-movement operators: they only rearrange elements, so they work for
// every dtype by copying element bytes.
#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"

namespace kiln::graph::ops {
namespace {

using Types = std::vector<const TensorType*>;
using Result = absl::StatusOr<std::vector<TensorType>>;
using Outputs = absl::StatusOr<std::vector<NDArray>>;

void CopyElement(const NDArray& from, int64_t i, NDArray& to, int64_t j) {
  const int64_t size = runtime::DTypeBytes(from.dtype());
  std::memcpy(static_cast<char*>(to.raw_data()) + j * size,
              static_cast<const char*>(from.raw_data()) + i * size, size);
}

int64_t Flat(const std::vector<int64_t>& index, const std::vector<int64_t>& shape) {
  int64_t f = 0;
  for (size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + index[d];
  return f;
}

// ---- reshape: `shape` is final (the importer resolves 0 and -1) ----
OpDef Reshape() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto attrs = ReshapeAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    if (NumElements(attrs->shape) != NumElements(in[0]->shape)) {
      return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", in[0]->ToString(),
                                                     " to ",
                                                     runtime::ShapeToString(attrs->shape)));
    }
    return std::vector<TensorType>{{in[0]->dtype, attrs->shape}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = ReshapeAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto out = Allocate({in[0].dtype(), attrs->shape});
    if (!out.ok()) return out.status();
    if (in[0].NumBytes() > 0) std::memcpy(out->raw_data(), in[0].raw_data(), in[0].NumBytes());
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "reshape", "same elements, new shape", Reshape());

// ---- transpose ----
OpDef Transpose() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  auto perm_of = [](const Node& n, size_t rank) -> absl::StatusOr<std::vector<int64_t>> {
    auto attrs = TransposeAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    return attrs->Perm(rank);
  };
  def.infer = [perm_of](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto perm = perm_of(n, in[0]->shape.size());
    if (!perm.ok()) return perm.status();
    TensorType t{in[0]->dtype, {}};
    for (int64_t p : *perm) t.shape.push_back(in[0]->shape[p]);
    return std::vector<TensorType>{t};
  };
  def.evaluate = [perm_of](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto perm = perm_of(n, in[0].shape().size());
    if (!perm.ok()) return perm.status();
    std::vector<int64_t> shape;
    for (int64_t p : *perm) shape.push_back(in[0].shape()[p]);
    auto out = Allocate({in[0].dtype(), shape});
    if (!out.ok()) return out.status();
    std::vector<int64_t> src(shape.size());
    ForEachIndex(shape, [&](int64_t i, const std::vector<int64_t>& idx) {
      for (size_t d = 0; d < idx.size(); ++d) src[(*perm)[d]] = idx[d];
      CopyElement(in[0], Flat(src, in[0].shape()), *out, i);
    });
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "transpose", "permutes axes", Transpose());

// ---- concat ----
OpDef Concat() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (in.empty() || !in[0]) return absl::InvalidArgumentError("needs inputs");
    auto attrs = ConcatAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto axis = attrs->Axis(in[0]->shape.size());
    if (!axis.ok()) return axis.status();
    TensorType t = *in[0];
    for (size_t k = 1; k < in.size(); ++k) {
      if (!in[k] || in[k]->shape.size() != t.shape.size() || in[k]->dtype != t.dtype) {
        return absl::InvalidArgumentError("inputs differ in rank or dtype");
      }
      for (size_t d = 0; d < t.shape.size(); ++d) {
        if (static_cast<int64_t>(d) != *axis && in[k]->shape[d] != t.shape[d]) {
          return absl::InvalidArgumentError("inputs differ outside the concat axis");
        }
      }
      t.shape[*axis] += in[k]->shape[*axis];
    }
    return std::vector<TensorType>{t};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = ConcatAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto normalized = attrs->Axis(in[0].shape().size());
    if (!normalized.ok()) return normalized.status();
    const int64_t axis = *normalized;
    std::vector<int64_t> shape = in[0].shape();
    for (size_t k = 1; k < in.size(); ++k) shape[axis] += in[k].shape()[axis];
    auto out = Allocate({in[0].dtype(), shape});
    if (!out.ok()) return out.status();
    int64_t offset = 0;
    for (const NDArray& part : in) {
      ForEachIndex(part.shape(), [&](int64_t i, const std::vector<int64_t>& idx) {
        std::vector<int64_t> dst = idx;
        dst[axis] += offset;
        CopyElement(part, i, *out, Flat(dst, shape));
      });
      offset += part.shape()[axis];
    }
    return std::vector<NDArray>{*out};
  };
  // Along the channels of NCHW[b]c inputs whose channels divide into blocks,
  // the blocks of each input follow the previous input's; along H or W the
  // blocked tensors join as they are.
  def.to_nchwc = [](const Node& n, const Types& plain, int64_t block) -> std::optional<Node> {
    auto attrs = ConcatAttrs::Read(n);
    if (!attrs.ok() || plain.empty()) return std::nullopt;
    for (const TensorType* t : plain) {
      if (!t || t->shape.size() != 4 || t->shape[1] % block != 0) return std::nullopt;
    }
    auto axis = attrs->Axis(4);
    if (!axis.ok() || *axis == 0) return std::nullopt;
    Node blocked = n;
    ConcatAttrs{*axis}.Write(blocked);
    return blocked;
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "concat", "joins along axis", Concat());

// ---- slice: starts/ends/steps per axis, already clamped by the importer ----
OpDef Slice() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  // Output extent per axis and the source index of output index 0.
  auto plan = [](const Node& n, const std::vector<int64_t>& shape)
      -> absl::StatusOr<std::pair<std::vector<int64_t>, std::vector<int64_t>>> {
    auto a = SliceAttrs::Read(n);
    if (!a.ok()) return a.status();
    if (a->starts.size() != shape.size() || a->ends.size() != shape.size() ||
        a->steps.size() != shape.size()) {
      return absl::InvalidArgumentError("slice needs starts, ends and steps for every axis");
    }
    std::vector<int64_t> extent(shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
      const int64_t s = a->starts[d], e = a->ends[d], st = a->steps[d];
      if (st == 0) return absl::InvalidArgumentError("slice step 0");
      extent[d] = st > 0 ? std::max<int64_t>(0, (e - s + st - 1) / st)
                         : std::max<int64_t>(0, (s - e - st - 1) / -st);
    }
    return std::make_pair(extent, a->starts);
  };
  def.infer = [plan](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto p = plan(n, in[0]->shape);
    if (!p.ok()) return p.status();
    return std::vector<TensorType>{{in[0]->dtype, p->first}};
  };
  def.evaluate = [plan](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto p = plan(n, in[0].shape());
    if (!p.ok()) return p.status();
    auto a = SliceAttrs::Read(n);
    if (!a.ok()) return a.status();
    const std::vector<int64_t>& steps = a->steps;
    auto out = Allocate({in[0].dtype(), p->first});
    if (!out.ok()) return out.status();
    std::vector<int64_t> src(p->first.size());
    ForEachIndex(p->first, [&](int64_t i, const std::vector<int64_t>& idx) {
      for (size_t d = 0; d < idx.size(); ++d) src[d] = p->second[d] + idx[d] * steps[d];
      CopyElement(in[0], Flat(src, in[0].shape()), *out, i);
    });
    return std::vector<NDArray>{*out};
  };
  // Slicing H and W only, or whole blocks of channels at step 1, slices the
  // blocked tensor the same way, with every lane of a block kept.
  def.to_nchwc = [](const Node& n, const Types& plain, int64_t block) -> std::optional<Node> {
    auto a = SliceAttrs::Read(n);
    if (!a.ok() || plain.size() != 1 || !plain[0] || plain[0]->shape.size() != 4 ||
        a->starts.size() != 4 || a->ends.size() != 4 || a->steps.size() != 4) {
      return std::nullopt;
    }
    const int64_t channels = plain[0]->shape[1];
    const bool all_channels = a->starts[1] == 0 && a->ends[1] >= channels && a->steps[1] == 1;
    const bool whole_blocks = a->steps[1] == 1 && a->starts[1] % block == 0 &&
                              (a->ends[1] % block == 0 || a->ends[1] >= channels);
    if (channels % block != 0 || (!all_channels && !whole_blocks)) return std::nullopt;
    const int64_t end_channel = std::min(a->ends[1], channels);
    a->starts = {a->starts[0], a->starts[1] / block, a->starts[2], a->starts[3], 0};
    a->ends = {a->ends[0], end_channel / block, a->ends[2], a->ends[3], block};
    a->steps = {a->steps[0], 1, a->steps[2], a->steps[3], 1};
    Node blocked = n;
    a->Write(blocked);
    return blocked;
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "slice", "strided window", Slice());

// ---- depth_to_space: DCR order, blocks of rows x columns ----
// A 4-D input is NCHW; a 5-D one NCHW[b]c, whose channel blocks move as the
// channels of plain data do (see DepthToSpaceAttrs).
OpDef DepthToSpace() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto a = DepthToSpaceAttrs::Read(n);
    if (!a.ok()) return a.status();
    std::vector<int64_t> shape = in[0]->shape;
    if (shape.size() != 4 && shape.size() != 5) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input ", in[0]->ToString(), "; expected NCHW (4-D) or NCHW[b]c (5-D)"));
    }
    // Divided twice: rows * columns of hostile attributes would overflow.
    if (shape[1] % a->rows != 0 || (shape[1] / a->rows) % a->columns != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("channel axis ", shape[1], " does not divide into blocks of ", a->rows,
                       "x", a->columns));
    }
    shape[1] /= a->rows * a->columns;
    shape[2] *= a->rows;
    shape[3] *= a->columns;
    return std::vector<TensorType>{{in[0]->dtype, shape}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = DepthToSpaceAttrs::Read(n);
    if (!a.ok()) return a.status();
    std::vector<int64_t> shape = in[0].shape();
    const int64_t depth = shape[1] / (a->rows * a->columns);
    shape[1] = depth;
    shape[2] *= a->rows;
    shape[3] *= a->columns;
    auto out = Allocate({in[0].dtype(), shape});
    if (!out.ok()) return out.status();
    ForEachIndex(shape, [&](int64_t i, const std::vector<int64_t>& idx) {
      std::vector<int64_t> src = idx;
      const int64_t r = idx[2] % a->rows, s = idx[3] % a->columns;
      src[1] = (r * a->columns + s) * depth + idx[1];
      src[2] = idx[2] / a->rows;
      src[3] = idx[3] / a->columns;
      CopyElement(in[0], Flat(src, in[0].shape()), *out, i);
    });
    return std::vector<NDArray>{*out};
  };
  // Channel (r, s, c) of plain data is block (r, s, c / b), lane c % b, of
  // NCHW[b]c data when b divides C.
  def.to_nchwc = [](const Node& n, const Types& plain, int64_t block) -> std::optional<Node> {
    auto a = DepthToSpaceAttrs::Read(n);
    if (!a.ok() || plain.size() != 1 || !plain[0] || plain[0]->shape.size() != 4 ||
        plain[0]->shape[1] % a->rows != 0 || (plain[0]->shape[1] / a->rows) % a->columns != 0 ||
        (plain[0]->shape[1] / a->rows / a->columns) % block != 0) {
      return std::nullopt;
    }
    return n;
  };
  def.input_channel_groups = [](const Node& n) -> int64_t {
    auto a = DepthToSpaceAttrs::Read(n);
    return a.ok() ? a->rows * a->columns : 1;
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "depth_to_space", "channel blocks to pixel blocks (DCR)",
              DepthToSpace());

// ---- gather ----
OpDef Gather() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 2, 2); !st.ok()) return st;
    if (in[1]->dtype != DType::kInt64 && in[1]->dtype != DType::kInt32) {
      return absl::InvalidArgumentError("indices must be int32 or int64");
    }
    auto attrs = GatherAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto axis = attrs->Axis(in[0]->shape.size());
    if (!axis.ok()) return axis.status();
    TensorType t{in[0]->dtype, {}};
    for (int64_t d = 0; d < *axis; ++d) t.shape.push_back(in[0]->shape[d]);
    for (int64_t d : in[1]->shape) t.shape.push_back(d);
    for (size_t d = *axis + 1; d < in[0]->shape.size(); ++d) t.shape.push_back(in[0]->shape[d]);
    return std::vector<TensorType>{t};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& shape = in[0].shape();
    auto attrs = GatherAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto gather_axis = attrs->Axis(shape.size());
    if (!gather_axis.ok()) return gather_axis.status();
    const int64_t axis = *gather_axis;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
    for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
    std::vector<int64_t> out_shape(shape.begin(), shape.begin() + axis);
    for (int64_t d : in[1].shape()) out_shape.push_back(d);
    out_shape.insert(out_shape.end(), shape.begin() + axis + 1, shape.end());
    auto out = Allocate({in[0].dtype(), out_shape});
    if (!out.ok()) return out.status();
    const int64_t count = in[1].NumElements();
    for (int64_t k = 0; k < count; ++k) {
      int64_t index = static_cast<int64_t>(Load(in[1], k));
      if (index < 0) index += shape[axis];
      if (index < 0 || index >= shape[axis]) {
        return absl::InvalidArgumentError(absl::StrCat("gather index ", index,
                                                       " is out of range for axis size ",
                                                       shape[axis]));
      }
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          CopyElement(in[0], (o * shape[axis] + index) * inner + i, *out,
                      (o * count + k) * inner + i);
        }
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "gather", "takes entries along axis", Gather());

// ---- gather_elements ----
OpDef GatherElements() {
  OpDef def;
  // Each output element is one data element; which one is data-dependent.
  def.pattern = OpPattern::kOpaque;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 2, 2); !st.ok()) return st;
    if (in[1]->dtype != DType::kInt64 && in[1]->dtype != DType::kInt32) {
      return absl::InvalidArgumentError(absl::StrCat(
          "indices of type ", runtime::DTypeName(in[1]->dtype), "; expected int32 or int64"));
    }
    auto a = GatherElementsAttrs::Read(n);
    if (!a.ok()) return a.status();
    const auto& data = in[0]->shape;
    const auto& indices = in[1]->shape;
    if (data.empty()) return absl::InvalidArgumentError("the data is a scalar; expected rank >= 1");
    auto axis = NormalizeAxis(a->axis, data.size());
    if (!axis.ok()) return axis.status();
    bool fits = indices.size() == data.size();
    for (size_t d = 0; fits && d < data.size(); ++d) {
      fits = static_cast<int64_t>(d) == *axis || indices[d] <= data[d];
    }
    if (!fits) {
      return absl::InvalidArgumentError(absl::StrCat(
          "indices ", runtime::ShapeToString(indices), " do not fit data ",
          runtime::ShapeToString(data), "; expected the same rank and, outside axis ", *axis,
          ", sizes no larger than the data's"));
    }
    return std::vector<TensorType>{{in[0]->dtype, indices}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = GatherElementsAttrs::Read(n);
    if (!a.ok()) return a.status();
    const auto& shape = in[0].shape();
    auto axis = NormalizeAxis(a->axis, shape.size());
    if (!axis.ok()) return axis.status();
    const int64_t extent = shape[*axis];
    auto out = Allocate({in[0].dtype(), in[1].shape()});
    if (!out.ok()) return out.status();
    absl::Status status;
    std::vector<int64_t> src;
    ForEachIndex(in[1].shape(), [&](int64_t i, const std::vector<int64_t>& idx) {
      if (!status.ok()) return;
      int64_t index = static_cast<int64_t>(Load(in[1], i));
      if (index < -extent || index >= extent) {
        status = absl::InvalidArgumentError(absl::StrCat(
            "index ", index, " is out of range for axis ", *axis, " of size ", extent,
            "; expected one in [", -extent, ", ", extent - 1, "]"));
        return;
      }
      src = idx;
      src[*axis] = index < 0 ? index + extent : index;
      CopyElement(in[0], Flat(src, shape), *out, i);
    });
    if (!status.ok()) return status;
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "gather_elements", "takes one element per index along axis",
              GatherElements());

// ---- split ----
OpDef Split() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto attrs = SplitAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto axis = attrs->axis.Axis(in[0]->shape.size());
    if (!axis.ok()) return axis.status();
    int64_t total = 0;
    std::vector<TensorType> out;
    for (int64_t s : attrs->sizes) {
      TensorType t = *in[0];
      t.shape[*axis] = s;
      total += s;
      out.push_back(t);
    }
    if (total != in[0]->shape[*axis]) {
      return absl::InvalidArgumentError("split sizes do not add up to the axis length");
    }
    return out;
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = SplitAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto split_axis = attrs->axis.Axis(in[0].shape().size());
    if (!split_axis.ok()) return split_axis.status();
    const int64_t axis = *split_axis;
    std::vector<NDArray> outs;
    int64_t offset = 0;
    for (int64_t s : attrs->sizes) {
      std::vector<int64_t> shape = in[0].shape();
      shape[axis] = s;
      auto out = Allocate({in[0].dtype(), shape});
      if (!out.ok()) return out.status();
      ForEachIndex(shape, [&](int64_t i, const std::vector<int64_t>& idx) {
        std::vector<int64_t> src = idx;
        src[axis] += offset;
        CopyElement(in[0], Flat(src, in[0].shape()), *out, i);
      });
      offset += s;
      outs.push_back(*out);
    }
    return outs;
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "split", "cuts along axis", Split());

// ---- pad: pads = [begin_0, ..., begin_n, end_0, ..., end_n] ----
OpDef Pad() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto a = PadAttrs::Read(n);
    if (!a.ok()) return a.status();
    const std::vector<int64_t>& pads = a->pads;
    const size_t rank = in[0]->shape.size();
    if (pads.size() != 2 * rank) return absl::InvalidArgumentError("pads needs 2 * rank values");
    TensorType t = *in[0];
    for (size_t d = 0; d < rank; ++d) {
      t.shape[d] += pads[d] + pads[d + rank];
      if (t.shape[d] < 0) return absl::InvalidArgumentError("negative padded size");
      if (a->mode == PadAttrs::Mode::kReflect &&
          (pads[d] >= in[0]->shape[d] || pads[d + rank] >= in[0]->shape[d])) {
        return absl::InvalidArgumentError("reflect padding must be smaller than the axis");
      }
    }
    return std::vector<TensorType>{t};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = PadAttrs::Read(n);
    if (!a.ok()) return a.status();
    const std::vector<int64_t>& pads = a->pads;
    const PadAttrs::Mode mode = a->mode;
    const double value = a->value;
    const auto& shape = in[0].shape();
    const size_t rank = shape.size();
    std::vector<int64_t> out_shape = shape;
    for (size_t d = 0; d < rank; ++d) out_shape[d] += pads[d] + pads[d + rank];
    auto out = Allocate({in[0].dtype(), out_shape});
    if (!out.ok()) return out.status();
    std::vector<int64_t> src(rank);
    ForEachIndex(out_shape, [&](int64_t i, const std::vector<int64_t>& idx) {
      bool inside = true;
      for (size_t d = 0; d < rank; ++d) {
        int64_t s = idx[d] - pads[d];
        if (s < 0 || s >= shape[d]) {
          if (mode == PadAttrs::Mode::kEdge) s = std::clamp<int64_t>(s, 0, shape[d] - 1);
          else if (mode == PadAttrs::Mode::kReflect) s = s < 0 ? -s : 2 * (shape[d] - 1) - s;
          else inside = false;
        }
        src[d] = s;
      }
      if (inside) CopyElement(in[0], Flat(src, shape), *out, i);
      else Store(*out, i, value);
    });
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "pad", "constant, reflect or edge padding", Pad());

// ---- tile ----
OpDef Tile() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto a = TileAttrs::Read(n);
    if (!a.ok()) return a.status();
    auto shape = a->OutShape(in[0]->shape);
    if (!shape.ok()) return shape.status();
    return std::vector<TensorType>{{in[0]->dtype, *shape}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = TileAttrs::Read(n);
    if (!a.ok()) return a.status();
    const auto& shape = in[0].shape();
    auto out_shape = a->OutShape(shape);
    if (!out_shape.ok()) return out_shape.status();
    auto out = Allocate({in[0].dtype(), *out_shape});
    if (!out.ok()) return out.status();
    std::vector<int64_t> src(shape.size());
    ForEachIndex(*out_shape, [&](int64_t i, const std::vector<int64_t>& idx) {
      for (size_t d = 0; d < idx.size(); ++d) src[d] = idx[d] % shape[d];
      CopyElement(in[0], Flat(src, shape), *out, i);
    });
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "tile", "repeats each axis", Tile());

// ---- trilu ----
OpDef Trilu() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto a = TriluAttrs::Read(n);
    if (!a.ok()) return a.status();
    if (in[0]->shape.size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input ", in[0]->ToString(), " has rank ", in[0]->shape.size(), "; expected 2 or more"));
    }
    return std::vector<TensorType>{*in[0]};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = TriluAttrs::Read(n);
    if (!a.ok()) return a.status();
    const size_t rank = in[0].shape().size();
    auto out = Allocate({in[0].dtype(), in[0].shape()});
    if (!out.ok()) return out.status();
    ForEachIndex(in[0].shape(), [&](int64_t i, const std::vector<int64_t>& idx) {
      if (a->Keeps(idx[rank - 2], idx[rank - 1])) CopyElement(in[0], i, *out, i);
    });
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "trilu", "upper or lower triangle of the last two axes", Trilu());

}  // namespace
}  // namespace kiln::graph::ops
