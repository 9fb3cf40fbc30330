"""kiln_driver: the `kiln` command line with more plugins linked in.

    load("@kiln//driver:kiln_driver.bzl", "kiln_driver")   # "//driver:..." inside kiln

    kiln_driver(
        name = "my_kiln",
        plugins = ["//my_tuner"],  # cc_library targets with alwayslink = 1
    )

`bazel run //path:my_kiln -- tune model.onnx --tuner=my_tuner ...` then
knows every shipped tuner and target and those the plugins register; no
file of kiln changes. `//driver:kiln` is `kiln_driver` without plugins.
"""

def kiln_driver(name, plugins = [], **kwargs):
    """A kiln binary `name` with the plugin libraries `plugins` linked in."""
    native.cc_binary(
        name = name,
        deps = [Label("//driver:kiln_main")] + plugins,
        **kwargs
    )
