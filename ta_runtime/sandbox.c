/*
 * The TA process's sandbox: a seccomp BPF filter, installed after the .ta
 * is loaded and before any entry point runs. Allowed: I/O on descriptors
 * the process already holds (its TA channel, stderr, mapped shared
 * memory), memory management without PROT_EXEC, time, randomness,
 * signals to itself, exit. Everything else - open/openat, socket,
 * connect, execve, fork/clone, ptrace, ... - fails with EPERM; a foreign
 * architecture or the x32 ABI kills the process. See docs/protocol-ta.md.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime.h"

#if defined(__x86_64__)
#define SB_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SB_ARCH AUDIT_ARCH_AARCH64
#else
#error "teestore-ta-host: no seccomp filter for this architecture"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args[i]))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args[i]) + 4)
#endif

#define SB_MAX 160

struct sb_prog {
	struct sock_filter f[SB_MAX];
	unsigned n;
	bool overflow;
};

static void emit(struct sb_prog *p, struct sock_filter ins)
{
	if (p->n >= SB_MAX) {
		p->overflow = true;
		return;
	}
	p->f[p->n++] = ins;
}

static void ret(struct sb_prog *p, uint32_t action)
{
	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

static void load(struct sb_prog *p, uint32_t off)
{
	emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off));
}

/* if (A == nr) return ALLOW; */
static void allow(struct sb_prog *p, long nr)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					     (uint32_t)nr, 0, 1));
	ret(p, SECCOMP_RET_ALLOW);
}

/* if (A == nr) return (arg(i) & bits) ? EPERM : ALLOW; (5 instructions) */
static void allow_without_bits(struct sb_prog *p, long nr, int i, uint32_t bits)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					     (uint32_t)nr, 0, 4));
	load(p, ARG_LO(i));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, bits,
					     0, 1));
	ret(p, SECCOMP_RET_ERRNO | EPERM);
	ret(p, SECCOMP_RET_ALLOW);
}

/* if (A == nr) return arg(0) == self ? ALLOW : EPERM; (5 instructions) */
static void allow_self(struct sb_prog *p, long nr, uint32_t self)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					     (uint32_t)nr, 0, 4));
	load(p, ARG_LO(0));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, self, 1,
					     0));
	ret(p, SECCOMP_RET_ERRNO | EPERM);
	ret(p, SECCOMP_RET_ALLOW);
}

static const long sb_allowed[] = {
    SYS_read,
    SYS_write,
    SYS_readv,
    SYS_writev,
    SYS_close,
    SYS_lseek,
    SYS_recvmsg,
    SYS_sendmsg,
    SYS_recvfrom,
    SYS_sendto,
    SYS_ppoll,
    SYS_fstat,
    SYS_fcntl,
    SYS_munmap,
    SYS_madvise,
    SYS_mremap,
    SYS_brk,
    SYS_futex,
    SYS_clock_gettime,
    SYS_clock_getres,
    SYS_clock_nanosleep,
    SYS_nanosleep,
    SYS_gettimeofday,
    SYS_getrandom,
    SYS_exit,
    SYS_exit_group,
    SYS_rt_sigreturn,
    SYS_rt_sigprocmask,
    SYS_rt_sigaction,
    SYS_sigaltstack,
    SYS_getpid,
    SYS_gettid,
    SYS_sched_yield,
    SYS_restart_syscall,
#ifdef SYS_poll
    SYS_poll,
#endif
};

static void build(struct sb_prog *p)
{
	uint32_t self = (uint32_t)getpid();
	size_t i;

	load(p, offsetof(struct seccomp_data, arch));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_ARCH,
					     1, 0));
	ret(p, SECCOMP_RET_KILL_PROCESS);
	load(p, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 system calls (bit 30) would dodge every number below. */
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
					     0x40000000U, 0, 1));
	ret(p, SECCOMP_RET_KILL_PROCESS);
#endif
	for (i = 0; i < sizeof(sb_allowed) / sizeof(sb_allowed[0]); i++)
		allow(p, sb_allowed[i]);
	/*
	 * Each block below loads an argument into A only once its number
	 * matched, and then returns on every path: the path that skips a
	 * block still has A == nr for the next one.
	 */
	allow_without_bits(p, SYS_mmap, 2, PROT_EXEC);
	allow_without_bits(p, SYS_mprotect, 2, PROT_EXEC);
	allow_self(p, SYS_kill, self);
	allow_self(p, SYS_tgkill, self);
	ret(p, SECCOMP_RET_ERRNO | EPERM);
}

int rt_sandbox_enter(void)
{
	struct sb_prog p = {.n = 0};
	struct sock_fprog prog;

	build(&p);
	if (p.overflow)
		return -E2BIG;
	prog.len = (unsigned short)p.n;
	prog.filter = p.f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}
