"""Tuning (tvm.autotvm): extract a model's tasks, tune each with a tuner,
compile with the best records.

    tasks = kiln.autotvm.task.extract_from_program(mod["main"], target=target, params=params)
    for i, task in enumerate(tasks):
        tuner = kiln.autotvm.tuner.XGBTuner(task, loss_type="rank")
        tuner.tune(n_trial=min(20, len(task.config_space)), early_stopping=100,
                   measure_option=kiln.autotvm.measure_option(
                       builder=kiln.autotvm.LocalBuilder(),
                       runner=kiln.autotvm.LocalRunner(number=1, repeat=3)),
                   callbacks=[kiln.autotvm.callback.progress_bar(20, prefix="[Task %2d] " % i),
                              kiln.autotvm.callback.log_to_file("records.json")])
    with kiln.autotvm.apply_history_best("records.json"):
        lib = kiln.build(mod, target=target, params=params)
"""
from kiln.autotvm import callback, task, tuner
from kiln.autotvm.dispatch import apply_history_best
from kiln.autotvm.measure import LocalBuilder, LocalRunner, measure_option

__all__ = ["LocalBuilder", "LocalRunner", "apply_history_best", "callback", "measure_option",
           "task", "tuner"]
