# teestore_add_ta(<uuid> SOURCES src... [INCLUDES dir...])
# Builds the trusted application <uuid>.ta (a shared object loaded by
# teestore-ta-host) into ${TEESTORE_TA_DIR}, for TAs inside this repo.
# INCLUDES must hold the TA's user_ta_header_defines.h (TA_UUID, TA_FLAGS,
# TA_STACK_SIZE, TA_DATA_SIZE), as in an OP-TEE TA tree; the dev kit's
# user_ta_header.c and ta_libc_heap.c are compiled in as the dev kit's
# make fragment does.
# The target is named ta_<uuid>. See docs/ta-devkit.md.
set(TEESTORE_TA_DIR ${CMAKE_BINARY_DIR}/ta CACHE INTERNAL
	"where teestore_add_ta() puts the .ta files")

function(teestore_add_ta uuid)
	cmake_parse_arguments(TA "" "" "SOURCES;INCLUDES" ${ARGN})
	# CMake regexes have no {n}: spell the 8-4-4-4-12 shape out.
	set(h "[0-9a-f]")
	set(h4 "${h}${h}${h}${h}")
	if(NOT uuid MATCHES "^${h4}${h4}-${h4}-${h4}-${h4}-${h4}${h4}${h4}$")
		message(FATAL_ERROR "teestore_add_ta: '${uuid}' is not a "
			"lowercase UUID")
	endif()
	set(target ta_${uuid})
	add_library(${target} MODULE ${TA_SOURCES}
		${PROJECT_SOURCE_DIR}/ta_devkit/src/user_ta_header.c
		${PROJECT_SOURCE_DIR}/ta_devkit/src/ta_libc_heap.c)
	target_include_directories(${target} PRIVATE ${TA_INCLUDES}
		${PROJECT_SOURCE_DIR}/ta_devkit/include
		${PROJECT_SOURCE_DIR}/lib/gp)
	target_compile_definitions(${target} PRIVATE TRACE_LEVEL=4)
	# -Bsymbolic: the TA's calls to its own functions stay inside it.
	target_link_options(${target} PRIVATE -Wl,-Bsymbolic)
	set_target_properties(${target} PROPERTIES
		PREFIX "" SUFFIX ".ta" OUTPUT_NAME ${uuid}
		LIBRARY_OUTPUT_DIRECTORY ${TEESTORE_TA_DIR})
	# A TA is useless without the program that hosts it.
	add_dependencies(${target} teestore-ta-host)
endfunction()
