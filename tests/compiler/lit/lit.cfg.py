# lit configuration of miriamc's FileCheck tests. Each test is a .cu file with
# its own RUN lines; Inputs/ holds headers the tests include.
import os
import lit.formats

config.name = "miriamc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cu", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)

config.environment["PATH"] = os.pathsep.join([config.llvm_bin, os.environ.get("PATH", "")])
config.substitutions.append(("%miriamc", config.miriamc))
config.substitutions.append(("%validate", config.validator + " --schema " + config.schema))
config.substitutions.append(("%support_include", config.support_include))
if config.nvcc and os.path.exists(config.nvcc):
    config.available_features.add("nvcc")
    config.substitutions.append(("%nvcc", config.nvcc + " -arch=sm_90 -std=c++17 -c -o /dev/null"))
