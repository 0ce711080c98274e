# CTest script: install the built libattn into a scratch prefix, then
# configure, build and run tests/consumer against it (find_package(attn)).
# Inputs: SOURCE_DIR, BINARY_DIR.
set(prefix "${BINARY_DIR}/consumer-check/install")
set(consumer_build "${BINARY_DIR}/consumer-check/build")
file(REMOVE_RECURSE "${BINARY_DIR}/consumer-check")

function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run_step(${CMAKE_COMMAND} --install "${BINARY_DIR}" --prefix "${prefix}")
run_step(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer" -B "${consumer_build}" -DCMAKE_BUILD_TYPE=Release
         "-DCMAKE_PREFIX_PATH=${prefix}")
run_step(${CMAKE_COMMAND} --build "${consumer_build}")
run_step("${consumer_build}/consumer")
