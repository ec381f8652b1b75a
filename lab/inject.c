/* inject — makes a stopped tracee install one more seccomp filter (see inject.h). */
#include "inject.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscalls.h"

#if defined(__x86_64__)
#include <sys/user.h>

bool inject_supported(void)
{
	return true;
}

static int write_memory(pid_t tid, uint64_t address, const void *data, size_t len)
{
	struct iovec local = { .iov_base = (void *)data, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)address, .iov_len = len };
	if (process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)len)
		return 0;
	/* Word by word where process_vm_writev is refused; len is a multiple of 8. */
	for (size_t at = 0; at < len; at += sizeof(long)) {
		long word;
		memcpy(&word, (const char *)data + at, sizeof word);
		if (ptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)(address + at),
			   (void *)word) < 0)
			return -1;
	}
	return 0;
}

/* Lets the task run to its next stop of the injected call. Other stops
 * on the way: a freeze's PTRACE_INTERRUPT that came too late is spent
 * here; a signal is held back and its number kept to send again. */
static enum inject_result run_to_syscall_stop(pid_t tid, int *status, int *held_signal,
					      const char **why)
{
	int deliver = 0;
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, tid, 0, (void *)(uintptr_t)deliver) < 0) {
			*why = "PTRACE_SYSCALL refused";
			return INJECT_FAILED;
		}
		deliver = 0;
		if (waitpid(tid, status, __WALL) < 0) {
			*why = "waitpid failed";
			return INJECT_FAILED;
		}
		if (WIFEXITED(*status) || WIFSIGNALED(*status))
			return INJECT_GONE;
		if (!WIFSTOPPED(*status))
			continue;
		int signal = WSTOPSIG(*status);
		if (signal == (SIGTRAP | 0x80))
			return INJECT_DONE;
		if ((*status >> 16) == 0 && signal != SIGTRAP)
			*held_signal = signal;   /* a signal on its way: later */
	}
}

enum inject_result inject_fd_filter(pid_t tid, pid_t tgid, int fd, int *status, const char **why)
{
	struct sock_filter instructions[SYSCALLS_FILTER_MAX];
	int count = syscalls_build_fd_filter(instructions, SYSCALLS_FILTER_MAX, fd);
	if (count < 0) {
		*why = "the filter does not fit";
		return INJECT_FAILED;
	}
	struct user_regs_struct saved, regs;
	if (ptrace(PTRACE_GETREGS, tid, 0, &saved) < 0) {
		*why = "PTRACE_GETREGS refused";
		return INJECT_FAILED;
	}
	/* The task just made a system call: the two bytes before its
	 * instruction pointer are `syscall` (0f 05), unless it used int 0x80. */
	errno = 0;
	long text = ptrace(PTRACE_PEEKTEXT, tid, (void *)(uintptr_t)(saved.rip - 2), 0);
	if (errno || (text & 0xffff) != 0x050f) {
		*why = "the call was not made with the syscall instruction";
		return INJECT_FAILED;
	}
	/* Below the red zone (128 bytes the program may use without moving
	 * rsp): the filter, then its sock_fprog, 16-byte aligned. */
	uint64_t program_at =
		(saved.rsp - 128 - (uint64_t)count * sizeof *instructions) & ~(uint64_t)15;
	uint64_t header_at = (program_at - 16) & ~(uint64_t)15;
	struct {
		uint64_t len;              /* struct sock_fprog: unsigned short, then
		                              a pointer at 8 */
		uint64_t filter;
	} header = { (uint64_t)count, program_at };
	if (write_memory(tid, program_at, instructions, (size_t)count * sizeof *instructions) < 0
	    || write_memory(tid, header_at, &header, sizeof header) < 0) {
		*why = "cannot write the filter into the program's memory";
		return INJECT_FAILED;
	}
	regs = saved;
	regs.rip = saved.rip - 2;
	regs.rax = SYS_seccomp;
	regs.orig_rax = SYS_seccomp;
	regs.rdi = SECCOMP_SET_MODE_FILTER;
	/* as the base filter */
	regs.rsi = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	regs.rdx = header_at;
	if (ptrace(PTRACE_SETREGS, tid, 0, &regs) < 0) {
		*why = "PTRACE_SETREGS refused";
		return INJECT_FAILED;
	}
	int held_signal = 0;
	/* entry */
	enum inject_result result = run_to_syscall_stop(tid, status, &held_signal, why);
	if (result == INJECT_DONE)
		result = run_to_syscall_stop(tid, status, &held_signal, why);             /* exit */
	if (result == INJECT_GONE)
		return result;
	long installed = -1;
	if (result == INJECT_DONE) {
		struct user_regs_struct after;
		if (ptrace(PTRACE_GETREGS, tid, 0, &after) == 0)
			installed = (long)after.rax;
		if (installed != 0) {
			/* TSYNC names a thread it could not give the filter to. */
			*why = installed > 0
				? "another thread of the program has filters of its own"
				: "the kernel refused the filter";
			result = INJECT_FAILED;
		}
	}
	if (ptrace(PTRACE_SETREGS, tid, 0, &saved) < 0) {
		*why = "PTRACE_SETREGS refused";
		result = INJECT_FAILED;
	}
	if (held_signal)
		syscall(SYS_tgkill, tgid, tid, held_signal);
	return result;
}

#else

bool inject_supported(void)
{
	return false;
}

enum inject_result inject_fd_filter(pid_t tid, pid_t tgid, int fd, int *status, const char **why)
{
	(void)tid, (void)tgid, (void)fd, (void)status;
	*why = "per-fd filters are made on x86-64 only";
	return INJECT_FAILED;
}

#endif
