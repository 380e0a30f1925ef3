# End-to-end tests of the regsla command (Python 3 standard library), one ctest entry per class.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  get_filename_component(_shared ${CMAKE_SOURCE_DIR}/../shared ABSOLUTE)
  foreach(cls Golden Determinism RealLines Command Profiles)
    add_test(NAME cli_${cls}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli_test.py
                     $<TARGET_FILE:regsla> ${CMAKE_SOURCE_DIR} ${_shared} ${cls}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(cli_${cls} PROPERTIES LABELS "cli;golden" TIMEOUT 600)
  endforeach()
endif()

# The oracle's own unit tests: the independent implementation is only as good as they are.
if(Python3_FOUND)
  add_test(NAME oracle_unit
           COMMAND ${Python3_EXECUTABLE} -m unittest discover -s ${CMAKE_SOURCE_DIR}/tests/oracle
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/oracle)
  set_tests_properties(oracle_unit PROPERTIES LABELS "oracle" TIMEOUT 300)
endif()
