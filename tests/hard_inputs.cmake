# Hard inputs (tests/hard_inputs_test.py, Python 3 standard library): one ctest entry per class,
# label "hard". Big (a 200 MB line, 50 and 200 MB of garbage, peak RSS) is also "slow", so that
# the sanitizer pass of .ci/run (ctest -LE slow) leaves it out.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  foreach(cls Text Fields Times Zstd Files Big)
    add_test(NAME hard_${cls}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/hard_inputs_test.py
                     $<TARGET_FILE:regsla> ${cls}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(hard_${cls} PROPERTIES LABELS "hard" TIMEOUT 900)
  endforeach()
  set_tests_properties(hard_Big PROPERTIES LABELS "hard;slow")
endif()
