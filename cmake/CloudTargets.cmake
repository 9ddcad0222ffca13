# Helpers that every folder uses to declare its targets, so that all libraries and tests
# are built the same way (in the spirit of absl_cc_library / userver_module).
#
#   cloud_add_library(<name> SRCS ... [DEPS ...] [PRIVATE_DEPS ...])
#     -> static library cloud_<name>, alias cloud::<name>, include root src/
#   cloud_add_test(<name> SRCS ... [DEPS ...] LABELS unit|db|e2e [TIMEOUT s])
#     (tests/CMakeLists.txt makes one per folder of tests: <layer>_<kind>_tests)
#     -> executable <name> registered with CTest (gtest_discover_tests is avoided so that the
#        test list is known without running the binary; one CTest entry per binary).

# The headers every library precompiles (CLOUD_PCH): the standard library and nlohmann json.
set(CLOUD_PCH_HEADERS
    <algorithm> <atomic> <chrono> <cstdint> <functional> <map> <memory> <mutex> <optional>
    <set> <string> <string_view> <thread> <unordered_map> <utility> <variant> <vector>
    <nlohmann/json.hpp>)

function(cloud_add_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(cloud_${name} STATIC ${ARG_SRCS})
  add_library(cloud::${name} ALIAS cloud_${name})
  target_include_directories(cloud_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(cloud_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  if(CLOUD_PCH)
    target_precompile_headers(cloud_${name} PRIVATE ${CLOUD_PCH_HEADERS})
  endif()
endfunction()

function(cloud_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  # All tests share the precompiled header of the test helpers (with gtest in it).
  if(CLOUD_PCH AND TARGET cloud_testlib)
    target_precompile_headers(${name} REUSE_FROM cloud_testlib)
  endif()
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
