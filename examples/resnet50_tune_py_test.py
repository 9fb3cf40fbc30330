"""resnet50_tune.py end to end on a narrow ResNet-50 v2 (224x224 input,
width 8, 1000 classes): import, build, run, tune one task for two trials,
rebuild with the records, and the tuned output matching the untuned one."""
import os
import subprocess
import sys
import unittest


class ResNet50TunePyTest(unittest.TestCase):
    def test_the_tutorial_runs_and_the_tuned_model_matches(self):
        tmp = os.environ["TEST_TMPDIR"]
        model = os.path.join(tmp, "narrow.onnx")
        subprocess.run(["frontend/generate_resnet50_v2", "--image_size=224", "--width=8",
                        "--classes=1000", "--output=" + model], check=True,
                       stdout=subprocess.DEVNULL)
        run = subprocess.run(
            [sys.executable, "examples/resnet50_tune.py", "--model=" + model, "--tasks=1",
             "--trials=2", "--repeat=1", "--number=1", "--nodownload", "--cache_dir=" + tmp,
             "--records=" + os.path.join(tmp, "records.json")],
            capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("Top-5 (untuned)", run.stdout)
        self.assertIn("[Task  1/ 1]", run.stdout)
        self.assertIn("1 of 24 tunable workloads compiled with their best record", run.stdout)
        self.assertIn(": match", run.stdout)


if __name__ == "__main__":
    unittest.main()
