# -*- Python -*-
# Lit configuration of the diffc compiler tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "DIFFC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "unit",
                   "harness.py", "cases.py", "reference.py", "cases_*.py",
                   "Inputs"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.diffc_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.diffc_tools_dir, config.llvm_tools_dir]
tools = [ToolSubst("diffc-opt", unresolved="fatal"),
         ToolSubst("diffc", unresolved="fatal"),
         ToolSubst("diffc-run", unresolved="fatal")]
tools.append(ToolSubst("diffc-zoo", unresolved="fatal"))
# Scripts run with the system interpreter, the one with numpy.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%diffc_src_root", config.diffc_src_root))
llvm_config.add_tool_substitutions(tools, tool_dirs)

# GPU features (docs/gpu.md). `ptxas`: the CUDA toolkit's assembler is there,
# so GPU targets compile. `cuda-driver`: libcuda.so.1 loads, so tests that
# need a GPU run; elsewhere lit reports them UNSUPPORTED (a visible skip).
_cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
if os.access(os.path.join(_cuda_home, "bin", "ptxas"), os.X_OK):
    config.available_features.add("ptxas")
try:
    import ctypes
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
config.environment["CUDA_HOME"] = _cuda_home
# The CPU stand-in for the NVIDIA driver (test/mock-cuda): tests set
# DIFFC_LIBCUDA=%mock_cuda to run the --device=cuda path without a GPU.
config.substitutions.append(
    ("%mock_cuda", os.path.join(config.diffc_obj_root, "lib",
                                "libdiffc-mock-cuda.so")))
