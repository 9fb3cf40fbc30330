"""tvm.transform's PassContext, kept so that tutorial code runs unchanged:
kiln always runs its whole optimizing pass list, so the context only
checks its arguments."""


class PassContext:
    def __init__(self, opt_level=3, config=None, required_pass=None, disabled_pass=None):
        if not 0 <= opt_level <= 3:
            raise ValueError("opt_level must be 0 to 3, got %r" % (opt_level,))
        self.opt_level = opt_level
        self.config = dict(config or {})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
