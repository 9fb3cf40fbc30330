// Operators that make a tensor from shapes and scalars alone: Size,
// ConstantOfShape, Range, the window functions and MelWeightMatrix. kiln
// folds them to constants at import, which
// needs their inputs constant (the usual case: shapes are known when kiln
// compiles).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

// Folded constants live in the graph and in the compiled model; a shape
// asking for more is a mistake, not something to allocate.
constexpr int64_t kMaxFoldedElements = int64_t{1} << 28;

absl::StatusOr<graph::NDArray> FoldedArray(ImportContext& c, const std::vector<int64_t>& shape,
                                           runtime::DType dtype) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return c.Invalid(absl::StrCat("negative dimension ", d, " in the output shape"));
    if (d > 0 && n > kMaxFoldedElements / d) {
      return c.Invalid(absl::StrCat("an output of shape ", runtime::ShapeToString(shape),
                                    " is too large; kiln folds constants of at most ",
                                    kMaxFoldedElements, " elements"));
    }
    n *= d;
  }
  return graph::NDArray::Empty(shape, dtype);
}

absl::Status Size(ImportContext& c) {
  int64_t n = 1;
  for (int64_t d : c.InputType(0).shape) n *= d;
  KILN_ASSIGN(data, graph::NDArray::Empty({}, runtime::DType::kInt64));
  data.data<int64_t>()[0] = n;
  c.EmitConstant(data);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(Size, 1, kLatestOpset, Size);

// Every element is the one element of the `value` attribute (float32 0
// without it), in that attribute's type.
absl::Status ConstantOfShape(ImportContext& c) {
  KILN_ASSIGN(shape, c.ConstantInts(0, "ConstantOfShape's shape"));
  graph::NDArray value;
  if (const auto* a = c.Attr("value")) {
    auto data = TensorFromProto(a->t(), c.model_dir(), c.memory_budget());
    if (!data.ok()) {
      return data.status().code() == absl::StatusCode::kUnimplemented
                 ? c.Unsupported(std::string(data.status().message()))
                 : c.Invalid(std::string(data.status().message()));
    }
    if (data->NumElements() != 1) {
      return c.Invalid(absl::StrCat("value has ", data->NumElements(),
                                    " elements; expected exactly one"));
    }
    value = *data;
  } else {
    KILN_ASSIGN(zero, graph::NDArray::Empty({}, runtime::DType::kFloat32));
    value = zero;
  }
  KILN_ASSIGN(out, FoldedArray(c, shape, value.dtype()));
  const int64_t bytes = runtime::DTypeBytes(value.dtype());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t k = 0; k < out.NumElements(); ++k) {
    std::memcpy(dst + k * bytes, value.raw_data(), bytes);
  }
  c.EmitConstant(out);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(ConstantOfShape, 9, kLatestOpset, ConstantOfShape);

// Input `i` (`what`), a constant one-element float32, int32 or int64
// tensor, as a double; int64 values must be exact in one.
absl::StatusOr<double> ConstantScalar(ImportContext& c, int i, const char* what) {
  auto data = c.RequiredConstant(i, what);
  if (!data.ok()) return data.status();
  if (data->NumElements() != 1) {
    return c.Invalid(absl::StrCat(what, " has ", data->NumElements(),
                                  " elements; expected a scalar"));
  }
  switch (data->dtype()) {
    case runtime::DType::kFloat32: return data->data<float>()[0];
    case runtime::DType::kInt32: return data->data<int32_t>()[0];
    case runtime::DType::kInt64: {
      const int64_t v = data->data<int64_t>()[0];
      if (v > (int64_t{1} << 53) || v < -(int64_t{1} << 53)) {
        return c.Unsupported(absl::StrCat(what, " ", v, " beyond 2^53 in magnitude"));
      }
      return static_cast<double>(v);
    }
    default:
      return c.Unsupported(absl::StrCat(what, " of type ", runtime::DTypeName(data->dtype())));
  }
}

// start, start + delta, ... while before limit: max(ceil((limit - start) /
// delta), 0) elements, element i being start + i * delta.
absl::Status Range(ImportContext& c) {
  const runtime::DType dtype = c.InputType(0).dtype;
  for (int i = 1; i < 3; ++i) {
    if (c.InputType(i).dtype != dtype) {
      return c.Invalid(absl::StrCat("start is ", runtime::DTypeName(dtype), " but input ", i,
                                    " is ", runtime::DTypeName(c.InputType(i).dtype),
                                    "; expected one type for all three"));
    }
  }
  KILN_ASSIGN(start, ConstantScalar(c, 0, "Range's start"));
  KILN_ASSIGN(limit, ConstantScalar(c, 1, "Range's limit"));
  KILN_ASSIGN(delta, ConstantScalar(c, 2, "Range's delta"));
  if (!std::isfinite(start) || !std::isfinite(limit) || !std::isfinite(delta)) {
    return c.Invalid(absl::StrCat("start ", start, ", limit ", limit, " and delta ", delta,
                                  "; expected finite numbers"));
  }
  if (delta == 0) return c.Invalid("delta is 0; expected a nonzero step");
  const double count = std::max(std::ceil((limit - start) / delta), 0.0);
  if (count > static_cast<double>(kMaxFoldedElements)) {
    return c.Invalid(absl::StrCat("Range from ", start, " to ", limit, " by ", delta, " has ",
                                  count, " elements; kiln folds constants of at most ",
                                  kMaxFoldedElements));
  }
  const int64_t n = static_cast<int64_t>(count);
  KILN_ASSIGN(out, FoldedArray(c, {n}, dtype));
  for (int64_t k = 0; k < n; ++k) {
    const double v = start + static_cast<double>(k) * delta;
    switch (dtype) {
      case runtime::DType::kFloat32: out.data<float>()[k] = static_cast<float>(v); break;
      case runtime::DType::kInt32: out.data<int32_t>()[k] = static_cast<int32_t>(v); break;
      default: out.data<int64_t>()[k] = static_cast<int64_t>(v); break;
    }
  }
  c.EmitConstant(out);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(Range, 11, kLatestOpset, Range);

// The cosine-sum windows of signal processing, w[n] = sum_k (-1)^k a_k
// cos(2 pi k n / N) over n < size, N = size (periodic) or size - 1
// (symmetric); folded at import like Range.
absl::Status CosineSumWindow(ImportContext& c, const std::vector<double>& a) {
  KILN_ASSIGN(size, c.ConstantInts(0, "the window size"));
  KILN_ASSIGN(periodic, c.AttrInt("periodic", 1));
  KILN_ASSIGN(output_type, c.AttrInt("output_datatype", onnx::TensorProto::FLOAT));
  if (output_type != onnx::TensorProto::FLOAT) {
    KILN_ASSIGN(name, DTypeNameFromOnnx(static_cast<int>(output_type)));
    return c.Unsupported(absl::StrCat("a window of type ", name));
  }
  if (size.size() != 1 || size[0] < 0) {
    return c.Invalid("the window size must be one non-negative integer");
  }
  KILN_ASSIGN(out, FoldedArray(c, {size[0]}, runtime::DType::kFloat32));
  const double n_total = static_cast<double>(periodic != 0 ? size[0] : size[0] - 1);
  for (int64_t n = 0; n < size[0]; ++n) {
    double w = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      const double term = n_total > 0 ? std::cos(2 * M_PI * k * n / n_total) : 1.0;
      w += (k % 2 == 0 ? 1 : -1) * a[k] * term;
    }
    out.data<float>()[n] = static_cast<float>(w);
  }
  c.EmitConstant(out);
  return absl::OkStatus();
}

absl::Status HannWindow(ImportContext& c) { return CosineSumWindow(c, {0.5, 0.5}); }
absl::Status HammingWindow(ImportContext& c) {
  return CosineSumWindow(c, {25.0 / 46.0, 21.0 / 46.0});
}
absl::Status BlackmanWindow(ImportContext& c) { return CosineSumWindow(c, {0.42, 0.5, 0.08}); }

KILN_REGISTER_ONNX_CONVERTER(HannWindow, 17, kLatestOpset, HannWindow);
KILN_REGISTER_ONNX_CONVERTER(HammingWindow, 17, kLatestOpset, HammingWindow);
KILN_REGISTER_ONNX_CONVERTER(BlackmanWindow, 17, kLatestOpset, BlackmanWindow);

// MelWeightMatrix (opset 17): [dft_length / 2 + 1, num_mel_bins] triangular
// filters, as ONNX's reference builds them: num_mel_bins + 2 edges evenly
// spaced on the mel scale from the lower to the upper edge, each mapped to
// the spectrogram bin floor((dft_length + 1) * hertz / sample_rate); filter
// i rises from edge i to edge i + 1 and falls to edge i + 2.
absl::Status MelWeightMatrix(ImportContext& c) {
  KILN_ASSIGN(bins, ConstantScalar(c, 0, "num_mel_bins"));
  KILN_ASSIGN(dft_length, ConstantScalar(c, 1, "dft_length"));
  KILN_ASSIGN(sample_rate, ConstantScalar(c, 2, "sample_rate"));
  KILN_ASSIGN(lower_hz, ConstantScalar(c, 3, "lower_edge_hertz"));
  KILN_ASSIGN(upper_hz, ConstantScalar(c, 4, "upper_edge_hertz"));
  KILN_ASSIGN(output_type, c.AttrInt("output_datatype", onnx::TensorProto::FLOAT));
  if (output_type != onnx::TensorProto::FLOAT) {
    KILN_ASSIGN(name, DTypeNameFromOnnx(static_cast<int>(output_type)));
    return c.Unsupported(absl::StrCat("a matrix of type ", name));
  }
  if (bins < 1 || dft_length < 1 || sample_rate <= 0 || !(lower_hz >= 0) ||
      !(upper_hz > lower_hz)) {
    return c.Invalid(absl::StrCat("num_mel_bins ", bins, ", dft_length ", dft_length,
                                  ", sample_rate ", sample_rate, " and edges ", lower_hz, " to ",
                                  upper_hz, " Hz; expected positive sizes and rate and "
                                  "0 <= lower < upper"));
  }
  if (bins > kMaxFoldedElements || dft_length > kMaxFoldedElements) {
    return c.Invalid(absl::StrCat("num_mel_bins ", bins, " and dft_length ", dft_length,
                                  "; kiln folds matrices of at most ", kMaxFoldedElements,
                                  " elements"));
  }
  const int64_t mel_bins = static_cast<int64_t>(bins);
  const int64_t spectrum = static_cast<int64_t>(dft_length) / 2 + 1;
  KILN_ASSIGN(out, FoldedArray(c, {spectrum, mel_bins}, runtime::DType::kFloat32));
  auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  const double low = mel(lower_hz), step = (mel(upper_hz) - low) / (mel_bins + 2);
  std::vector<int64_t> edges(mel_bins + 2);
  for (int64_t i = 0; i < mel_bins + 2; ++i) {
    const double hz = 700.0 * (std::pow(10.0, (i * step + low) / 2595.0) - 1.0);
    edges[i] = static_cast<int64_t>(std::floor((dft_length + 1) * hz / sample_rate));
    if (edges[i] < 0 || edges[i] >= spectrum) {
      return c.Invalid(absl::StrCat("the upper edge ", upper_hz, " Hz falls past the ", spectrum,
                                    " spectrogram bins of a ", dft_length, "-point DFT at ",
                                    sample_rate, " Hz"));
    }
  }
  float* m = out.data<float>();
  std::fill(m, m + out.NumElements(), 0.0f);
  for (int64_t i = 0; i < mel_bins; ++i) {
    const int64_t left = edges[i], centre = edges[i + 1], right = edges[i + 2];
    if (centre == left) {
      m[centre * mel_bins + i] = 1.0f;
    } else {
      for (int64_t j = left; j <= centre; ++j) {
        m[j * mel_bins + i] = static_cast<float>(j - left) / static_cast<float>(centre - left);
      }
    }
    for (int64_t j = centre; j < right; ++j) {
      m[j * mel_bins + i] = static_cast<float>(right - j) / static_cast<float>(right - centre);
    }
  }
  c.EmitConstant(out);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(MelWeightMatrix, 17, kLatestOpset, MelWeightMatrix);

}  // namespace
}  // namespace kiln::frontend
