# Writes the generated attn/version.h: the project version and, when the
# sources are a git checkout, the commit they were built from and whether the
# checkout had changes (`git status --porcelain`: modified or new files that
# git does not ignore); "unknown" otherwise. Run with `cmake -P` at configure
# time and before every build (target attn_version), so a commit or an edit
# made since configuring is what run.json records. configure_file() rewrites
# the header only when its text changes, so an unchanged checkout recompiles
# nothing. Inputs: SOURCE_DIR, GIT_EXECUTABLE (may be empty), VERSION,
# TEMPLATE, OUTPUT.
set(ATTN_GIT_COMMIT "unknown")
set(ATTN_GIT_DIRTY "false")
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --short HEAD
    RESULT_VARIABLE rc OUTPUT_VARIABLE commit ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc EQUAL 0 AND commit)
    set(ATTN_GIT_COMMIT "${commit}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" status --porcelain
      RESULT_VARIABLE rc OUTPUT_VARIABLE changes ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0 OR changes)
      set(ATTN_GIT_DIRTY "true")
    endif()
  endif()
endif()
set(PROJECT_VERSION "${VERSION}")
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
