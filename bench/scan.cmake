# bench_scan: the scanner per kernel against simdjson on-demand (bench/bench_scan.c). Included by
# bench/CMakeLists.txt. The simdjson peer (C++) is built only when Debian's libsimdjson-dev (or
# any simdjson CMake package) is found, and only then is C++ enabled.
add_executable(bench_scan ${CMAKE_CURRENT_SOURCE_DIR}/bench_scan.c)
target_compile_options(bench_scan PRIVATE $<$<COMPILE_LANGUAGE:C>:${RSLA_WARNINGS}>)
target_link_libraries(bench_scan PRIVATE rsla_core)

find_package(simdjson CONFIG QUIET)
if(simdjson_FOUND)
  enable_language(CXX)
  target_sources(bench_scan PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/simdjson_ondemand.cpp)
  target_compile_definitions(bench_scan PRIVATE RSLA_BENCH_HAVE_SIMDJSON)
  target_link_libraries(bench_scan PRIVATE simdjson::simdjson)
  set_target_properties(bench_scan PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
                                              LINKER_LANGUAGE CXX)
  # simdjson's on-demand front end is compiled into the caller for the ISA its flags allow
  # (without flags: the generic fallback front end; stage 1 still dispatches inside the library).
  # Give the peer its best shot on this machine: -march=native on this target only (regsla's own
  # code never gets it). A second copy with default flags cannot share the binary: the simdjson
  # inline functions of the two copies would collide (one definition rule).
  # RSLA_BENCH_PEER_NATIVE=OFF builds the peers as a program built against Debian's package
  # usually is (default flags), for the other end of the comparison.
  option(RSLA_BENCH_PEER_NATIVE "Build the simdjson peers with -march=native" ON)
  include(CheckCXXCompilerFlag)
  if(RSLA_BENCH_PEER_NATIVE)
    check_cxx_compiler_flag(-march=native RSLA_BENCH_CXX_NATIVE)
  else()
    unset(RSLA_BENCH_CXX_NATIVE CACHE)
  endif()
  if(RSLA_BENCH_CXX_NATIVE)
    target_compile_options(bench_scan PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
  endif()
  # simdjson_ondemand: the same job as a program of its own, plain or .zst (a reader thread
  # decodes), for bench/run-bench.sh; flags as bench_scan's peers.
  add_executable(simdjson_ondemand ${CMAKE_CURRENT_SOURCE_DIR}/simdjson_counts.cpp)
  target_link_libraries(simdjson_ondemand PRIVATE rsla_core simdjson::simdjson)
  set_target_properties(simdjson_ondemand PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)
  if(RSLA_BENCH_CXX_NATIVE)
    target_compile_options(simdjson_ondemand PRIVATE -march=native)
  endif()
  message(STATUS "bench_scan: with the simdjson ${simdjson_VERSION} on-demand peers")
else()
  message(STATUS "bench_scan: simdjson not found (apt-get install libsimdjson-dev), no peer")
endif()
