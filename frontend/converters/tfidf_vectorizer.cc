// TfIdfVectorizer (opset 9) on integer tokens: per row, how often each
// n-gram of the pool occurs, as ONNX Runtime counts them (1-grams once per
// position; longer n-grams once per position and per skip distance 1 to
// max_skip_count + 1 whose n-gram fits in the row), then weighted (TF:
// counts, IDF: the weight or 1 where the count is positive, TFIDF: count
// times weight).
//
// The pool is constant, so counting is comparison: for each n-gram length
// and skip distance, the row's n shifted slices compared with the pool's
// n-grams of that length, the matches combined with `and` and summed along
// the row. A constant one-hot matrix then sends each pool n-gram's count to
// its output column. Tokens may change on every run; string pools (and
// string tokens) are not supported.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"
#include "frontend/memory_budget.h"

namespace kiln::frontend {
namespace {

using runtime::DType;

absl::Status TfIdfVectorizer(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  const DType token_type = c.InputType(0).dtype;
  if (token_type != DType::kInt32 && token_type != DType::kInt64) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(token_type), " tokens"));
  }
  if (c.Attr("pool_strings") != nullptr) return c.Unsupported("string pools (pool_strings)");
  KILN_ASSIGN(mode, c.AttrString("mode", std::nullopt));
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF") {
    return c.Invalid(absl::StrCat("mode is '", mode, "'; expected TF, IDF or TFIDF"));
  }
  KILN_ASSIGN(min_gram, c.AttrInt("min_gram_length", std::nullopt));
  KILN_ASSIGN(max_gram, c.AttrInt("max_gram_length", std::nullopt));
  KILN_ASSIGN(max_skip, c.AttrInt("max_skip_count", std::nullopt));
  KILN_ASSIGN(counts, c.AttrInts("ngram_counts", std::nullopt));
  KILN_ASSIGN(indexes, c.AttrInts("ngram_indexes", std::nullopt));
  KILN_ASSIGN(pool, c.AttrInts("pool_int64s", std::nullopt));
  std::vector<float> weights;
  if (const onnx::AttributeProto* w = c.Attr("weights")) {
    weights.assign(w->floats().begin(), w->floats().end());
  }
  if (min_gram < 1 || max_gram < min_gram || max_gram > static_cast<int64_t>(counts.size()) ||
      max_skip < 0 || indexes.empty() || pool.empty() ||
      (!weights.empty() && weights.size() != indexes.size())) {
    return c.Invalid(
        "expected 1 <= min_gram_length <= max_gram_length <= len(ngram_counts), "
        "max_skip_count >= 0, non-empty ngram_indexes and pool_int64s, and one weight per index");
  }
  int64_t out_size = 0;
  for (int64_t i : indexes) {
    if (i < 0) return c.Invalid("a negative ngram_indexes value");
    out_size = std::max(out_size, i + 1);
  }
  // The pool's n-grams by length: [first id, tokens] per length n = k + 1.
  struct Grams {
    int64_t first_id = 0, count = 0;
  };
  std::vector<Grams> by_length(counts.size());
  int64_t next_id = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const int64_t n = k + 1;
    const int64_t start = counts[k];
    const int64_t end = k + 1 < counts.size() ? counts[k + 1] : static_cast<int64_t>(pool.size());
    if (start < 0 || end < start || end > static_cast<int64_t>(pool.size()) ||
        (end - start) % n != 0) {
      return c.Invalid(absl::StrCat("ngram_counts does not cut pool_int64s into whole ", n,
                                    "-grams"));
    }
    by_length[k] = {next_id, (end - start) / n};
    next_id += (end - start) / n;
  }
  if (next_id > static_cast<int64_t>(indexes.size())) {
    return c.Invalid(absl::StrCat("the pool holds ", next_id, " n-grams but ngram_indexes only ",
                                  indexes.size()));
  }

  const std::vector<int64_t> shape = c.InputType(0).shape;
  if (shape.empty() || shape.size() > 2) {
    return c.Invalid(absl::StrCat("input of shape ", runtime::ShapeToString(shape),
                                  "; expected [C] or [B, C]"));
  }
  const int64_t rows = shape.size() == 2 ? shape[0] : 1, length = shape.back();
  // The output and the routing matrix are sized by attributes, which a
  // hostile model may make enormous: checked before anything is allocated.
  for (const auto& [what, dims] :
       {std::pair<const char*, std::vector<int64_t>>{"TfIdfVectorizer's output", {rows, out_size}},
        {"TfIdfVectorizer's n-gram routing", {next_id, out_size}}}) {
    auto bytes = CheckTensorBytes(what, dims, DType::kFloat32, c.memory_budget());
    if (!bytes.ok()) return bytes.status();
  }
  GraphSteps s(c);
  const int tokens = s.Reshape(s.Cast(in[0], DType::kInt64), {rows, 1, length});
  // Per pool n-gram (in id order), its count per row: [rows, n-grams].
  std::vector<int> counted;
  std::vector<int64_t> counted_ids;
  for (int64_t n = min_gram; n <= max_gram; ++n) {
    const Grams& grams = by_length[n - 1];
    if (grams.count == 0) continue;
    const int64_t pool_start = counts[n - 1];
    // Skip distances matter from bigrams on; a 1-gram is counted once.
    const int64_t distances = n == 1 ? 1 : max_skip + 1;
    int total = -1;
    for (int64_t d = 1; d <= distances; ++d) {
      const int64_t span = length - (n - 1) * d;  // starts whose n-gram fits
      if (span < 1) break;
      int match = -1;
      for (int64_t k = 0; k < n; ++k) {
        std::vector<int64_t> column(grams.count);
        for (int64_t j = 0; j < grams.count; ++j) column[j] = pool[pool_start + j * n + k];
        const int wanted = s.Int64Constant({1, grams.count, 1}, column);
        const int shifted = s.Slice(tokens, 2, k * d, k * d + span);
        const int equal = s.Op("equal", {shifted, wanted});
        match = match < 0 ? equal : s.Op("and", {match, equal});
      }
      const int found = s.ReduceSum(s.Cast(match, DType::kFloat32), {2}, false);
      total = total < 0 ? found : s.Op("add", {total, found});
    }
    if (total < 0) continue;  // no n-gram of this length fits in a row
    counted.push_back(total);
    for (int64_t j = 0; j < grams.count; ++j) counted_ids.push_back(grams.first_id + j);
  }
  int frequencies;  // [rows, out_size]
  if (counted.empty()) {
    frequencies = s.Constant({rows, out_size}, std::vector<float>(rows * out_size, 0.0f));
  } else {
    std::vector<float> route(counted_ids.size() * out_size, 0.0f);
    for (size_t j = 0; j < counted_ids.size(); ++j) {
      route[j * out_size + indexes[counted_ids[j]]] = 1.0f;
    }
    frequencies = s.Op("matmul", {s.Concat(counted, 1),
                                  s.Constant({static_cast<int64_t>(counted_ids.size()), out_size},
                                             route)});
  }
  // ONNX Runtime applies weights[i] to output column i (the specification
  // words it per pool n-gram; the two agree when ngram_indexes is 0, 1, ...).
  std::vector<float> column_weight(out_size, 0.0f);
  for (int64_t i = 0; i < out_size && i < static_cast<int64_t>(weights.size()); ++i) {
    column_weight[i] = weights[i];
  }
  int result = frequencies;
  if (mode == "IDF") {
    const int weight = weights.empty() ? s.Scalar(1.0f) : s.Constant({out_size}, column_weight);
    result = s.Op("where", {s.Op("greater", {frequencies, s.Scalar(0.0f)}), weight,
                            s.Scalar(0.0f)});
  } else if (mode == "TFIDF" && !weights.empty()) {
    result = s.Op("mul", {frequencies, s.Constant({out_size}, column_weight)});
  }
  if (shape.size() == 1) result = s.Reshape(result, {out_size});
  return s.Bind(result);
}

KILN_REGISTER_ONNX_CONVERTER(TfIdfVectorizer, 9, kLatestOpset, TfIdfVectorizer);

}  // namespace
}  // namespace kiln::frontend
