#include "ir/graph/attrs_nn.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "ir/graph/attr_errors.h"
#include "ir/graph/ops_common.h"
#include "ir/ops/window.h"

namespace kiln::graph {
namespace {

// `key` as `count` integers of at least `least`, `def` when absent.
absl::StatusOr<std::vector<int64_t>> ReadInts(const Node& n, const std::string& key,
                                              std::vector<int64_t> def, size_t count,
                                              int64_t least) {
  auto v = n.Ints(key, std::move(def));
  if (!v.ok()) return v.status();
  if (v->size() != count) {
    return AttrError(n, absl::StrCat(key, " has ", v->size(), " values; expected ", count));
  }
  for (int64_t x : *v) {
    if (x < least) {
      return AttrError(n, absl::StrCat(key, " holds ", x, "; expected values of at least ",
                                       least));
    }
  }
  return *std::move(v);
}

// strides, dilations and pads of a 2-D window, read over the defaults held.
absl::Status ReadWindow(const Node& n, std::vector<int64_t>& strides,
                        std::vector<int64_t>& dilations, std::vector<int64_t>& pads) {
  auto s = ReadInts(n, "strides", strides, 2, 1);
  auto d = ReadInts(n, "dilations", dilations, 2, 1);
  auto p = ReadInts(n, "pads", pads, 4, 0);
  for (const auto* v : {&s, &d, &p}) {
    if (!v->ok()) return v->status();
  }
  strides = *s;
  dilations = *d;
  pads = *p;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadGroup(const Node& n) {
  auto group = n.Int("group", 1);
  if (group.ok() && *group < 1) {
    return AttrError(n, absl::StrCat("group ", *group, "; expected at least 1"));
  }
  return group;
}

}  // namespace

absl::StatusOr<Conv2dAttrs> Conv2dAttrs::Read(const Node& n) {
  Conv2dAttrs a;
  if (auto st = ReadWindow(n, a.strides, a.dilations, a.pads); !st.ok()) return st;
  auto group = ReadGroup(n);
  if (!group.ok()) return group.status();
  a.group = *group;
  return a;
}

void Conv2dAttrs::Write(Node& n) const {
  n.attrs["strides"] = strides;
  n.attrs["dilations"] = dilations;
  n.attrs["pads"] = pads;
  n.attrs["group"] = group;
}

int64_t Conv2dAttrs::OutHeight(int64_t height, int64_t kernel_h) const {
  return ir::ops::WindowOutputSize(height, kernel_h, strides[0], dilations[0], pads[0], pads[2],
                                   false);
}

int64_t Conv2dAttrs::OutWidth(int64_t width, int64_t kernel_w) const {
  return ir::ops::WindowOutputSize(width, kernel_w, strides[1], dilations[1], pads[1], pads[3],
                                   false);
}

absl::StatusOr<Pool2dAttrs> Pool2dAttrs::Read(const Node& n) {
  Pool2dAttrs a;
  auto kernel = n.Ints("kernel_shape");
  if (!kernel.ok()) return kernel.status();
  if (kernel->size() != 2) {
    return absl::UnimplementedError(absl::StrCat(n.op, " ", n.name, ": ", kernel->size(),
                                                 "-D pooling; only 2-D is supported"));
  }
  for (int64_t k : *kernel) {
    if (k < 1) return AttrError(n, absl::StrCat("kernel_shape holds ", k, "; expected >= 1"));
  }
  if (auto st = ReadWindow(n, a.strides, a.dilations, a.pads); !st.ok()) return st;
  auto ceil = n.Int("ceil_mode", 0);
  auto include_pad = n.Int("count_include_pad", 0);
  if (!ceil.ok()) return ceil.status();
  if (!include_pad.ok()) return include_pad.status();
  a.kernel = *kernel;
  a.ceil_mode = *ceil != 0;
  a.count_include_pad = *include_pad != 0;
  return a;
}

void Pool2dAttrs::Write(Node& n) const {
  n.attrs["kernel_shape"] = kernel;
  n.attrs["strides"] = strides;
  n.attrs["dilations"] = dilations;
  n.attrs["pads"] = pads;
  n.attrs["ceil_mode"] = static_cast<int64_t>(ceil_mode);
  n.attrs["count_include_pad"] = static_cast<int64_t>(count_include_pad);
}

int64_t Pool2dAttrs::OutHeight(int64_t height) const {
  return ir::ops::WindowOutputSize(height, kernel[0], strides[0], dilations[0], pads[0], pads[2],
                                   ceil_mode);
}

int64_t Pool2dAttrs::OutWidth(int64_t width) const {
  return ir::ops::WindowOutputSize(width, kernel[1], strides[1], dilations[1], pads[1], pads[3],
                                   ceil_mode);
}

absl::StatusOr<ConvTransposeAttrs> ConvTransposeAttrs::Read(const Node& n) {
  ConvTransposeAttrs a;
  if (auto st = ReadWindow(n, a.strides, a.dilations, a.pads); !st.ok()) return st;
  auto output_padding = ReadInts(n, "output_padding", a.output_padding, 2, 0);
  if (!output_padding.ok()) return output_padding.status();
  auto group = ReadGroup(n);
  if (!group.ok()) return group.status();
  a.output_padding = *output_padding;
  a.group = *group;
  return a;
}

void ConvTransposeAttrs::Write(Node& n) const {
  n.attrs["strides"] = strides;
  n.attrs["dilations"] = dilations;
  n.attrs["pads"] = pads;
  n.attrs["output_padding"] = output_padding;
  n.attrs["group"] = group;
}

int64_t ConvTransposeAttrs::OutHeight(int64_t height, int64_t kernel_h) const {
  return ir::ops::TransposedWindowOutputSize(height, kernel_h, strides[0], dilations[0], pads[0],
                                             pads[2], output_padding[0]);
}

int64_t ConvTransposeAttrs::OutWidth(int64_t width, int64_t kernel_w) const {
  return ir::ops::TransposedWindowOutputSize(width, kernel_w, strides[1], dilations[1], pads[1],
                                             pads[3], output_padding[1]);
}

absl::StatusOr<SoftmaxAttrs> SoftmaxAttrs::Read(const Node& n) {
  auto axis = n.Int("axis", -1);
  auto flatten = n.Int("flatten", 0);
  if (!axis.ok()) return axis.status();
  if (!flatten.ok()) return flatten.status();
  return SoftmaxAttrs{*axis, *flatten != 0};
}

void SoftmaxAttrs::Write(Node& n) const {
  n.attrs["axis"] = axis;
  n.attrs["flatten"] = static_cast<int64_t>(flatten);
}

absl::StatusOr<int64_t> SoftmaxAttrs::Axis(size_t rank) const {
  return ops::NormalizeAxis(axis, static_cast<int64_t>(rank));
}

absl::StatusOr<ConvEpilogueAttrs> ConvEpilogueAttrs::Read(const Node& n) {
  auto activation = n.String("activation", "none");
  if (!activation.ok()) return activation.status();
  ConvEpilogueAttrs a;
  if (*activation == "relu") {
    a.lo = 0;
  } else if (*activation == "clip") {
    auto lo = n.Float("clip_min", a.lo);
    auto hi = n.Float("clip_max", a.hi);
    if (!lo.ok()) return lo.status();
    if (!hi.ok()) return hi.status();
    a.lo = static_cast<float>(*lo);
    a.hi = static_cast<float>(*hi);
    if (!(a.lo <= a.hi)) {
      return AttrError(n, absl::StrCat("clip bounds [", a.lo, ", ", a.hi, "] are empty"));
    }
  } else if (*activation != "none") {
    return AttrError(n,
                     absl::StrCat("activation '", *activation, "'; expected none, relu or clip"));
  }
  return a;
}

void ConvEpilogueAttrs::Write(Node& n) const {
  const float inf = std::numeric_limits<float>::infinity();
  if (lo == -inf && hi == inf) {
    n.attrs["activation"] = std::string("none");
  } else if (lo == 0 && hi == inf) {
    n.attrs["activation"] = std::string("relu");
  } else {
    n.attrs["activation"] = std::string("clip");
    n.attrs["clip_min"] = static_cast<double>(lo);
    n.attrs["clip_max"] = static_cast<double>(hi);
  }
}

absl::StatusOr<BatchNormAttrs> BatchNormAttrs::Read(const Node& n) {
  auto epsilon = n.Float("epsilon", 1e-5);
  if (!epsilon.ok()) return epsilon.status();
  return BatchNormAttrs{*epsilon};
}

void BatchNormAttrs::Write(Node& n) const { n.attrs["epsilon"] = epsilon; }

absl::StatusOr<LayerNormAttrs> LayerNormAttrs::Read(const Node& n) {
  auto axis = n.Int("axis", -1);
  auto epsilon = n.Float("epsilon", 1e-5);
  auto stats = n.Int("stats", 0);
  if (!axis.ok()) return axis.status();
  if (!epsilon.ok()) return epsilon.status();
  if (!stats.ok()) return stats.status();
  return LayerNormAttrs{*axis, *epsilon, *stats != 0};
}

void LayerNormAttrs::Write(Node& n) const {
  n.attrs["axis"] = axis;
  n.attrs["epsilon"] = epsilon;
  n.attrs["stats"] = static_cast<int64_t>(stats);
}

absl::StatusOr<int64_t> LayerNormAttrs::Axis(size_t rank) const {
  return ops::NormalizeAxis(axis, static_cast<int64_t>(rank));
}

absl::StatusOr<GemmAttrs> GemmAttrs::Read(const Node& n) {
  auto trans_a = n.Int("trans_a", 0);
  auto trans_b = n.Int("trans_b", 0);
  auto alpha = n.Float("alpha", 1.0);
  auto beta = n.Float("beta", 1.0);
  if (!trans_a.ok()) return trans_a.status();
  if (!trans_b.ok()) return trans_b.status();
  if (!alpha.ok()) return alpha.status();
  if (!beta.ok()) return beta.status();
  return GemmAttrs{*trans_a != 0, *trans_b != 0, *alpha, *beta};
}

void GemmAttrs::Write(Node& n) const {
  n.attrs["trans_a"] = static_cast<int64_t>(trans_a);
  n.attrs["trans_b"] = static_cast<int64_t>(trans_b);
  n.attrs["alpha"] = alpha;
  n.attrs["beta"] = beta;
}

}  // namespace kiln::graph
