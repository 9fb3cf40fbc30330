// The activation an operator's epilogue applies while storing its output.
#ifndef KILN_IR_OPS_ACTIVATION_H_
#define KILN_IR_OPS_ACTIVATION_H_

namespace kiln::ir::ops {

enum class Activation { kNone, kRelu };

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_ACTIVATION_H_
