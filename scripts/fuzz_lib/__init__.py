"""Differential fuzzer for attn (see docs/fuzzing.md).

Modules:
  program    the data model of one generated program
  features   generation and simplification, one Feature per aspect
  emit       Program -> MLIR text and its argument list
  dtypes     element types: rounding, .npy files, tolerances
  inputs     random input arrays
  reference  independent float64 numpy evaluation of a program
  runner     attn-run invocations and outcome classification
  shrink     reduction of a failing program
  driver     testing one program, saving failures
  cli        command line
  selftest   checks of the fuzzer itself (--self-test)
"""
