# CPack: a Debian package of everything `cmake --install` puts in place
# (headers, runtime library, clang-tidy plugin, fearless-check, the CMake
# package). Include at the end of the top-level CMakeLists.txt, after every
# install() rule:  include(analyzer/driver/cmake/FearlessCPack.cmake)
# then: cmake --build build && (cd build && cpack -G DEB)
set(CPACK_PACKAGE_NAME fearless)
set(CPACK_PACKAGE_VENDOR "fearless")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Rust's fearless concurrency for C++: clang-tidy checks, CI driver, runtime")
set(CPACK_PACKAGE_CONTACT "fearless maintainers")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The plugin is loaded by Debian's clang-tidy of the same LLVM major; the
# runtime needs libdw to symbolise stack traces.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "clang-tidy-${FEARLESS_LLVM_VERSION_MAJOR}, libdw-dev, libstdc++6")
include(CPack)
