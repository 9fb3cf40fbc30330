// Packing between the plain NCHW / OIHW layouts and kiln's blocked layouts,
// done once at compile time for weights and at graph boundaries for data.
#ifndef KILN_IR_OPS_LAYOUT_H_
#define KILN_IR_OPS_LAYOUT_H_

#include <cstdint>
#include <vector>

namespace kiln::ir::ops {

// NCHW -> NCHW[bn]c; channels must be a multiple of bn.
std::vector<float> PackNCHWc(const std::vector<float>& x, int64_t n, int64_t c, int64_t h,
                             int64_t w, int64_t bn);
// NCHW[bn]c -> NCHW
std::vector<float> UnpackNCHWc(const std::vector<float>& x, int64_t n, int64_t c, int64_t h,
                               int64_t w, int64_t bn);
// OIHW -> OIHW[ib]i[ob]o
std::vector<float> PackOIHWio(const std::vector<float>& k, int64_t o, int64_t i, int64_t kh,
                              int64_t kw, int64_t ib, int64_t ob);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_LAYOUT_H_
