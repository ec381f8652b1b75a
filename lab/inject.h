/* inject — makes a stopped tracee install one more seccomp filter.
 *
 * The tracer stops a program only at socket calls. read, write and close
 * matter only on a socket, so instead of stopping every one of them, each
 * socket fd gets a small filter of its own (syscalls_build_fd_filter),
 * installed by the program itself: at the exit stop of the call that made
 * the socket, the tracer saves the registers, writes the filter below the
 * stack's red zone, points the program back at its `syscall` instruction
 * with seccomp()'s number and arguments, lets that one call run (entry and
 * exit stops), and puts the registers back. The program never sees it;
 * SECCOMP_FILTER_FLAG_TSYNC gives the filter to every thread of the
 * process, and children made later inherit it.
 *
 * x86-64 only; elsewhere inject_supported() is false and the base filter
 * keeps stopping every read, write and close.
 */
#ifndef SOCKLAB_INJECT_H
#define SOCKLAB_INJECT_H

#include <stdbool.h>
#include <sys/types.h>

bool inject_supported(void);

/* What became of the injection. */
enum inject_result {
	INJECT_DONE,       /* the filter is installed; the task is back at its exit stop */
	INJECT_FAILED,     /* not installed (the reason in *why); the task is back at
	                      its exit stop */
	INJECT_GONE,       /* the task ended meanwhile: *status is its waitpid status,
	                      for the caller */
};

/* `tid` is in a syscall-exit stop (PTRACE_O_TRACESYSGOOD). Installs the
 * filter for `fd`. A signal that arrives meanwhile is sent again once the
 * registers are back, so the program still gets it. */
enum inject_result inject_fd_filter(pid_t tid, pid_t tgid, int fd, int *status, const char **why);

#endif
