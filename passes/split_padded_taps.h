// Dilated convolutions on small images read mostly zero padding: at
// dilation 18 on a 33x33 map (DeepLab's ASPP), three kernel rows and columns
// reach past the image for most output pixels, and 59% of the taps multiply
// padding. Grouped by which kernel rows (and columns) stay inside the image,
// the output rows (and columns) form a few bands; over each band the
// convolution is one without padding over the taps that read the image and
// the input rows and columns they read, and the bands are joined again.
#ifndef KILN_PASSES_SPLIT_PADDED_TAPS_H_
#define KILN_PASSES_SPLIT_PADDED_TAPS_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

// Rewrites every dilated 2-D float32 conv with constant weights whose
// windows would compute at most kMaxPaddedShare of their taps inside the
// image into slice -> conv (one per band) -> concat; the others stay.
absl::Status SplitPaddedTaps(graph::Graph& g);

// The largest share of the taps inside the image for which the rewrite
// pays: the slices and the joins each copy the tensors once.
inline constexpr double kMaxPaddedShare = 0.75;

}  // namespace kiln::passes

#endif  // KILN_PASSES_SPLIT_PADDED_TAPS_H_
