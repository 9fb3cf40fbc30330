// A ResNet-50 v2 of full depth but tiny width and image (8 base channels,
// 32x32), imported: the whole topology, every tunable workload kind, in a
// model that compiles in seconds.
#ifndef KILN_FRONTEND_TESTING_SMALL_RESNET_H_
#define KILN_FRONTEND_TESTING_SMALL_RESNET_H_

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::frontend::testing {

absl::StatusOr<graph::Graph> SmallResNet();

}  // namespace kiln::frontend::testing

#endif  // KILN_FRONTEND_TESTING_SMALL_RESNET_H_
