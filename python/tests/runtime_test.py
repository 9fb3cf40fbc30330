"""kiln's Python API for compiling and running: from_onnx, build, GraphModule,
export_library and load_module, errors, threads."""
import os
import subprocess
import threading
import unittest

import numpy as np

import kiln
from python.tests import testing


class RuntimeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mod, cls.params = testing.imported()
        cls.lib = kiln.build(cls.mod, target=testing.TARGET, params=cls.params)
        cls.x = np.cos(0.05 * np.arange(np.prod(testing.SHAPE))).reshape(testing.SHAPE).astype(
            "float32")

    def run_lib(self, lib, x=None):
        module = kiln.runtime.GraphModule(lib)
        module.set_input("data", self.x if x is None else x)
        module.run()
        return module.get_output(0).copy()

    def test_from_onnx_takes_a_path_bytes_or_a_model_proto(self):
        want = self.run_lib(self.lib)
        with open(testing.small_model(), "rb") as f:
            data = f.read()
        # python3-onnx comes with the bootstrap: a ModelProto is the form the
        # tutorial hands over.
        import onnx  # pylint: disable=import-outside-toplevel
        sources = [data, onnx.load(testing.small_model())]
        for source in sources:
            mod, params = kiln.frontend.from_onnx(source, {"data": testing.SHAPE})
            lib = kiln.build(mod, target=testing.TARGET, params=params)
            np.testing.assert_array_equal(self.run_lib(lib), want)
        self.assertEqual(self.mod.input_names, ["data"])
        self.assertIn("conv", self.mod.astext())

    def test_the_tutorials_tvm_idioms_run_with_kilns_names(self):
        from kiln import relay  # pylint: disable=import-outside-toplevel
        from kiln.contrib import graph_executor  # pylint: disable=import-outside-toplevel
        target = testing.TARGET
        with kiln.transform.PassContext(opt_level=3, config={}):
            lib = relay.build(self.mod["main"], target=target, params=self.params)
        dev = kiln.device(str(target), 0)
        module = graph_executor.GraphModule(lib["default"](dev))
        module.set_input("data", kiln.nd.array(self.x))
        module.run()
        output = module.get_output(0, kiln.nd.empty((1, 10))).numpy()
        self.assertIs(type(output), np.ndarray)
        np.testing.assert_array_equal(output, self.run_lib(self.lib))

    def test_params_are_the_weights_and_replace_them_by_name(self):
        self.assertGreater(len(self.params), 10)
        name, weight = next((k, v) for k, v in self.params.items() if v.ndim == 4)
        self.assertFalse(weight.flags.writeable)
        changed = dict(self.params)
        changed[name] = np.zeros_like(weight)
        lib = kiln.build(self.mod, target=testing.TARGET, params=changed)
        self.assertFalse(np.array_equal(self.run_lib(lib), self.run_lib(self.lib)))
        with self.assertRaisesRegex(ValueError, "weight '%s' is float32" % name):
            kiln.build(self.mod, target=testing.TARGET, params={name: np.zeros((2, 2), "float32")})
        with self.assertRaisesRegex(KeyError, "no weight named 'nope'"):
            kiln.build(self.mod, target=testing.TARGET, params={"nope": weight})

    def test_exported_artifact_gives_the_same_outputs_here_and_in_kiln_deploy(self):
        path = os.path.join(testing.tmp_dir(), "model.so")
        self.lib.export_library(path)
        want = self.run_lib(self.lib)
        np.testing.assert_array_equal(self.run_lib(kiln.runtime.load_module(path)), want)
        inputs, outputs = (os.path.join(testing.tmp_dir(), n) for n in ("in.npz", "out.npz"))
        np.savez(inputs, data=self.x)
        subprocess.run(["driver/kiln_deploy", path, "--inputs=" + inputs, "--outputs=" + outputs],
                       check=True, stdout=subprocess.DEVNULL)
        np.testing.assert_array_equal(np.load(outputs)[self.mod.output_names[0]], want)

    def test_outputs_are_views_and_out_copies(self):
        module = kiln.runtime.GraphModule(self.lib)
        module.run(data=self.x)
        a, b = module.get_output(0), module.get_output(self.mod.output_names[0])
        self.assertTrue(np.shares_memory(a, b))
        out = np.empty(a.shape, "float32")
        self.assertIs(module.get_output(0, out), out)
        np.testing.assert_array_equal(out, a)
        del module  # the arrays keep the run state alive
        np.testing.assert_array_equal(out, a)
        self.assertEqual(a.dtype, np.float32)

    def test_info_and_benchmark(self):
        module = kiln.runtime.GraphModule(self.lib)
        self.assertEqual(module.get_input_info(),
                         [{"name": "data", "dtype": "float32", "shape": testing.SHAPE}])
        self.assertEqual(module.get_num_outputs(), 1)
        module.set_input("data", self.x)
        result = module.benchmark(number=2, repeat=3, min_repeat_ms=5)
        self.assertEqual(len(result.results), 3)
        self.assertTrue(0 < result.min <= result.median <= result.max)
        self.assertGreaterEqual(result.min * 1e3 * 2, 0)
        self.assertIn("Execution time summary", str(result))

    def test_run_states_run_on_threads_at_once(self):
        want = [self.run_lib(self.lib, self.x * (1 + t)) for t in range(3)]
        got = [None] * 3

        def work(t):
            module = kiln.runtime.GraphModule(self.lib)
            for _ in range(4):
                module.set_input("data", self.x * (1 + t))
                module.run()
            got[t] = module.get_output(0).copy()

        threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        for t in range(3):
            np.testing.assert_array_equal(got[t], want[t])

    def test_errors_are_python_exceptions_with_kilns_messages(self):
        module = kiln.runtime.GraphModule(self.lib)
        with self.assertRaisesRegex(KeyError, "its inputs are: data") as caught:
            module.set_input("image", self.x)
        self.assertIsInstance(caught.exception, kiln.KilnError)
        with self.assertRaisesRegex(ValueError, r"expects float32\[1, 3, 32, 32\], got float32"):
            module.set_input("data", np.zeros((1, 3, 16, 16), "float32"))
        with self.assertRaisesRegex(ValueError, r"expects float32\[1, 3, 32, 32\], got float64"):
            module.set_input("data", self.x.astype("float64"))
        with self.assertRaisesRegex(IndexError, "the model has 1 output"):
            module.get_output(3)
        bad = os.path.join(testing.tmp_dir(), "bad.so")
        with open(bad, "w") as f:
            f.write("not a model")
        with self.assertRaisesRegex(ValueError, "is not a usable kiln artifact"):
            kiln.runtime.load_module(bad)
        with self.assertRaises(kiln.KilnError):
            kiln.frontend.from_onnx(bad, {})
        with self.assertRaises(TypeError):
            kiln.frontend.from_onnx(12, {})
        with self.assertRaisesRegex(kiln.KilnError, "unknown cpu 'no-such-cpu'"):
            kiln.build(self.mod, target="llvm -mcpu=no-such-cpu", params=self.params)
        with self.assertRaises(FileNotFoundError):
            kiln.autotvm.apply_history_best(os.path.join(testing.tmp_dir(), "none.json"))


if __name__ == "__main__":
    unittest.main()
