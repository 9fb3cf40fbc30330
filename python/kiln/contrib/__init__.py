"""tvm.contrib's graph_executor under its TVM name."""
from kiln.contrib import graph_executor

__all__ = ["graph_executor"]
