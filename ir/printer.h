// Readable text for IR, in the spirit of TVM's lower(..., simple_mode=True).
#ifndef KILN_IR_PRINTER_H_
#define KILN_IR_PRINTER_H_

#include <ostream>
#include <string>

#include "ir/expr.h"
#include "ir/stmt.h"

namespace kiln::ir {

std::string ToString(const Expr& e);
std::string ToString(const Stmt& s);
std::string ToString(const LoweredFunc& f);

std::ostream& operator<<(std::ostream& os, const Expr& e);
std::ostream& operator<<(std::ostream& os, const Stmt& s);

}  // namespace kiln::ir

#endif  // KILN_IR_PRINTER_H_
