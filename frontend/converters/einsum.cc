// Einsum (opset 12 on), written with kiln's transpose, reshape, reduce_sum
// and matmul: a label repeated within an operand takes the diagonal (a
// product with an identity mask, then a sum), labels no later operand or
// the output needs are summed away, and operands are contracted pairwise
// from the left as one batched matrix product each ([batch, free, summed]
// x [batch, summed, free]); a final transpose orders the output. "..."
// stands for the same leading dimensions in every operand (no broadcasting
// between them).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"

namespace kiln::frontend {
namespace {

// An operand during the contraction: its value and one label per axis.
struct Term {
  int value;
  std::string labels;
};

// Subscripts with "..." replaced by `digits`: labels '0', '1', ... for the
// dimensions it spans, so that every axis has a one-character label.
std::string Substitute(const std::string& spec, const std::string& digits) {
  const size_t at = spec.find("...");
  return at == std::string::npos ? spec : spec.substr(0, at) + digits + spec.substr(at + 3);
}

std::vector<int64_t> PermutationTo(const std::string& from, const std::string& to) {
  std::vector<int64_t> perm;
  for (char l : to) perm.push_back(static_cast<int64_t>(from.find(l)));
  return perm;
}

class Contraction {
 public:
  explicit Contraction(GraphSteps& s) : s_(s) {}

  int64_t Size(const Term& t, char label) const {
    return s_.Shape(t.value)[t.labels.find(label)];
  }

  Term Transpose(Term t, const std::string& order) {
    if (order == t.labels) return t;
    return {s_.Op("transpose", {t.value}, {{"perm", PermutationTo(t.labels, order)}}), order};
  }

  // Takes the diagonal of every label that appears twice or more.
  Term Diagonals(Term t) {
    for (size_t i = 0; i < t.labels.size(); ++i) {
      size_t j;
      while ((j = t.labels.find(t.labels[i], i + 1)) != std::string::npos) {
        const std::vector<int64_t>& shape = s_.Shape(t.value);
        const int64_t n = shape[i];
        std::vector<int64_t> mask_shape(shape.size(), 1);
        mask_shape[i] = mask_shape[j] = n;
        std::vector<float> eye(n * n, 0.0f);
        for (int64_t k = 0; k < n; ++k) eye[k * n + k] = 1.0f;
        const runtime::DType type = s_.context().graph().value(t.value).type.dtype;
        const int masked = s_.Op("mul", {t.value, s_.Cast(s_.Constant(mask_shape, eye), type)});
        t = {s_.ReduceSum(masked, {static_cast<int64_t>(j)}, /*keepdims=*/false),
             t.labels.substr(0, j) + t.labels.substr(j + 1)};
      }
    }
    return t;
  }

  // Sums the labels of t not in `keep`.
  Term SumAway(Term t, const std::string& keep) {
    std::vector<int64_t> axes;
    std::string kept;
    for (size_t a = 0; a < t.labels.size(); ++a) {
      if (keep.find(t.labels[a]) == std::string::npos) {
        axes.push_back(static_cast<int64_t>(a));
      } else {
        kept.push_back(t.labels[a]);
      }
    }
    if (axes.empty()) return t;
    return {s_.ReduceSum(t.value, axes, /*keepdims=*/false), kept};
  }

  // a x b, summing the labels they share that `keep` lacks.
  Term Multiply(const Term& a, const Term& b, const std::string& keep) {
    std::string batch, summed, a_free, b_free;
    for (char l : a.labels) {
      const bool shared = b.labels.find(l) != std::string::npos;
      const bool kept = keep.find(l) != std::string::npos;
      (shared ? (kept ? batch : summed) : a_free).push_back(l);
    }
    for (char l : b.labels) {
      if (a.labels.find(l) == std::string::npos) b_free.push_back(l);
    }
    auto product = [&](const Term& t, const std::string& labels) {
      int64_t p = 1;
      for (char l : labels) p *= Size(t, l);
      return p;
    };
    std::vector<int64_t> out_shape;
    for (char l : batch) out_shape.push_back(Size(a, l));
    for (char l : a_free) out_shape.push_back(Size(a, l));
    for (char l : b_free) out_shape.push_back(Size(b, l));
    const int64_t m = product(a, a_free), k = product(a, summed), n = product(b, b_free);
    std::vector<int64_t> a_shape = {m, k}, b_shape = {k, n};
    if (!batch.empty()) {
      a_shape.insert(a_shape.begin(), product(a, batch));
      b_shape.insert(b_shape.begin(), product(a, batch));
    }
    const int lhs = s_.Reshape(Transpose(a, batch + a_free + summed).value, a_shape);
    const int rhs = s_.Reshape(Transpose(b, batch + summed + b_free).value, b_shape);
    return {s_.Reshape(s_.Op("matmul", {lhs, rhs}), out_shape), batch + a_free + b_free};
  }

 private:
  GraphSteps& s_;
};

absl::Status Einsum(ImportContext& c) {
  KILN_ASSIGN(equation, c.AttrString("equation", std::nullopt));
  equation.erase(std::remove(equation.begin(), equation.end(), ' '), equation.end());
  const size_t arrow = equation.find("->");
  std::vector<std::string> specs = absl::StrSplit(equation.substr(0, arrow), ',');
  if (static_cast<int>(specs.size()) != c.num_inputs()) {
    return c.Invalid(absl::StrCat("equation '", equation, "' names ", specs.size(),
                                  " operands; the node has ", c.num_inputs()));
  }
  KILN_ASSIGN(in, Inputs(c, c.num_inputs()));
  // The rank "..." spans, the same in every operand that has it.
  int64_t ellipsis_rank = -1;
  for (size_t k = 0; k < specs.size(); ++k) {
    const graph::TensorType& type = c.InputType(static_cast<int>(k));
    if (type.dtype != runtime::DType::kFloat32 && type.dtype != runtime::DType::kFloat64) {
      return c.Unsupported(absl::StrCat(runtime::DTypeName(type.dtype), " operands"));
    }
    if (specs[k].find("...") == std::string::npos) continue;
    const int64_t span = static_cast<int64_t>(type.shape.size() + 3 - specs[k].size());
    if (span < 0 || (ellipsis_rank >= 0 && span != ellipsis_rank)) {
      return c.Unsupported(absl::StrCat("'...' spanning ", span, " and ", ellipsis_rank,
                                        " dimensions (or too few dimensions)"));
    }
    ellipsis_rank = span;
  }
  std::string digits;
  for (int64_t k = 0; k < ellipsis_rank; ++k) digits.push_back(static_cast<char>('0' + k));
  std::vector<Term> terms;
  for (size_t k = 0; k < specs.size(); ++k) {
    const std::string labels = Substitute(specs[k], digits);
    const size_t rank = c.InputType(static_cast<int>(k)).shape.size();
    if (labels.size() != rank || !std::all_of(labels.begin(), labels.end(), [](char l) {
          return std::isalnum(static_cast<unsigned char>(l)) != 0;
        })) {
      return c.Invalid(absl::StrCat("operand ", k, "'s subscripts '", specs[k], "' for rank ", rank));
    }
    terms.push_back({in[k], labels});
  }
  std::string output;
  if (arrow != std::string::npos) {
    output = Substitute(equation.substr(arrow + 2), digits);
  } else {
    // Implicit output: the ellipsis, then the letters used once, sorted.
    std::string all, once;
    for (const Term& t : terms) all += t.labels;
    for (char l : all) {
      if (std::isalpha(static_cast<unsigned char>(l)) && std::count(all.begin(), all.end(), l) == 1) {
        once.push_back(l);
      }
    }
    std::sort(once.begin(), once.end());
    output = digits + once;
  }
  for (char l : output) {
    if (std::none_of(terms.begin(), terms.end(),
                     [l](const Term& t) { return t.labels.find(l) != std::string::npos; })) {
      return c.Invalid(absl::StrCat("output label '", std::string(1, l), "' is in no operand"));
    }
  }
  GraphSteps s(c);
  Contraction con(s);
  // What the operands after the k-th and the output still need.
  auto needed_after = [&](size_t k) {
    std::string need = output;
    for (size_t j = k + 1; j < terms.size(); ++j) need += terms[j].labels;
    return need;
  };
  Term acc = con.SumAway(con.Diagonals(terms[0]), needed_after(0));
  for (size_t k = 1; k < terms.size() && s.status().ok(); ++k) {
    const std::string need = needed_after(k);
    const Term next = con.SumAway(con.Diagonals(terms[k]), need + acc.labels);
    acc = con.Multiply(con.SumAway(acc, need + next.labels), next, need);
  }
  if (!s.status().ok()) return s.status();
  return s.Bind(con.Transpose(con.SumAway(acc, output), output).value);
}

KILN_REGISTER_ONNX_CONVERTER(Einsum, 12, kLatestOpset, Einsum);

}  // namespace
}  // namespace kiln::frontend
