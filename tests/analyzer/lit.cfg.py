# lit configuration for the fearless analyzer tests.
import os

import lit.formats

config.name = "fearless-analyzer"
config.test_format = lit.formats.ShTest(not lit_config.isWindows)
config.suffixes = [".cpp", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.fearless_obj_root

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])

includes = [
    os.path.join(config.fearless_src_root, "annotations", "include"),
    os.path.join(config.fearless_src_root, "runtime-checker", "include"),
]
# The standard library the check tests compile against: libstdc++ (the
# default) or, with `--param stdlib=libc++`, LLVM's libc++ (Debian's
# libc++-19-dev). The second run covers only checks/: the driver, tool and
# sample tests are about fearless-check and the build, not the library.
stdlib = lit_config.params.get("stdlib", "libstdc++")
if stdlib not in ("libstdc++", "libc++"):
    lit_config.fatal(f"stdlib must be libstdc++ or libc++, got '{stdlib}'")
config.available_features.add(stdlib)
if stdlib == "libc++":
    config.excludes += ["driver", "tool", "parity", "samples"]
    # Its own outputs, so that both runs may go at once (ctest -j).
    config.test_exec_root = os.path.join(config.fearless_obj_root, "libc++")
# The LLVM major the plugin is built for: a lit feature (REQUIRES: llvm-22,
# UNSUPPORTED: llvm-19) and, in check_fearless_tidy.py, the per-major
# expectations CHECK-MESSAGES-LLVM<major> where Clang words a message
# differently.
config.available_features.add(f"llvm-{config.llvm_major}")
runner = os.path.join(config.test_source_root, "check_fearless_tidy.py")
config.substitutions.append(
    ("%check_fearless_tidy",
     f"{config.python} {runner} --clang-tidy={config.clang_tidy} "
     f"--plugin={config.fearless_plugin} --stdlib={stdlib} "
     f"--llvm-major={config.llvm_major} "
     + " ".join(f"--include={d}" for d in includes)))
config.substitutions.append(
    ("%clang_tidy_plugin", f"{config.clang_tidy} --load={config.fearless_plugin}"))
config.substitutions.append(("%fearless_include",
                             " ".join(f"-I{d}" for d in includes)))
config.substitutions.append(("%fearless_src", config.fearless_src_root))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%llvm_major", config.llvm_major))
config.substitutions.append(("%clang_tidy_bin", config.clang_tidy))
config.substitutions.append(("%tidy_plugin_path", config.fearless_plugin))
