// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 12 on; 13
// only widened the types). Both become kiln operators that compile as they
// are: the target class is picked with a one-hot mask (target == class
// index, a broadcast comparison) instead of a gather, so the loss is a
// masked sum over the class axis followed by the requested reduction.
// Targets of the ignored class match no index: ignore_index is simply left
// out of the index constant.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"

namespace kiln::frontend {
namespace {

// Loss from log-probabilities `log_prob` [N, C, d1, ...] and integer
// targets [N, d1, ...], per ONNX's NegativeLogLikelihoodLoss.
absl::StatusOr<int> NllLoss(ImportContext& c, int log_prob, int target, int weight) {
  KILN_ASSIGN(reduction, c.AttrString("reduction", "mean"));
  if (reduction != "none" && reduction != "sum" && reduction != "mean") {
    return c.Invalid(absl::StrCat("reduction '", reduction, "'; expected none, sum or mean"));
  }
  const auto* ignore_attr = c.Attr("ignore_index");
  KILN_ASSIGN(ignore_index, c.AttrInt("ignore_index", 0));
  GraphSteps s(c);
  const std::vector<int64_t> x = s.Shape(log_prob);
  const std::vector<int64_t>& t = s.Shape(target);
  if (x.size() < 2) {
    return c.Invalid(absl::StrCat("input of rank ", x.size(), "; expected [N, C, d1, ...]"));
  }
  std::vector<int64_t> expected_target = x;
  expected_target.erase(expected_target.begin() + 1);
  if (t != expected_target) {
    return c.Invalid(absl::StrCat("target of shape ", runtime::ShapeToString(t), " for input ",
                                  runtime::ShapeToString(x), "; expected ",
                                  runtime::ShapeToString(expected_target)));
  }
  const int64_t classes = x[1];
  if (weight >= 0 && s.Shape(weight) != std::vector<int64_t>{classes}) {
    return c.Invalid(absl::StrCat("weight of shape ", runtime::ShapeToString(s.Shape(weight)),
                                  "; expected one value per class (", classes, ")"));
  }
  // [1, C, 1, ...]: what the class axis broadcasts against.
  std::vector<int64_t> class_shape(x.size(), 1);
  class_shape[1] = classes;
  std::vector<float> index(classes);
  for (int64_t k = 0; k < classes; ++k) {
    index[k] = ignore_attr != nullptr && k == ignore_index
                   ? std::numeric_limits<float>::quiet_NaN()
                   : static_cast<float>(k);
  }
  std::vector<int64_t> target_shape = x;
  target_shape[1] = 1;
  const int target_f = s.Reshape(s.Cast(target, runtime::DType::kFloat32), target_shape);
  const int one_hot = s.Op("equal", {target_f, s.Constant(class_shape, index)});
  const int zero = s.Scalar(0.0f);
  // where() rather than a product with the mask: log(0) = -inf times 0 is NaN.
  int picked = s.Op("where", {one_hot, log_prob, zero});
  int picked_weight;
  if (weight >= 0) {
    const int aligned = s.Reshape(weight, class_shape);
    picked = s.Op("mul", {picked, aligned});
    picked_weight = s.Op("where", {one_hot, aligned, zero});
  } else {
    picked_weight = s.Op("where", {one_hot, s.Scalar(1.0f), zero});
  }
  int loss = s.Op("neg", {s.ReduceSum(picked, {1}, /*keepdims=*/false)});
  if (reduction != "none") {
    loss = s.ReduceSum(loss, {}, /*keepdims=*/false);
    // mean divides by the total weight of the targets not ignored.
    if (reduction == "mean") loss = s.Op("div", {loss, s.ReduceSum(picked_weight, {}, false)});
  }
  if (!s.status().ok()) return s.status();
  return loss;
}

absl::Status NegativeLogLikelihoodLoss(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(weight, c.Input(2));  // -1 when absent
  KILN_ASSIGN(loss, NllLoss(c, in[0], in[1], weight));
  c.Alias(loss);
  return absl::OkStatus();
}

// The loss of log_softmax(scores) along the class axis; its optional second
// output is that log_softmax.
absl::Status SoftmaxCrossEntropyLoss(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(weight, c.Input(2));  // -1 when absent
  if (c.InputType(0).shape.size() < 2) {
    return c.Invalid(absl::StrCat("scores of rank ", c.InputType(0).shape.size(),
                                  "; expected [N, C, d1, ...]"));
  }
  KILN_ASSIGN(log_prob, c.EmitStep("log_softmax", {in[0]},
                                   {{"axis", int64_t{1}}, {"flatten", int64_t{0}}}));
  KILN_ASSIGN(loss, NllLoss(c, log_prob, in[1], weight));
  c.Alias(loss);
  if (c.node().output_size() > 1 && !c.node().output(1).empty()) c.Alias(log_prob, 1);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(NegativeLogLikelihoodLoss, 12, kLatestOpset,
                             NegativeLogLikelihoodLoss);
KILN_REGISTER_ONNX_CONVERTER(SoftmaxCrossEntropyLoss, 12, kLatestOpset, SoftmaxCrossEntropyLoss);

}  // namespace
}  // namespace kiln::frontend
