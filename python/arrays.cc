#include "python/arrays.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace kiln::python {
namespace py = pybind11;
namespace {

// kiln's dtype names are NumPy's ("float32", "int64", "bool", ...), so the
// names are the correspondence and a dtype added to the runtime needs no
// change here. NumPy has no bfloat16: the ml_dtypes package (JAX's) adds
// the one of that name.
py::dtype NumpyDType(runtime::DType t) {
  if (t == runtime::DType::kBFloat16) {
    try {
      return py::dtype::from_args(py::module_::import("ml_dtypes").attr("bfloat16"));
    } catch (const py::error_already_set&) {
      throw py::type_error(
          "a bfloat16 tensor needs the ml_dtypes package (NumPy has no bfloat16); install it, "
          "or cast the tensor to float32 in the model");
    }
  }
  return py::dtype(runtime::DTypeName(t));
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
