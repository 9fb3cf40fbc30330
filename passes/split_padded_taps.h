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

// The largest share of the taps inside the image for which the rewrite
// pays: the slices and the joins each copy the tensors once.
inline constexpr double kMaxPaddedShare = 0.75;

// The least work the rewrite must save. Up to nine small convolutions and
// their joins run where one ran, and small ones split badly between
// threads: 512 channels at 7x7, dilation 2 (79 MFLOP saved) went 0.65 ->
// 1.13 ms at two threads, an ASPP layer at 33x33 (1.5 GFLOP saved) 12 -> 7
// ms at one.
inline constexpr double kMinSavedFlop = 5e8;

// Rewrites every dilated 2-D float32 conv with constant weights whose
// windows would compute at most kMaxPaddedShare of their taps inside the
// image, saving at least `min_saved_flop`, into slice -> conv (one per band)
// -> concat; the others stay.
absl::Status SplitPaddedTaps(graph::Graph& g, double min_saved_flop = kMinSavedFlop);

}  // namespace kiln::passes

#endif  // KILN_PASSES_SPLIT_PADDED_TAPS_H_
