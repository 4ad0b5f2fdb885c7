// Heuristic detection of loops that wait for another thread block: a loop
// that keeps re-reading a location some other block writes (through a
// volatile access or an atomic) until it changes. Such code assumes the block
// it waits for is resident at the same time, which a persistent or sliced
// variant does not guarantee (the writer may be a later logical block of the
// same physical block, or of a later launch): it would hang.
#pragma once

namespace clang {
class ASTContext;
class Stmt;
}  // namespace clang

namespace miriam {

// True when `loop` (a while, do or for statement) waits on a volatile or
// atomic location: its condition reads one, or its condition tests a local
// the body assigns from one, or it has no (or a constant) condition and
// leaves through an `if` that reads one. Volatile __shared__ and local
// variables do not count (other blocks cannot write them).
bool is_spin_wait_loop(const clang::Stmt* loop, clang::ASTContext& ctx);

}  // namespace miriam
