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

# File-permission tests need a user the file modes apply to: as root, miriamc
# runs as nobody, where nobody can reach it (a build tree in a private home
# cannot): the tests that need it are then reported UNSUPPORTED.
import shutil
import subprocess
if os.geteuid() != 0:
    config.available_features.add("file-permissions")
    config.substitutions.append(("%unprivileged", ""))
elif shutil.which("setpriv"):
    drop = "setpriv --reuid=65534 --regid=65534 --clear-groups"
    if subprocess.call(drop.split() + ["test", "-x", config.miriamc]) == 0:
        config.available_features.add("file-permissions")
        config.substitutions.append(("%unprivileged", drop))
