#include "ir/ops/data_movement.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/expr.h"
#include "ir/lower/lower.h"
#include "ir/ops/default_schedule.h"
#include "ir/ops/indices.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

// 0-D tensors are stored as one element.
std::vector<int64_t> AtLeast1d(std::vector<int64_t> shape) {
  if (shape.empty()) shape = {1};
  return shape;
}

absl::Status CheckShape(const std::vector<int64_t>& shape) {
  for (int64_t d : shape) {
    if (d < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape [", absl::StrJoin(shape, ", "), "] has an empty dimension"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LoweredFunc> Finish(const std::vector<Tensor>& inputs, const Tensor& out,
                                   const targets::Target& target, const std::string& name) {
  Schedule s({out});
  ScheduleRowsAndVectors(s[out], target.vector_lanes);
  std::vector<Tensor> args = inputs;
  args.push_back(out);
  return Lower(s, args, name);
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildTranspose(const std::vector<int64_t>& in_shape,
                                           const std::vector<int64_t>& perm,
                                           const targets::Target& target,
                                           const std::string& name,
    DataType elem) {
  if (auto st = CheckShape(in_shape); !st.ok()) return st;
  const size_t rank = in_shape.size();
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (perm.size() != rank || p < 0 || p >= static_cast<int64_t>(rank) || seen[p]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "[", absl::StrJoin(perm, ", "), "] is not a permutation of ", rank, " axes"));
    }
    seen[p] = true;
  }
  std::vector<int64_t> out_shape;
  for (int64_t p : perm) out_shape.push_back(in_shape[p]);
  Tensor in = Placeholder("in", AtLeast1d(in_shape), elem);
  Tensor out = Compute("out", AtLeast1d(out_shape), [&](const std::vector<Var>& i) {
    std::vector<Expr> idx(rank);
    for (size_t d = 0; d < rank; ++d) idx[perm[d]] = i[d];
    if (rank == 0) idx = {Expr(int64_t{0})};
    return Read(in, idx);
  });
  return Finish({in}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildDepthToSpace(const std::vector<int64_t>& in_shape, int64_t rows,
                                              int64_t columns, const targets::Target& target,
                                              const std::string& name, DataType elem) {
  if (auto st = CheckShape(in_shape); !st.ok()) return st;
  const bool blocked = in_shape.size() == 5;
  if ((in_shape.size() != 4 && !blocked) || rows < 1 || columns < 1 ||
      in_shape[1] % rows != 0 || (in_shape[1] / rows) % columns != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "depth_to_space of [", absl::StrJoin(in_shape, ", "), "] in blocks of ", rows, "x",
        columns, "; expected NCHW or NCHW[b]c with channels a multiple of the block"));
  }
  const int64_t depth = in_shape[1] / (rows * columns);
  // The output is computed as [N, depth, H, rows, W, columns(, b)], which
  // holds the bytes of [N, depth, H * rows, W * columns(, b)] and reads the
  // input without dividing indices.
  std::vector<int64_t> out_shape = {in_shape[0], depth, in_shape[2], rows, in_shape[3], columns};
  if (blocked) out_shape.push_back(in_shape[4]);
  Tensor in = Placeholder("in", in_shape, elem);
  Tensor out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
    std::vector<Expr> idx = {i[0], (Expr(i[3]) * columns + i[5]) * depth + i[1], i[2], i[4]};
    if (blocked) idx.push_back(i[6]);
    return Read(in, idx);
  });
  return Finish({in}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildConcat(const std::vector<std::vector<int64_t>>& in_shapes,
                                        int64_t axis, const targets::Target& target,
                                        const std::string& name,
    DataType elem) {
  if (in_shapes.empty()) return absl::InvalidArgumentError("concat of no tensors");
  const size_t rank = in_shapes[0].size();
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) {
    return absl::InvalidArgumentError(absl::StrCat("concat axis ", axis, " out of range"));
  }
  std::vector<int64_t> out_shape = in_shapes[0];
  out_shape[axis] = 0;
  std::vector<Tensor> inputs;
  for (size_t k = 0; k < in_shapes.size(); ++k) {
    if (auto st = CheckShape(in_shapes[k]); !st.ok()) return st;
    for (size_t d = 0; d < rank; ++d) {
      if (in_shapes[k].size() != rank ||
          (static_cast<int64_t>(d) != axis && in_shapes[k][d] != in_shapes[0][d])) {
        return absl::InvalidArgumentError(
            absl::StrCat("concat inputs differ outside axis ", axis));
      }
    }
    out_shape[axis] += in_shapes[k][axis];
    inputs.push_back(Placeholder(absl::StrCat("in", k), in_shapes[k], elem));
  }
  Tensor out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
    // Built from the last input backwards: input k's value unless the index
    // lies in a later input's range.
    int64_t begin = out_shape[axis], later_begin = 0;
    Expr value;
    for (size_t k = inputs.size(); k-- > 0;) {
      begin -= in_shapes[k][axis];
      std::vector<Expr> idx(i.begin(), i.end());
      idx[axis] = ClampIndex(Expr(i[axis]) - begin, in_shapes[k][axis]);
      Expr v = Read(inputs[k], idx);
      value = value.defined() ? Select(Expr(i[axis]) >= later_begin, value, v) : v;
      later_begin = begin;
    }
    return value;
  });
  return Finish(inputs, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildSlice(const std::vector<int64_t>& in_shape,
                                       const std::vector<int64_t>& starts,
                                       const std::vector<int64_t>& steps,
                                       const std::vector<int64_t>& out_shape,
                                       const targets::Target& target, const std::string& name,
    DataType elem) {
  const size_t rank = in_shape.size();
  if (starts.size() != rank || steps.size() != rank || out_shape.size() != rank) {
    return absl::InvalidArgumentError("slice: starts, steps and shapes must cover every axis");
  }
  if (auto st = CheckShape(in_shape); !st.ok()) return st;
  if (auto st = CheckShape(out_shape); !st.ok()) return st;
  for (size_t d = 0; d < rank; ++d) {
    const int64_t last = starts[d] + (out_shape[d] - 1) * steps[d];
    if (starts[d] < 0 || starts[d] >= in_shape[d] || last < 0 || last >= in_shape[d]) {
      return absl::InvalidArgumentError(absl::StrCat("slice leaves axis ", d, " of the input"));
    }
  }
  Tensor in = Placeholder("in", in_shape, elem);
  Tensor out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
    std::vector<Expr> idx;
    for (size_t d = 0; d < rank; ++d) idx.push_back(Expr(i[d]) * steps[d] + starts[d]);
    return Read(in, idx);
  });
  return Finish({in}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildTile(const std::vector<int64_t>& in_shape,
                                      const std::vector<int64_t>& repeats,
                                      const targets::Target& target, const std::string& name,
    DataType elem) {
  if (auto st = CheckShape(in_shape); !st.ok()) return st;
  if (repeats.size() != in_shape.size()) {
    return absl::InvalidArgumentError(absl::StrCat(repeats.size(), " repeats for ",
                                                   in_shape.size(), " axes"));
  }
  std::vector<int64_t> out_shape;
  for (size_t d = 0; d < in_shape.size(); ++d) out_shape.push_back(in_shape[d] * repeats[d]);
  if (auto st = CheckShape(out_shape); !st.ok()) return st;
  Tensor in = Placeholder("in", AtLeast1d(in_shape), elem);
  Tensor out = Compute("out", AtLeast1d(out_shape), [&](const std::vector<Var>& i) {
    std::vector<Expr> idx;
    for (size_t d = 0; d < in_shape.size(); ++d) {
      // Axes that are not repeated, or broadcast from size 1, need no modulo.
      idx.push_back(repeats[d] == 1   ? Expr(i[d])
                    : in_shape[d] == 1 ? Expr(int64_t{0})
                                       : FloorMod(i[d], Expr(in_shape[d])));
    }
    if (in_shape.empty()) idx = {Expr(int64_t{0})};
    return Read(in, idx);
  });
  return Finish({in}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildTrilu(const std::vector<int64_t>& shape, bool upper, int64_t k,
                                       const targets::Target& target, const std::string& name,
    DataType elem) {
  if (auto st = CheckShape(shape); !st.ok()) return st;
  const size_t rank = shape.size();
  if (rank < 2) return absl::InvalidArgumentError("trilu needs at least two axes");
  Tensor in = Placeholder("in", shape, elem);
  Tensor out = Compute("out", shape, [&](const std::vector<Var>& i) {
    const Expr diagonal = Expr(i[rank - 1]) - Expr(i[rank - 2]);
    const Expr keep = upper ? diagonal >= Expr(k) : diagonal <= Expr(k);
    return Select(keep, Read(in, std::vector<Expr>(i.begin(), i.end())), ConstantOf(elem, 0));
  });
  return Finish({in}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildGather(const std::vector<int64_t>& data_shape,
                                        const std::vector<int64_t>& indices_shape, int64_t axis,
                                        const targets::Target& target, const std::string& name,
                                        DataType elem, DataType index_type) {
  if (auto st = CheckShape(data_shape); !st.ok()) return st;
  if (auto st = CheckShape(indices_shape); !st.ok()) return st;
  if (auto st = CheckIndexType(index_type); !st.ok()) return st;
  const int64_t rank = data_shape.size(), q = indices_shape.size();
  if (axis < 0 || axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat("gather axis ", axis, " of a rank-", rank,
                                                   " tensor"));
  }
  std::vector<int64_t> out_shape(data_shape.begin(), data_shape.begin() + axis);
  out_shape.insert(out_shape.end(), indices_shape.begin(), indices_shape.end());
  out_shape.insert(out_shape.end(), data_shape.begin() + axis + 1, data_shape.end());
  Tensor data = Placeholder("data", data_shape, elem);
  Tensor indices = Placeholder("indices", AtLeast1d(indices_shape), index_type);
  Tensor out = Compute("out", AtLeast1d(out_shape), [&](const std::vector<Var>& i) {
    std::vector<Expr> at(i.begin() + axis, i.begin() + axis + q);
    if (q == 0) at = {Expr(int64_t{0})};
    std::vector<Expr> idx(i.begin(), i.begin() + axis);
    idx.push_back(AxisIndex(Read(indices, at), data_shape[axis]));
    idx.insert(idx.end(), i.begin() + axis + q, i.begin() + out_shape.size());
    return Read(data, idx);
  });
  return Finish({data, indices}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildGatherElements(const std::vector<int64_t>& data_shape,
                                                const std::vector<int64_t>& indices_shape,
                                                int64_t axis, const targets::Target& target,
                                                const std::string& name, DataType elem,
                                                DataType index_type) {
  if (auto st = CheckShape(data_shape); !st.ok()) return st;
  if (auto st = CheckShape(indices_shape); !st.ok()) return st;
  if (auto st = CheckIndexType(index_type); !st.ok()) return st;
  const int64_t rank = data_shape.size();
  if (axis < 0 || axis >= rank || static_cast<int64_t>(indices_shape.size()) != rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gather_elements takes indices of the data's rank ", rank, " and an axis below it"));
  }
  Tensor data = Placeholder("data", data_shape, elem);
  Tensor indices = Placeholder("indices", indices_shape, index_type);
  Tensor out = Compute("out", indices_shape, [&](const std::vector<Var>& i) {
    std::vector<Expr> idx(i.begin(), i.end());
    idx[axis] = AxisIndex(Read(indices, idx), data_shape[axis]);
    // Other axes of the indices may be shorter than the data's, never longer.
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis && indices_shape[d] > data_shape[d]) {
        idx[d] = ClampIndex(idx[d], data_shape[d]);
      }
    }
    return Read(data, idx);
  });
  return Finish({data, indices}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildGatherNd(const std::vector<int64_t>& data_shape,
                                          const std::vector<int64_t>& indices_shape,
                                          int64_t batch_dims, const targets::Target& target,
                                          const std::string& name, DataType elem,
                                          DataType index_type) {
  if (auto st = CheckShape(data_shape); !st.ok()) return st;
  if (auto st = CheckShape(indices_shape); !st.ok()) return st;
  if (auto st = CheckIndexType(index_type); !st.ok()) return st;
  const int64_t r = data_shape.size(), q = indices_shape.size(), b = batch_dims;
  const int64_t depth = q > 0 ? indices_shape.back() : 0;
  if (q == 0 || b < 0 || b >= std::min(q, r) || depth > r - b ||
      !std::equal(data_shape.begin(), data_shape.begin() + b, indices_shape.begin())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gather_nd of data [", absl::StrJoin(data_shape, ", "), "] by indices [",
        absl::StrJoin(indices_shape, ", "), "] with batch_dims ", batch_dims,
        "; expected the same leading batch_dims axes and tuples of 1 to rank - batch_dims"));
  }
  // Each tuple (the indices' last axis) picks a slice of the data's
  // remaining axes; the batch axes are shared by data, indices and output.
  std::vector<int64_t> out_shape(indices_shape.begin(), indices_shape.end() - 1);
  out_shape.insert(out_shape.end(), data_shape.begin() + b + depth, data_shape.end());
  Tensor data = Placeholder("data", data_shape, elem);
  Tensor indices = Placeholder("indices", indices_shape, index_type);
  Tensor out = Compute("out", AtLeast1d(out_shape), [&](const std::vector<Var>& i) {
    std::vector<Expr> tuple(i.begin(), i.begin() + (q - 1));
    tuple.push_back(Expr());
    std::vector<Expr> idx(i.begin(), i.begin() + b);
    for (int64_t k = 0; k < depth; ++k) {
      tuple.back() = Expr(k);
      idx.push_back(AxisIndex(Read(indices, tuple), data_shape[b + k]));
    }
    idx.insert(idx.end(), i.begin() + (q - 1), i.begin() + out_shape.size());
    return Read(data, idx);
  });
  return Finish({data, indices}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildSplit(const std::vector<int64_t>& in_shape, int64_t axis,
                                       const std::vector<int64_t>& sizes,
                                       const targets::Target& target, const std::string& name,
                                       DataType elem) {
  if (auto st = CheckShape(in_shape); !st.ok()) return st;
  const int64_t rank = in_shape.size();
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 1) return absl::InvalidArgumentError("split into an empty piece");
    total += size;
  }
  if (axis < 0 || axis >= rank || total != in_shape[axis] || sizes.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("split sizes [", absl::StrJoin(sizes, ", "),
                                                   "] do not cover axis ", axis, " of [",
                                                   absl::StrJoin(in_shape, ", "), "]"));
  }
  Tensor in = Placeholder("in", in_shape, elem);
  std::vector<Tensor> outs;
  int64_t offset = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    std::vector<int64_t> shape = in_shape;
    shape[axis] = sizes[k];
    outs.push_back(Compute(absl::StrCat("out", k), shape, [&](const std::vector<Var>& i) {
      std::vector<Expr> idx(i.begin(), i.end());
      idx[axis] = Expr(i[axis]) + offset;
      return Read(in, idx);
    }));
    offset += sizes[k];
  }
  Schedule s(outs);
  for (const Tensor& t : outs) ScheduleRowsAndVectors(s[t], target.vector_lanes);
  std::vector<Tensor> args = {in};
  args.insert(args.end(), outs.begin(), outs.end());
  return Lower(s, args, name);
}

absl::StatusOr<LoweredFunc> BuildPad(const std::vector<int64_t>& in_shape,
                                     const std::vector<int64_t>& pads, PadMode mode,
                                     double value, const targets::Target& target,
                                     const std::string& name, DataType elem) {
  const size_t rank = in_shape.size();
  if (auto st = CheckShape(in_shape); !st.ok()) return st;
  if (pads.size() != 2 * rank) {
    return absl::InvalidArgumentError("pad: pads must hold a begin and an end per axis");
  }
  std::vector<int64_t> out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    if (pads[d] < 0 || pads[rank + d] < 0) {
      return absl::UnimplementedError("negative pads (cropping) are not supported");
    }
    if (mode == PadMode::kReflect && (pads[d] >= in_shape[d] || pads[rank + d] >= in_shape[d])) {
      return absl::InvalidArgumentError("reflect pads must be smaller than the axis");
    }
    out_shape[d] = in_shape[d] + pads[d] + pads[rank + d];
  }
  Tensor in = Placeholder("in", in_shape, elem);
  Tensor out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
    std::vector<Expr> idx;
    Expr inside;
    for (size_t d = 0; d < rank; ++d) {
      Expr x = Expr(i[d]) - pads[d];
      const int64_t n = in_shape[d];
      if (mode == PadMode::kReflect) {
        x = Select(x < 0, -x, Select(x >= n, Expr(2 * (n - 1)) - x, x));
      }
      Expr ok = And(x >= 0, x < n);
      inside = inside.defined() ? And(inside, ok) : ok;
      idx.push_back(ClampIndex(x, n));
    }
    Expr v = Read(in, idx);
    return mode == PadMode::kConstant ? Select(inside, v, ConstantOf(elem, value)) : v;
  });
  return Finish({in}, out, target, name);
}

namespace {

// The input coordinate (float32) of output index `i` along one axis, as
// ONNX defines it (the resized length is in * scale, unrounded). Divisions
// stay divisions: x * (1 / scale) rounds differently at exact halves.
Expr SourceCoordinate(const ResizeWorkload& w, size_t d, const Expr& i) {
  const Expr x = Cast(DataType::Float32(), i);
  const float scale = static_cast<float>(w.scales[d]);
  const int64_t in = w.in_shape[d], out = w.out_shape[d];
  const std::string& m = w.coordinate_mode;
  if (m == "asymmetric") return x / scale;
  if (m == "align_corners") {
    return out == 1 ? Expr(0.0f)
                    : x * static_cast<float>(in - 1) / static_cast<float>(in * w.scales[d] - 1);
  }
  if (m == "tf_half_pixel_for_nn") return (x + 0.5f) / scale;
  if (m == "pytorch_half_pixel" && out == 1) return Expr(0.0f);
  return (x + 0.5f) / scale - 0.5f;
}

Expr FloorToInt(const Expr& x) {
  return Cast(DataType::Int64(), Call(Intrinsic::kFloor, {x}));
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildResize(const ResizeWorkload& w, const targets::Target& target,
                                        const std::string& name) {
  const size_t rank = w.in_shape.size();
  if (w.out_shape.size() != rank || w.scales.size() != rank || rank == 0) {
    return absl::InvalidArgumentError("resize: one output size and scale per axis");
  }
  if (auto st = CheckShape(w.in_shape); !st.ok()) return st;
  if (auto st = CheckShape(w.out_shape); !st.ok()) return st;
  std::vector<size_t> resized;
  for (size_t d = 0; d < rank; ++d) {
    if (w.in_shape[d] != w.out_shape[d] || w.scales[d] != 1.0) resized.push_back(d);
  }
  if (w.mode == "linear" && resized.size() > 3) {
    return absl::UnimplementedError("linear resize over more than three axes");
  }
  Tensor in = Placeholder("in", w.in_shape);
  Tensor out = Compute("out", w.out_shape, [&](const std::vector<Var>& i) {
    std::vector<Expr> idx(i.begin(), i.end());
    if (w.mode == "nearest") {
      for (size_t d : resized) {
        const Expr x = SourceCoordinate(w, d, i[d]);
        Expr r;
        if (w.rounding == "floor") {
          r = FloorToInt(x);
        } else if (w.rounding == "ceil") {
          r = Cast(DataType::Int64(), Call(Intrinsic::kCeil, {x}));
        } else if (w.rounding == "round_prefer_ceil") {
          r = FloorToInt(x + 0.5f);
        } else {
          r = Cast(DataType::Int64(), Call(Intrinsic::kCeil, {x - 0.5f}));
        }
        idx[d] = ClampIndex(r, w.in_shape[d]);
      }
      return Read(in, idx);
    }
    std::vector<Expr> lo, hi, frac;
    for (size_t d : resized) {
      Expr x = SourceCoordinate(w, d, i[d]);
      x = Max(Min(x, Expr(static_cast<float>(w.in_shape[d] - 1))), Expr(0.0f));
      const Expr l = ClampIndex(FloorToInt(x), w.in_shape[d]);
      lo.push_back(l);
      hi.push_back(Min(l + int64_t{1}, Expr(w.in_shape[d] - 1)));
      frac.push_back(x - Cast(DataType::Float32(), l));
    }
    Expr sum;
    for (uint64_t corner = 0; corner < (uint64_t{1} << resized.size()); ++corner) {
      Expr weight;
      for (size_t k = 0; k < resized.size(); ++k) {
        const bool upper = (corner >> k) & 1;
        idx[resized[k]] = upper ? hi[k] : lo[k];
        Expr f = upper ? frac[k] : Expr(1.0f) - frac[k];
        weight = weight.defined() ? weight * f : f;
      }
      Expr term = weight.defined() ? Read(in, idx) * weight : Read(in, idx);
      sum = sum.defined() ? sum + term : term;
    }
    return sum;
  });
  return Finish({in}, out, target, name);
}

absl::StatusOr<LoweredFunc> BuildLayoutTransform(const std::vector<int64_t>& plain,
                                                 int64_t src_block, int64_t dst_block,
                                                 const targets::Target& target,
                                                 const std::string& name,
    DataType elem) {
  if (plain.size() != 4) return absl::InvalidArgumentError("layout transforms take NCHW tensors");
  if (auto st = CheckShape(plain); !st.ok()) return st;
  for (int64_t b : {src_block, dst_block}) {
    if (b < 0 || (b > 0 && plain[1] % b != 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(plain[1], " channels do not divide into blocks of ", b));
    }
  }
  const auto shape_in = [&](int64_t b) {
    return b == 0 ? plain : std::vector<int64_t>{plain[0], plain[1] / b, plain[2], plain[3], b};
  };
  Tensor in = Placeholder("in", shape_in(src_block), elem);
  Tensor out = Compute("out", shape_in(dst_block), [&](const std::vector<Var>& i) {
    Expr c = dst_block == 0 ? Expr(i[1]) : Expr(i[1]) * dst_block + i[4];
    if (src_block == 0) return Read(in, {i[0], c, i[2], i[3]});
    return Read(in, {i[0], FloorDiv(c, src_block), i[2], i[3], FloorMod(c, src_block)});
  });
  return Finish({in}, out, target, name);
}

}  // namespace kiln::ir::ops
