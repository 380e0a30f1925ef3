# Golden tests of the JSON profiles (issue 6): a Distribution month converted to gitlab, zot and
# nginx-json gives the same instance figures (tests/profiles_test.py, tests/oracle/convert_month.py).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME profiles_month
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/profiles_test.py
                   $<TARGET_FILE:regsla> ${CMAKE_SOURCE_DIR}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(profiles_month PROPERTIES LABELS "golden;profiles" TIMEOUT 600)
endif()
