# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "attn"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs"]

config.substitutions.append(("%examples", os.path.join(config.attn_src_root, "examples")))
config.substitutions.append(("%rocm_toolkit", config.attn_rocm_toolkit))
config.substitutions.append(("%python", config.attn_python))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.attn_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["attn-opt", "attn-run", "attn-ref", "attn-import-onnx", "FileCheck", "not", "count"], tool_dirs)

# Host CPU features, for tests of code attn emits only where the host has
# them (the CPU pipeline compiles for the host).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((l for l in cpuinfo if l.startswith("flags")), "").split()
except OSError:
    flags = []
if "avx512_bf16" in flags:
    config.available_features.add("avx512bf16")
