// 2-D max pooling that kiln's pooling operator does not do (dilation, the
// indices output), written as the elementwise maximum of the input's strided
// slices, one per kernel tap (padded with -inf).
#ifndef KILN_FRONTEND_CONVERTERS_DILATED_POOL_H_
#define KILN_FRONTEND_CONVERTERS_DILATED_POOL_H_

#include "frontend/converters/converter_util.h"

namespace kiln::frontend {

// The tap decomposition for a 2-D MaxPool with a dilation above 1 or an
// indices output, `max_pool` otherwise.
Converter WithTapMaxPool(Converter max_pool);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_CONVERTERS_DILATED_POOL_H_
