// Dilated 2-D max pooling, written as the elementwise maximum of the
// input's strided slices, one per kernel tap (padded with -inf), since
// kiln's pooling operator has no dilation.
#ifndef KILN_FRONTEND_CONVERTERS_DILATED_POOL_H_
#define KILN_FRONTEND_CONVERTERS_DILATED_POOL_H_

#include "frontend/converters/converter_util.h"

namespace kiln::frontend {

// The dilated decomposition for a 2-D MaxPool with a dilation above 1,
// `max_pool` otherwise.
Converter WithDilatedMaxPool(Converter max_pool);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_CONVERTERS_DILATED_POOL_H_
