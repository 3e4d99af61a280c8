/*
 * The TA's stack: entry points run on a stack of TA_STACK_SIZE (plus the
 * runtime's reserve, runtime.h) with an inaccessible guard page below it,
 * so a TA that overflows its stack dies with SIGSEGV like on OP-TEE
 * instead of silently using the host's stack.
 */
#include <errno.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#define RT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_ASAN 1
#endif
#endif

#ifdef RT_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

static ucontext_t host_uc, ta_uc;
static uint8_t *stack_lo; /* lowest usable byte (above the guard) */
static size_t stack_size;
static void (*run_fn)(void *);
static void *run_arg;
#ifdef RT_ASAN
static const void *host_stack_bottom;
static size_t host_stack_size;
#endif

int rt_stack_init(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *p;

	size = (size + page - 1) & ~(page - 1);
	p = mmap(NULL, size + page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return -errno;
	if (mprotect(p + page, size, PROT_READ | PROT_WRITE) < 0) {
		int err = errno;

		munmap(p, size + page);
		return -err;
	}
	stack_lo = p + page;
	stack_size = size;
	return 0;
}

bool rt_stack_contains(uintptr_t start, uintptr_t end)
{
	return start >= (uintptr_t)stack_lo &&
	       end <= (uintptr_t)stack_lo + stack_size;
}

static void trampoline(void)
{
#ifdef RT_ASAN
	__sanitizer_finish_switch_fiber(NULL, &host_stack_bottom,
					&host_stack_size);
#endif
	run_fn(run_arg);
#ifdef RT_ASAN
	/* Leaving this context for good: no fake stack to keep. */
	__sanitizer_start_switch_fiber(NULL, host_stack_bottom,
				       host_stack_size);
#endif
}

void rt_stack_run(void (*fn)(void *), void *arg)
{
#ifdef RT_ASAN
	void *fake = NULL;
#endif

	run_fn = fn;
	run_arg = arg;
	if (getcontext(&ta_uc) < 0)
		rt_die_proto("getcontext failed");
	ta_uc.uc_stack.ss_sp = stack_lo;
	ta_uc.uc_stack.ss_size = stack_size;
	ta_uc.uc_link = &host_uc;
	makecontext(&ta_uc, trampoline, 0);
#ifdef RT_ASAN
	__sanitizer_start_switch_fiber(&fake, stack_lo, stack_size);
#endif
	if (swapcontext(&host_uc, &ta_uc) < 0)
		rt_die_proto("swapcontext failed");
#ifdef RT_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}
