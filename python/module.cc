// The _kiln extension module: kiln's C++ behind the Python package kiln
// (python/kiln), which gives it AutoTVM's names.
#include <string>

#include "driver/plugins.h"
#include "pybind11/pybind11.h"
#include "python/bindings.h"
#include "python/errors.h"
#include "tuners/tuner.h"

PYBIND11_MODULE(_kiln, m) {
  m.doc() = "kiln's compiler, runtime and tuners (use the kiln package)";
  kiln::python::RegisterErrors(m);
  // A plugin registered twice poisons its registry; say so at import, as
  // the kiln binary does at start-up.
  kiln::python::ThrowIfError(kiln::tuners::TunerRegistry().status());
  kiln::python::RegisterCompiler(m);
  kiln::python::RegisterRuntime(m);
  kiln::python::RegisterAutotvm(m);
  m.def(
      "load_plugin",
      [](const pybind11::object& path) {
        kiln::python::ThrowIfError(kiln::driver::LoadPlugin(pybind11::str(path)));
      },
      pybind11::arg("path"),
      "Loads a tuner or target plugin built as a shared object (kiln --plugin=path).");
}
