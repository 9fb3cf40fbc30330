"""TVM's "Compiling and Optimizing a Model with the Python Interface (AutoTVM)"
tutorial, step for step, on kiln: the tutorial's code with kiln's names in
place of TVM's.

    bazel run //examples:resnet50_tune_py [-- --trials=20 --model=resnet50-v2-7.onnx]

1. load ResNet-50 v2 (the model zoo's file when cached or downloadable, else
   kiln's generated copy of its topology), 2. load and preprocess the cat
   photo, 3. compile untuned and run it: top-5 and timing, 4. extract the
   tuning tasks and tune each with a tuner, 5. recompile with the records,
   check the output and compare timings. examples/resnet50_tune.cc is the
   same in C++.
"""
import argparse
import os
import subprocess
import sys
import timeit
import urllib.request

import numpy as np

import kiln
from kiln import autotvm
from kiln.autotvm.tuner import GATuner, GridSearchTuner, RandomTuner, XGBTuner

from examples import _imagenet_image

MODEL_URL = ("https://github.com/onnx/models/raw/main/validated/vision/classification/resnet/"
             "model/resnet50-v2-7.onnx")


def user_path(path):
    """`bazel run` starts in the runfiles tree; paths typed by the user are
    relative to where they ran it."""
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY")
    if not path or os.path.isabs(path) or not cwd:
        return path
    in_cwd = os.path.join(cwd, path)
    return in_cwd if os.path.exists(in_cwd) else path


def find_model(args, cache):
    """The model file and whether it is the real one (trained weights)."""
    if args.model:
        return user_path(args.model), True
    real = os.path.join(cache, "resnet50-v2-7.onnx")
    if os.path.exists(real):
        return real, True
    if args.download:
        print("Downloading %s (30 s timeout) ..." % MODEL_URL)
        try:
            with urllib.request.urlopen(MODEL_URL, timeout=30) as response:
                data = response.read()
            if len(data) > 90_000_000:
                with open(real + ".part", "wb") as f:
                    f.write(data)
                os.replace(real + ".part", real)
                return real, True
        except OSError:
            pass
        print("The download failed (no network?).")
    generated = os.path.join(cache, "resnet50-v2-generated.onnx")
    if not os.path.exists(generated):
        subprocess.run(["frontend/generate_resnet50_v2", "--output=" + generated], check=True,
                       stdout=subprocess.DEVNULL)
    print("Using kiln's generated ResNet-50 v2: the model zoo's topology with seeded random "
          "weights, so its predictions are meaningless (timings are not).")
    return generated, False


def read_labels(path):
    """Class names of synset.txt ("n01440764 tench, Tinca tinca" -> "tench, ...")."""
    try:
        with open(path) as f:
            return [line.rstrip("\n").split(" ", 1)[-1] for line in f]
    except OSError:
        return []


def print_top5(output, labels):
    scores = np.exp(output - output.max())
    scores = np.squeeze(scores / scores.sum())
    for rank in np.argsort(scores)[::-1][0:5]:
        label = labels[rank] if rank < len(labels) else "class %d" % rank
        print("  class='%s' with probability=%f" % (label, scores[rank]))


def timings(module, repeat, number):
    """The tutorial's timing of module.run() with timeit, in ms."""
    samples = (np.array(timeit.Timer(lambda: module.run()).repeat(repeat=repeat, number=number))
               * 1000 / number)
    return {"mean": np.mean(samples), "median": np.median(samples), "std": np.std(samples)}


def make_tuner(name, task):
    if name.startswith("xgb"):
        # "xgb", "xgb_rank", "xgb_rank_binary", each optionally _knob/_itervar/_curve.
        parts = name.split("_")
        feature = parts.pop() if parts[-1] in ("knob", "itervar", "curve") else "itervar"
        loss = "-".join(parts[1:]) or "reg"
        return XGBTuner(task, loss_type=loss, feature_type=feature)
    if name == "ga":
        return GATuner(task, pop_size=50)
    if name == "random":
        return RandomTuner(task)
    if name == "gridsearch":
        return GridSearchTuner(task)
    return autotvm.tuner.PluginTuner(task, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="", help="ONNX file of ResNet-50 v2")
    parser.add_argument("--image", default="examples/data/chelsea.png")
    parser.add_argument("--synset", default="", help="class names (default: synset.txt in the cache)")
    parser.add_argument("--target", default="llvm -mcpu=native")
    parser.add_argument("--tuner", default="xgb", help="xgb[_rank|_rank_binary][_knob|_itervar|"
                        "_curve], ga, random, gridsearch or any plugin's name")
    parser.add_argument("--trials", type=int, default=20, help="measurements per task")
    parser.add_argument("--early_stopping", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=0, help="tune only the first N tasks")
    parser.add_argument("--records", default="", help="tuning records (default: in the cache)")
    parser.add_argument("--cache_dir", default="", help="default ~/.cache/kiln")
    parser.add_argument("--download", action=argparse.BooleanOptionalAction, default=True,
                        help="try to download resnet50-v2-7.onnx when it is not cached")
    parser.add_argument("--nodownload", dest="download", action="store_false",
                        help=argparse.SUPPRESS)  # the C++ example's spelling
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--number", type=int, default=10)
    args = parser.parse_args()

    cache = user_path(args.cache_dir) or os.path.join(os.path.expanduser("~"), ".cache", "kiln")
    os.makedirs(cache, exist_ok=True)
    target = args.target

    # 1. The model.
    model_path, real_model = find_model(args, cache)
    print("Model: %s\nTarget: %s\n" % (model_path, target))

    # 2. The image, preprocessed as in the tutorial (resize to 224x224, scale
    # to [0, 1], normalize with ImageNet's mean and std, NCHW).
    img_data = _imagenet_image.load_imagenet_input(user_path(args.image))
    labels = read_labels(user_path(args.synset) or os.path.join(cache, "synset.txt"))

    # 3. Compile with the default schedules and run.
    input_name = "data"
    shape_dict = {input_name: img_data.shape}
    mod, params = kiln.frontend.from_onnx(model_path, shape_dict)
    print("Compiling the untuned model ...")
    with kiln.transform.PassContext(opt_level=3):
        lib = kiln.build(mod, target=target, params=params)
    dev = kiln.device(str(target), 0)
    module = kiln.runtime.GraphModule(lib["default"](dev))
    module.set_input(input_name, img_data)
    module.run()
    output_shape = (1, 1000)
    untuned_output = module.get_output(0, np.empty(output_shape, "float32"))
    print("Top-5 (untuned)%s:" % ("" if labels else ", class indices (no synset.txt)"))
    print_top5(untuned_output, labels)
    unoptimized = timings(module, args.repeat, args.number)
    print("Unoptimized: %s\n" % unoptimized)

    # 4. Extract the tasks and tune each.
    records = user_path(args.records) or os.path.join(
        cache, "resnet50-v2-%s-python-records.json" % ("7" if real_model else "generated"))
    runner = autotvm.LocalRunner(number=1, repeat=3, timeout=10, min_repeat_ms=0,
                                 enable_cpu_cache_flush=True)
    tuning_option = {
        "tuner": args.tuner,
        "trials": args.trials,
        "early_stopping": args.early_stopping,
        "measure_option": autotvm.measure_option(
            builder=autotvm.LocalBuilder(build_func="default", n_parallel=2), runner=runner),
        "tuning_records": records,
    }
    tasks = autotvm.task.extract_from_program(mod["main"], target=target, params=params)
    if args.tasks > 0:
        tasks = tasks[:args.tasks]
    print("Tuning %d tasks with %s, %d trials per task, records in %s" %
          (len(tasks), args.tuner, args.trials, records))
    for i, task in enumerate(tasks):
        prefix = "[Task %2d/%2d] " % (i + 1, len(tasks))
        tuner_obj = make_tuner(tuning_option["tuner"], task)
        # Not in the tutorial: a rerun resumes from the records, as the C++ example does.
        if os.path.exists(tuning_option["tuning_records"]):
            tuner_obj.load_history(tuning_option["tuning_records"])
        tuner_obj.tune(
            n_trial=min(tuning_option["trials"], len(task.config_space)),
            early_stopping=tuning_option["early_stopping"],
            measure_option=tuning_option["measure_option"],
            callbacks=[
                autotvm.callback.progress_bar(tuning_option["trials"], prefix=prefix),
                autotvm.callback.log_to_file(tuning_option["tuning_records"]),
            ],
        )

    # 5. Recompile with the best records and compare.
    print("\nCompiling the tuned model ...")
    with autotvm.apply_history_best(tuning_option["tuning_records"]):
        with kiln.transform.PassContext(opt_level=3, config={}):
            lib = kiln.build(mod, target=target, params=params)
    print(lib.records_summary)
    module = kiln.runtime.GraphModule(lib["default"](dev))
    module.set_input(input_name, img_data)
    module.run()
    tuned_output = module.get_output(0, np.empty(output_shape, "float32"))
    max_diff = float(np.abs(tuned_output - untuned_output).max())
    max_abs = float(np.abs(untuned_output).max())
    match = max_diff <= 1e-4 * max_abs
    print("Tuned output vs untuned: max |difference| %.3g (max |logit| %.3g): %s" %
          (max_diff, max_abs, "match" if match else "MISMATCH"))
    print("Top-5 (tuned):")
    print_top5(tuned_output, labels)
    optimized = timings(module, args.repeat, args.number)
    print("optimized: %s" % optimized)
    print("unoptimized: %s" % unoptimized)
    print("Speedup (median): %.2fx" % (unoptimized["median"] / optimized["median"]))
    return 0 if match else 1


if __name__ == "__main__":
    sys.exit(main())
