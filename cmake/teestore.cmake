# Helpers shared by every folder's CMakeLists.txt.

# teestore_test(NAME SOURCES src... [LIBS lib...] [ARGS arg...] [TIMEOUT s]
#               [LABELS l...])
# Builds one test program and registers it with CTest under NAME.
function(teestore_test name)
	cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;ARGS;LABELS" ${ARGN})
	add_executable(${name} ${T_SOURCES})
	target_link_libraries(${name} PRIVATE ${T_LIBS} teestore_testlib)
	add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 300)
	endif()
	set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
	if(T_LABELS)
		set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
	endif()
endfunction()

# teestore_fuzz_target(NAME SOURCES src... LIBS lib... CORPUS dir)
# A libFuzzer target (LLVMFuzzerTestOneInput). Always builds NAME_replay,
# which runs every file of the seed corpus through the target, and registers
# it as a test; with TEESTORE_FUZZ=ON (clang) also builds the real fuzzer.
function(teestore_fuzz_target name)
	cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
	add_executable(${name}_replay ${F_SOURCES}
		${CMAKE_SOURCE_DIR}/tests/support/fuzz_replay_main.c)
	target_link_libraries(${name}_replay PRIVATE ${F_LIBS})
	add_test(NAME ${name}_corpus COMMAND ${name}_replay ${F_CORPUS})
	set_tests_properties(${name}_corpus PROPERTIES TIMEOUT 300)
	if(TEESTORE_FUZZ)
		add_executable(${name} ${F_SOURCES})
		target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
		target_link_options(${name} PRIVATE -fsanitize=fuzzer)
		target_link_libraries(${name} PRIVATE ${F_LIBS})
	endif()
endfunction()
