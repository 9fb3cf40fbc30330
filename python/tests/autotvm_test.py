"""kiln.autotvm from Python: tasks, every tuner by class and by name, tuners
written in Python, callbacks, records the command line reads,
apply_history_best, and Ctrl-C."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest

import numpy as np

import kiln
from kiln import autotvm
from kiln.autotvm.tuner import GATuner, GridSearchTuner, PluginTuner, RandomTuner, XGBTuner
from python.tests import testing

OPTION = autotvm.measure_option(builder=autotvm.LocalBuilder(),
                                runner=autotvm.LocalRunner(number=1, repeat=1, timeout=10))


class FirstConfigs(autotvm.tuner.Tuner):
    """Proposes configs in index order, once with a duplicate; counts calls."""

    def __init__(self, task):
        super().__init__(task)
        self.next = 0
        self.updates = []

    def next_batch(self, batch_size):
        batch = list(range(self.next, min(self.next + batch_size, len(self.task.config_space))))
        self.next += len(batch)
        return [self.task.config_space.get(i) for i in batch] + batch[:1]

    def update(self, inputs, results):
        self.updates.append([(i.config.index, r.error_name) for i, r in zip(inputs, results)])


class AutotvmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mod, cls.params = testing.imported()
        cls.tasks = autotvm.task.extract_from_program(cls.mod["main"], target=testing.TARGET,
                                                      params=cls.params)
        # The first convolution; its space is large enough for every test.
        cls.task = cls.tasks[0]

    def records(self, name):
        path = os.path.join(testing.tmp_dir(), name)
        if os.path.exists(path):
            os.remove(path)
        return path

    def test_tasks_have_names_workloads_and_spaces(self):
        self.assertGreater(len(self.tasks), 5)
        for task in self.tasks:
            self.assertIn(task.name.split(".")[0],
                          ("conv2d_NCHWc", "conv2d_winograd_NCHWc", "depthwise_conv2d_NCHWc",
                           "dense_pack"))
            self.assertGreaterEqual(len(task.config_space), 1)
            self.assertGreater(task.flop, 0)
            self.assertEqual(task.target, testing.TARGET)
        self.assertEqual(len({t.workload_key for t in self.tasks}), len(self.tasks))
        self.assertEqual(self.task.config_space.get(3).index, 3)
        with self.assertRaises(IndexError):
            self.task.config_space.get(len(self.task.config_space))

    def test_every_tuner_by_class_and_by_name(self):
        tuners = [XGBTuner(self.task, loss_type=loss, feature_type=feature)
                  for loss in ("reg", "rank", "rank-binary")
                  for feature in ("knob", "itervar", "curve")]
        tuners += [GATuner(self.task, pop_size=4), RandomTuner(self.task),
                   GridSearchTuner(self.task), PluginTuner(self.task, "random", seed=3)]
        self.assertIn("xgb_rank_binary_curve", autotvm.tuner.tuner_names())
        for tuner in tuners:
            summary = tuner.tune(n_trial=3, measure_option=OPTION)
            self.assertEqual(summary["trials"], 3, tuner.name)
            self.assertGreater(summary["best_gflops"], 0, tuner.name)
        with self.assertRaisesRegex(KeyError, "xgb_rank"):
            PluginTuner(self.task, "no_such_tuner")
        with self.assertRaisesRegex(ValueError, "loss_type"):
            XGBTuner(self.task, loss_type="hinge")
        with self.assertRaisesRegex(ValueError, "elite"):
            PluginTuner(self.task, "ga", bogus=1)

    def test_a_plugin_loaded_from_a_shared_object_is_a_tuner_by_name(self):
        kiln.load_plugin("examples/custom_tuner/libcoordinate_descent.so")
        self.assertIn("coordinate_descent", autotvm.tuner.tuner_names())
        summary = PluginTuner(self.task, "coordinate_descent", radius=1).tune(
            n_trial=3, measure_option=OPTION)
        self.assertEqual(summary["trials"], 3)
        with self.assertRaisesRegex(kiln.KilnError, "nothing.so"):
            kiln.load_plugin("nothing.so")

    def test_records_are_the_command_lines_and_apply_history_best_uses_them(self):
        records = self.records("cli.json")
        seen = []
        RandomTuner(self.task).tune(
            n_trial=4, early_stopping=None, measure_option=OPTION,
            callbacks=[autotvm.callback.progress_bar(4, prefix="[Task  1/ 1] "),
                       autotvm.callback.log_to_file(records),
                       lambda tuner, inputs, results: seen.extend(zip(inputs, results))])
        self.assertEqual(len(seen), 4)
        self.assertTrue(all(inp.task.workload_key == self.task.workload_key for inp, _ in seen))
        self.assertTrue(all(res.error_no == 0 and res.costs for _, res in seen))
        with open(records) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual(len(lines), 4)
        compiled = subprocess.run(
            ["driver/kiln", "compile", testing.small_model(), "--target=" + testing.TARGET,
             "--tuning_records=" + records, "--output=" + os.path.join(testing.tmp_dir(), "t.so")],
            capture_output=True, text=True)
        self.assertEqual(compiled.returncode, 0, compiled.stderr)
        self.assertIn("1 of %d tunable workloads" % len(self.tasks),
                      compiled.stdout + compiled.stderr)
        with autotvm.apply_history_best(records):
            lib = kiln.build(self.mod, target=testing.TARGET, params=self.params)
        self.assertIn("1 of %d tunable workloads" % len(self.tasks), lib.records_summary)
        untuned = kiln.build(self.mod, target=testing.TARGET, params=self.params)
        self.assertEqual(untuned.records_summary, "")
        x = np.random.default_rng(0).random(testing.SHAPE, dtype=np.float32)
        outputs = []
        for built in (lib, untuned):
            module = kiln.runtime.GraphModule(built)
            module.run(data=x)
            outputs.append(module.get_output(0).copy())
        np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-4,
                                   atol=1e-4 * np.abs(outputs[1]).max())

    def test_load_history_resumes_from_records(self):
        records = self.records("resume.json")
        RandomTuner(self.task).tune(n_trial=4, measure_option=OPTION,
                                    callbacks=[autotvm.callback.log_to_file(records)])
        for tuner in (XGBTuner(self.task), FirstConfigs(self.task)):
            tuner.load_history(records)
            summary = tuner.tune(n_trial=6, measure_option=OPTION)
            self.assertEqual((summary["trials"], summary["resumed"], summary["measured"]),
                             (6, 4, 2))

    def test_a_python_tuner_is_used_like_a_built_in_one(self):
        tuner = FirstConfigs(self.task)
        summary = tuner.tune(n_trial=5, measure_option=OPTION)
        self.assertEqual(summary["trials"], 5)
        measured = [index for batch in tuner.updates for index, _ in batch]
        self.assertEqual(sorted(measured), [0, 1, 2, 3, 4])  # the duplicate was dropped
        self.assertTrue(all(error == "NO_ERROR" for batch in tuner.updates for _, error in batch))

        class OutOfSpace(autotvm.tuner.Tuner):
            def next_batch(self, batch_size):
                return [10**9]

        with self.assertRaisesRegex(IndexError, "out of range|OutOfRange|index"):
            OutOfSpace(self.task).tune(n_trial=2, measure_option=OPTION)

        class Failing(FirstConfigs):
            def update(self, inputs, results):
                raise ZeroDivisionError("from update")

        with self.assertRaisesRegex(ZeroDivisionError, "from update"):
            Failing(self.task).tune(n_trial=2, measure_option=OPTION)

    def test_an_exception_in_a_callback_stops_tuning_and_reaches_the_caller(self):
        class Stop(Exception):
            pass

        def stop(tuner, inputs, results):
            raise Stop("enough")

        with self.assertRaises(Stop):
            RandomTuner(self.task).tune(n_trial=4, measure_option=OPTION, callbacks=[stop])
        with self.assertRaises(TypeError):
            RandomTuner(self.task).tune(n_trial=4, measure_option=OPTION, callbacks=[3])
        bad = autotvm.measure_option(runner=autotvm.LocalRunner(repeat=0))
        with self.assertRaises(ValueError):
            RandomTuner(self.task).tune(n_trial=2, measure_option=bad)

    def test_ctrl_c_interrupts_tuning_with_keyboard_interrupt(self):
        records = self.records("interrupted.json")
        # Each candidate is timed for half a second, so tuning is inside
        # kiln's C++ when the signal comes.
        script = textwrap.dedent("""
            import sys
            import kiln
            from kiln import autotvm
            mod, params = kiln.frontend.from_onnx(sys.argv[1], {"data": (1, 3, 32, 32)})
            tasks = autotvm.task.extract_from_program(mod, target=sys.argv[2], params=params)
            option = autotvm.measure_option(
                runner=autotvm.LocalRunner(number=1, repeat=1, min_repeat_ms=500))
            print("tuning", flush=True)
            autotvm.tuner.RandomTuner(tasks[0]).tune(
                n_trial=32, measure_option=option,
                callbacks=[autotvm.callback.log_to_file(sys.argv[3])])
            print("finished", flush=True)
        """)
        child = subprocess.Popen([sys.executable, "-c", script, testing.small_model(),
                                  testing.TARGET, records],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
        self.assertEqual(child.stdout.readline().strip(), "tuning")
        time.sleep(2)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
        self.assertNotEqual(child.returncode, 0)
        self.assertNotIn("finished", out)
        self.assertIn("KeyboardInterrupt", err)
        with open(records) as f:
            for line in f:
                json.loads(line)


if __name__ == "__main__":
    unittest.main()
