// NumPy arrays and kiln's NDArray: the dtype correspondence in one place,
// and conversions that share memory where the layout allows.
#ifndef KILN_PYTHON_ARRAYS_H_
#define KILN_PYTHON_ARRAYS_H_

#include "pybind11/numpy.h"
#include "pybind11/pybind11.h"
#include "runtime/ndarray.h"

namespace kiln::python {

// Whether kiln has a runtime type for `array`'s dtype.
bool HasKilnDType(const pybind11::array& array);

// A view of `array`'s memory (made C-contiguous first when it is not; the
// returned holder keeps that copy alive). TypeError for a dtype kiln has no
// runtime type for.
struct ArrayView {
  pybind11::array holder;
  runtime::NDArray view;
};
ArrayView ViewOf(const pybind11::array& array);

// A NumPy array over `a`'s memory, which `owner` keeps alive (an NDArray
// that owns its storage keeps itself alive when `owner` is none).
pybind11::array ToNumpy(const runtime::NDArray& a, pybind11::handle owner = pybind11::handle());

}  // namespace kiln::python

#endif  // KILN_PYTHON_ARRAYS_H_
