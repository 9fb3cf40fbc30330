"""kiln_fuzz_test: a libFuzzer harness that is also an ordinary test."""

def kiln_fuzz_test(name, srcs, corpus, deps = [], size = "small", **kwargs):
    """A harness defining LLVMFuzzerTestOneInput over `corpus` directories.

    In the default build it is a test that replays every file of `corpus`
    (seeds and the regression inputs of crashes once found) through the
    harness; with `--config=fuzz` it is a libFuzzer binary (bench/fuzz.sh runs
    it), whose test run replays the same files once (-runs=0).

    Args:
      name: the test's name.
      srcs: the harness sources.
      corpus: directories (relative to the package) of inputs to replay.
      deps: what the harness calls.
      size: the test size.
      **kwargs: passed to cc_test.
    """
    native.cc_test(
        name = name,
        srcs = srcs,
        size = size,
        args = select({
            "//third_party/fuzzing:libfuzzer": ["-runs=0"],
            "//conditions:default": [],
        }) + ["%s/%s" % (native.package_name(), c) for c in corpus],
        data = native.glob(["%s/**" % c for c in corpus]),
        linkopts = select({
            "//third_party/fuzzing:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = deps + select({
            "//third_party/fuzzing:libfuzzer": [],
            "//conditions:default": ["//third_party/fuzzing:replay_main"],
        }),
        tags = ["fuzz"] + kwargs.pop("tags", []),
        **kwargs
    )
