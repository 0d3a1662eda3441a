# run_libfuzzer.cmake: the bounded libFuzzer run of the test suite.
#
#   cmake -DSRC=<source root> -DBIN=<scratch build dir> -DCLANG=<clang> -DMODE=build -P run_libfuzzer.cmake
#   cmake -DBIN=<same> -DCORPUS=<seed dir> -DSECONDS=60 -DMODE=run -P run_libfuzzer.cmake
#
# `build` configures the project once more with clang, libFuzzer and
# AddressSanitizer + UndefinedBehaviorSanitizer (MIGC_LIBFUZZER=ON) and builds
# only the fuzz target. `run` fuzzes for SECONDS from a scratch copy of the
# seed corpus (the repository's corpus is never written); a crash leaves its
# input in BIN/artifacts/ and fails the test.
if(MODE STREQUAL "build")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN}
                          -DCMAKE_C_COMPILER=${CLANG} -DCMAKE_BUILD_TYPE=RelWithDebInfo
                          -DMIGC_LIBFUZZER=ON -DMIGC_SANITIZE=OFF
                          "-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "configuring the libFuzzer build failed")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN} --target fuzz_parse -j2 RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "building the libFuzzer target failed")
  endif()
elseif(MODE STREQUAL "run")
  set(work ${BIN}/corpus-work)
  file(REMOVE_RECURSE ${work})
  file(MAKE_DIRECTORY ${work} ${BIN}/artifacts)
  file(GLOB seeds ${CORPUS}/*)
  file(COPY ${seeds} DESTINATION ${work})
  find_program(fuzzer fuzz_parse PATHS ${BIN}/tests/fuzz NO_DEFAULT_PATH REQUIRED)
  execute_process(COMMAND ${fuzzer} -max_total_time=${SECONDS} -timeout=20 -rss_limit_mb=2048
                          -max_len=8192 -dict=${CORPUS}/../migc.dict
                          -artifact_prefix=${BIN}/artifacts/ ${work}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "libFuzzer found a failure (exit ${rc}); input saved in ${BIN}/artifacts/\n${err}")
  endif()
  string(REGEX MATCH "Done [0-9]+ runs[^\n]*" done "${err}")
  message(STATUS "${done}")
else()
  message(FATAL_ERROR "MODE must be build or run")
endif()
