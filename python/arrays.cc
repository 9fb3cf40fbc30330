#include "python/arrays.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace kiln::python {
namespace py = pybind11;
namespace {

// The one correspondence of dtypes: a runtime::DType without a case here is
// a -Wswitch warning, and NumPy's name of each is kiln's DTypeName.
py::dtype NumpyDType(runtime::DType t) {
  switch (t) {
    case runtime::DType::kFloat32:
    case runtime::DType::kInt32:
    case runtime::DType::kInt64:
    case runtime::DType::kBool:
    case runtime::DType::kUInt8:
      return py::dtype(runtime::DTypeName(t));
  }
  throw py::type_error("unknown kiln dtype");
}

runtime::DType KilnDType(const py::dtype& dtype) {
  const std::string name = py::str(py::handle(dtype));
  auto parsed = runtime::ParseDType(name);
  if (!parsed.ok()) {
    throw py::type_error(absl::StrCat("kiln has no tensors of NumPy dtype ", name, ": ",
                                      parsed.status().message()));
  }
  return *parsed;
}

}  // namespace

bool HasKilnDType(const py::array& array) {
  return runtime::ParseDType(std::string(py::str(py::handle(array.dtype())))).ok();
}

ArrayView ViewOf(const py::array& array) {
  py::array c = py::array::ensure(array, py::array::c_style);
  if (!c) throw py::error_already_set();
  const runtime::DType dtype = KilnDType(c.dtype());
  std::vector<int64_t> shape(c.shape(), c.shape() + c.ndim());
  return {c, runtime::NDArray::View(const_cast<void*>(c.data()), std::move(shape), dtype)};
}

py::array ToNumpy(const runtime::NDArray& a, py::handle owner) {
  py::object base = py::reinterpret_borrow<py::object>(owner);
  if (!owner) {
    auto* keep = new runtime::NDArray(a);
    base = py::capsule(keep, [](void* p) { delete static_cast<runtime::NDArray*>(p); });
  }
  std::vector<py::ssize_t> shape(a.shape().begin(), a.shape().end());
  return py::array(NumpyDType(a.dtype()), shape, a.raw_data(), base);
}

}  // namespace kiln::python
