// The built `cloud` executable that the app tests start (its path is set by tests/CMakeLists.txt).
#pragma once

#ifndef CLOUD_BINARY
#error "CLOUD_BINARY (the path of the built cloud executable) must be defined by CMake"
#endif

namespace cloud::testlib {

inline constexpr const char* kCloudBinary = CLOUD_BINARY;

}  // namespace cloud::testlib
