/*
 * teestore-ta-host: one TA instance. teed forks and execs it with the
 * TA channel on a file descriptor and the path of the .ta; it loads the TA,
 * tells teed what the TA's header says, enters the sandbox and then serves
 * teed's requests until DESTROY (docs/protocol-ta.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"
#include "uuid.h"

struct rt_state rt = {.sock = -1};

#if defined(TEESTORE_SANITIZE)
/*
 * A crashing TA is an expected event here: let SIGSEGV kill the process
 * as it would without ASan, and do not run LeakSanitizer (it needs
 * ptrace, which the sandbox forbids).
 */
__attribute__((used, visibility("default"))) const char *
__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "handle_segv=0:handle_sigbus=0:detect_leaks=0";
}
#endif

static void usage(FILE *f)
{
	fprintf(f, "usage: teestore-ta-host --fd N TA_PATH\n"
		   "Hosts one instance of the trusted application TA_PATH "
		   "(a <uuid>.ta).\nStarted by teed, which passes the TA "
		   "channel (a SOCK_SEQPACKET socket) as fd N;\nnot meant to "
		   "be run by hand.\n");
}

static int parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 65535)
		return -1;
	return (int)v;
}

static void send_props(TEE_Result load_result)
{
	struct ta_msg_props p;
	uint8_t buf[64];
	int len;

	memset(&p, 0, sizeof(p));
	p.load_result = load_result;
	if (!load_result) {
		p.uuid = rt.head->uuid;
		p.flags = rt.head->flags;
		p.stack_size = rt.head->stack_size;
		p.data_size = (uint32_t)rt.data_size;
	}
	len = ta_msg_encode_props(buf, sizeof(buf), &p);
	if (len < 0 ||
	    ipc_send(rt.sock, TA_MSG_PROPS, 0, buf, (size_t)len, NULL, 0))
		rt_die_proto("cannot send the TA properties");
}

static TEE_Result prepare(const char *path)
{
	TEE_Result res;
	int rc;

	/* The TA's constructors run inside the load: confine them first. */
	rc = rt_landlock_enter(path);
	if (rc == -ENOSYS) {
		rt_log("no Landlock in this kernel: the TA's constructors run "
		       "unconfined until the seccomp sandbox");
	} else if (rc) {
		rt_log("cannot confine the file system: %s", strerror(-rc));
		return TEE_ERROR_SECURITY;
	}
	res = rt_load(path);
	if (res)
		return res;
	if (rt.head->stack_size > TA_MSG_MAX_STACK_SIZE ||
	    rt.data_size > TA_MSG_MAX_DATA_SIZE) {
		rt_log("stack size %u or data size %zu out of range",
		       rt.head->stack_size, rt.data_size);
		return TEE_ERROR_BAD_FORMAT;
	}
	if (rt_heap_init(rt.data_size) ||
	    rt_stack_init((size_t)rt.head->stack_size + RT_STACK_RESERVE))
		return TEE_ERROR_OUT_OF_MEMORY;
	rc = rt_sandbox_enter();
	if (rc) {
		rt_log("cannot enter the sandbox: %s", strerror(-rc));
		return TEE_ERROR_SECURITY;
	}
	return TEE_SUCCESS;
}

int main(int argc, char **argv)
{
	TEE_Result res;

	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "--fd")) {
		usage(stderr);
		return RT_EXIT_USAGE;
	}
	rt.sock = parse_fd(argv[2]);
	rt.path = argv[3];
	if (rt.sock < 0 || fcntl(rt.sock, F_GETFD) < 0) {
		fprintf(stderr, "teestore-ta-host: bad channel fd '%s'\n",
			argv[2]);
		return RT_EXIT_USAGE;
	}
	if (ipc_send_hello(rt.sock, TA_MSG_MAGIC, TA_MSG_VERSION) ||
	    ipc_expect_hello(rt.sock, TA_MSG_MAGIC, TA_MSG_VERSION))
		rt_die_proto("no HELLO from teed");
	res = prepare(rt.path);
	send_props(res);
	if (res)
		_exit(RT_EXIT_LOAD);
	rt_serve();
}
