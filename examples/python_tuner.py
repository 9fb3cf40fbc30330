"""A tuner written in Python, used like kiln's built-in ones:

    bazel run //examples:python_tuner [-- --trials=16]

It subclasses kiln.autotvm.tuner.Tuner with next_batch (which configs to
measure next) and update (what the measurements said): here a greedy local
search that measures the neighbours of the best config so far, one knob
choice away, and jumps to a random config when none is left. The records it
writes are the ones `kiln compile --tuning_records` reads.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

import numpy as np

import kiln
from kiln import autotvm


class NeighbourTuner(autotvm.tuner.Tuner):
    def __init__(self, task, seed=0):
        super().__init__(task)
        self.space = task.config_space
        self.rng = random.Random(seed)
        self.proposed = set()
        self.best_index, self.best_cost = None, float("inf")

    def _neighbours(self, index):
        # A config's index is mixed-radix over its knobs' choices; changing
        # one digit by one changes one knob by one step. Without the radices
        # at hand, indices next to it and a stride apart are a fair stand-in.
        n = len(self.space)
        for step in (1, 2, 4, 8, 16, 32):
            for j in (index - step, index + step):
                if 0 <= j < n:
                    yield j

    def next_batch(self, batch_size):
        batch = []
        if self.best_index is not None:
            for j in self._neighbours(self.best_index):
                if j not in self.proposed and len(batch) < batch_size:
                    batch.append(j)
                    self.proposed.add(j)
        while len(batch) < batch_size and len(self.proposed) < len(self.space):
            j = self.rng.randrange(len(self.space))
            if j not in self.proposed:
                batch.append(j)
                self.proposed.add(j)
        return [self.space.get(j) for j in batch]

    def update(self, inputs, results):
        for inp, res in zip(inputs, results):
            self.proposed.add(inp.config.index)
            if res.error_no == 0 and np.median(res.costs) < self.best_cost:
                self.best_index, self.best_cost = inp.config.index, float(np.median(res.costs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--target", default="llvm -mcpu=native")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="kiln_python_tuner_")
    model = os.path.join(work, "resnet_small.onnx")
    subprocess.run(["frontend/generate_resnet50_v2", "--image_size=64", "--width=16",
                    "--classes=10", "--output=" + model], check=True, stdout=subprocess.DEVNULL)
    mod, params = kiln.frontend.from_onnx(model, {"data": (1, 3, 64, 64)})
    tasks = autotvm.task.extract_from_program(mod["main"], target=args.target, params=params)
    records = os.path.join(work, "records.json")
    option = autotvm.measure_option(builder=autotvm.LocalBuilder(),
                                    runner=autotvm.LocalRunner(number=1, repeat=3))
    for i, task in enumerate(tasks[:args.tasks]):
        tuner = NeighbourTuner(task, seed=i)
        tuner.tune(n_trial=min(args.trials, len(task.config_space)), measure_option=option,
                   callbacks=[autotvm.callback.progress_bar(args.trials,
                                                            prefix="[Task %2d/%2d] " % (
                                                                i + 1, args.tasks)),
                              autotvm.callback.log_to_file(records)])
    with autotvm.apply_history_best(records):
        lib = kiln.build(mod, target=args.target, params=params)
    print(lib.records_summary)
    print("records:", records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
