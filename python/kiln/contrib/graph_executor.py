"""graph_executor.GraphModule is kiln.runtime.GraphModule."""
from kiln.runtime import GraphModule

__all__ = ["GraphModule"]
