"""Tuners (autotvm.tuner): kiln's plugins by name, and tuners written in
Python.

A Python tuner subclasses Tuner and overrides next_batch(batch_size), which
returns configs not proposed before (task.config_space.get(i), or indices i),
and update(inputs, results), which learns from measurements; tune() then
runs it like a built-in one.
"""
import os
import sys

import _kiln


class Tuner:
    """A tuner of `task`. Subclasses written in Python override next_batch and
    update; the built-in ones wrap a plugin of kiln's registry."""

    def __init__(self, task, **kwargs):
        self.task = task
        self._plugin = None
        self._history = ""

    def next_batch(self, batch_size):
        raise NotImplementedError("a Python tuner overrides next_batch(batch_size)")

    def update(self, inputs, results):
        """Learns from measurements (inputs[i].config gave results[i])."""

    def load_history(self, records):
        """Resumes from a records file in the next tune(), as `kiln tune`
        does: this task's records count as trials (not measured again; the
        tuner learns from them through update), and the records of the
        template's other workloads seed a cost model (transfer learning)."""
        self._history = os.fspath(records)

    def tune(self, n_trial, measure_option=None, early_stopping=None, callbacks=(),
             si_prefix="G", seed=0):  # pylint: disable=unused-argument
        """Measures up to n_trial configs (fewer when the space is smaller or
        early_stopping measurements in a row bring no new best). Returns a
        summary dict (trials, resumed, measured, best_gflops, best_config,
        stop_reason). Ctrl-C stops it with KeyboardInterrupt before the next
        candidates are built; the records of finished batches stay valid."""
        if measure_option is None:
            from kiln.autotvm.measure import measure_option as default_option
            measure_option = default_option()
        sys.stdout.flush()
        # getattr: a Python tuner may not have called Tuner.__init__.
        plugin = getattr(self, "_plugin", None)
        return _kiln.tune(self.task, plugin if plugin is not None else self,
                          int(n_trial), int(early_stopping or 0), measure_option,
                          list(callbacks), int(seed), getattr(self, "_history", ""))


class PluginTuner(Tuner):
    """Any tuner plugin of kiln's registry by name (`kiln list tuners`;
    plugins linked into the extension). `params` are its --tuner_param
    settings."""

    def __init__(self, task, name, seed=0, population_size=0, **params):
        super().__init__(task)
        self.name = name
        self._plugin = _kiln.PluginTuner(task, name, seed, population_size,
                                         {k: str(v) for k, v in params.items()})


class XGBTuner(PluginTuner):
    """An XGBoost cost model guiding simulated annealing."""

    def __init__(self, task, plan_size=None, feature_type="itervar", loss_type="reg",
                 num_threads=None, optimizer="sa", diversity_filter_ratio=None,
                 log_interval=None, seed=0, population_size=0, **params):
        losses = {"reg": "", "rank": "_rank", "rank-binary": "_rank_binary"}
        if loss_type not in losses:
            raise ValueError("loss_type must be one of %s, got %r" % (sorted(losses), loss_type))
        if feature_type not in ("knob", "itervar", "curve"):
            raise ValueError("feature_type must be knob, itervar or curve, got %r" %
                             (feature_type,))
        if optimizer != "sa":
            raise ValueError("kiln's xgb tuners search with simulated annealing ('sa')")
        super().__init__(task, "xgb%s_%s" % (losses[loss_type], feature_type), seed,
                         population_size, **params)


class GATuner(PluginTuner):
    """A genetic algorithm."""

    def __init__(self, task, pop_size=None, elite_num=None, mutation_prob=None, seed=0):
        params = {k: v for k, v in (("elite_num", elite_num), ("mutation_prob", mutation_prob))
                  if v is not None}
        super().__init__(task, "ga", seed, pop_size or 0, **params)


class RandomTuner(PluginTuner):
    def __init__(self, task, seed=0):
        super().__init__(task, "random", seed)


class GridSearchTuner(PluginTuner):
    def __init__(self, task):
        super().__init__(task, "gridsearch")


def tuner_names():
    """The tuner plugins this build offers."""
    return _kiln.tuner_names()
