/*
 * Runs the hello world TA that tests/ta/devkit_build.sh built with the
 * exported dev kit: it loads, takes a session and increments a value.
 * Usage: test_devkit_ta TA_DIR
 */
#include <stdio.h>
#include <string.h>

#include "ta_iface.h"
#include "test.h"

static const char *ta_dir;

static void test_devkit_hello_world_runs(void)
{
	const TEE_UUID uuid = {
	    0x8aaaf200,
	    0x2450,
	    0x11e4,
	    {0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b}};
	struct ta_client_identity client = {.login = TEE_LOGIN_PUBLIC};
	struct ta_config cfg = {.ta_dir = ta_dir, .max_instances = 4};
	struct ta_params p = {0};
	struct ta_session *s = NULL;
	uint32_t origin;

	REQUIRE(ta_side_init(&cfg) == 0);
	REQUIRE(ta_open_session(&uuid, &client, &p, &origin, &s) == 0);
	p.p[0].type = TEE_PARAM_TYPE_VALUE_INOUT;
	p.p[0].u.value.a = 42;
	CHECK_EQ(ta_invoke(s, 0, &p, &origin), 0);
	CHECK_EQ(p.p[0].u.value.a, 43);
	CHECK_EQ(ta_invoke(s, 1, &p, &origin), 0);
	CHECK_EQ(p.p[0].u.value.a, 42);
	ta_close_session(s);
	ta_side_shutdown();
}

int main(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"usage: test_devkit_ta TA_DIR\n");
		return argc == 2 ? 0 : 2;
	}
	ta_dir = argv[1];
	RUN(test_devkit_hello_world_runs);
	return test_report();
}
