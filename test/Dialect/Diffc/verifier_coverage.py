#!/usr/bin/env python3
"""Fails when a verifier diagnostic of the diffc dialect has no negative test.

Every `emitOpError(...)` statement in the dialect's C++ sources is reduced to
its most distinctive string literal (the longest one); that literal must occur
in some `expected-error {{...}}` of invalid.mlir. Also fails when an op with a
verifier (hasVerifier / hasRegionVerifier) is never the subject of a case, or
when an op defined in ODS is missing from the round-trip test ops.mlir.

usage: verifier_coverage.py IR_DIR INVALID_MLIR OPS_MLIR
"""

import pathlib
import re
import sys


def statements_with_emit(source):
    """Yields the text of every statement that calls emitOpError."""
    for m in re.finditer(r"emitOpError\(", source):
        end = source.find(";", m.start())
        yield source[m.start():end]


def main():
    ir_dir, invalid, ops = map(pathlib.Path, sys.argv[1:4])
    invalid_text = invalid.read_text()
    expected = " ".join(re.findall(r"expected-error[^{]*\{\{(.*?)\}\}", invalid_text))
    problems = []

    sites = 0
    for cpp in sorted(ir_dir.glob("*.cpp")):
        for stmt in statements_with_emit(cpp.read_text()):
            literals = re.findall(r'"((?:[^"\\]|\\.)*)"', stmt)
            literals = [l for l in literals if l.strip()]
            if not literals:
                continue
            sites += 1
            key = max(literals, key=len).strip()
            # The tail of a message is often "..., got " followed by a value.
            key = re.sub(r"(,? got|:)$", "", key).strip()
            if key not in expected:
                problems.append(f"{cpp.name}: no expected-error covers '{key}'")

    td_text = "\n".join(p.read_text() for p in ir_dir.glob("*.td"))
    # Each op def up to the next top-level def (bodies may be absent for ops
    # defined through a class such as Diffc_BinaryOp).
    op_defs = re.findall(
        r'^def Diffc_(\w+)Op\s*:\s*(Diffc_\w+)<"(\w+)"(.*?)(?=^def |\Z)',
        td_text, re.S | re.M)
    ops_text = ops.read_text()
    verified_classes = {
        name for name, body in re.findall(
            r"^class (Diffc_\w+Op)\b(.*?)(?=^class |^def |\Z)", td_text,
            re.S | re.M)
        if "hasVerifier = 1" in body}
    for _, base, mnemonic, body in op_defs:
        if not re.search(rf"diffc\.{mnemonic}\b", ops_text):
            problems.append(f"ops.mlir: op diffc.{mnemonic} never round-trips")
        verified = ("hasVerifier = 1" in body or "hasRegionVerifier = 1" in body
                    or base in verified_classes)
        if verified and not re.search(rf"diffc\.{mnemonic}\b", invalid_text):
            problems.append(f"invalid.mlir: verified op diffc.{mnemonic} has no case")

    for p in problems:
        print("error:", p)
    print(f"checked {sites} diagnostics and {len(op_defs)} ops: "
          f"{len(problems)} uncovered")
    return 1 if problems or sites == 0 or not op_defs else 0


if __name__ == "__main__":
    sys.exit(main())
