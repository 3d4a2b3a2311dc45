# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# CPack: a Debian package of everything `cmake --install` puts in place
# (headers, runtime library, clang-tidy plugin, fearless-check, the CMake and
# pkg-config files, the man page, copyright and changelog). Include at the
# end of the top-level CMakeLists.txt, after every install() rule:
#   include(packaging/FearlessCPack.cmake)
# then: cmake --build build && (cd build && cpack -G DEB)
include(GNUInstallDirs)
# FEARLESS_PACKAGE_CONTACT (the Maintainer) is set in packaging/CMakeLists.txt.

set(CPACK_PACKAGE_NAME fearless)
set(CPACK_PACKAGE_VENDOR "fearless")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Rust's fearless concurrency for C++: clang-tidy checks, CI driver, runtime")
set(CPACK_PACKAGE_DESCRIPTION
  "fearless brings Rust's Send/Sync rules, Clang's thread-safety analysis on
plain std::mutex and static lock order to C++ as a clang-tidy plugin
(libfearless-tidy.so) with a CI driver (fearless-check: text, JSON, SARIF,
baselines), plus Rust-like primitives (Mutex<T>, RwLock<T>, channels, scoped
threads) with a lockdep-style deadlock tracker and a race detector.")
set(CPACK_PACKAGE_CONTACT "${FEARLESS_PACKAGE_CONTACT}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Two packages, so that the analyzer for several LLVM majors installs side
# by side: "fearless" (headers, runtime, CMake and pkg-config files, docs,
# man page, the bin/fearless-check launcher) and "fearless-llvm<major>" (the
# "analyzer" component: the plugin in lib/.../fearless/llvm<major>/ and
# bin/fearless-check-<major>). The plugin only loads into the clang-tidy of
# the major it was built against: that major is in the package's name, and
# the package depends on that clang-tidy. Every build makes the same
# "fearless" package.
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE _fearless_arch
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT _fearless_arch)
  set(_fearless_arch ${CMAKE_SYSTEM_PROCESSOR})
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL Unspecified)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_NAME fearless)
set(CPACK_DEBIAN_UNSPECIFIED_FILE_NAME
  "fearless_${PROJECT_VERSION}-1_${_fearless_arch}.deb")
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_DEPENDS "libdw-dev, pkg-config")
# Shared-library dependencies (glibc, libstdc++ versions the binaries need)
# are computed by dpkg-shlibdeps; the rest is what the files are used with.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(FEARLESS_LLVM_VERSION_MAJOR)
  set(_fearless_llvm llvm${FEARLESS_LLVM_VERSION_MAJOR})
  list(APPEND CPACK_COMPONENTS_ALL analyzer)
  set(CPACK_DEBIAN_ANALYZER_PACKAGE_NAME fearless-${_fearless_llvm})
  set(CPACK_DEBIAN_ANALYZER_FILE_NAME
    "fearless-${_fearless_llvm}_${PROJECT_VERSION}-1_${_fearless_arch}.deb")
  set(CPACK_DEBIAN_ANALYZER_PACKAGE_DEPENDS
    "fearless (= ${PROJECT_VERSION}-1), clang-tidy-${FEARLESS_LLVM_VERSION_MAJOR}")
  set(CPACK_COMPONENT_ANALYZER_DESCRIPTION
    "fearless clang-tidy plugin and fearless-check for LLVM ${FEARLESS_LLVM_VERSION_MAJOR}")
endif()
include(CPack)
