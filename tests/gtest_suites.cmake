# Registers one ctest test per GoogleTest suite of a test binary, run after
# every link of that binary (cmake -P, see tests/CMakeLists.txt).
#
# Why not gtest_discover_tests: it makes one test, hence one process, per
# test case. A sanitizer build pays a fixed cost at every start and exit,
# and a suite's SetUpTestSuite (a PKI, a PostgreSQL server, an archive with
# users) then runs once per case instead of once per suite. One process per
# suite keeps the suites apart and runs them in parallel, as before.
#
# Input variables: TEST_EXECUTABLE, CTEST_FILE (written), TEST_TIMEOUT,
# TEST_ENVIRONMENT (VAR=VALUE pairs separated by |, the tests' ENVIRONMENT).
execute_process(
  COMMAND "${TEST_EXECUTABLE}" --gtest_list_tests
  OUTPUT_VARIABLE listing
  ERROR_VARIABLE listing_errors
  RESULT_VARIABLE listing_status
  TIMEOUT 120)
if(NOT listing_status EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --gtest_list_tests failed (${listing_status}):\n${listing_errors}")
endif()

string(REPLACE "\n" ";" lines "${listing}")
set(suites "")
foreach(line IN LISTS lines)
  # Suite lines start in column 0 and end with a dot before an optional
  # "  # TypeParam = ..." comment; test lines are indented.
  if(line MATCHES "^([^ #][^ ]*)\\.( .*)?$")
    list(APPEND suites "${CMAKE_MATCH_1}")
  endif()
endforeach()
list(REMOVE_DUPLICATES suites)
if(NOT suites)
  message(FATAL_ERROR "${TEST_EXECUTABLE} lists no test suite")
endif()

string(REPLACE "|" ";" environment "${TEST_ENVIRONMENT}")
set(content "# Written by tests/gtest_suites.cmake after each link of ${TEST_EXECUTABLE}.\n")
foreach(suite IN LISTS suites)
  string(APPEND content
    "add_test([==[${suite}]==] [==[${TEST_EXECUTABLE}]==] [==[--gtest_filter=${suite}.*]==] --gtest_brief=1)\n"
    "set_tests_properties([==[${suite}]==] PROPERTIES TIMEOUT ${TEST_TIMEOUT} ENVIRONMENT [==[${environment}]==])\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${content}")
