// Every verifier diagnostic has a case in invalid.mlir, every verified op a
// negative case, and every op a round-trip case in ops.mlir.
// RUN: %python %S/verifier_coverage.py %diffc_src_root/dialects/Diffc/IR %S/invalid.mlir %S/ops.mlir | FileCheck %s
// CHECK: checked {{[1-9][0-9]*}} diagnostics and {{[1-9][0-9]*}} ops: 0 uncovered
