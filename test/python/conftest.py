"""Shared by the Python tests, run by ctest (python-onnx, python-api) with
ATTN_TOOLS_DIR (attn-run, attn-opt, attn-import-onnx) and PYTHONPATH
(<build>/python: attn, attn_onnx) set by test/CMakeLists.txt."""

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(scope="session")
def tools():
    d = os.environ.get("ATTN_TOOLS_DIR")
    if not d:
        pytest.fail("ATTN_TOOLS_DIR is not set (run through ctest)")
    return d


def run_tool(tools, name, *args, check=True):
    p = subprocess.run([os.path.join(tools, name), *map(str, args)],
                       capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"{name} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return p
